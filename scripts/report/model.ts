/**
 * The traffic path of one environment, read from its synthesized stacks: what a client reaches
 * (DNS, global IP, NLB), what each hop listens on and forwards to, which rules admit the
 * traffic, and the controller and routes at the end. Only the Terraform JSON is read.
 */
import { parse } from "yaml";
import { asArray, asNumber, asObj, asString, blocks, refTo, type EnvStacks, type Obj, type Stack } from "./stacks";

export interface Admission {
  /** Where the rule lives: a security group id, "NLB security group", a firewall name. */
  readonly where: string;
  readonly from: string;
  readonly ports: string;
}

export interface AwsListener {
  readonly port: number;
  readonly protocol: string;
  readonly certificate?: string;
  readonly sslPolicy?: string;
  readonly alpn?: string;
  readonly targetGroup?: string;
}

export interface AwsTargetGroup {
  readonly key: string;
  readonly name: string;
  readonly port: number;
  readonly targetType: string;
  readonly proxyProtocol: boolean;
  readonly health: { readonly protocol: string; readonly port: string; readonly path?: string };
  /** How targets get in: instances found by tag, static IPs, a TargetGroupBinding, or none. */
  readonly targets: string;
  /** Targets are pods (a TargetGroupBinding keeps them current) rather than nodes. */
  readonly pods: boolean;
}

export interface AwsEdge {
  readonly name: string;
  readonly region: string;
  readonly internal: boolean;
  readonly crossZone: boolean;
  readonly staticIps: number;
  readonly hasSecurityGroup: boolean;
  readonly listeners: readonly AwsListener[];
  readonly targetGroups: readonly AwsTargetGroup[];
  readonly clientAdmissions: readonly Admission[];
  readonly nodeAdmissions: readonly Admission[];
}

export interface Controller {
  /** The stack's cluster: `prod-eks`, `prod-euw1`. */
  readonly cluster: string;
  readonly cloud: "aws" | "gcp";
  readonly releases: ReadonlyArray<{ readonly chart: string; readonly version?: string; readonly name: string; readonly namespace: string }>;
  readonly nodePorts: readonly number[];
  readonly health?: { readonly nodePort?: number; readonly port?: number; readonly service: string };
  /** NEG name per Service port, from the `cloud.google.com/neg` annotation. */
  readonly negs: ReadonlyArray<{ readonly port: string; readonly name: string }>;
  readonly gateways: readonly string[];
  readonly routes: readonly string[];
}

export interface GcpFrontend {
  readonly port: string;
  readonly ipVersions: readonly string[];
  readonly ruleNames: readonly string[];
  readonly proxy: string;
  readonly proxyKind: "HTTP" | "HTTPS" | "SSL" | "TCP" | string;
  readonly certificateMap?: string;
  readonly sslPolicy?: string;
  readonly redirect: boolean;
  readonly backend?: string;
}

export interface GcpNeg {
  readonly name: string;
  readonly zones: readonly string[];
  readonly cluster: string;
}

export interface GcpBackend {
  readonly key: string;
  readonly name: string;
  readonly protocol: string;
  readonly balancing: string;
  readonly securityPolicy?: string;
  readonly negs: readonly GcpNeg[];
  readonly health?: string;
}

export interface GcpEdge {
  readonly addresses: readonly string[];
  readonly dnsNames: readonly string[];
  readonly frontends: readonly GcpFrontend[];
  readonly backends: readonly GcpBackend[];
  readonly certificates: ReadonlyArray<{ readonly name: string; readonly domains: readonly string[] }>;
  readonly certificateMapEntries: number;
  readonly firewalls: readonly Admission[];
  readonly forwardingRules: number;
  /** Cloud Armor policies: `google_compute_security_policy` resources and names backends refer to. */
  readonly securityPolicies: ReadonlyArray<{ readonly name: string; readonly rules?: number }>;
}

export interface AwsExtras {
  readonly httpApis: readonly string[];
  readonly restApis: readonly string[];
  readonly latticeServiceNetworks: readonly string[];
  /** `aws_vpclattice_service` resources, else the HTTPRoutes the Gateway API controller turns into services. */
  readonly latticeServices: readonly string[];
}

export interface EnvModel {
  readonly env: string;
  readonly aws: readonly AwsEdge[];
  readonly awsExtras: AwsExtras;
  readonly gcp?: GcpEdge;
  readonly controllers: readonly Controller[];
}

const ROUTE_KINDS = new Set(["Ingress", "HTTPRoute", "GRPCRoute", "TLSRoute", "TCPRoute", "UDPRoute", "VirtualService"]);

export function buildModel(e: EnvStacks): EnvModel {
  return {
    env: e.env,
    aws: e.stacks.filter((s) => Object.keys(s.json.resource?.aws_lb ?? {}).length > 0).flatMap((s) => awsEdges(s, e.stacks)),
    awsExtras: awsExtras(e.stacks),
    gcp: gcpEdge(e.stacks),
    controllers: e.stacks.flatMap((s) => controller(s) ?? []),
  };
}

// ---------------------------------------------------------------- AWS

function regionOf(s: Stack): string {
  for (const p of s.json.provider?.aws ?? []) if (typeof p.region === "string") return p.region;
  return "unknown";
}

function portRange(r: Obj): string {
  const from = asString(r.from_port);
  const to = asString(r.to_port);
  return from === to || to === undefined ? (from ?? "all") : `${from}-${to}`;
}

function ruleSource(r: Obj): string {
  if (r.referenced_security_group_id !== undefined) return refTo(r.referenced_security_group_id, "aws_security_group") ? "the NLB's security group" : String(r.referenced_security_group_id);
  return asString(r.cidr_ipv4) ?? asString(r.cidr_ipv6) ?? asString(r.prefix_list_id) ?? "?";
}

function awsEdges(s: Stack, all: readonly Stack[]): AwsEdge[] {
  const res = s.json.resource ?? {};
  const tgs = res.aws_lb_target_group ?? {};
  const attachments = Object.values(res.aws_lb_target_group_attachment ?? {});
  const instances = s.json.data?.aws_instances ?? {};
  const bindings = blocks(all, "kubernetes_manifest").map(([, b]) => asObj(b.manifest)).filter((m) => m.kind === "TargetGroupBinding");
  const tgLookups = Object.fromEntries(blocks(all, "aws_lb_target_group", true).map(([k, b]) => [k, asString(b.name) ?? k]));
  const rules = Object.values(res.aws_vpc_security_group_ingress_rule ?? {});
  const clientRules = rules.filter((r) => refTo(r.security_group_id, "aws_security_group"));
  const nodeRules = rules.filter((r) => !refTo(r.security_group_id, "aws_security_group"));

  const targetGroups: AwsTargetGroup[] = Object.entries(tgs).map(([key, tg]) => {
    const name = asString(tg.name) ?? key;
    const hc = asObj(tg.health_check);
    const mine = attachments.filter((a) => refTo(a.target_group_arn, "aws_lb_target_group") === key);
    const binding = bindings.find((m) => tgLookups[refTo(asObj(m.spec).targetGroupARN, "aws_lb_target_group") ?? ""] === name);
    let targets = "no targets registered by Terraform";
    let pods = false;
    if (binding) {
      const ref = asObj(asObj(binding.spec).serviceRef);
      targets = `pods of Service ${asString(asObj(binding.metadata).namespace)}/${asString(ref.name)}:${asString(ref.port)} (TargetGroupBinding)`;
      pods = true;
    } else if (mine.length) {
      const source = mine.map((a) => refTo(a.for_each, "aws_instances")).find((k) => k !== undefined);
      if (source) {
        const filters = asArray(instances[source]?.filter).map(asObj).filter((f) => String(f.name).startsWith("tag:"));
        targets = `nodes tagged ${filters.map((f) => `${String(f.name).slice(4)}=${asArray(f.values).join("|")}`).join(", ") || "(any)"}`;
      } else targets = `${mine.length} static IP target${mine.length === 1 ? "" : "s"}`;
    }
    return {
      key,
      name,
      port: asNumber(tg.port) ?? 0,
      targetType: asString(tg.target_type) ?? "instance",
      proxyProtocol: tg.proxy_protocol_v2 === true,
      health: { protocol: asString(hc.protocol) ?? "TCP", port: asString(hc.port) ?? "traffic-port", path: asString(hc.path) },
      targets,
      pods,
    };
  });

  return Object.values(res.aws_lb ?? {})
    .filter((lb) => (asString(lb.load_balancer_type) ?? "application") === "network")
    .map((lb) => ({
      name: asString(lb.name) ?? "nlb",
      region: regionOf(s),
      internal: lb.internal === true,
      crossZone: lb.enable_cross_zone_load_balancing === true,
      staticIps: asArray(lb.subnet_mapping).filter((m) => asObj(m).allocation_id !== undefined || asObj(m).private_ipv4_address !== undefined).length,
      hasSecurityGroup: asArray(lb.security_groups).length > 0,
      listeners: Object.values(res.aws_lb_listener ?? {})
        .map((l) => ({
          port: asNumber(l.port) ?? 0,
          protocol: asString(l.protocol) ?? "TCP",
          certificate: asString(l.certificate_arn),
          sslPolicy: asString(l.ssl_policy),
          alpn: asString(l.alpn_policy),
          targetGroup: refTo(asArray(l.default_action).map(asObj).find((a) => a.type === "forward")?.target_group_arn, "aws_lb_target_group"),
        }))
        .sort((a, b) => a.port - b.port),
      targetGroups,
      clientAdmissions: clientRules.map((r) => ({ where: "NLB security group", from: ruleSource(r), ports: portRange(r) })),
      nodeAdmissions: nodeRules.map((r) => ({ where: asString(r.security_group_id) ?? "?", from: ruleSource(r), ports: portRange(r) })),
    }));
}

function awsExtras(stacks: readonly Stack[]): AwsExtras {
  const v2 = blocks(stacks, "aws_apigatewayv2_api");
  const networks = blocks(stacks, "aws_vpclattice_service_network").map(([k, b]) => asString(b.name) ?? k);
  let services = blocks(stacks, "aws_vpclattice_service").map(([k, b]) => asString(b.name) ?? k);
  if (!services.length && networks.length) services = stacks.flatMap(routeObjects).filter((o) => o.kind === "HTTPRoute").map((o) => `${asString(asObj(o.metadata).namespace)}/${asString(asObj(o.metadata).name)}`);
  return {
    httpApis: v2.filter(([, b]) => (asString(b.protocol_type) ?? "HTTP") === "HTTP").map(([k, b]) => asString(b.name) ?? k),
    restApis: blocks(stacks, "aws_api_gateway_rest_api").map(([k, b]) => asString(b.name) ?? k),
    latticeServiceNetworks: networks,
    latticeServices: services,
  };
}

// ---------------------------------------------------------------- GCP

function gcpEdge(stacks: readonly Stack[]): GcpEdge | undefined {
  const rules = blocks(stacks, "google_compute_global_forwarding_rule");
  if (!rules.length && !blocks(stacks, "google_compute_backend_service").length) return undefined;
  const addresses = blocks(stacks, "google_compute_global_address").map(([, b]) => `${asString(b.name)} (${asString(b.ip_version) ?? "IPV4"})`);
  const addressData = Object.fromEntries(blocks(stacks, "google_compute_global_address", true).map(([k, b]) => [k, asString(b.name) ?? k]));
  const versionOf = (name: string | undefined) => blocks(stacks, "google_compute_global_address").find(([, b]) => b.name === name)?.[1].ip_version ?? (name?.endsWith("-v6") ? "IPV6" : "IPV4");
  const urlMaps = Object.fromEntries(blocks(stacks, "google_compute_url_map"));
  const proxies: Record<string, { kind: string; body: Obj }> = {};
  for (const kind of ["http", "https", "ssl", "tcp"])
    for (const [k, b] of blocks(stacks, `google_compute_target_${kind}_proxy`)) proxies[`google_compute_target_${kind}_proxy.${k}`] = { kind: kind.toUpperCase(), body: b };
  const backends = Object.fromEntries(blocks(stacks, "google_compute_backend_service"));
  const sslPolicies = Object.fromEntries(blocks(stacks, "google_compute_ssl_policy"));
  const certMaps = Object.fromEntries(blocks(stacks, "google_certificate_manager_certificate_map"));

  const byPort = new Map<string, Array<[string, Obj]>>();
  for (const r of rules) byPort.set(`${asString(r[1].port_range)}|${asString(r[1].target)}`, [...(byPort.get(`${asString(r[1].port_range)}|${asString(r[1].target)}`) ?? []), r]);
  const frontends: GcpFrontend[] = [...byPort.values()].map((group) => {
    const [, first] = group[0] as [string, Obj];
    const target = /\$\{(google_compute_target_[a-z]+_proxy)\.([A-Za-z0-9_-]+)/.exec(asString(first.target) ?? "");
    const proxy = target ? proxies[`${target[1]}.${target[2]}`] : undefined;
    const body = proxy?.body ?? {};
    const urlMap = urlMaps[refTo(body.url_map, "google_compute_url_map") ?? ""];
    const backendKey = refTo(body.backend_service, "google_compute_backend_service") ?? refTo(urlMap?.default_service, "google_compute_backend_service");
    const mapKey = refTo(body.certificate_map, "google_certificate_manager_certificate_map");
    const policy = sslPolicies[refTo(body.ssl_policy, "google_compute_ssl_policy") ?? ""];
    return {
      port: asString(first.port_range) ?? "?",
      ipVersions: group.map(([, r]) => String(versionOf(addressData[refTo(r.ip_address, "google_compute_global_address") ?? ""]))).map((v) => (v === "IPV6" ? "IPv6" : "IPv4")),
      ruleNames: group.map(([k, r]) => asString(r.name) ?? k),
      proxy: asString(body.name) ?? "?",
      proxyKind: proxy?.kind ?? "?",
      certificateMap: mapKey ? (asString(certMaps[mapKey]?.name) ?? mapKey) : undefined,
      sslPolicy: policy ? `${asString(policy.profile) ?? "COMPATIBLE"}, min ${(asString(policy.min_tls_version) ?? "TLS_1_0").replace(/^TLS_(\d)_(\d)$/, "TLS $1.$2")}` : undefined,
      redirect: urlMap?.default_url_redirect !== undefined,
      backend: backendKey,
    };
  });

  const negData = Object.fromEntries(blocks(stacks, "google_compute_network_endpoint_group", true));
  const clusterData = Object.fromEntries(blocks(stacks, "google_container_cluster", true));
  const health = Object.fromEntries(
    blocks(stacks, "google_compute_health_check").map(([k, b]) => {
      const h = asObj(b.http_health_check ?? b.https_health_check ?? b.http2_health_check ?? b.tcp_health_check);
      return [k, `${asString(h.port) ?? "serving port"}${asString(h.request_path) ?? ""}`];
    }),
  );
  const backendList: GcpBackend[] = Object.entries(backends).map(([key, b]) => {
    const negs = new Map<string, { name: string; zones: string[]; cluster: string }>();
    let balancing = "";
    for (const be of asArray(b.backend).map(asObj)) {
      const neg = negData[refTo(be.group, "google_compute_network_endpoint_group") ?? ""];
      balancing = asString(be.balancing_mode) === "RATE" ? `RATE ${asString(be.max_rate_per_endpoint)}/s per endpoint` : `CONNECTION ${asString(be.max_connections_per_endpoint)} per endpoint`;
      if (!neg) continue;
      const name = asString(neg.name) ?? "?";
      const cluster = asString(clusterData[refTo(neg.lifecycle, "google_container_cluster") ?? ""]?.name) ?? "?";
      const entry = negs.get(`${cluster}/${name}`) ?? { name, zones: [], cluster };
      entry.zones.push(`${asString(neg.zone)}${asNumber(be.capacity_scaler) !== undefined && asNumber(be.capacity_scaler) !== 1 ? ` (capacity ${asString(be.capacity_scaler)})` : ""}`);
      negs.set(`${cluster}/${name}`, entry);
    }
    return {
      key,
      name: asString(b.name) ?? key,
      protocol: asString(b.protocol) ?? "HTTP",
      balancing,
      securityPolicy: asString(b.security_policy),
      negs: [...negs.values()],
      health: asArray(b.health_checks).map((h) => health[refTo(h, "google_compute_health_check") ?? ""]).find((h) => h !== undefined),
    };
  });

  const policies = new Map<string, number | undefined>();
  for (const [k, b] of blocks(stacks, "google_compute_security_policy")) policies.set(asString(b.name) ?? k, asArray(b.rule).length || undefined);
  for (const b of backendList) if (b.securityPolicy && !refTo(b.securityPolicy, "google_compute_security_policy")) policies.set(b.securityPolicy, policies.get(b.securityPolicy));
  return {
    addresses,
    dnsNames: [...new Set(blocks(stacks, "google_dns_record_set").filter(([, b]) => b.type === "A" || b.type === "AAAA").map(([, b]) => `${asString(b.name)?.replace(/\.$/, "")} ${asString(b.type)}`))],
    frontends: frontends.sort((a, b) => Number(a.port) - Number(b.port)),
    backends: backendList,
    certificates: blocks(stacks, "google_certificate_manager_certificate").map(([k, b]) => ({ name: asString(b.name) ?? k, domains: asArray(asObj(b.managed).domains).map(String) })),
    certificateMapEntries: blocks(stacks, "google_certificate_manager_certificate_map_entry").length,
    firewalls: blocks(stacks, "google_compute_firewall").map(([k, b]) => ({
      where: `firewall ${asString(b.name) ?? k}`,
      from: asArray(b.source_ranges).join(", "),
      ports: asArray(b.allow).map(asObj).map((a) => `${asString(a.protocol)} ${asArray(a.ports).join(", ")}`).join("; "),
    })),
    forwardingRules: rules.length,
    securityPolicies: [...policies].map(([name, rules]) => ({ name, rules })),
  };
}

// ---------------------------------------------------------------- the cluster side

function values(release: Obj): Obj[] {
  return asArray(release.values).flatMap((v) => {
    try {
      return [asObj(parse(String(v)))];
    } catch {
      return [];
    }
  });
}

/** Objects that releases of local charts carry (`objects:` in their values): Gateways, routes. */
function objectsOf(s: Stack): Obj[] {
  return Object.values(s.json.resource?.helm_release ?? {}).flatMap((r) => values(r).flatMap((v) => asArray(v.objects).map(asObj)));
}

function routeObjects(s: Stack): Obj[] {
  return objectsOf(s).filter((o) => ROUTE_KINDS.has(String(o.kind)));
}

/** NodePorts anywhere in chart values: `nodePort: n`, `nodePorts: {name: n}` or `nodePorts: [{port: n}]`. */
function nodePortsIn(v: unknown, under = false): number[] {
  if (Array.isArray(v)) return v.flatMap((x) => (under && x && typeof x === "object" ? [asNumber((x as Obj).port) ?? []].flat() : nodePortsIn(x, under)));
  if (v && typeof v === "object")
    return Object.entries(v as Obj).flatMap(([k, x]) => {
      if (k === "nodePort") return asNumber(x) !== undefined ? [asNumber(x) as number] : [];
      if (k === "nodePorts" || under) return typeof x === "number" ? [x] : nodePortsIn(x, true);
      return nodePortsIn(x, false);
    });
  return [];
}

function negAnnotations(v: unknown): Array<{ port: string; name: string }> {
  if (Array.isArray(v)) return v.flatMap(negAnnotations);
  if (v && typeof v === "object")
    return Object.entries(v as Obj).flatMap(([k, x]) => {
      if (k === "cloud.google.com/neg" && typeof x === "string") {
        try {
          return Object.entries(asObj(asObj(JSON.parse(x)).exposed_ports)).map(([port, e]) => ({ port, name: asString(asObj(e).name) ?? "?" }));
        } catch {
          return [];
        }
      }
      return negAnnotations(x);
    });
  return [];
}

function describeRoute(o: Obj): string {
  const meta = asObj(o.metadata);
  const id = `${String(o.kind)} ${asString(meta.namespace) ?? ""}/${asString(meta.name) ?? ""}`;
  const spec = asObj(o.spec);
  if (o.kind === "Ingress") {
    const canary = asObj(meta.annotations)["nginx.ingress.kubernetes.io/canary-weight"];
    const paths = asArray(spec.rules).flatMap((r) =>
      asArray(asObj(asObj(r).http).paths).map((p) => {
        const svc = asObj(asObj(asObj(p).backend).service);
        return `${asString(asObj(r).host) ?? "*"}${asString(asObj(p).path) ?? "/"} → ${asString(svc.name)}:${asString(asObj(svc.port).number) ?? asString(asObj(svc.port).name)}`;
      }),
    );
    return `${id}: ${paths.join(", ")}${canary !== undefined ? ` (canary ${String(canary)}%)` : ""}`;
  }
  if (o.kind === "VirtualService") {
    const tcp = asArray(spec.tcp).flatMap((t) => asArray(asObj(t).route).map((r) => asObj(asObj(r).destination)));
    const ports = asArray(spec.tcp).flatMap((t) => asArray(asObj(t).match).map((m) => asString(asObj(m).port)));
    return `${id}: tcp ${ports.join(", ")} → ${tcp.map((d) => `${asString(d.host)}:${asString(asObj(d.port).number)}`).join(", ")}`;
  }
  const hosts = asArray(spec.hostnames).map(String);
  const rules = asArray(spec.rules).map((r) => {
    const rule = asObj(r);
    const match = asArray(rule.matches).map((m) => asString(asObj(asObj(m).path).value) ?? "").filter(Boolean);
    const refs = asArray(rule.backendRefs).map((b) => {
      const ref = asObj(b);
      return `${asString(ref.name)}:${asString(ref.port)}${ref.weight !== undefined ? ` (${asString(ref.weight)})` : ""}`;
    });
    const redirect = asArray(rule.filters).some((f) => asObj(f).type === "RequestRedirect");
    return `${match.join("|") || "/"} → ${redirect ? "redirect" : refs.join(", ")}`;
  });
  return `${id}: ${hosts.join(", ") || "*"} ${rules.join("; ")}`;
}

function controller(s: Stack): Controller | undefined {
  const releases = Object.values(s.json.resource?.helm_release ?? {});
  const remote = releases.filter((r) => r.repository !== undefined);
  if (!remote.length) return undefined;
  const eks = Object.values(s.json.data?.aws_eks_cluster ?? {})[0];
  const gke = Object.values(s.json.data?.google_container_cluster ?? {})[0];
  const svc = Object.values(s.json.resource?.kubernetes_service_v1 ?? {}).find((v) => asObj(asObj(v.metadata).labels)["app.kubernetes.io/component"] === "healthcheck");
  const hp = asObj(asArray(asObj(svc?.spec).port)[0]);
  const all = remote.flatMap(values);
  const objects = objectsOf(s);
  return {
    cluster: asString(eks?.name) ?? asString(gke?.name) ?? s.name,
    cloud: gke ? "gcp" : "aws",
    releases: remote.map((r) => ({ chart: asString(r.chart) ?? "?", version: asString(r.version), name: asString(r.name) ?? "?", namespace: asString(r.namespace) ?? "default" })),
    nodePorts: [...new Set(all.flatMap((v) => nodePortsIn(v)))].sort((a, b) => a - b),
    health: svc ? { nodePort: asNumber(hp.node_port), port: asNumber(hp.port), service: `${asString(asObj(svc.metadata).namespace)}/${asString(asObj(svc.metadata).name)}` } : undefined,
    negs: all.flatMap(negAnnotations),
    gateways: objects
      .filter((o) => o.kind === "Gateway")
      .map((o) => {
        const spec = asObj(o.spec);
        const listeners = asArray(spec.listeners).length ? asArray(spec.listeners).map((l) => `${asString(asObj(l).name)} ${asString(asObj(l).protocol)}:${asString(asObj(l).port)}`) : asArray(spec.servers).map((x) => `${asString(asObj(asObj(x).port).protocol)}:${asString(asObj(asObj(x).port).number)}`);
        return `Gateway ${asString(asObj(o.metadata).namespace)}/${asString(asObj(o.metadata).name)}: ${listeners.join(", ")}`;
      }),
    routes: routeObjects(s).map(describeRoute),
  };
}
