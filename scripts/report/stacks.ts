/**
 * Reads a synthesized output directory (manifest.json + cdktf.out/stacks/<stack>/cdk.tf.json)
 * and groups the stacks by environment. The environment is the one the stack's provider
 * tags name (`gatehouse:env` on AWS, `gatehouse-env` on Google); stacks without provider tags
 * fall back to the stack-name prefix.
 */
import { isAbsolute, join, normalize } from "node:path";
import { describeError } from "../../modules/core/errors";
import { readBoundedText } from "../../modules/core/read-file";

export type Obj = Record<string, unknown>;

export interface StackJson {
  resource?: Record<string, Record<string, Obj>>;
  data?: Record<string, Record<string, Obj>>;
  provider?: Record<string, Obj[]>;
  [k: string]: unknown;
}

export interface Stack {
  readonly name: string;
  readonly json: StackJson;
}

export interface EnvStacks {
  readonly env: string;
  readonly stacks: readonly Stack[];
}

interface Manifest {
  stacks: Record<string, { synthesizedStackPath: string }>;
}

const SUFFIX = /-(aws-edge|aws-cluster|gcp-address|gcp-edge|gcp-cluster-.+)$/;

/** The environment a stack belongs to. */
export function envOf(name: string, json: StackJson): string {
  for (const p of json.provider?.aws ?? []) {
    for (const t of asArray(p.default_tags)) {
      const env = asObj(asObj(t).tags)["gatehouse:env"];
      if (typeof env === "string") return env;
    }
  }
  for (const p of json.provider?.google ?? []) {
    const env = asObj(p.default_labels)["gatehouse-env"];
    if (typeof env === "string") return env;
  }
  return name.replace(SUFFIX, "");
}

/** Groups stacks by environment, environments in the order their first stack appears. */
export function groupByEnv(stacks: readonly Stack[]): EnvStacks[] {
  const byEnv = new Map<string, Stack[]>();
  for (const s of stacks) {
    const env = envOf(s.name, s.json);
    byEnv.set(env, [...(byEnv.get(env) ?? []), s]);
  }
  return [...byEnv].map(([env, list]) => ({ env, stacks: list }));
}

/** Promotion stages, in the order changes go through them; an environment named for none comes after them. */
const STAGES: ReadonlyArray<RegExp> = [/^(dev|develop|development|sandbox)$/, /^(test|testing|qa|int|integration)$/, /^(stage|staging|stg|preprod|pre-prod|uat)$/, /^(prod|production|prd|live)$/];

/** The promotion stage an environment name says (dev < test < staging < prod), or undefined. */
export function stageOf(env: string): number | undefined {
  for (const word of [env, ...env.split(/[-_.]/)]) {
    const i = STAGES.findIndex((re) => re.test(word.toLowerCase()));
    if (i >= 0) return i;
  }
  return undefined;
}

/**
 * Environments in the order changes apply to them: the promotion stages first (dev, test,
 * staging, prod), then every other environment in the order its first stack appears.
 */
export function orderEnvs<T extends { readonly env: string }>(envs: readonly T[]): T[] {
  return envs
    .map((e, i) => ({ e, i, stage: stageOf(e.env) }))
    .sort((a, b) => (a.stage ?? STAGES.length) - (b.stage ?? STAGES.length) || a.i - b.i)
    .map((x) => x.e);
}

/** The largest stack gatehouse writes is a few MiB (an environment at its 50-listener or NEG limits); more is not a stack of its. */
const STACK_MAX_BYTES = 64 * 1024 * 1024;

/** A JSON file of the output directory, read with a type and size bound. */
function readJson(outdir: string, file: string): unknown {
  const path = join(outdir, file);
  const read = readBoundedText(path, { maxBytes: STACK_MAX_BYTES, what: "synthesized files", expected: "point CDKTF_OUTDIR at gatehouse's output" });
  if ("error" in read) throw new ReportInputError(`gatehouse report: ${path} ${read.error}`);
  try {
    return JSON.parse(read.text) as unknown;
  } catch (e) {
    throw new ReportInputError(`gatehouse report: ${path} is not JSON (${describeError(e)}); synthesize again`);
  }
}

/** The output directory cannot be read as gatehouse's output. */
export class ReportInputError extends Error {}

/** Every stack of a synthesized output directory, in manifest order. */
export function readStacks(outdir: string): Stack[] {
  const manifest = readJson(outdir, "manifest.json") as Manifest;
  // A synth writes at least one stack (the demos when envs/ holds none): an empty list is no output of one.
  const stacks = manifest?.stacks;
  if (typeof stacks !== "object" || stacks === null || Array.isArray(stacks) || Object.keys(stacks).length === 0) throw new ReportInputError(`gatehouse report: ${join(outdir, "manifest.json")} lists no stacks; synthesize again`);
  return Object.entries(stacks).map(([name, s]) => {
    // Only paths inside the output directory: the manifest is read, not trusted.
    const rel = normalize(String(s.synthesizedStackPath));
    if (isAbsolute(rel) || rel.startsWith("..")) throw new ReportInputError(`gatehouse report: ${join(outdir, "manifest.json")} names ${rel} for ${name}, outside the output directory`);
    return { name, json: readJson(outdir, rel) as StackJson };
  });
}

export function asObj(v: unknown): Obj {
  return v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Obj) : {};
}

export function asArray(v: unknown): unknown[] {
  if (Array.isArray(v)) return v;
  return v === undefined || v === null ? [] : [v];
}

export function asString(v: unknown): string | undefined {
  return typeof v === "string" ? v : typeof v === "number" ? String(v) : undefined;
}

export function asNumber(v: unknown): number | undefined {
  const n = typeof v === "number" ? v : typeof v === "string" && /^\d+(\.\d+)?$/.test(v) ? Number(v) : undefined;
  return n !== undefined && Number.isFinite(n) ? n : undefined;
}

/** `[key, body]` of every resource (or data source, `data: true`) of a type in the stacks. */
export function blocks(stacks: readonly Stack[], type: string, data = false): Array<[string, Obj]> {
  return stacks.flatMap((s) => Object.entries((data ? s.json.data : s.json.resource)?.[type] ?? {}));
}

/** Every key of a `${[data.]type.key...}` reference in a value, in order; `data` chooses data sources only (true) or resources only (false). */
export function refsTo(value: unknown, type: string, data?: boolean): string[] {
  const text = typeof value === "string" ? value : JSON.stringify(value ?? null);
  const prefix = data === undefined ? "(?:data\\.)?" : data ? "data\\." : "(?<!data\\.)";
  const re = new RegExp(`\\$\\{[^}]*?${prefix}\\b${type.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\.([A-Za-z0-9_-]+)`, "g");
  return [...text.matchAll(re)].map((m) => m[1] ?? "");
}

/** The AWS region a stack's provider names, if any. */
export function regionOf(s: Stack): string | undefined {
  for (const p of s.json.provider?.aws ?? []) if (typeof p.region === "string") return p.region;
  return undefined;
}

/** The Google project a stack's provider names, if any. */
export function projectOf(s: Stack): string | undefined {
  for (const p of s.json.provider?.google ?? []) if (typeof p.project === "string") return p.project;
  return undefined;
}

/** The key of the first `${[data.]type.key...}` reference in a value, if any. */
export function refTo(value: unknown, type: string): string | undefined {
  const text = typeof value === "string" ? value : JSON.stringify(value ?? null);
  const m = new RegExp(`\\$\\{[^}]*?\\b(?:data\\.)?${type.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\.([A-Za-z0-9_-]+)`).exec(text);
  return m?.[1];
}
