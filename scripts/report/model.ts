/**
 * One environment read from its synthesized stacks (the Terraform JSON only): the traffic graph
 * that is drawn (paths.ts), and the priced things the cost estimate counts: NLBs with their
 * public addresses, Elastic IPs, API Gateway APIs, VPC Lattice, Route 53 health checks, zones and
 * record names, GCP forwarding rules, certificates and Cloud Armor policies.
 */
import { parse } from "yaml";
import { buildGraph, type TrafficGraph } from "./paths";
import { asArray, asObj, asString, blocks, projectOf, refsTo, regionOf, type EnvStacks, type Obj, type Stack } from "./stacks";

export interface AwsListener {
  readonly port: number;
  readonly protocol: string;
}

export interface AwsEdge {
  readonly name: string;
  readonly region: string;
  readonly internal: boolean;
  readonly listeners: readonly AwsListener[];
  /** Public IPv4 addresses: one per availability zone (subnet or subnet mapping) of an internet-facing NLB. */
  readonly publicIpv4: number;
  /** Elastic IP allocations its subnet mappings name (those addresses are its per-AZ addresses). */
  readonly elasticIps: readonly string[];
}

export interface RegionalItem {
  readonly name: string;
  readonly region: string;
}

export interface HealthCheck {
  readonly name: string;
  readonly type: string;
  /** Whether the endpoint is in AWS (cheaper), from what the check names: undefined when it names nothing to tell by. */
  readonly awsEndpoint: boolean | undefined;
  /** Optional features Route 53 prices each: HTTPS, string matching, fast interval, latency measurement. */
  readonly features: readonly string[];
}

export interface DnsName {
  readonly name: string;
  /** Every record of the name is an alias to an AWS resource: Route 53 answers such queries free. */
  readonly aliasOnly: boolean;
  readonly policy: "standard" | "latency" | "geo";
}

export interface AwsExtras {
  readonly httpApis: readonly RegionalItem[];
  readonly restApis: readonly RegionalItem[];
  readonly latticeServiceNetworks: readonly RegionalItem[];
  /** `aws_vpclattice_service` resources, else the HTTPRoutes the Gateway API controller turns into services. */
  readonly latticeServices: readonly string[];
  /** `aws_eip` resources no NLB subnet mapping uses (those are counted with their NLB). */
  readonly elasticIps: readonly RegionalItem[];
  readonly healthChecks: readonly HealthCheck[];
  readonly hostedZones: readonly string[];
  readonly dnsNames: readonly DnsName[];
}

export interface GcpEdge {
  readonly project?: string;
  readonly forwardingRules: number;
  readonly certificates: ReadonlyArray<{ readonly name: string; readonly domains: readonly string[] }>;
  /** Cloud Armor policies: `google_compute_security_policy` resources and names backends refer to (`security_policy`, `edge_security_policy`). */
  readonly securityPolicies: ReadonlyArray<{ readonly name: string; readonly rules?: number; readonly edge: boolean }>;
}

export interface EnvModel {
  readonly env: string;
  readonly aws: readonly AwsEdge[];
  readonly awsExtras: AwsExtras;
  readonly gcp?: GcpEdge;
  readonly graph: TrafficGraph;
}

export function buildModel(e: EnvStacks): EnvModel {
  return { env: e.env, aws: e.stacks.flatMap(awsEdges), awsExtras: awsExtras(e.stacks), gcp: gcpEdge(e.stacks), graph: buildGraph(e) };
}

function awsEdges(s: Stack): AwsEdge[] {
  const res = s.json.resource ?? {};
  return Object.entries(res.aws_lb ?? {})
    .filter(([, lb]) => (asString(lb.load_balancer_type) ?? "application") === "network")
    .map(([key, lb]) => {
      const mappings = asArray(lb.subnet_mapping).map(asObj);
      const zones = mappings.length || asArray(lb.subnets).length;
      return {
        name: asString(lb.name) ?? key,
        region: regionOf(s) ?? "unknown",
        internal: lb.internal === true,
        listeners: Object.values(res.aws_lb_listener ?? {})
          .filter((l) => refsTo(l.load_balancer_arn, "aws_lb", false).includes(key))
          .map((l) => ({ port: Number(l.port), protocol: asString(l.protocol) ?? "TCP" }))
          .sort((a, b) => a.port - b.port),
        publicIpv4: lb.internal === true ? 0 : zones,
        elasticIps: mappings.map((m) => asString(m.allocation_id)).filter((a): a is string => a !== undefined),
      };
    });
}

const named = (stacks: readonly Stack[], type: string): RegionalItem[] =>
  stacks.flatMap((s) => Object.entries(s.json.resource?.[type] ?? {}).map(([k, b]) => ({ name: asString(b.name) ?? k, region: regionOf(s) ?? "unknown" })));

/** The optional Route 53 health-check features a check uses, each priced per month. */
function features(hc: Obj): string[] {
  const type = asString(hc.type) ?? "";
  return [...(type.startsWith("HTTPS") ? ["HTTPS"] : []), ...(type.endsWith("STR_MATCH") ? ["string matching"] : []), ...(Number(hc.request_interval) === 10 ? ["fast interval (10 s)"] : []), ...(hc.measure_latency === true ? ["latency measurement"] : [])];
}

/** AWS endpoint or not, from what the check names: an AWS resource or an `*.amazonaws.com` name is AWS; a Google address or another name or IP is not. */
function awsEndpoint(hc: Obj): boolean | undefined {
  const type = asString(hc.type) ?? "";
  if (type === "CALCULATED" || type === "CLOUDWATCH_METRIC" || type === "RECOVERY_CONTROL") return true;
  const target = JSON.stringify([hc.fqdn ?? null, hc.ip_address ?? null]);
  if (/\$\{(?:data\.)?aws_/.test(target) || /amazonaws\.com/.test(target)) return true;
  if (/\$\{(?:data\.)?google_/.test(target)) return false;
  return hc.fqdn !== undefined || hc.ip_address !== undefined ? false : undefined;
}

function awsExtras(stacks: readonly Stack[]): AwsExtras {
  const networks = named(stacks, "aws_vpclattice_service_network");
  let services = blocks(stacks, "aws_vpclattice_service").map(([k, b]) => asString(b.name) ?? k);
  if (!services.length && networks.length) {
    // The AWS Gateway API controller makes a Lattice service of each HTTPRoute of a Gateway named after the network.
    const names = new Set(networks.map((n) => n.name));
    services = blocks(stacks, "helm_release")
      .flatMap(([, r]) => asArray(r.values).flatMap((v) => objects(String(v))))
      .filter((o) => o.kind === "HTTPRoute" && asArray(asObj(o.spec).parentRefs).some((p) => names.has(asString(asObj(p).name) ?? "")))
      .map((o) => `${asString(asObj(o.metadata).namespace)}/${asString(asObj(o.metadata).name)}`);
  }
  const usedEips = new Set(blocks(stacks, "aws_lb").flatMap(([, lb]) => asArray(lb.subnet_mapping).flatMap((m) => refsTo(asObj(m).allocation_id, "aws_eip", false))));
  const eips = stacks.flatMap((s) => Object.entries(s.json.resource?.aws_eip ?? {}).filter(([k]) => !usedEips.has(k)).map(([k, b]) => ({ name: asString(asObj(b.tags).Name) ?? k, region: regionOf(s) ?? "unknown" })));
  const records = blocks(stacks, "aws_route53_record").filter(([, r]) => ["A", "AAAA", "CNAME"].includes(asString(r.type) ?? "A"));
  const byName = new Map<string, Obj[]>();
  for (const [, r] of records) {
    const n = (asString(r.name) ?? "?").replace(/\.$/, "");
    byName.set(n, [...(byName.get(n) ?? []), r]);
  }
  return {
    httpApis: stacks.flatMap((s) => Object.entries(s.json.resource?.aws_apigatewayv2_api ?? {}).filter(([, b]) => (asString(b.protocol_type) ?? "HTTP") === "HTTP").map(([k, b]) => ({ name: asString(b.name) ?? k, region: regionOf(s) ?? "unknown" }))),
    restApis: named(stacks, "aws_api_gateway_rest_api"),
    latticeServiceNetworks: networks,
    latticeServices: services,
    elasticIps: eips,
    healthChecks: blocks(stacks, "aws_route53_health_check").map(([k, b]) => ({ name: asString(asObj(b.tags).Name) ?? asString(b.fqdn) ?? k, type: asString(b.type) ?? "?", awsEndpoint: awsEndpoint(b), features: features(b) })),
    hostedZones: blocks(stacks, "aws_route53_zone").map(([k, b]) => asString(b.name) ?? k),
    dnsNames: [...byName].map(([name, rs]) => ({
      name,
      aliasOnly: rs.every((r) => /\$\{(?:data\.)?aws_/.test(JSON.stringify(asObj(asArray(r.alias)[0] ?? r.alias).name ?? ""))),
      policy: rs.some((r) => r.latency_routing_policy !== undefined) ? "latency" : rs.some((r) => r.geolocation_routing_policy !== undefined || r.geoproximity_routing_policy !== undefined) ? "geo" : "standard",
    })),
  };
}

function objects(values: string): Obj[] {
  // Only the `objects:` of local charts matter here; a cheap test first, the YAML parser only then.
  if (!values.includes("objects:")) return [];
  try {
    return asArray(asObj(parse(values)).objects).map(asObj);
  } catch {
    return [];
  }
}

function gcpEdge(stacks: readonly Stack[]): GcpEdge | undefined {
  const rules = blocks(stacks, "google_compute_global_forwarding_rule");
  const backends = blocks(stacks, "google_compute_backend_service");
  if (!rules.length && !backends.length) return undefined;
  const policies = new Map<string, { rules?: number; edge: boolean }>();
  const own = new Map(blocks(stacks, "google_compute_security_policy").map(([k, b]) => [k, b]));
  for (const [k, b] of own) policies.set(asString(b.name) ?? k, { rules: asArray(b.rule).length || undefined, edge: asString(b.type) === "CLOUD_ARMOR_EDGE" });
  for (const [, b] of backends)
    for (const field of ["security_policy", "edge_security_policy"]) {
      const v = b[field];
      if (v === undefined) continue;
      const key = refsTo(v, "google_compute_security_policy", false)[0];
      const body = key ? own.get(key) : undefined;
      const name = body ? (asString(body.name) ?? String(key)) : String(v);
      if (!policies.has(name)) policies.set(name, { rules: undefined, edge: field === "edge_security_policy" });
    }
  return {
    project: stacks.map(projectOf).find((p): p is string => p !== undefined),
    forwardingRules: rules.length,
    certificates: blocks(stacks, "google_certificate_manager_certificate").map(([k, b]) => ({ name: asString(b.name) ?? k, domains: asArray(asObj(b.managed).domains).map(String) })),
    securityPolicies: [...policies].map(([name, p]) => ({ name, ...p })),
  };
}
