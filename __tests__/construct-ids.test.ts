/**
 * No configuration makes two constructs of one id (cdktf's "There is already a Construct with
 * name …"). The class: every construct whose id is computed rather than written out. SITES lists
 * each one with the configuration fields its id is made from; the first test reads the modules'
 * source and fails when a computed id is added or changed without being listed here. FIELDS then
 * names, per configuration field that reaches an id, how two values that would meet in one id are
 * kept apart (refused with a message, merged by value, or an injective id), and the tests feed each
 * field duplicates and colliding spellings: every outcome is a ConfigError naming environment,
 * field and message, or a build with distinct ids, never another error.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { TerraformStack, Testing } from "cdktf";
import type { Construct, IConstruct } from "constructs";
import { loadEnvironments } from "../modules/config/loader";
import type { EnvInput } from "../modules/config/schema";
import { ApiGateway } from "../modules/aws/api-gateway";
import { AuthorizationRecords } from "../modules/aws/authorization-records";
import { NlbAliasRecords, SteeredRecords } from "../modules/aws/route53";
import { NlbEdge } from "../modules/aws/nlb-edge";
import { TargetRegistration } from "../modules/aws/targets";
import { EXISTING_SERVICE_SUFFIX, RESERVED_ENTRY_NAMES, reservedEntryName } from "../modules/model/contract";
import { ConfigError, type Problem } from "../modules/core/errors";
import { AddressRecords } from "../modules/gcp/address-dns";
import { authorizationDomains, CertMap } from "../modules/gcp/cert-map";
import { GlobalFrontends } from "../modules/gcp/frontends";
import { NegBackends, negLookupId } from "../modules/gcp/neg-backends";
import { ServiceEntries } from "../modules/k8s/service-entries";
import { TargetGroupBindings } from "../modules/k8s/target-group-binding";
import { AwsClusterStack } from "../modules/stacks/aws";
import { buildAll } from "../modules/stacks/build";
import { awsEnv, gcpEnv, patch } from "./helpers/fixtures";
import type { TfJson } from "./helpers/synth";

const root = join(__dirname, "..");

/** Configuration fields that reach construct ids ("code": only gatehouse's own constants; "caller": the id a caller passes in). */
type Field =
  | "name"
  | "ports.tcp"
  | "ports.services"
  | "ports.*.listenerPort"
  | "aws.vpc.cidrs"
  | "aws.nlb.securityGroup.clientCidrs"
  | "aws.nlb.securityGroup.ids"
  | "aws.workerSecurityGroupIds"
  | "aws.targets.ips"
  | "aws.lattice.clientCidrs"
  | "aws.lattice.podPorts"
  | "aws.apiGateway.routes"
  | "hostnames"
  | "gcp.clusters.name"
  | "gcp.clusters.zones"
  | "code"
  | "caller";

/** Every computed construct id in modules/, by file and id expression as written. "entry" = the entry point names (http, https, ports.tcp, ports.services). */
const ENTRY: Field[] = ["ports.tcp", "ports.services"];
const SITES: ReadonlyArray<{ file: string; id: string; from: readonly Field[] }> = [
  { file: "modules/aws/api-gateway.ts", id: "`listener-${t}`", from: ENTRY },
  { file: "modules/aws/api-gateway.ts", id: "`egress-${port}`", from: ["ports.*.listenerPort"] },
  { file: "modules/aws/api-gateway.ts", id: "`nlb-ingress-${port}`", from: ["ports.*.listenerPort"] },
  { file: "modules/aws/api-gateway.ts", id: "`egress-${port}-${key}`", from: ["ports.*.listenerPort", "aws.vpc.cidrs"] },
  { file: "modules/aws/api-gateway.ts", id: "`integration-${t}`", from: ENTRY },
  { file: "modules/aws/api-gateway.ts", id: "`route-${keySlug(key)}`", from: ["aws.apiGateway.routes"] },
  { file: "modules/aws/api-gateway.ts", id: "`resource-${keySlug(path)}`", from: ["aws.apiGateway.routes"] },
  { file: "modules/aws/api-gateway.ts", id: "`method-${keySlug(key)}`", from: ["aws.apiGateway.routes"] },
  { file: "modules/aws/api-gateway.ts", id: "`integration-${keySlug(key)}`", from: ["aws.apiGateway.routes"] },
  { file: "modules/aws/authorization-records.ts", id: "`auth-record-${hostKey(domain)}`", from: ["hostnames"] },
  { file: "modules/aws/route53.ts", id: "`a-${hostKey(host)}`", from: ["hostnames"] },
  { file: "modules/aws/route53.ts", id: "`${edge}-${hostKey(host)}`", from: ["hostnames"] },
  { file: "modules/aws/lattice.ts", id: "`association-in-${port}-${cidrIdPart(cidr)}`", from: ["aws.lattice.clientCidrs", "aws.vpc.cidrs"] },
  { file: "modules/aws/lattice.ts", id: "`prefix-list-${family}`", from: ["code"] },
  { file: "modules/aws/lattice.ts", id: '`${prefix}-${key.replace(/[^A-Za-z0-9-]/g, "_")}`', from: ["aws.workerSecurityGroupIds", "aws.lattice.podPorts"] },
  { file: "modules/aws/nlb-edge.ts", id: "`tg-${e.name}`", from: ENTRY },
  { file: "modules/aws/nlb-edge.ts", id: "`listener-${e.name}`", from: ENTRY },
  { file: "modules/aws/nlb-security-group.ts", id: '`in-${port}-${cidr.replace(/[^0-9]/g, "_")}`', from: ["ports.*.listenerPort", "aws.nlb.securityGroup.clientCidrs"] },
  { file: "modules/aws/nlb-security-group.ts", id: '`out-${port}-${cidr.replace(/[^0-9]/g, "_")}`', from: ["aws.vpc.cidrs"] },
  { file: "modules/aws/node-access.ts", id: "ruleIdPart(key)", from: ["aws.workerSecurityGroupIds", "aws.vpc.cidrs", "aws.nlb.securityGroup.ids"] },
  { file: "modules/aws/targets.ts", id: "`${entry}-workers`", from: ENTRY },
  { file: "modules/aws/targets.ts", id: '`${entry}-${ip.replace(/\\./g, "-")}`', from: [...ENTRY, "aws.targets.ips"] },
  { file: "modules/gcp/address-dns.ts", id: 'key === "v4" ? "ipv4" : "ipv6"', from: ["code"] },
  { file: "modules/gcp/address-dns.ts", id: "key", from: ["code"] },
  { file: "modules/gcp/address-dns.ts", id: "`a-${hostKey(host)}`", from: ["hostnames"] },
  { file: "modules/gcp/address-dns.ts", id: "`aaaa-${hostKey(host)}`", from: ["hostnames"] },
  { file: "modules/gcp/cert-map.ts", id: "authorizationId(domain, domains)", from: ["hostnames"] },
  { file: "modules/gcp/cert-map.ts", id: "`auth-record-${hostKey(domain)}`", from: ["hostnames"] },
  { file: "modules/gcp/cert-map.ts", id: "`certificate${suffix}`", from: ["code"] },
  { file: "modules/gcp/cert-map.ts", id: "`entry-${hostKey(host)}`", from: ["hostnames"] },
  { file: "modules/gcp/frontends.ts", id: "`rule-${entry.name}-${a.key}`", from: ["ports.tcp"] },
  { file: "modules/gcp/frontends.ts", id: "`ssl-proxy-${entry.name}`", from: ["ports.tcp"] },
  { file: "modules/gcp/frontends.ts", id: "`tcp-proxy-${entry.name}`", from: ["ports.tcp"] },
  { file: "modules/gcp/neg-backends.ts", id: "`cluster-${c.name}`", from: ["gcp.clusters.name"] },
  { file: "modules/gcp/neg-backends.ts", id: "negLookupId(c.name, entry.name, zone)", from: ["gcp.clusters.name", "ports.tcp", "gcp.clusters.zones"] },
  { file: "modules/gcp/neg-backends.ts", id: "`backend-${entry.name}`", from: ["ports.tcp"] },
  { file: "modules/k8s/gateway-api.ts", id: "CRDS_ID", from: ["code"] },
  { file: "modules/k8s/gateway-api.ts", id: '`crd-${crd.split(".")[0] ?? crd}`', from: ["code"] },
  { file: "modules/k8s/controllers/ingress-nginx.ts", id: "id", from: ["caller"] },
  { file: "modules/k8s/controllers/istio.ts", id: "id", from: ["caller"] },
  { file: "modules/k8s/local-chart.ts", id: "id", from: ["caller"] },
  { file: "modules/k8s/controllers/nginx-gateway-fabric.ts", id: "id", from: ["caller"] },
  { file: "modules/k8s/service-entries.ts", id: "`${e.name}-existing`", from: ["ports.services"] },
  { file: "modules/k8s/service-entries.ts", id: "e.name", from: ["ports.services"] },
  { file: "modules/k8s/target-group-binding.ts", id: "e.name", from: ENTRY },
  { file: "modules/stacks/aws.ts", id: "`tg-${entry}`", from: ENTRY },
  { file: "modules/stacks/build.ts", id: "aws.edge.stack", from: ["name"] },
  { file: "modules/stacks/build.ts", id: "aws.lattice.stack", from: ["name"] },
  { file: "modules/stacks/build.ts", id: "aws.cluster.stack", from: ["name"] },
  { file: "modules/stacks/build.ts", id: "aws.api.stack", from: ["name"] },
  { file: "modules/stacks/build.ts", id: "gcp.address.stack", from: ["name"] },
  { file: "modules/stacks/build.ts", id: "cluster.stack", from: ["name", "gcp.clusters.name"] },
  { file: "modules/stacks/build.ts", id: "gcp.edge.stack", from: ["name"] },
  { file: "modules/stacks/build.ts", id: "plan.dns.stack", from: ["name"] },
  { file: "modules/stacks/gcp.ts", id: "IAP_SECRET_VARIABLE", from: ["code"] },
  { file: "modules/stacks/state.ts", id: "name", from: ["caller"] },
];

/** How each field keeps two of its values out of one construct id. */
const FIELDS: Readonly<Record<Exclude<Field, "code" | "caller">, string>> = {
  name: "environment names are unique (loader); stack names append reserved words no environment name holds",
  "ports.tcp": "record keys are unique; names the stacks use beside them (http, https, readiness-gate) are refused; NEG lookups double the entry's hyphens (negLookupId)",
  "ports.services": "record keys are unique; a name of a tcp entry or a reserved one is refused, and so is <service>-existing beside a service that copies an existing Service",
  "ports.*.listenerPort": "each listener port belongs to one entry point (contract); ports are deduplicated where entries share one",
  "aws.vpc.cidrs": "a block listed twice is refused; a canonical spelling per block (no leading zeros)",
  "aws.nlb.securityGroup.clientCidrs": "a block listed twice is refused",
  "aws.nlb.securityGroup.ids": "merged by value (keyed by id)",
  "aws.workerSecurityGroupIds": "merged by value (keyed by id)",
  "aws.targets.ips": "an IP listed twice is refused",
  "aws.lattice.clientCidrs": "a block listed twice, in any spelling, is refused; IPv6 syntax is checked fully; the id maps IPv4 and IPv6 characters injectively",
  "aws.lattice.podPorts": "merged by value",
  "aws.apiGateway.routes": "record keys are unique; ids carry a hash of the exact key (keySlug)",
  hostnames: "a hostname listed twice, or two whose keys (hostKey), or whose authorization domains' keys, are one, is refused; the authorization of record.<domain> beside <domain> escapes its id (authorizationId)",
  "gcp.clusters.name": "a cluster name used twice is refused; NEG lookup ids are injective (negLookupId)",
  "gcp.clusters.zones": "a zone listed twice is refused",
};

// ------------------------------------------------------------------ the table against the source

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) return n === "charts" ? [] : sourceFiles(p);
    return p.endsWith(".ts") ? [p] : [];
  });
}

/** One call argument starting at `i`: its text and the index of the "," or ")" after it. */
function argument(t: string, i: number): [string, number] {
  const start = i;
  const open: string[] = [];
  while (i < t.length) {
    const c = t[i] as string;
    if (open[open.length - 1] === "`") {
      if (c === "\\") i += 2;
      else if (c === "`") {
        open.pop();
        i++;
      } else if (c === "$" && t[i + 1] === "{") {
        open.push("${");
        i += 2;
      } else i++;
      continue;
    }
    if (c === '"' || c === "'") {
      for (i++; i < t.length && t[i] !== c; i++) if (t[i] === "\\") i++;
      i++;
    } else if (c === "`" || c === "(" || c === "[" || c === "{") {
      open.push(c);
      i++;
    } else if (c === ")" || c === "]" || c === "}") {
      if (open.length === 0) break;
      open.pop();
      i++;
    } else if (c === "," && open.length === 0) break;
    else i++;
  }
  return [t.slice(start, i).trim().replace(/\s+/g, " "), i];
}

/** Every `new X(scope, id, …)` whose id is not a string written out, as file and id expression. */
function computedIds(): Array<{ file: string; id: string }> {
  const out: Array<{ file: string; id: string }> = [];
  for (const file of sourceFiles(join(root, "modules"))) {
    const text = readFileSync(file, "utf8");
    for (const m of text.matchAll(/new\s+[A-Z][A-Za-z0-9]*\s*\(/g)) {
      const [scope, after] = argument(text, (m.index ?? 0) + m[0].length);
      if (text[after] !== "," || !/^[A-Za-z_$][\w.$]*$/.test(scope)) continue;
      const [id] = argument(text, after + 1);
      if (/^"[^"]*"$|^'[^']*'$|^`[^`$]*`$|^\{/.test(id)) continue; // a literal, or a props object (backends take no id)
      out.push({ file: relative(root, file), id });
    }
  }
  return out;
}

describe("the table of computed construct ids", () => {
  it("lists exactly the computed ids the modules make", () => {
    const key = (s: { file: string; id: string }) => `${s.file}  ${s.id}`;
    expect(computedIds().map(key).sort()).toEqual(SITES.map(key).sort());
  });

  it("says for every field that reaches an id how two of its values are kept apart", () => {
    const fields = new Set(SITES.flatMap((s) => s.from).filter((f) => f !== "code" && f !== "caller"));
    expect([...fields].sort()).toEqual(Object.keys(FIELDS).sort());
  });
});

// ------------------------------------------------------------------ outcomes

type Outcome = { readonly built: Readonly<Record<string, TfJson>>; readonly app: Construct } | { readonly problems: readonly Problem[] };

/** Loads and builds environments as synth does: a ConfigError's problems, or the synthesized stacks. Anything else fails the test. */
function outcome(...envs: EnvInput[]): Outcome {
  try {
    const loaded = loadEnvironments({ builtins: envs });
    const app = Testing.app();
    const stacks = buildAll(app, loaded.map((l) => l.env));
    return { app, built: Object.fromEntries(stacks.map((s) => [s.node.id, JSON.parse(Testing.synth(s, true)) as TfJson])) };
  } catch (e) {
    if (e instanceof ConfigError) return { problems: [...e.problems] };
    throw e;
  }
}

function refused(o: Outcome): string[] {
  if (!("problems" in o)) throw new Error("expected a ConfigError, but the environment built");
  return o.problems.map((p) => `${p.env}: ${p.path}: ${p.message}`);
}

function built(o: Outcome): Readonly<Record<string, TfJson>> {
  if ("problems" in o) throw new Error(`expected a build, got:\n${o.problems.map((p) => `${p.path}: ${p.message}`).join("\n")}`);
  return o.built;
}

const resourceIds = (stacks: Readonly<Record<string, TfJson>>, type: string): string[] => Object.values(stacks).flatMap((s) => Object.keys(s.resource?.[type] ?? {}));

// ------------------------------------------------------------------ fixtures

const MQTTS = { mqtts: { listenerPort: 8883, nodePort: 30883, backend: "messaging/broker:1883" } };
const SERVICES = {
  orders: { listenerPort: 8081, nodePort: 31081, namespace: "shop", selector: { app: "orders" }, targetPort: 8080 },
  payments: { listenerPort: 8082, nodePort: 31082, namespace: "shop", existingService: "payments", targetPort: 9000 },
};
/** Every AWS construct that makes computed ids: tcp and service entries, an NLB security group, controller targets (bindings and the readiness gate), API Gateway, Lattice. */
const maximalAws = (change: unknown = {}): EnvInput => {
  const base = awsEnv({ ports: { tcp: MQTTS, services: SERVICES } });
  const aws = base.aws as NonNullable<EnvInput["aws"]>;
  return patch(
    {
      ...base,
      aws: {
        ...aws,
        nlb: { ...aws.nlb, internetFacing: false, securityGroup: { mode: "create", clientCidrs: ["10.0.0.0/8"] } },
        targets: { mode: "controller" },
        apiGateway: { routes: { "ANY /orders/{proxy+}": "orders", "ANY /mqtt": "mqtts" } },
        lattice: { podPorts: [8080] },
      },
    },
    change,
  );
};
/** The environment with the object at `path` replaced, not merged (patch merges objects). */
function replaced(env: EnvInput, path: string, value: unknown): EnvInput {
  const [head = "", ...rest] = path.split(".");
  const obj = env as unknown as Record<string, unknown>;
  return { ...obj, [head]: rest.length ? replaced(obj[head] as EnvInput, rest.join("."), value) : value } as unknown as EnvInput;
}
const withGcp = (change: unknown = {}): EnvInput => patch(gcpEnv({ ports: { tcp: MQTTS } }), change);

// ------------------------------------------------------------------ entry point names

/**
 * The constructs that name children after entry points, with those id templates ("{}": the
 * entry's name). A child no entry point made, whose id an entry point name could make, is a name
 * the contract must refuse.
 */
const ENTRY_SCOPES: ReadonlyArray<{ type: abstract new (...args: never[]) => IConstruct; templates: readonly string[] }> = [
  { type: NlbEdge, templates: ["tg-{}", "listener-{}"] },
  { type: TargetRegistration, templates: ["{}-workers"] },
  { type: TargetGroupBindings, templates: ["{}"] },
  { type: ServiceEntries, templates: ["{}", `{}${EXISTING_SERVICE_SUFFIX}`] },
  // HTTP APIs name integrations after targets; REST APIs (exclusive with them) by route key hashes.
  { type: ApiGateway, templates: ["listener-{}", "integration-{}"] },
  { type: AwsClusterStack, templates: ["tg-{}"] },
  { type: NegBackends, templates: ["backend-{}"] },
  { type: GlobalFrontends, templates: ["ssl-proxy-{}", "tcp-proxy-{}", "rule-{}-v4", "rule-{}-v6"] },
];
const ENTRY_NAME = /^[a-z](?:[a-z0-9-]{0,13}[a-z0-9])?$/;
const capture = (template: string, id: string): string | undefined => {
  const [pre = "", post = ""] = template.split("{}");
  const name = id.startsWith(pre) && id.endsWith(post) && id.length > pre.length + post.length ? id.slice(pre.length, id.length - post.length) : undefined;
  return name !== undefined && ENTRY_NAME.test(name) && !name.includes("--") ? name : undefined;
};

describe("entry point names never meet another construct's id", () => {
  const aws = outcome(maximalAws());
  const discovered = outcome(patch(awsEnv(), { ports: { tcp: MQTTS } }));
  const gcp = outcome(withGcp({ gcp: { ipv6: true }, ports: { tcp: { mqtts: { ...MQTTS.mqtts, tls: "terminate" }, plain: { listenerPort: 9000, nodePort: 30900, backend: "a/b:9000" } } } }));

  it.each(ENTRY_SCOPES.map((s) => [s.type.name, s] as const))("in %s: every id an entry name could make is an entry's, or a name the contract refuses", (_name, scope) => {
    const instances = [aws, discovered, gcp].flatMap((o) => ("app" in o ? o.app.node.findAll().filter((c) => c instanceof scope.type) : []));
    expect(instances.length).toBeGreaterThan(0);
    for (const instance of instances) {
      const entries = new Set(["http", "https", "mqtts", "plain", ...Object.keys(SERVICES)]);
      const children = instance.node.children.map((c) => c.node.id);
      const derived = new Set(children.filter((id) => scope.templates.some((t) => [...entries].some((e) => t.replace("{}", e) === id))));
      for (const id of children.filter((c) => !derived.has(c)))
        for (const t of scope.templates) {
          const name = capture(t, id);
          if (name !== undefined) expect([id, reservedEntryName(name)]).toEqual([id, expect.any(String)]);
        }
    }
  });

  it("refuses a tcp entry point named like a built-in one or a reserved id, naming env, field and why", () => {
    for (const name of Object.keys(RESERVED_ENTRY_NAMES)) {
      const tcp = { [name]: { listenerPort: 9443, nodePort: 30944, backend: "a/b:443" } };
      expect(refused(outcome(awsEnv({ ports: { tcp } })))).toContain(`t: ports.tcp.${name}: ${RESERVED_ENTRY_NAMES[name]}`);
      expect(refused(outcome(gcpEnv({ ports: { tcp } })))).toContain(`g: ports.tcp.${name}: ${RESERVED_ENTRY_NAMES[name]}`);
    }
  });

  it("refuses a service named like any entry point or reserved name", () => {
    const names = [...Object.keys(RESERVED_ENTRY_NAMES), ...Object.keys(MQTTS)];
    for (const name of names) {
      const services = { [name]: { listenerPort: 9081, nodePort: 31981, namespace: "shop", selector: { app: "x" }, targetPort: 8080 } };
      const lines = refused(outcome(awsEnv({ ports: { tcp: MQTTS, services } })));
      expect(lines.some((l) => l.startsWith(`t: ports.services.${name}: `))).toBe(true);
    }
  });

  it("refuses a service named <service>-existing beside a service that copies an existing Service, and builds it beside one with a selector", () => {
    // The two templates of ServiceEntries meet exactly when one name is the other plus the suffix.
    const services = (existing: boolean) => ({
      pay: { listenerPort: 8082, nodePort: 31082, namespace: "shop", ...(existing ? { existingService: "pay" } : { selector: { app: "pay" } }), targetPort: 9000 },
      [`pay${EXISTING_SERVICE_SUFFIX}`]: { listenerPort: 8083, nodePort: 31083, namespace: "shop", selector: { app: "x" }, targetPort: 9000 },
    });
    expect(refused(outcome(awsEnv({ ports: { services: services(true) } })))).toEqual([
      't: ports.services.pay-existing: is taken: service pay copies an existing Service, which gatehouse looks up under the name "pay-existing"; rename one of them',
    ]);
    expect(Object.keys(built(outcome(awsEnv({ ports: { services: services(false) } })))).length).toBeGreaterThan(0);
  });
});

// ------------------------------------------------------------------ NEG lookups

describe("NEG lookup ids", () => {
  it("are injective over cluster names, entry names and zones that share hyphens", () => {
    // Generated from the class: names of one to three hyphenated parts drawn from a few letters.
    const parts = ["a", "b", "b-c", "c"];
    const names = [...new Set([...parts, ...parts.flatMap((x) => parts.map((y) => `${x}-${y}`))])].filter((n) => ENTRY_NAME.test(n));
    const zones = ["europe-west1-b", "europe-west1-c"];
    const seen = new Map<string, string>();
    for (const c of names) for (const e of names) for (const z of zones) {
      const id = negLookupId(c, e, z);
      const who = `${c}|${e}|${z}`;
      expect([id, seen.get(id) ?? who]).toEqual([id, who]);
      seen.set(id, who);
    }
    expect(seen.size).toBe(names.length * names.length * zones.length);
  });

  it("keep the ids entry names without hyphens always had", () => {
    expect(negLookupId("prod-euw1", "https", "europe-west1-b")).toBe("neg-prod-euw1-https-europe-west1-b");
  });

  it("build two clusters whose names and entry names once met in one id", () => {
    const clusters = [
      { name: "a", location: "europe-west1", zones: ["europe-west1-b"] },
      { name: "a-b", location: "europe-west1", zones: ["europe-west1-b"] },
    ];
    const tcp = { "b-mqtt": { listenerPort: 8883, nodePort: 30883, backend: "m/b:1883" }, mqtt: { listenerPort: 1883, nodePort: 30884, backend: "m/b:1883" } };
    const stacks = built(outcome(patch(gcpEnv({ ports: { tcp } }), { gcp: { clusters } })));
    const negs = Object.values(stacks).flatMap((s) => Object.keys(s.data?.google_compute_network_endpoint_group ?? {}));
    // 2 clusters x 3 NEG entry points (https, b-mqtt, mqtt) x 1 zone, all distinct.
    expect(negs).toHaveLength(6);
  });
});

// ------------------------------------------------------------------ lists

describe("lists whose items become construct ids", () => {
  it("refuses a VPC CIDR listed twice, and a second spelling of one", () => {
    expect(refused(outcome(maximalAws({ aws: { vpc: { cidrs: ["10.0.0.0/16", "10.1.0.0/16", "10.0.0.0/16"] } } })))).toEqual([
      "t: aws.vpc.cidrs.2: is aws.vpc.cidrs.0 again; list each value once",
    ]);
    expect(refused(outcome(maximalAws({ aws: { vpc: { cidrs: ["10.0.0.0/16", "10.0.0.0/016"] } } })))).toEqual(["t: aws.vpc.cidrs.1: must be an IPv4 CIDR block such as 10.0.0.0/16"]);
  });

  it("refuses an NLB client CIDR listed twice", () => {
    expect(refused(outcome(maximalAws({ aws: { nlb: { securityGroup: { mode: "create", clientCidrs: ["0.0.0.0/0", "0.0.0.0/0"] } } } })))).toEqual([
      "t: aws.nlb.securityGroup.clientCidrs.1: is aws.nlb.securityGroup.clientCidrs.0 again; list each value once",
    ]);
  });

  it("refuses a static target IP listed twice", () => {
    expect(refused(outcome(replaced(awsEnv(), "aws.targets", { mode: "static", ips: ["10.0.1.1", "10.0.1.1"] })))).toEqual(["t: aws.targets.ips.1: is listed twice"]);
  });

  it("refuses a Lattice client CIDR given twice in any spelling", () => {
    const cases: Array<[string, string]> = [
      ["10.1.0.0/16", "10.1.0.0/16"],
      ["2001:db8::/32", "2001:DB8::/32"],
      ["2001:db8::/48", "2001:db8:0::/48"],
      ["2001:db8::/48", "2001:0db8:0000::/48"],
      ["::/0", "0:0:0:0:0:0:0:0/0"],
      ["::ffff:10.0.0.0/104", "::ffff:a00:0/104"],
    ];
    for (const [a, b] of cases) {
      const lines = refused(outcome(maximalAws({ aws: { lattice: { clientCidrs: [a, b] } } })));
      expect(lines).toEqual([`t: aws.lattice.clientCidrs.1: is aws.lattice.clientCidrs.0 again${a === b ? "" : ` (${JSON.stringify(a)}, the same block)`}; list each value once`]);
    }
  });

  it("builds Lattice client CIDRs whose spellings once met in one id, one rule each", () => {
    // IPv4 and IPv6 blocks that the old id (every non-hex character → "_") could not tell apart.
    const blocks = ["10.0.0.0/8", "::ffff:10.0.0.0/104", "::ffff:10:0:0:0/104", "1000::/8", "a::/16", "a:0:0:0:0:0:0:0/32"];
    const stacks = built(outcome(maximalAws({ aws: { lattice: { clientCidrs: blocks } } })));
    const rules = Object.values(stacks["t-aws-lattice"]?.resource?.aws_vpc_security_group_ingress_rule ?? {}).filter((r) => String(r.description).includes("clients to Lattice"));
    expect(rules.map((r) => r.cidr_ipv4 ?? r.cidr_ipv6).sort()).toEqual([...blocks].sort());
  });

  it("refuses IPv6-looking CIDRs that are not IPv6", () => {
    for (const bad of ["10:0:0:0/8", "1:2:3:4:5:6:7:8:9/64", "1::2::3/64", "12345::/16", "fe80::1%eth0/64", "::ffff:10.0.0/104", "g::/16", "2001:db8::/129"])
      expect(refused(outcome(maximalAws({ aws: { lattice: { clientCidrs: [bad] } } })))).toEqual([`t: aws.lattice.clientCidrs.0: must be an IPv6 CIDR block such as 2001:db8::/32`]);
    expect(refused(outcome(maximalAws({ aws: { lattice: { clientCidrs: ["2001:db8::1/32"] } } })))).toEqual(["t: aws.lattice.clientCidrs.0: has host bits set; the network address for /32 is 2001:db8::/32"]);
  });

  it("merges security group ids and pod ports given twice", () => {
    const existing = (ids: string[]) => replaced(maximalAws(), "aws.nlb.securityGroup", { mode: "existing", ids });
    const twice = built(outcome(patch(existing(["sg-0aaaaaaaaaaaaaaa1", "sg-0aaaaaaaaaaaaaaa1"]), { aws: { workerSecurityGroupIds: ["sg-0123456789abcdef0", "sg-0123456789abcdef0"], lattice: { podPorts: [8080, 8080] } } })));
    const once = built(outcome(existing(["sg-0aaaaaaaaaaaaaaa1"])));
    expect(resourceIds(twice, "aws_vpc_security_group_ingress_rule").sort()).toEqual(resourceIds(once, "aws_vpc_security_group_ingress_rule").sort());
    expect(resourceIds(once, "aws_vpc_security_group_ingress_rule").length).toBeGreaterThan(0);
    expect(Object.values(twice["t-aws-edge"]?.resource?.aws_lb ?? {})[0]?.security_groups).toEqual(["sg-0aaaaaaaaaaaaaaa1"]);
  });

  it("refuses a hostname given twice or two that map to one id, and a zone or cluster given twice", () => {
    expect(refused(outcome(patch(gcpEnv(), { hostnames: ["example.com", "example.com"] })))).toEqual(["g: hostnames: lists a hostname twice"]);
    expect(refused(outcome(patch(gcpEnv(), { hostnames: ["*.a.example.com", "wildcard.a.example.com"] })))).toEqual([
      'g: hostnames.1: maps to the same resource names as "*.a.example.com"; rename one of them',
    ]);
    expect(refused(outcome(patch(gcpEnv(), { gcp: { clusters: [{ name: "c1", location: "europe-west1", zones: ["europe-west1-b", "europe-west1-b"] }] } })))).toEqual([
      "g: gcp.clusters.0.zones.1: is listed twice",
    ]);
    const twice = [
      { name: "c1", location: "europe-west1", zones: ["europe-west1-b"] },
      { name: "c1", location: "us-east1", zones: ["us-east1-b"] },
    ];
    expect(refused(outcome(patch(gcpEnv(), { gcp: { clusters: twice } })))).toContain("g: gcp.clusters.1.name: is used by another cluster of this environment; NEG and stack names would collide");
  });

  it("refuses two environments of one name", () => {
    expect(refused(outcome(awsEnv(), awsEnv()))).toContain("t: name: is also the name of an environment in envs/; environment names must be unique");
  });

  it("builds API route keys that slug alike", () => {
    const routes = { "ANY /a-b": "orders", "ANY /a/b": "orders", "GET /A": "orders", "GET /a": "orders", "ANY /a_b": "orders" };
    // Beside the fixture's two routes.
    const http = built(outcome(maximalAws({ aws: { apiGateway: { routes } } })));
    expect(resourceIds(http, "aws_apigatewayv2_route")).toHaveLength(7);
    const rest = built(outcome(maximalAws({ aws: { apiGateway: { type: "rest", routes } } })));
    expect(resourceIds(rest, "aws_api_gateway_method")).toHaveLength(7);
  });
});

// ------------------------------------------------------------------ hostnames

describe("hostnames", () => {
  /**
   * Generated: pairs of hostnames over labels that hostKey reads alike ("x-y", "x.y"), that start
   * another id's prefix ("record", "wildcard"), with and without a wildcard. Each pair is refused
   * by the plan, or its DNS records and certificate map build with distinct ids.
   */
  const labels = ["record", "wildcard", "x-y", "x", "y"];
  const names = [...labels.map((l) => `${l}.example.com`), ...labels.flatMap((a) => labels.map((b) => `${a}.${b}.example.com`))];
  const candidates = ["example.com", ...names, ...names.map((n) => `*.${n}`)];
  let seed = 11;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const pairs = ([
    ["record.example.com", "example.com"],
    ["*.record.example.com", "example.com"],
    ["*.x-y.example.com", "x.y.example.com"],
    ["wildcard.x.example.com", "*.x.example.com"],
    ...Array.from({ length: 150 }, (): [string, string] => [candidates[Math.floor(next() * candidates.length)] as string, candidates[Math.floor(next() * candidates.length)] as string]),
  ] as Array<[string, string]>).filter(([a, b]) => a !== b);

  it("are refused with a message or get distinct construct ids, pair by pair", () => {
    const outcomes = { refused: 0, built: 0 };
    for (const hostnames of pairs) {
      let envs;
      try {
        envs = loadEnvironments({ builtins: [patch(gcpEnv(), { hostnames })] });
      } catch (e) {
        if (!(e instanceof ConfigError)) throw e;
        expect(e.problems.every((p) => p.env === "g" && p.path.startsWith("hostnames") && p.message.length > 0)).toBe(true);
        outcomes.refused++;
        continue;
      }
      const env = envs[0]?.env;
      const zone = env?.gcp?.dns?.zone;
      if (!env?.hostnames || zone === undefined) throw new Error("no gcp section with a zone");
      const stack = new TerraformStack(Testing.app(), "hosts");
      new AddressRecords(stack, "dns", { zone, hostnames: env.hostnames, addresses: { v4: "192.0.2.1", v6: "2001:db8::1" } });
      new CertMap(stack, "certs", { namePrefix: "g--gatehouse", hostnames: env.hostnames, zone });
      // The same hostnames name Route 53 records: alias, steered and validation records, and Google's authorizations there.
      new NlbAliasRecords(stack, "alias", { zoneId: "Z0123456789ABCDEFGHIJ", hostnames: env.hostnames, target: { dnsName: "nlb.example.com", zoneId: "Z0123456789ABCDEFGHIJ" } });
      new SteeredRecords(stack, "steering", { zoneId: "Z0123456789ABCDEFGHIJ", hostnames: env.hostnames, policy: { type: "failover", primary: "aws" }, aws: { dnsName: "nlb.example.com", zoneId: "Z0123456789ABCDEFGHIJ" }, gcp: { address: "192.0.2.1" }, healthCheck: { protocol: "HTTPS", path: "/healthz", port: 443 } });
      new AuthorizationRecords(stack, "route53-auth", { zoneId: "Z0123456789ABCDEFGHIJ", records: Object.fromEntries(authorizationDomains(env.hostnames).map((d) => [d, { name: `_acme-challenge.${d}.`, type: "CNAME", data: "x" }])) });
      outcomes.built++;
    }
    expect(outcomes.refused).toBeGreaterThan(0);
    expect(outcomes.built).toBeGreaterThan(0);
  });

  it("escapes the authorization id a record id would take, and keeps every other id it always had", () => {
    const authIds = (hostnames: string[]) => {
      const map = new CertMap(new TerraformStack(Testing.app(), "hosts"), "certs", { namePrefix: "g--gatehouse", hostnames, zone: "example-com" });
      return map.node.children.map((c) => c.node.id).filter((id) => id.startsWith("auth")).sort();
    };
    expect(authIds(["example.com", "record.example.com"])).toEqual(["auth-example-com", "auth-record-example-com", "auth-record-record-example-com", "auth_record-example-com"]);
    expect(authIds(["record.example.com", "*.example.org"])).toEqual(["auth-example-org", "auth-record-example-com", "auth-record-example-org", "auth-record-record-example-com"]);
  });
});
