/**
 * Loads environments: the built-in TypeScript ones and any YAML/JSON files, validates each with
 * the schema, applies the selection, and reports every problem of every environment at once.
 */
import { readFileSync } from "node:fs";
import { LineCounter, parseDocument } from "yaml";
import type { z } from "zod";
import { ConfigError, type Problem } from "../modules/errors";
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

/** Splits a comma-separated variable (`GATEHOUSE_ENVS`, `GATEHOUSE_ENV_FILE`). */
export function splitList(value: string | undefined): string[] {
  return (value ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
}

interface Candidate {
  readonly input: unknown;
  readonly label: string;
  readonly file?: string;
  /** Maps a field path to "file:line" for messages. */
  readonly locate?: (path: readonly PropertyKey[]) => string | undefined;
}

export function loadEnvironments(opts: LoadOptions): LoadedEnv[] {
  const problems: Problem[] = [];
  const candidates: Candidate[] = opts.builtins.map((input, i) => ({ input, label: nameOf(input) ?? `builtin #${i + 1}` }));
  for (const file of opts.files ?? []) candidates.push(...readEnvFile(file, problems));

  const loaded: LoadedEnv[] = [];
  for (const c of candidates) {
    const result = EnvSchema.safeParse(c.input, { reportInput: true });
    if (result.success) loaded.push({ env: result.data, file: c.file });
    else problems.push(...result.error.issues.flatMap((issue) => toProblems(issue, c)));
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
  const only = opts.only ?? [];
  for (const name of only) {
    if (!seen.has(name)) problems.push({ env: name, path: "GATEHOUSE_ENVS", value: name, message: `no such environment; known: ${[...seen.keys()].sort().join(", ")}` });
  }
  const selected = only.length === 0 ? loaded : loaded.filter((l) => only.includes(l.env.name));
  // Only the selected environments' problems stop the run, so one broken environment does not
  // block work on another. A bad selection always stops it, and so does a file that could not be
  // read or parsed (its environments' names are unknown).
  const relevant = problems.filter((p) => only.length === 0 || only.includes(p.env) || p.path === "GATEHOUSE_ENVS" || !seen.has(p.env));
  if (relevant.length) throw new ConfigError(relevant);
  return selected;
}

function nameOf(input: unknown): string | undefined {
  if (typeof input === "object" && input !== null && "name" in input) {
    const n = (input as { name: unknown }).name;
    return typeof n === "string" ? n : undefined;
  }
  return undefined;
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

function readEnvFile(file: string, problems: Problem[]): Candidate[] {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    problems.push({ env: file, file, path: "GATEHOUSE_ENV_FILE", value: file, message: `cannot be read: ${(e as Error).message}` });
    return [];
  }
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length) {
    for (const err of doc.errors) {
      const pos = lines.linePos(err.pos[0]);
      problems.push({ env: file, file: `${file}:${pos.line}:${pos.col}`, path: "(syntax)", message: err.message.split("\n")[0] ?? err.message });
    }
    return [];
  }
  const data: unknown = doc.toJS();
  const locate = (prefix: readonly PropertyKey[]) => (path: readonly PropertyKey[]) => {
    const full = [...prefix, ...path];
    for (let n = full.length; n >= 0; n--) {
      const node = doc.getIn(full.slice(0, n), true) as { range?: [number, number, number] } | undefined;
      if (node && typeof node === "object" && node.range) return `${file}:${lines.linePos(node.range[0]).line}`;
    }
    return undefined;
  };
  if (Array.isArray(data)) return data.map((input, i) => ({ input, label: `${file}[${i}]`, file, locate: locate([i]) }));
  return [{ input: data, label: file, file, locate: locate([]) }];
}
