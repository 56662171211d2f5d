/**
 * Loads environments: the built-in TypeScript ones and any YAML/JSON files, validates each with
 * the schema, applies the selection, and reports every problem of every environment at once.
 *
 * Input is bounded before it is trusted: env files must be regular files of at most
 * ENV_FILE_MAX_BYTES, YAML anchors and aliases are refused (no alias bombs), nesting is limited
 * to MAX_DEPTH levels (checked while parsing, before anything recursive runs), duplicate keys are
 * found in one pass, and keys JavaScript objects treat specially (`__proto__`, `constructor`,
 * `prototype`) are refused wherever they appear, in files and built-ins alike.
 */
import { readdirSync, type Dirent } from "node:fs";
import { join, resolve as resolvePath } from "node:path";
import { Composer, isAlias, isMap, isNode, isScalar, isSeq, Lexer, LineCounter, Parser, YAMLParseError, type CST, type Document } from "yaml";
import type { z } from "zod";
import { ConfigError, describeError, type Problem } from "../core/errors";
import { readBoundedText } from "../core/read-file";
import { EnvSchema, type Env, type EnvInput } from "./schema";

export interface LoadedEnv {
  readonly env: Env;
  /** Set for environments that came from a file. */
  readonly file?: string;
}

export interface LoadOptions {
  /** Environments written in TypeScript (envs/*.ts). */
  readonly builtins: readonly EnvInput[];
  /** YAML or JSON files, each holding one environment or a list of them. */
  readonly files?: readonly string[];
  /** Names to synthesize; all when empty. */
  readonly only?: readonly string[];
}

/**
 * Env files are a few KiB; anything larger is a mistake (or /dev/zero). The limit also bounds
 * parsing: the yaml package spends about 2 µs and 1 KB of memory per token, so the worst 256 KiB
 * file loads in about a second.
 */
export const ENV_FILE_MAX_BYTES = 256 * 1024;
/** A file holds one environment or a list of them; a longer list is a mistake. */
export const MAX_ENVS_PER_FILE = 100;
/** Environments nest a handful of levels; deeper input is refused before it can exhaust the stack. */
export const MAX_DEPTH = 32;
/** Keys that change how a JavaScript object behaves instead of adding an entry to it. */
export const RESERVED_KEYS: readonly string[] = ["__proto__", "constructor", "prototype"];

const DEPTH_MESSAGE = `nests deeper than ${MAX_DEPTH} levels; an environment is only a few levels deep`;
const RESERVED_MESSAGE = `is a reserved key: "__proto__", "constructor" and "prototype" change how JavaScript objects behave, so the entry would be lost or misread; rename or remove it`;

/** Splits a comma-separated variable (`GATEHOUSE_ENVS`, `GATEHOUSE_ENV_FILE`). */
export function splitList(value: string | undefined): string[] {
  return (value ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
}

/**
 * The selection from the process environment. Unset or empty means "none" (GATEHOUSE_ENV_FILE)
 * or "all" (GATEHOUSE_ENVS); set to something that names nothing (",,", spaces) is a mistake.
 */
export function selectionFromEnv(vars: Readonly<Record<string, string | undefined>>): { files: string[]; only: string[] } {
  const problems: Problem[] = [];
  const list = (name: string, what: string, unset: string): string[] => {
    const raw = vars[name];
    const items = splitList(raw);
    if (raw !== undefined && raw !== "" && items.length === 0)
      problems.push({ env: "(selection)", path: name, value: raw, message: `names no ${what}; list them separated by commas, or unset it to ${unset}` });
    return items;
  };
  const files = list("GATEHOUSE_ENV_FILE", "file", "use only the environments in envs/");
  const only = list("GATEHOUSE_ENVS", "environment", "synthesize every environment");
  if (problems.length) throw new ConfigError(problems);
  return { files, only };
}

interface Candidate {
  readonly input: unknown;
  readonly label: string;
  readonly file?: string;
  /** Maps a field path to "file:line" for messages. */
  readonly locate?: (path: readonly PropertyKey[]) => string | undefined;
}

/** The environment files of a directory (the team's own: `envs/`): YAML and JSON files, not JSON Schemas, sorted by name. */
export function discoverEnvFiles(dir: string): string[] {
  let entries: Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw new ConfigError([{ env: dir, file: dir, path: "(environments)", message: `cannot be read: ${describeError(e)}` }]);
  }
  return entries
    .filter((d) => !d.isDirectory() && ENV_FILE_NAME.test(d.name) && !d.name.endsWith(".schema.json") && !d.name.startsWith("."))
    .map((d) => join(dir, d.name))
    .sort();
}

/** File names taken as environment files. */
export const ENV_FILE_NAME = /\.(ya?ml|json)$/;

export interface Loaded {
  /** The selected environments. */
  readonly selected: LoadedEnv[];
  /** Environments that loaded but are not selected: their names still have owners (crossEnvProblems). */
  readonly unselected: LoadedEnv[];
  /** The names of every environment that loaded, selected or not. */
  readonly known: readonly string[];
}

export function loadEnvironments(opts: LoadOptions): LoadedEnv[] {
  return loadAll(opts).selected;
}

/**
 * One environment from data (TypeScript or parsed YAML/JSON), validated like a loaded file: a
 * ConfigError with every problem, each naming the environment, the field and what is accepted.
 */
export function parseEnvironment(input: unknown, file?: string): Env {
  if (file === undefined) {
    const [loaded] = loadAll({ builtins: [input as EnvInput] }).selected;
    if (!loaded) throw new Error("gatehouse: parseEnvironment loaded nothing");
    return loaded.env;
  }
  const [loaded] = loadCandidates([{ input, label: nameOf(input) ?? file, file }], []).selected;
  if (!loaded) throw new Error("gatehouse: parseEnvironment loaded nothing");
  return loaded.env;
}

export function loadAll(opts: LoadOptions): Loaded {
  const problems: Problem[] = [];
  const candidates: Candidate[] = opts.builtins.map((input, i) => ({ input, label: nameOf(input) ?? `builtin #${i + 1}` }));
  // A file named twice (in envs/ and in GATEHOUSE_ENV_FILE) is read once.
  const files = [...new Map((opts.files ?? []).map((f) => [resolvePath(f), f])).values()];
  for (const file of files) for (const c of readEnvFile(file, problems)) candidates.push(c);
  return loadCandidates(candidates, problems, opts.only);
}

function loadCandidates(candidates: readonly Candidate[], problems: Problem[], only: readonly string[] = []): Loaded {
  const loaded: LoadedEnv[] = [];
  for (const c of candidates) {
    const unsafe = dataProblems(c.input);
    if (unsafe.length) {
      const env = nameOf(c.input) ?? c.label;
      for (const u of unsafe) problems.push({ env, file: c.locate?.(u.path) ?? c.file, path: u.path.map(String).join("."), message: u.message });
      continue;
    }
    const result = EnvSchema.safeParse(c.input, { reportInput: true });
    if (result.success) loaded.push({ env: result.data, file: c.file });
    else for (const issue of result.error.issues) for (const p of toProblems(issue, c)) problems.push(p);
  }

  const seen = new Map<string, string>();
  for (const c of candidates) {
    const name = nameOf(c.input);
    if (name === undefined) continue;
    const where = c.file ?? "envs/";
    const prev = seen.get(name);
    if (prev !== undefined) problems.push({ env: name, file: c.file, path: "name", value: name, message: `is also the name of an environment in ${prev}; environment names must be unique` });
    else seen.set(name, where);
  }
  for (const name of only) {
    if (!seen.has(name)) problems.push({ env: name, path: "GATEHOUSE_ENVS", value: name, message: `no such environment; known: ${[...seen.keys()].sort().join(", ")}` });
  }
  const selected = only.length === 0 ? loaded : loaded.filter((l) => only.includes(l.env.name));
  // Only the selected environments' problems stop the run, so one broken environment does not
  // block work on another. A bad selection always stops it, and so does a file that could not be
  // read or parsed (its environments' names are unknown).
  const relevant = problems.filter((p) => only.length === 0 || only.includes(p.env) || p.path === "GATEHOUSE_ENVS" || !seen.has(p.env));
  if (relevant.length) throw new ConfigError(relevant);
  return { selected, unselected: loaded.filter((l) => !selected.includes(l)), known: loaded.map((l) => l.env.name) };
}

function nameOf(input: unknown): string | undefined {
  if (typeof input === "object" && input !== null && Object.prototype.hasOwnProperty.call(input, "name")) {
    const n = (input as { name: unknown }).name;
    return typeof n === "string" ? n : undefined;
  }
  return undefined;
}

interface DataProblem {
  readonly path: readonly (string | number)[];
  readonly message: string;
}

/**
 * What the schema cannot see in raw input: reserved keys (a YAML/JSON `__proto__` key is an own
 * property; in a TypeScript object literal it sets the prototype instead), objects that are not
 * plain data, cycles, and nesting beyond MAX_DEPTH.
 */
export function dataProblems(input: unknown): DataProblem[] {
  const out: DataProblem[] = [];
  const ancestors = new Set<object>();
  const path: (string | number)[] = [];
  const problem = (message: string, last?: string) => void out.push({ path: last === undefined ? [...path] : [...path, last], message });
  const walk = (value: unknown): void => {
    if (typeof value !== "object" || value === null) return;
    if (ancestors.has(value)) return problem("refers to itself (a cycle); an environment is plain data");
    if (path.length >= MAX_DEPTH) return problem(DEPTH_MESSAGE);
    const proto: unknown = Object.getPrototypeOf(value);
    if (Array.isArray(value)) {
      if (proto !== Array.prototype) return problem("must be a plain list");
    } else if (proto !== Object.prototype && proto !== null) {
      const protoOfProto: unknown = typeof proto === "object" ? Object.getPrototypeOf(proto) : undefined;
      if (protoOfProto === Object.prototype || protoOfProto === null) return problem(RESERVED_MESSAGE, "__proto__");
      return problem("must be plain data (text, numbers, booleans, lists and objects)");
    }
    ancestors.add(value);
    const entries: [string | number, unknown][] = Array.isArray(value) ? value.map((v: unknown, i) => [i, v]) : Object.keys(value).map((k) => [k, (value as Record<string, unknown>)[k]]);
    for (const [key, item] of entries) {
      if (typeof key === "string" && RESERVED_KEYS.includes(key)) {
        problem(RESERVED_MESSAGE, key);
        continue;
      }
      path.push(key);
      walk(item);
      path.pop();
    }
    ancestors.delete(value);
  };
  walk(input);
  return out;
}

function toProblems(issue: z.core.$ZodIssue, c: Candidate): Problem[] {
  const env = nameOf(c.input) ?? c.label;
  const base = issue.path;
  // An unknown key is reported once per key, at the key's own path.
  const paths = issue.code === "unrecognized_keys" ? issue.keys.map((k) => [...base, k]) : [base];
  return paths.map((path) => {
    const location = c.locate?.(path);
    let value: unknown = issue.code === "unrecognized_keys" ? undefined : issue.input;
    let message = issue.message;
    if (issue.code === "unrecognized_keys") message = "unknown field (a typo would otherwise fall back to a default silently)";
    else if (issue.code === "invalid_type" && issue.input === undefined) message = `is required (${issue.expected})`;
    else if (issue.code === "invalid_key") message = issue.issues[0]?.message ?? message;
    else if (issue.code === "invalid_union" && "discriminator" in issue && typeof issue.discriminator === "string") {
      // A discriminated union: report the discriminator's own value and the accepted ones.
      const options = ((issue as { options?: unknown[] }).options ?? []).map(String);
      value = (issue.input as Record<string, unknown> | undefined)?.[issue.discriminator];
      message = `must be one of: ${options.join(", ")}`;
    }
    return { env, file: location ?? c.file, path: path.map(String).join("."), value, message };
  });
}

/**
 * The text of a regular file of at most ENV_FILE_MAX_BYTES, or why not: the project's one bounded
 * reader (modules/core/read-file.ts), so /dev/zero, a FIFO or a directory is refused before a byte is
 * read.
 */
export function readTextFile(file: string): { text: string } | { error: string } {
  return readBoundedText(file, { maxBytes: ENV_FILE_MAX_BYTES, what: "environment files", expected: "name a YAML or JSON file" });
}

/**
 * Parses one YAML (or JSON) document. The CST parser is driven token by token so that nesting is
 * measured while it grows: the composer and toJS recurse per level, and a deep enough input would
 * overflow the stack (or crash V8 outright) before reporting anything.
 */
function parseYaml(text: string, lines: LineCounter): { doc: Document.Parsed } | { depthAt: number } {
  const parser = new Parser(lines.addNewLine);
  lines.addNewLine(0);
  const tokens: CST.Token[] = [];
  // The parser's stack holds about one entry per nesting level (two for "- key:" lines).
  const stackLimit = 2 * MAX_DEPTH + 8;
  for (const lexeme of new Lexer().lex(text)) {
    for (const token of parser.next(lexeme)) tokens.push(token);
    if (parser.stack.length > stackLimit) return { depthAt: parser.offset };
  }
  for (const token of parser.end()) tokens.push(token);
  let doc: Document.Parsed | undefined;
  for (const d of new Composer({ uniqueKeys: false }).compose(tokens, true, text.length)) {
    if (!doc) doc = d;
    else {
      doc.errors.push(new YAMLParseError([d.range[0], d.range[1]], "MULTIPLE_DOCS", "Source contains multiple documents; an env file holds one (a list for several environments)"));
      break;
    }
  }
  // compose(…, forceDoc = true) always yields a document.
  return { doc: doc as Document.Parsed };
}

/** Key of a map entry as it becomes a JavaScript property name (yaml's toJS rules), or undefined for a collection key. */
function keyString(key: unknown): string | undefined {
  if (key === null || key === undefined) return "";
  if (isScalar(key)) {
    const v = key.value;
    if (v === null) return "";
    return typeof v === "object" ? undefined : String(v);
  }
  return undefined;
}

interface DocWalk {
  readonly problems: { readonly offset: number; readonly path: readonly (string | number)[]; readonly message: string; readonly syntax?: boolean; readonly alias?: boolean }[];
  /** Offset of the deepest node of the path that exists, for locating schema problems. */
  readonly offsetOf: (path: readonly PropertyKey[]) => number | undefined;
}

/**
 * One pass over the parsed document: refuses anchors and aliases (so toJS never expands one),
 * collection keys and duplicate keys (a Map per YAML map: linear, where yaml's own uniqueKeys
 * check is quadratic), and measures depth. The per-map key index it builds locates paths later in
 * time proportional to their length.
 */
function walkDocument(doc: Document.Parsed): DocWalk {
  const problems: DocWalk["problems"] = [];
  const index = new WeakMap<object, Map<string, unknown>>();
  const start = (node: unknown): number | undefined => (isNode(node) && node.range ? node.range[0] : undefined);
  const path: (string | number)[] = [];
  const visit = (node: unknown, depth: number): void => {
    if (!isNode(node)) return;
    const at = start(node) ?? 0;
    if (isAlias(node)) return void problems.push({ offset: at, path: [...path], alias: true, message: `is a YAML alias (*${node.source}); anchors and aliases are not supported: write the value out` });
    if (node.anchor) problems.push({ offset: at, path: [...path], alias: true, message: `has a YAML anchor (&${node.anchor}); anchors and aliases are not supported: write the value out` });
    if (!isMap(node) && !isSeq(node)) return;
    if (depth >= MAX_DEPTH) return void problems.push({ offset: at, path: [...path], message: DEPTH_MESSAGE });
    if (isSeq(node)) {
      node.items.forEach((item, i) => {
        path.push(i);
        visit(item, depth + 1);
        path.pop();
      });
      return;
    }
    const keys = new Map<string, unknown>();
    index.set(node, keys);
    for (const pair of node.items) {
      const keyAt = start(pair.key) ?? at;
      if (isNode(pair.key) && (isAlias(pair.key) || pair.key.anchor)) {
        visit(pair.key, depth + 1);
        if (isAlias(pair.key)) continue;
      }
      const key = keyString(pair.key);
      if (key === undefined) {
        problems.push({ offset: keyAt, path: [...path], message: "has a list or map as a key; keys must be plain text" });
        continue;
      }
      if (keys.has(key)) {
        problems.push({ offset: keyAt, path: [...path], message: "Map keys must be unique", syntax: true });
        continue;
      }
      // A key without a value (`key:`) is located at the key.
      keys.set(key, start(pair.value) === undefined ? pair.key : pair.value);
      path.push(key);
      visit(pair.value, depth + 1);
      path.pop();
    }
  };
  visit(doc.contents, 0);
  const offsetOf = (target: readonly PropertyKey[]): number | undefined => {
    let node: unknown = doc.contents;
    let found = start(node);
    for (const segment of target) {
      if (isSeq(node)) node = node.items[Number(segment)];
      else if (isMap(node)) node = index.get(node)?.get(String(segment));
      else break;
      const at = start(node);
      if (at === undefined) break;
      found = at;
    }
    return found;
  };
  return { problems, offsetOf };
}

function readEnvFile(file: string, problems: Problem[]): Candidate[] {
  const read = readTextFile(file);
  if ("error" in read) {
    problems.push({ env: file, file, path: "GATEHOUSE_ENV_FILE", value: file, message: read.error });
    return [];
  }
  return parseEnvText(read.text, file, problems);
}

/**
 * Environments from the text of an env file that is not written yet (it is reported as `file`),
 * validated exactly as synth will read the file.
 */
export function loadEnvironmentText(text: string, file: string): LoadedEnv[] {
  const problems: Problem[] = [];
  const candidates = parseEnvText(text, file, problems);
  return loadCandidates(candidates, problems).selected;
}

function parseEnvText(text: string, file: string, problems: Problem[]): Candidate[] {
  const fileProblem = (message: string) => problems.push({ env: file, file, path: "GATEHOUSE_ENV_FILE", value: file, message });
  const read = { text };
  const lines = new LineCounter();
  const at = (offset: number) => lines.linePos(offset);
  try {
    const parsed = parseYaml(read.text, lines);
    if ("depthAt" in parsed) {
      problems.push({ env: file, file: `${file}:${at(parsed.depthAt).line}`, path: "(syntax)", message: DEPTH_MESSAGE });
      return [];
    }
    const { doc } = parsed;
    if (doc.errors.length) {
      for (const err of doc.errors) {
        const pos = at(err.pos[0]);
        const message = /call stack/i.test(err.message) ? DEPTH_MESSAGE : (err.message.split("\n")[0] ?? err.message);
        problems.push({ env: file, file: `${file}:${pos.line}:${pos.col}`, path: "(syntax)", message });
      }
      return [];
    }
    const walked = walkDocument(doc);
    if (walked.problems.length) {
      // One report line for anchors and aliases: a billion-laughs file holds thousands.
      const aliases = walked.problems.filter((p) => p.alias);
      const first = aliases[0];
      const listed = walked.problems.filter((p) => !p.alias || p === first);
      for (const p of listed) {
        const more = p === first && aliases.length > 1 ? ` (${aliases.length - 1} more anchors and aliases in this file)` : "";
        const pos = at(p.offset);
        if (p.syntax) problems.push({ env: file, file: `${file}:${pos.line}:${pos.col}`, path: "(syntax)", message: p.message });
        else problems.push({ env: file, file: `${file}:${pos.line}`, path: p.path.length ? p.path.join(".") : "(root)", message: p.message + more });
      }
      return [];
    }
    const data: unknown = doc.toJS({ maxAliasCount: 0 });
    const locate = (prefix: readonly PropertyKey[]) => (path: readonly PropertyKey[]) => {
      const offset = walked.offsetOf([...prefix, ...path]);
      return offset === undefined ? undefined : `${file}:${at(offset).line}`;
    };
    if (Array.isArray(data)) {
      if (data.length > MAX_ENVS_PER_FILE) {
        fileProblem(`holds ${data.length} environments; a file holds at most ${MAX_ENVS_PER_FILE}`);
        return [];
      }
      return data.map((input: unknown, i) => ({ input, label: `${file}[${i}]`, file, locate: locate([i]) }));
    }
    return [{ input: data, label: file, file, locate: locate([]) }];
  } catch (e) {
    // Nothing above should throw for any input; if something still does, it is reported, not a trace.
    problems.push({ env: file, file, path: "(syntax)", message: e instanceof RangeError ? DEPTH_MESSAGE : `cannot be parsed: ${describeError(e)}` });
    return [];
  }
}
