/** Test helpers: build environments or single constructs and read the synthesized JSON. */
import { Testing, TerraformStack } from "cdktf";
import type { Construct } from "constructs";
import { EnvSchema, type Env, type EnvInput } from "../../modules/config/schema";
import { DEMO_ENVS } from "../../envs/examples/demo";
import { buildAll } from "../../modules/stacks/build";

export type TfJson = {
  resource?: Record<string, Record<string, Record<string, unknown>>>;
  data?: Record<string, Record<string, Record<string, unknown>>>;
  provider?: Record<string, Array<Record<string, unknown>>>;
  output?: Record<string, Record<string, unknown>>;
  terraform?: Record<string, unknown>;
};

export function parseEnv(input: EnvInput): Env {
  return EnvSchema.parse(input);
}

/** Synthesizes every stack of the given environments; returns stack name → JSON. */
export function synthEnvs(inputs: readonly EnvInput[]): Record<string, TfJson> {
  const app = Testing.app();
  // Each on its own: the inputs are often alternatives of one environment (sharing a cluster),
  // which one run of several environments would refuse as a clash of names.
  const stacks = inputs.flatMap((i) => buildAll(app, [parseEnv(i)]));
  return Object.fromEntries(stacks.map((s) => [s.node.id, JSON.parse(Testing.synth(s, true)) as TfJson]));
}

let defaults: Record<string, TfJson> | undefined;
/** The built-in environments, synthesized once per test file. */
export function synthDefaults(): Record<string, TfJson> {
  defaults ??= synthEnvs(DEMO_ENVS);
  return defaults;
}

/** Synthesizes constructs made by `build` inside a fresh stack. */
export function synthConstruct(build: (scope: Construct) => void): TfJson {
  const app = Testing.app();
  const stack = new TerraformStack(app, "test");
  build(stack);
  return JSON.parse(Testing.synth(stack)) as TfJson;
}

/** All resources of a type, without cdktf metadata, keyed by logical id. */
export function resources(json: TfJson, type: string): Record<string, Record<string, unknown>> {
  return strip(json.resource?.[type] ?? {});
}

export function dataSources(json: TfJson, type: string): Record<string, Record<string, unknown>> {
  return strip(json.data?.[type] ?? {});
}

export function only(json: TfJson, type: string): Record<string, unknown> {
  const all = Object.values(resources(json, type));
  if (all.length !== 1) throw new Error(`expected exactly one ${type}, found ${all.length}`);
  return all[0] as Record<string, unknown>;
}

function strip(map: Record<string, Record<string, unknown>>): Record<string, Record<string, unknown>> {
  return Object.fromEntries(
    Object.entries(map).map(([k, v]) => {
      const { ["//"]: _meta, ...rest } = v;
      return [k, rest];
    }),
  );
}

/** Resolves `${type.id.attr}` to the logical id, for wiring assertions. */
export function refId(ref: unknown): string {
  const m = /^\$\{((?:data\.)?[a-z0-9_]+)\.([^.]+)\.[a-z_]+\}$/.exec(String(ref));
  if (!m) throw new Error(`not a simple reference: ${String(ref)}`);
  return `${m[1]}.${m[2]}`;
}
