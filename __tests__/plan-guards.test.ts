/**
 * Guards of the plan's two promises.
 *
 * 1. Every problem reaches the user at an environment field. Construct checks speak of their own
 *    props; the plan maps each prop path through a table, and a path no table maps throws. Here
 *    every leaf of every built-in and example environment is given hostile values of its own type
 *    (past the schema, as a library caller could), and every problem must name a field the
 *    environment's JSON Schema has: never a construct's prop path.
 * 2. Stacks are wiring only: each construct gets the props the plan built, every field the same
 *    object, plus only the references the stack joins in.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Testing } from "cdktf";
import { parse } from "yaml";
import { DEMO_ENVS } from "../envs/examples/demo";
import type { Env, EnvInput } from "../modules/config/schema";
import { parseEnvironment, loadEnvironmentText } from "../modules/config/loader";
import { ConfigError } from "../modules/core/errors";
import type { EnvPlan } from "../modules/plan";
import { envJsonSchema } from "../scripts/write-schema";

const examplesDir = join(__dirname, "..", "envs", "examples");
const INPUTS: ReadonlyArray<readonly [string, EnvInput]> = [
  ...DEMO_ENVS.map((e) => [e.name, e] as const),
  ...readdirSync(examplesDir)
    .filter((f) => f.endsWith(".yaml"))
    .sort()
    .map((f) => [f, parse(readFileSync(join(examplesDir, f), "utf8")) as EnvInput] as const),
];

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Schema = { [k: string]: unknown };

/** The schemas a dotted field path can be at (a record's key and a list's index included); none when the schema has no such field. */
function schemasAt(schema: Schema, segments: readonly string[]): Schema[] {
  const out: Schema[] = [];
  for (const key of ["anyOf", "oneOf", "allOf"]) {
    const branches = schema[key];
    if (Array.isArray(branches)) for (const b of branches) out.push(...schemasAt(b as Schema, segments));
  }
  if (segments.length === 0) return [schema, ...out];
  const [head, ...rest] = segments as [string, ...string[]];
  const props = schema.properties as Record<string, Schema> | undefined;
  const items = schema.items as Schema | undefined;
  const extra = schema.additionalProperties;
  if (props && Object.hasOwn(props, head)) out.push(...schemasAt(props[head] as Schema, rest));
  else if (items && /^[0-9]+$/.test(head)) out.push(...schemasAt(items, rest));
  else if (extra && typeof extra === "object") out.push(...schemasAt(extra as Schema, rest));
  return out;
}

const inSchema = (schema: Schema, segments: readonly string[]): boolean => schemasAt(schema, segments).length > 0;

const SCHEMA = JSON.parse(envJsonSchema()) as Schema;

describe("the JSON Schema path check itself", () => {
  it.each([
    ["name", true],
    ["ports.https.tls", true],
    ["ports.tcp.mqtts.listenerPort", true],
    ["aws.workerSecurityGroupIds.1", true],
    ["aws.apiGateway.stage.throttling.burstLimit", true],
    ["routes.api.path", true],
    ["healthCheck.port", false],
    ["tls.certificateArn", false],
    ["aws.nlb.healthCheck", false],
    ["targetGroupNames.https", false],
  ])("%s in the schema: %s", (path, known) => {
    expect(inSchema(SCHEMA, path.split("."))).toBe(known);
  });
});

/** Every leaf of a JSON value with its path. */
function leaves(v: Json, path: string[] = [], out: Array<[string[], Json]> = []): Array<[string[], Json]> {
  if (v !== null && typeof v === "object" && (Array.isArray(v) ? v.length > 0 : Object.keys(v).length > 0)) {
    for (const [k, c] of Object.entries(v)) leaves(c, [...path, k], out);
  } else out.push([path, v]);
  return out;
}

function setAt(root: Json, path: readonly string[], value: Json): void {
  let at = root as Record<string, Json>;
  for (const k of path.slice(0, -1)) at = at[k] as Record<string, Json>;
  at[path[path.length - 1] as string] = value;
}

/** Values of a leaf's own type that construct checks refuse: out of range, malformed, too long, named like an id. */
function hostile(v: Json): Json[] {
  if (typeof v === "string") return ["", "sg-x", "a b/c_d.e", "x".repeat(300)];
  if (typeof v === "number") return [-1, 0, 1.5, 999999];
  if (typeof v === "boolean") return [!v];
  if (Array.isArray(v)) return [[]];
  return [];
}

describe("every problem names an environment field", () => {
  const bases = INPUTS.map(([name, input]) => [name, JSON.parse(JSON.stringify(parseEnvironment(input))) as Json] as const);
  // Imported here so the stacks' mocks below do not leak into this part.
  const { planProblems } = jest.requireActual<typeof import("../modules/plan")>("../modules/plan");

  it.each(bases)("for hostile values in every field of %s", (_name, base) => {
    const strays: string[] = [];
    let tried = 0;
    for (const [path, value] of leaves(base)) {
      // A choice from a list (a kind, a mode) is the type itself: TypeScript allows no other.
      const at = schemasAt(SCHEMA, path).filter((s) => s.type !== undefined || s.enum !== undefined || s.const !== undefined);
      if (at.length > 0 && at.every((s) => s.enum !== undefined || s.const !== undefined)) continue;
      for (const bad of hostile(value)) {
        const env = JSON.parse(JSON.stringify(base)) as Json;
        setAt(env, path, bad);
        tried++;
        let problems: ReturnType<typeof planProblems>;
        try {
          problems = planProblems(env as unknown as Env);
        } catch (e) {
          strays.push(`${path.join(".")} = ${JSON.stringify(bad).slice(0, 40)}: threw ${(e as Error).message}`);
          continue;
        }
        for (const p of problems) if (!inSchema(SCHEMA, p.path.split("."))) strays.push(`${path.join(".")} = ${JSON.stringify(bad).slice(0, 40)}: reported at ${p.path} (${p.message})`);
      }
    }
    expect(tried).toBeGreaterThan(50);
    expect(strays).toEqual([]);
  });

  it("reports a rule only the API Gateway construct states at the environment's field, with its file and line", () => {
    const text = readFileSync(join(examplesDir, "api-gateway.yaml"), "utf8").replace("burstLimit: 1000 }", "burstLimit: 999999 }");
    expect(text).toContain("burstLimit: 999999");
    let thrown: unknown;
    try {
      loadEnvironmentText(text, "envs/api-gateway.yaml");
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    const burst = (thrown as ConfigError).problems.filter((p) => p.path.endsWith("burstLimit"));
    const line = text.split("\n").findIndex((l) => l.includes("burstLimit")) + 1;
    expect(burst.map((p) => [p.path, p.file])).toEqual([["aws.apiGateway.stage.throttling.burstLimit", `envs/api-gateway.yaml:${line}`]]);
  });
});

// ------------------------------------------------------------------ stacks are wiring only

/** Each construct the stacks make: its module, and the fields a stack joins in beside the plan's props. */
const CONSTRUCTS: ReadonlyArray<{ module: string; name: string; wiring: readonly string[] }> = [
  // The certificate's ARN, when gatehouse requests the certificate, exists once the stack does.
  { module: "../modules/aws/nlb-edge", name: "NlbEdge", wiring: ["securityGroupIds", "tls"] },
  { module: "../modules/aws/route53", name: "HostedZone", wiring: [] },
  { module: "../modules/aws/route53", name: "NlbAliasRecords", wiring: ["zoneId", "target"] },
  { module: "../modules/aws/route53", name: "SteeredRecords", wiring: ["zoneId", "aws", "gcp"] },
  { module: "../modules/aws/acm", name: "DnsValidatedCertificate", wiring: ["zoneId"] },
  { module: "../modules/aws/authorization-records", name: "AuthorizationRecords", wiring: ["zoneId", "records"] },
  { module: "../modules/aws/nlb-security-group", name: "NlbSecurityGroup", wiring: [] },
  { module: "../modules/aws/targets", name: "TargetRegistration", wiring: ["targetGroups"] },
  { module: "../modules/aws/node-access", name: "NodeAccessRules", wiring: ["targetPorts", "from"] },
  { module: "../modules/aws/api-gateway", name: "ApiGateway", wiring: ["nlbSecurityGroupId"] },
  { module: "../modules/aws/lattice", name: "LatticeNetwork", wiring: [] },
  { module: "../modules/k8s/aws-gateway-controller", name: "AwsGatewayController", wiring: ["awsAccountId", "identity", "kubernetesVersion"] },
  { module: "../modules/k8s/route-objects", name: "Routes", wiring: ["dependsOn"] },
  { module: "../modules/k8s/cluster-access", name: "ClusterAccess", wiring: [] },
  { module: "../modules/gcp/address-dns", name: "GlobalAddresses", wiring: [] },
  { module: "../modules/gcp/address-dns", name: "GlobalAddressLookup", wiring: [] },
  { module: "../modules/gcp/address-dns", name: "AddressRecords", wiring: ["addresses"] },
  { module: "../modules/gcp/cert-map", name: "CertMap", wiring: [] },
  { module: "../modules/gcp/neg-backends", name: "NegBackends", wiring: ["iap"] },
  { module: "../modules/gcp/frontends", name: "GlobalFrontends", wiring: ["addresses", "certificateMap", "backends"] },
  { module: "../modules/gcp/firewall", name: "FrontEndFirewall", wiring: [] },
];

/** A construct's name, the props the plan built for it, and plan fields kept for the stack to choose with. */
type Planned = [name: string, props: object, kept?: readonly string[]];

/** The props the plan built for each construct. */
function planned(plan: EnvPlan): Planned[] {
  const out: Planned[] = [];
  const a = plan.aws;
  if (a) {
    out.push(["NlbEdge", a.edge.nlb]);
    if (a.edge.zone) out.push(["HostedZone", a.edge.zone]);
    if (a.edge.records) out.push(["NlbAliasRecords", a.edge.records]);
    if (a.edge.certificate) out.push(["DnsValidatedCertificate", a.edge.certificate]);
    const sg = a.edge.securityGroup;
    if (sg && "create" in sg) out.push(["NlbSecurityGroup", sg.create]);
    if (a.edge.targets) out.push(["TargetRegistration", a.edge.targets]);
    // The plan keeps the VPC CIDRs for the stack to choose the rules' source with.
    out.push(["NodeAccessRules", a.edge.nodeAccess, ["vpcCidrs"]]);
    out.push(["ClusterAccess", a.cluster.access]);
    if (a.cluster.routes) out.push(["Routes", a.cluster.routes]);
    if (a.api) out.push(["ApiGateway", a.api.props]);
    if (a.lattice) out.push(["LatticeNetwork", a.lattice.network]);
    if (a.cluster.lattice) out.push(["AwsGatewayController", a.cluster.lattice.controller]);
  }
  const g = plan.gcp;
  if (g) {
    out.push(["GlobalAddresses", g.address.addresses]);
    for (const c of g.clusters) {
      out.push(["ClusterAccess", c.access]);
      out.push(["GlobalAddressLookup", c.addresses]);
      if (c.routes) out.push(["Routes", c.routes]);
    }
    out.push(["GlobalAddressLookup", g.edge.addresses]);
    if (g.edge.records) out.push(["AddressRecords", g.edge.records]);
    if (g.edge.route53) {
      out.push(["HostedZone", { zone: g.edge.route53.zone }]);
      // Google's authorizations give the records; the stack passes them on.
      out.push(["AuthorizationRecords", {}]);
    }
    out.push(["CertMap", g.edge.certMap]);
    // The IAP client id is the plan's; the stack adds the secret's variable beside it.
    out.push(["NegBackends", g.edge.backends]);
    out.push(["GlobalFrontends", g.edge.frontends]);
    out.push(["FrontEndFirewall", g.edge.firewall]);
  }
  const d = plan.dns;
  if (d) {
    out.push(["HostedZone", { zone: d.zone }]);
    out.push(["GlobalAddressLookup", d.addresses]);
    out.push(["SteeredRecords", d.records]);
  }
  return out;
}

describe("a construct problem at a prop path the plan's table does not map", () => {
  it("stops synth naming the construct, the prop and the problem, instead of reporting it nowhere", () => {
    const { atEnvFields } = jest.requireActual<typeof import("../modules/plan/paths")>("../modules/plan/paths");
    const table = [["source", "controller.gatewayApiCrds"]] as const;
    expect(atEnvFields("the Gateway API CRDs", table, [{ path: "source", value: "x", message: "is bad" }])).toEqual([{ path: "controller.gatewayApiCrds", value: "x", message: "is bad" }]);
    expect(() => atEnvFields("the Gateway API CRDs", table, [{ path: "channel", value: "x", message: "is bad" }])).toThrow("gatehouse: the plan maps no environment field to the Gateway API CRDs's prop channel (is bad)");
  });
});

describe("stacks pass the plan's props through", () => {
  const seen: Array<[string, Record<string, unknown>]> = [];
  let buildPlan: (app: import("constructs").Construct, plan: EnvPlan) => unknown;
  let planEnvironment: (env: Env) => EnvPlan;

  beforeAll(() => {
    jest.resetModules();
    for (const module of new Set(CONSTRUCTS.map((c) => c.module))) {
      jest.doMock(module, () => {
        const actual = jest.requireActual<Record<string, unknown>>(module);
        const noting: Record<string, unknown> = {};
        for (const { name } of CONSTRUCTS.filter((c) => c.module === module)) {
          const Real = actual[name] as new (...args: unknown[]) => object;
          // A subclass that notes its props: the construct itself is built as usual.
          noting[name] = class extends Real {
            constructor(...args: unknown[]) {
              seen.push([name, args[2] as Record<string, unknown>]);
              super(...args);
            }
          };
        }
        return { ...actual, ...noting };
      });
    }
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    ({ buildPlan } = require("../modules/stacks/build") as typeof import("../modules/stacks/build"));
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    ({ planEnvironment } = require("../modules/plan") as typeof import("../modules/plan"));
  });
  afterAll(() => jest.resetModules());

  it.each(INPUTS)("%s", (_name, input) => {
    seen.length = 0;
    const plan = planEnvironment(parseEnvironment(input));
    buildPlan(Testing.app(), plan);
    const unmatched: string[] = [];
    const used = new Set<number>();
    for (const [name, props, kept = []] of planned(plan)) {
      const entry = CONSTRUCTS.find((c) => c.name === name);
      const wiring = new Set(entry?.wiring);
      // The construct made from these props: every plan field is the very value the plan holds.
      const at = seen.findIndex(([n, got], i) => !used.has(i) && n === name && Object.entries(props).every(([k, v]) => wiring.has(k) || kept.includes(k) || got[k] === v));
      if (at < 0) {
        unmatched.push(`${name}: no construct got the plan's props unchanged`);
        continue;
      }
      used.add(at);
      const got = (seen[at] as [string, Record<string, unknown>])[1];
      const extra = Object.keys(got).filter((k) => !Object.hasOwn(props, k) && !wiring.has(k));
      if (extra.length) unmatched.push(`${name}: the stack adds ${extra.join(", ")}, which the plan did not build`);
    }
    const unplanned = seen.filter((_, i) => !used.has(i)).map(([n]) => n);
    expect({ unmatched, unplanned }).toEqual({ unmatched: [], unplanned: [] });
  });
});
