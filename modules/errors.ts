/**
 * User-facing configuration errors.
 *
 * A `Problem` is one thing wrong with one value: where it is (environment, file, field path),
 * what it was, and what would be accepted. Config loading collects every problem of every
 * environment before reporting, and constructs throw the same shape for their own cross-field
 * checks, so the report a user sees has one format whichever layer found the mistake.
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

/** Renders a value for a message: short, unambiguous, never a stack of JSON. */
export function show(value: unknown): string {
  if (value === undefined) return "(missing)";
  const text = typeof value === "string" ? JSON.stringify(value) : JSON.stringify(value) ?? String(value);
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}

export function formatProblem(p: Problem): string {
  const where = p.file ? `${p.env} (${p.file})` : p.env;
  const got = p.value === undefined ? "" : ` (got ${show(p.value)})`;
  return `  ${where}: ${p.path || "(root)"}${got}: ${p.message}`;
}

export function formatProblems(problems: readonly Problem[]): string {
  const envs = new Set(problems.map((p) => p.env));
  const head =
    `gatehouse: ${problems.length} configuration problem${problems.length === 1 ? "" : "s"} ` +
    `in ${envs.size} environment${envs.size === 1 ? "" : "s"}; nothing was synthesized.`;
  return [head, ...problems.map(formatProblem)].join("\n");
}

/**
 * Throws a ConfigError for a construct's own prop checks. `scope` is the construct path, which
 * starts with the stack name and so with the environment name.
 */
export function failIfAny(scopePath: string, problems: ReadonlyArray<Omit<Problem, "env">>): void {
  if (problems.length === 0) return;
  throw new ConfigError(problems.map((p) => ({ ...p, env: scopePath })));
}
