/**
 * Light fuzzing: seeded, deterministic mutations of the demo environments and the examples, of
 * the kind that broke synth before (a value repeated in a list, a record key spelled like another
 * construct's, a value from another field, an edge-of-range number), each loaded and synthesized
 * as synth does. Every outcome is a build or a ConfigError whose problems name the environment, the
 * field and what is wrong: never another error. Bounded by a fixed count and seed (a few seconds).
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Testing } from "cdktf";
import { parse } from "yaml";
import { DEMO_ENVS } from "../envs/examples/demo";
import { loadEnvironments } from "../modules/config/loader";
import type { EnvInput } from "../modules/config/schema";
import { ConfigError } from "../modules/core/errors";
import { buildAll } from "../modules/stacks/build";

const SEED = 0x6a7e;
const MUTANTS = 60;

/** mulberry32: a small seeded generator, so every run tries the same mutants. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const examplesDir = join(__dirname, "..", "envs", "examples");
const BASES: readonly EnvInput[] = [
  ...DEMO_ENVS,
  ...readdirSync(examplesDir)
    .filter((f) => f.endsWith(".yaml"))
    .sort()
    .map((f) => parse(readFileSync(join(examplesDir, f), "utf8")) as EnvInput),
];

/** Values that once crashed synth or sit at an edge, by type; the environment's own values are added per mutant. */
const STRINGS = [
  "http", "https", "readiness-gate", "orders-existing", "10.0.0.0/8", "10.0.0.0/08", "::ffff:10.0.0.0/104", "::ffff:10:0:0:0/104", "2001:DB8::/32",
  "10:0:0:0/8", "10.0.0.1", "aws:owner", "AWS:Owner", "sg-0123456789abcdef0", "Team", "cost.center", "1team", "a b", "", "x".repeat(300), "\u0000", "x\ny", "ünïcode",
  "ELBSecurityPolicy-TLS13-1-2-RFC9151-FIPS-2023-07", "elbsecuritypolicy-tls13-1-2-2021-06", "arn:aws:acm:us-east-1:123456789012:certificate/abc", "xn--bucket", "logs-s3alias",
  "100x", "-1", "1Ki", "4.15.0", "Z0123", "/hostedzone/Z0123", "..", "a/b/c",
];
const NUMBERS = [0, -1, 1, 80, 443, 30080, 30200, 30443, 32767, 65535, 65536, 1.5, 350, 6000, 1e9];
const RECORD_FIELDS = ["tags", "routes", "ports.tcp", "ports.services", "controller.config", "aws.apiGateway.routes", "aws.lattice.routes"];

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** A deep copy made in this realm (structuredClone's objects fail the loader's plain-data check under jest). */
const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

function leaves(v: Json, path: (string | number)[] = [], out: Array<(string | number)[]> = []): Array<(string | number)[]> {
  if (v !== null && typeof v === "object") for (const [k, c] of Object.entries(v)) leaves(c, [...path, Array.isArray(v) ? Number(k) : k], out);
  out.push(path);
  return out;
}

function get(v: Json, path: readonly (string | number)[]): Json | undefined {
  let at: Json | undefined = v;
  for (const k of path) at = at !== null && typeof at === "object" ? (at as Record<string, Json>)[k] : undefined;
  return at;
}

function set(v: Json, path: readonly (string | number)[], value: Json): void {
  const parent = get(v, path.slice(0, -1));
  if (parent !== null && typeof parent === "object") (parent as Record<string | number, Json>)[path[path.length - 1] as string | number] = value;
}

/** One mutant: one to three changes, each keeping the value's type (a list stays a list, a number a number). */
function mutate(base: EnvInput, rnd: () => number): Json {
  const env = clone(base) as unknown as Json;
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
  const own = leaves(env).map((p) => get(env, p));
  const strings = [...STRINGS, ...own.filter((x): x is string => typeof x === "string")];
  const numbers = [...NUMBERS, ...own.filter((x): x is number => typeof x === "number")];
  for (let n = 1 + Math.floor(rnd() * 3); n > 0; n--) {
    const r = rnd();
    const paths = leaves(env).filter((p) => p.length > 0 && p[0] !== "name");
    const path = pick(paths);
    const value = get(env, path);
    if (r < 0.2) {
      // A free-form record gets a key spelled like another construct's, holding a copy of an entry.
      const field = pick(RECORD_FIELDS).split(".");
      const record = get(env, field);
      if (record !== null && typeof record === "object" && !Array.isArray(record)) {
        const keys = Object.keys(record);
        const key = pick([...STRINGS.slice(0, 4), ...keys.map((k) => `${k}-existing`), ...keys.map((k) => k.toUpperCase()), ...keys.map((k) => `${k}.x`)]);
        const copy = keys.length ? clone(record[pick(keys)] as Json) : pick(strings);
        (record as Record<string, Json>)[key] = copy ?? "";
      }
    } else if (Array.isArray(value) && value.length) {
      // A list repeats an item, in the same or another spelling.
      const item = pick(value);
      value.push(typeof item === "string" && rnd() < 0.5 ? item.toUpperCase() : clone(item));
    } else if (typeof value === "string") set(env, path, pick(strings));
    else if (typeof value === "number") set(env, path, pick(numbers));
    else if (typeof value === "boolean") set(env, path, !value);
  }
  return env;
}

describe("fuzzed demo environments", () => {
  it(`end in a build or a ConfigError, never another error (${MUTANTS} mutants, seed ${SEED})`, () => {
    const rnd = random(SEED);
    const outcomes = { built: 0, refused: 0 };
    const started = Date.now();
    for (let i = 0; i < MUTANTS; i++) {
      const env = mutate(BASES[i % BASES.length] as EnvInput, rnd);
      try {
        const loaded = loadEnvironments({ builtins: [env as unknown as EnvInput] });
        const app = Testing.app();
        for (const s of buildAll(app, loaded.map((l) => l.env))) Testing.synth(s);
        outcomes.built++;
      } catch (e) {
        if (!(e instanceof ConfigError)) throw new Error(`mutant ${i} of ${String((env as { name?: unknown }).name)} failed with ${String(e)}\n${JSON.stringify(env)}`);
        for (const p of e.problems) {
          expect(typeof p.env).toBe("string");
          expect(p.env.length).toBeGreaterThan(0);
          expect(typeof p.path).toBe("string");
          expect(p.message.length).toBeGreaterThan(0);
        }
        outcomes.refused++;
      }
    }
    // Both outcomes occur, so the mutants neither all break nor all pass the rules.
    expect(outcomes.built).toBeGreaterThan(MUTANTS / 10);
    expect(outcomes.refused).toBeGreaterThan(MUTANTS / 10);
    expect(Date.now() - started).toBeLessThan(25_000);
  });
});
