/**
 * User-facing configuration errors.
 *
 * A `Problem` is one thing wrong with one value: where it is (environment, file, field path),
 * what it was, and what would be accepted. Config loading collects every problem of every
 * environment before reporting, and constructs throw the same shape for their own cross-field
 * checks, so the report a user sees has one format whichever layer found the mistake. Every part
 * of a printed problem is cut to a bounded length and escaped (formatProblem): problems echo
 * input, and input can hold terminal control sequences and bidi overrides.
 */

export interface Problem {
  /** Environment name, or the construct path when a construct is used outside an environment. */
  readonly env: string;
  /** File the environment came from (YAML/JSON envs), with the line when known. */
  readonly file?: string;
  /** Dotted field path inside the environment, e.g. `aws.nlb.tls.certificateArn`. */
  readonly path: string;
  /** The offending value, as given. `undefined` for a missing field. */
  readonly value?: unknown;
  /** What is wrong and what would be accepted. */
  readonly message: string;
}

/**
 * One problem before it is placed in an environment: what a construct, a rule or the plan finds,
 * its path relative to whatever it checked (props, or the environment). The one problem type of
 * every check; the plan maps construct paths to environment fields (modules/plan/paths.ts).
 */
export type FieldProblem = Omit<Problem, "env">;

/** Thrown for invalid user input; carries every problem found. Never for bugs. */
export class ConfigError extends Error {
  public readonly problems: readonly Problem[];

  constructor(problems: readonly Problem[]) {
    super(formatProblems(problems));
    this.name = "ConfigError";
    this.problems = problems;
  }
}

/** A field-level check result: `undefined` when fine, else the message. */
export type Check = string | undefined;

/**
 * Characters never printed as they are: C0/C1 controls (NUL, ESC, line breaks), format characters
 * (bidi overrides and isolates U+202A-202E and U+2066-2069, zero-width characters, BOM), line and
 * paragraph separators, lone surrogates, private-use and unassigned code points. Any of them in a
 * report could move the cursor, recolour or reorder the terminal text, or hide part of a line.
 */
const UNSAFE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}\p{Co}\p{Cn}]/gu;

/** Escapes every unsafe character (`\n`, `\t`, `\r`, else `\uXXXX` / `\u{XXXXX}`); other text is kept. */
export function escapeText(text: string): string {
  return text.replace(UNSAFE, (ch) => {
    const code = ch.codePointAt(0) ?? 0;
    if (ch === "\n") return "\\n";
    if (ch === "\t") return "\\t";
    if (ch === "\r") return "\\r";
    return code > 0xffff ? `\\u{${code.toString(16)}}` : `\\u${code.toString(16).padStart(4, "0")}`;
  });
}

/** At most `max` UTF-16 units of `text` (never half a surrogate pair), with "..." when cut. */
function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = max - 3;
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--;
  return `${text.slice(0, end)}...`;
}

/** Input echoed in a report: cut to `max` characters, then escaped. */
export function printable(text: string, max = 200): string {
  return escapeText(clip(text, max));
}

/** Limits for the parts of a printed problem. */
const MAX = { env: 80, file: 300, path: 200, value: 120, message: 1000 } as const;

/** Renders a value for a message: short, unambiguous, escaped, never a stack of JSON. */
export function show(value: unknown): string {
  if (value === undefined) return "(missing)";
  if (typeof value === "string") return escapeText(JSON.stringify(clip(value, MAX.value)));
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = Object.prototype.toString.call(value); // a cycle, a BigInt, an object without toString
  }
  return escapeText(clip(text, MAX.value));
}

export function formatProblem(p: Problem): string {
  const env = printable(p.env, MAX.env);
  const where = p.file ? `${env} (${printable(p.file, MAX.file)})` : env;
  const got = p.value === undefined ? "" : ` (got ${show(p.value)})`;
  return `  ${where}: ${p.path ? printable(p.path, MAX.path) : "(root)"}${got}: ${printable(p.message, MAX.message)}`;
}

/** A report lists at most this many problems, then how many more there are. */
export const MAX_LISTED_PROBLEMS = 100;

export function formatProblems(problems: readonly Problem[]): string {
  const envs = new Set(problems.map((p) => p.env));
  const head =
    `gatehouse: ${problems.length} configuration problem${problems.length === 1 ? "" : "s"} ` +
    `in ${envs.size} environment${envs.size === 1 ? "" : "s"}; nothing was synthesized.`;
  const listed = problems.slice(0, MAX_LISTED_PROBLEMS).map(formatProblem);
  const more = problems.length - listed.length;
  if (more > 0) listed.push(`  ... and ${more} more problem${more === 1 ? "" : "s"}`);
  return [head, ...listed].join("\n");
}

/**
 * Throws a ConfigError for a construct's own prop checks. `scope` is the construct path, which
 * starts with the stack name and so with the environment name.
 */
export function failIfAny(scopePath: string, problems: readonly FieldProblem[]): void {
  if (problems.length === 0) return;
  throw new ConfigError(problems.map((p) => ({ ...p, env: scopePath })));
}

/** "ENOENT: no such file or directory" from a node error, without the syscall and path. */
export function describeError(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  const text = String(err?.message ?? e).split("\n")[0] ?? "";
  return err?.code ? text.replace(/, \w+ '.*$/s, "") : text;
}
