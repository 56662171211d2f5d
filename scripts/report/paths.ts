/**
 * The traffic paths of one environment as a graph read from its synthesized stacks. Every link
 * is made only where the Terraform JSON holds a reference that joins its two ends, and carries
 * those references (`via`: stack, block address, path, value), so a link the stacks do not
 * support cannot be drawn, and a test can look each reference up again:
 *
 *   client → Route 53 / Cloud DNS record → NLB / global address
 *   NLB → listener (load_balancer_arn) → target group (default_action forward)
 *     → NodePort on the nodes (attachment port = a Service's node_port) or pod IPs
 *       (TargetGroupBinding targetGroupARN → Service endpoints) → Service → controller or pods
 *   API Gateway → VPC link (integration connection_id) → NLB listener (integration URI / target)
 *   global address → forwarding rule → target proxy → backend service → NEG (backend group)
 *     → Service port (the NEG annotation's exposed port) → controller
 *   VPC Lattice service network → Gateway (named after it) → HTTPRoute (parentRefs) → Service
 *   controller → Gateway (gatewayClassName) / Ingress (ingressClassName) → route → Service
 */
import { parse } from "yaml";
import { asArray, asNumber, asObj, asString, projectOf, refsTo, regionOf, type EnvStacks, type Obj, type Stack } from "./stacks";

/** Where a link comes from: the value at `path` of block `address` in `stack` holds (or contains) `value`. */
export interface Reference {
  readonly stack: string;
  /** `aws_lb_listener.key`, `data.aws_lb.key` */
  readonly address: string;
  /** Keys and indexes; "(yaml)" parses the string reached so far as YAML, "(json)" as JSON. */
  readonly path: ReadonlyArray<string | number>;
  readonly value: string;
}

export type HopKind =
  | "clients"
  | "dns"
  | "address"
  | "api"
  | "vpc-link"
  | "nlb"
  | "listener"
  | "target-group"
  | "service"
  | "workload"
  | "gateway"
  | "route"
  | "backend"
  | "lattice"
  | "frontend"
  | "backend-service"
  | "neg"
  | "armor"
  | "firewall"
  | "external";

export interface Hop {
  readonly id: string;
  readonly kind: HopKind;
  /** What an operator looks for first: the entry point and its port. */
  readonly title: string;
  /** The name the console shows (often hashed), second. */
  readonly name?: string;
  /** One short line of what matters most about it (TLS, health check, redirect). */
  readonly summary?: string;
  /** Everything else, for the tooltip and the table. */
  readonly details: readonly string[];
  /** The box it is drawn in (`AWS eu-west-1`, `EKS cluster prod-eks`, `Google Cloud`, `GKE cluster prod-euw1`), or none. */
  readonly box?: string;
}

export type LinkKind = "traffic" | "dns" | "health" | "policy";

export interface Link {
  readonly from: string;
  readonly to: string;
  readonly kind: LinkKind;
  readonly label: string;
  /** Traffic skips kube-proxy: the load balancer sends to pod IPs the Service lists. */
  readonly direct?: boolean;
  /** For links into and out of a Service: which of its ports (so the drawing pairs them). */
  readonly servicePort?: string;
  /** Rules that admit this hop (security groups, firewalls), in words. */
  readonly admits: readonly string[];
  readonly via: readonly Reference[];
}

export interface TrafficGraph {
  readonly hops: readonly Hop[];
  readonly links: readonly Link[];
}

// ------------------------------------------------------------------------------ blocks and refs

interface Block {
  readonly stack: Stack;
  readonly type: string;
  readonly key: string;
  readonly body: Obj;
  readonly data: boolean;
  readonly address: string;
}

function blocksOf(stacks: readonly Stack[], type: string, data = false): Block[] {
  return stacks.flatMap((stack) =>
    Object.entries((data ? stack.json.data : stack.json.resource)?.[type] ?? {}).map(([key, body]) => ({ stack, type, key, body, data, address: `${data ? "data." : ""}${type}.${key}` })),
  );
}

const at = (b: Block, path: ReadonlyArray<string | number>, value: unknown): Reference => ({ stack: b.stack.name, address: b.address, path, value: String(value) });

/** The block of `type` that `value` refers to, in the same stack (Terraform references never cross stacks). */
function referenced(b: Block, value: unknown, type: string, data = false): Block | undefined {
  const key = refsTo(value, type, data)[0];
  const body = key === undefined ? undefined : (data ? b.stack.json.data : b.stack.json.resource)?.[type]?.[key];
  return key !== undefined && body ? { stack: b.stack, type, key, body, data, address: `${data ? "data." : ""}${type}.${key}` } : undefined;
}

const yamlCache = new WeakMap<object, Obj[]>();

/** A Helm release's `values` documents, parsed (once). */
function valuesOf(release: Obj): Obj[] {
  let docs = yamlCache.get(release);
  if (!docs) {
    docs = asArray(release.values).map((v) => {
      try {
        return asObj(parse(String(v)));
      } catch {
        return {};
      }
    });
    yamlCache.set(release, docs);
  }
  return docs;
}

function dig(o: unknown, path: ReadonlyArray<string | number>): unknown {
  let cur = o;
  for (const k of path) cur = typeof k === "number" ? asArray(cur)[k] : asObj(cur)[k];
  return cur;
}

// ------------------------------------------------------------------------------ the graph being built

class Graph {
  readonly hops = new Map<string, Hop>();
  readonly links: Link[] = [];

  hop(h: Hop): string {
    const had = this.hops.get(h.id);
    if (had) this.hops.set(h.id, { ...had, details: [...new Set([...had.details, ...h.details])] });
    else this.hops.set(h.id, h);
    return h.id;
  }

  link(l: Omit<Link, "admits"> & { admits?: readonly string[] }): void {
    if (!this.hops.has(l.from) || !this.hops.has(l.to)) return;
    const same = this.links.find((x) => x.from === l.from && x.to === l.to && x.kind === l.kind && x.label === l.label && x.servicePort === l.servicePort);
    if (same) return;
    this.links.push({ ...l, admits: l.admits ?? [] });
  }
}

const CLIENTS_INTERNET = "clients:internet";
const CLIENTS_VPC = "clients:vpc";

function portRange(r: Obj): [number, number] | undefined {
  const from = asNumber(r.from_port);
  const to = asNumber(r.to_port) ?? from;
  if (r.ip_protocol === "-1" || r.ip_protocol === -1) return [0, 65535];
  return from === undefined || to === undefined ? undefined : [from, to];
}

const inRange = (port: number, r: [number, number] | undefined) => r !== undefined && port >= r[0] && port <= r[1];

function ruleSource(b: Block): string {
  const r = b.body;
  if (r.referenced_security_group_id !== undefined) return refsTo(r.referenced_security_group_id, "aws_security_group", false).length ? "the NLB's security group" : String(r.referenced_security_group_id);
  if (r.prefix_list_id !== undefined) {
    const list = referenced(b, r.prefix_list_id, "aws_ec2_managed_prefix_list", true);
    return `prefix list ${asString(list?.body.name) ?? String(r.prefix_list_id)}`;
  }
  return asString(r.cidr_ipv4) ?? asString(r.cidr_ipv6) ?? "?";
}

// ------------------------------------------------------------------------------ Kubernetes side

/** A port of a Service: a `kubernetes_service_v1` resource's or one a chart renders from its values. */
interface ServicePort {
  readonly stack: Stack;
  readonly cluster: string;
  readonly namespace: string;
  readonly name: string;
  readonly port?: number;
  readonly portName?: string;
  readonly nodePort?: number;
  /** The pod port it forwards to: a number or a container port name. */
  readonly targetPort?: string;
  /** The container port a named target port resolves to, where the values say. */
  readonly containerPort?: number;
  readonly workload: string;
  /** Where its port (and NodePort) is written. */
  readonly via: readonly Reference[];
  /** Why it reaches `workload`: its selector, or the chart release that renders it. */
  readonly selects: readonly Reference[];
}

interface Workload {
  readonly id: string;
  readonly stack: Stack;
  readonly release?: Block;
}

const svcId = (cluster: string, ns: string, name: string) => `svc:${cluster}/${ns}/${name}`;
const wlId = (cluster: string, name: string) => `wl:${cluster}/${name}`;

const KINDS: Record<string, string> = {
  "ingress-nginx": "ingress-nginx",
  "nginx-gateway-fabric": "NGINX Gateway Fabric",
  gateway: "Istio gateway",
  "aws-gateway-controller-chart": "AWS Gateway API controller",
  "aws-load-balancer-controller": "AWS Load Balancer Controller",
};

/** Releases that carry traffic (not control planes, CRDs or local charts of objects). */
const DATA_PLANE = new Set(["ingress-nginx", "nginx-gateway-fabric", "gateway"]);

function clusterOf(s: Stack): { name: string; cloud: "aws" | "gcp" } | undefined {
  const eks = Object.values(s.json.data?.aws_eks_cluster ?? {})[0];
  if (eks && s.json.resource?.helm_release) return { name: asString(eks.name) ?? s.name, cloud: "aws" };
  const gke = Object.values(s.json.data?.google_container_cluster ?? {})[0];
  if (gke && s.json.resource?.helm_release) return { name: asString(gke.name) ?? s.name, cloud: "gcp" };
  return undefined;
}

const boxOfCluster = (c: { name: string; cloud: "aws" | "gcp" }) => `${c.cloud === "gcp" ? "GKE" : "EKS"} cluster ${c.name}`;

/** The ingress-nginx chart's fullname: the release name when it contains the chart name, else `<release>-ingress-nginx`. */
const nginxFullname = (release: string) => (release.includes("ingress-nginx") ? release : `${release}-ingress-nginx`);

interface ClusterFacts {
  readonly stack: Stack;
  readonly cluster: string;
  readonly box: string;
  readonly services: ServicePort[];
  readonly workloads: Workload[];
}

function clusterFacts(g: Graph, s: Stack): ClusterFacts | undefined {
  const c = clusterOf(s);
  if (!c) return undefined;
  const box = boxOfCluster(c);
  const services: ServicePort[] = [];
  const workloads: Workload[] = [];
  for (const release of blocksOf([s], "helm_release")) {
    const chart = asString(release.body.chart) ?? "";
    if (release.body.repository === undefined || !DATA_PLANE.has(chart)) continue;
    const name = asString(release.body.name) ?? release.key;
    const namespace = asString(release.body.namespace) ?? "default";
    const version = asString(release.body.version);
    const id = g.hop({
      id: wlId(c.name, name),
      kind: "workload",
      title: `${KINDS[chart] ?? chart}${version ? ` ${version}` : ""}`,
      name: `release ${name} · namespace ${namespace}`,
      details: [`chart ${chart}${version ? ` ${version}` : ""} from ${asString(release.body.repository)}`, `Helm release ${name} in namespace ${namespace}`],
      box,
    });
    workloads.push({ id, stack: s, release });
    valuesOf(release.body).forEach((v, i) => services.push(...chartServices(chart, name, namespace, v, i, release, c.name, id)));
  }
  for (const svc of blocksOf([s], "kubernetes_service_v1")) {
    const meta = asObj(svc.body.metadata);
    const spec = asObj(svc.body.spec);
    const namespace = asString(meta.namespace) ?? "default";
    const name = asString(meta.name) ?? svc.key;
    const selector = spec.selector;
    let workload: string | undefined;
    const selectorVia: Reference[] = [];
    if (typeof selector === "string") {
      const existing = referenced(svc, selector, "kubernetes_service_v1", true);
      const em = asObj(existing?.body.metadata);
      const target = `${asString(em.namespace) ?? namespace}/${asString(em.name) ?? "?"}`;
      workload = g.hop({ id: wlId(c.name, `pods-of-${target}`), kind: "workload", title: `pods of Service ${target}`, name: "selector read from the existing Service", details: [`Service ${namespace}/${name} copies the selector of Service ${target}`], box });
      selectorVia.push(at(svc, ["spec", "selector"], selector));
    } else {
      const sel = asObj(selector);
      const instance = Object.values(sel).map(String);
      const owner = workloads.find((w) => w.release && instance.includes(asString(w.release.body.name) ?? ""));
      if (owner) {
        workload = owner.id;
        const [k, v] = Object.entries(sel).find(([, x]) => String(x) === asString(owner.release?.body.name)) ?? ["?", "?"];
        selectorVia.push(at(svc, ["spec", "selector", k], v));
      } else {
        const text = Object.entries(sel)
          .map(([k, v]) => `${k}=${String(v)}`)
          .join(",");
        workload = g.hop({ id: wlId(c.name, `pods-${namespace}-${text}`), kind: "workload", title: `pods ${text}`, name: `namespace ${namespace}`, details: [`pods selected by Service ${namespace}/${name}`], box });
        const [k, v] = Object.entries(sel)[0] ?? ["?", "?"];
        selectorVia.push(at(svc, ["spec", "selector", k], v));
      }
    }
    asArray(spec.port).forEach((p, i) => {
      const port = asObj(p);
      services.push({
        stack: s,
        cluster: c.name,
        namespace,
        name,
        port: asNumber(port.port),
        portName: asString(port.name),
        nodePort: asNumber(port.node_port),
        targetPort: asString(port.target_port) ?? asString(port.port),
        containerPort: asNumber(port.target_port),
        workload,
        via: port.node_port !== undefined ? [at(svc, ["spec", "port", i, "node_port"], port.node_port)] : [at(svc, ["spec", "port", i, "port"], port.port ?? "")],
        selects: selectorVia,
      });
    });
  }
  return { stack: s, cluster: c.name, box, services, workloads };
}

/** The Services a controller chart renders, from its values: ports, NodePorts, target ports. */
function chartServices(chart: string, release: string, namespace: string, v: Obj, doc: number, b: Block, cluster: string, workload: string): ServicePort[] {
  const base = { stack: b.stack, cluster, namespace, workload, selects: [at(b, ["chart"], chart)] };
  const ref = (path: ReadonlyArray<string | number>, value: unknown) => at(b, ["values", doc, "(yaml)", ...path], value);
  if (chart === "ingress-nginx") {
    const ctrl = asObj(v.controller);
    const svc = asObj(ctrl.service);
    if (svc.enabled === false) return [];
    const name = `${nginxFullname(release)}-controller`;
    const out: ServicePort[] = [];
    for (const key of ["http", "https"]) {
      const nodePort = asNumber(asObj(svc.nodePorts)[key]);
      const targetPort = asString(asObj(svc.targetPorts)[key]) ?? key;
      const containerPort = asNumber(asObj(ctrl.containerPort)[targetPort]) ?? (targetPort === "http" ? 80 : targetPort === "https" ? 443 : asNumber(targetPort));
      out.push({
        ...base,
        name,
        port: asNumber(asObj(svc.ports)[key]) ?? (key === "http" ? 80 : 443),
        portName: key,
        nodePort,
        targetPort,
        containerPort,
        via: nodePort !== undefined ? [ref(["controller", "service", "nodePorts", key], nodePort)] : [ref(["controller", "service", "targetPorts", key], targetPort)].filter(() => asObj(svc.targetPorts)[key] !== undefined),
      });
    }
    for (const [port, target] of Object.entries(asObj(v.tcp))) {
      const nodePort = asNumber(asObj(asObj(svc.nodePorts).tcp)[port]);
      out.push({ ...base, name, port: Number(port), portName: `${port}-tcp`, nodePort, targetPort: `${port}-tcp`, containerPort: Number(port), via: [ref(["tcp", port], target), ...(nodePort !== undefined ? [ref(["controller", "service", "nodePorts", "tcp", port], nodePort)] : [])] });
    }
    return out;
  }
  if (chart === "gateway") {
    return asArray(asObj(v.service).ports).map((p, i) => {
      const port = asObj(p);
      return { ...base, name: release, port: asNumber(port.port), portName: asString(port.name), nodePort: asNumber(port.nodePort), targetPort: asString(port.targetPort), containerPort: asNumber(port.targetPort), via: [ref(["service", "ports", i, "nodePort"], port.nodePort ?? port.port)] };
    });
  }
  if (chart === "nginx-gateway-fabric") {
    // NGINX Gateway Fabric provisions one data-plane Service per Gateway of its class, named
    // `<gateway>-<class>`, with a port per Gateway listener; the values pin NodePorts to listener ports.
    const className = asString(asObj(v.nginxGateway).gatewayClassName) ?? "nginx";
    const nodePorts = asArray(asObj(asObj(v.nginx).service).nodePorts).map(asObj);
    return objectsIn(b.stack)
      .filter((x) => x.o.kind === "Gateway" && asString(asObj(x.o.spec).gatewayClassName) === className)
      .flatMap((gw) =>
        asArray(asObj(gw.o.spec).listeners).map((l, li) => {
          const port = asNumber(asObj(l).port);
          const i = nodePorts.findIndex((np) => asNumber(np.listenerPort) === port);
          const np = nodePorts[i];
          return {
            ...base,
            name: `${metaOf(gw.o).name}-${className}`,
            namespace: metaOf(gw.o).ns,
            port,
            portName: asString(asObj(l).name),
            nodePort: asNumber(np?.port),
            targetPort: String(port),
            containerPort: port,
            via: [...(np ? [ref(["nginx", "service", "nodePorts", i, "port"], np.port)] : []), objRef(gw, ["spec", "listeners", li, "port"], port)],
          };
        }),
      );
  }
  return [];
}

function serviceHop(g: Graph, facts: ClusterFacts, sp: ServicePort): string {
  const ports = facts.services.filter((x) => x.namespace === sp.namespace && x.name === sp.name);
  return g.hop({
    id: svcId(facts.cluster, sp.namespace, sp.name),
    kind: "service",
    title: `Service ${sp.namespace}/${sp.name.replace("<gateway>", "(Gateway)")}`,
    details: ports.map((p) => `port ${p.port ?? "-"}${p.portName ? ` (${p.portName})` : ""}${p.nodePort ? ` · NodePort ${p.nodePort}` : ""} → ${p.targetPort ?? "-"}${p.containerPort && String(p.containerPort) !== p.targetPort ? ` (${p.containerPort})` : ""}`),
    box: facts.box,
  });
}

const portKey = (sp: ServicePort) => `${sp.port ?? sp.portName ?? "?"}`;

/** Service → the pods it selects: the controller or the application. */
function serviceToWorkload(g: Graph, sp: ServicePort, svc: string): void {
  const target = sp.containerPort !== undefined && String(sp.containerPort) !== sp.targetPort ? `${sp.targetPort} (${sp.containerPort})` : (sp.targetPort ?? "?");
  g.link({ from: svc, to: sp.workload, kind: "traffic", label: `→ pod port ${target}`, servicePort: portKey(sp), via: sp.selects });
}

// ------------------------------------------------------------------------------ AWS

function awsEdgeStacks(stacks: readonly Stack[]): Stack[] {
  return stacks.filter((s) => Object.keys(s.json.resource?.aws_lb ?? {}).length > 0);
}

function buildAws(g: Graph, e: EnvStacks, clusters: readonly ClusterFacts[]): void {
  const awsClusters = clusters.filter((c) => c.box.startsWith("EKS"));
  const bindings = blocksOf(e.stacks, "kubernetes_manifest").filter((b) => asObj(b.body.manifest).kind === "TargetGroupBinding");
  for (const s of awsEdgeStacks(e.stacks)) {
    const box = `AWS ${regionOf(s) ?? ""}`.trim();
    const ingress = blocksOf([s], "aws_vpc_security_group_ingress_rule");
    for (const lb of blocksOf([s], "aws_lb").filter((b) => (asString(b.body.load_balancer_type) ?? "application") === "network")) {
      const name = asString(lb.body.name) ?? lb.key;
      const internal = lb.body.internal === true;
      const subnets = asArray(lb.body.subnet_mapping).length || asArray(lb.body.subnets).length;
      const eips = asArray(lb.body.subnet_mapping).filter((m) => asObj(m).allocation_id !== undefined).length;
      const sgRefs = asArray(lb.body.security_groups).flatMap((x) => refsTo(x, "aws_security_group", false));
      const nlb = g.hop({
        id: `nlb:${name}`,
        kind: "nlb",
        title: `NLB · ${internal ? "internal" : "internet-facing"}`,
        name,
        summary: `${subnets} AZ${subnets === 1 ? "" : "s"}${internal ? " · private addresses" : ` · ${subnets} public IPv4`}`,
        details: [
          `${subnets} availability zone${subnets === 1 ? "" : "s"}${internal ? "" : `: ${subnets} public IPv4 address${subnets === 1 ? "" : "es"}${eips ? ` (${eips} Elastic IPs)` : ""}`}`,
          lb.body.enable_cross_zone_load_balancing === true ? "cross-zone load balancing on" : "cross-zone load balancing off",
          sgRefs.length ? "security group attached" : "no security group",
        ],
        box,
      });
      const clientRules = ingress.filter((r) => sgRefs.some((k) => refsTo(r.body.security_group_id, "aws_security_group", false).includes(k)));
      const clients = internal ? CLIENTS_VPC : CLIENTS_INTERNET;
      g.hop(internal ? { id: CLIENTS_VPC, kind: "clients", title: "clients in the VPC", details: [] } : { id: CLIENTS_INTERNET, kind: "clients", title: "clients on the internet", details: [] });
      g.link({
        from: clients,
        to: nlb,
        kind: "traffic",
        label: internal ? "from inside the VPC" : "internet",
        admits: clientRules.map((r) => `NLB security group admits ${ruleSource(r)} → ${asString(r.body.from_port)}`),
        via: [at(lb, ["internal"], internal)],
      });
      for (const l of blocksOf([s], "aws_lb_listener").filter((x) => refsTo(x.body.load_balancer_arn, "aws_lb", false).includes(lb.key))) {
        const port = asNumber(l.body.port) ?? 0;
        const protocol = asString(l.body.protocol) ?? "TCP";
        const tls = protocol === "TLS";
        const listener = g.hop({
          id: `listener:${name}:${port}`,
          kind: "listener",
          title: `:${port} ${protocol}`,
          summary: tls ? "TLS ends at the NLB" : `${protocol} pass-through`,
          details: tls
            ? [`TLS ends at the NLB (${asString(l.body.ssl_policy) ?? "default policy"})`, ...(l.body.certificate_arn ? [`certificate ${shortArn(String(l.body.certificate_arn))}`] : []), ...(l.body.alpn_policy ? [`ALPN ${asString(l.body.alpn_policy)}`] : [])]
            : [`${protocol}: the NLB does not terminate the connection`],
          box,
        });
        g.link({ from: nlb, to: listener, kind: "traffic", label: "", admits: clientRules.filter((r) => inRange(port, portRange(r.body))).map((r) => `NLB security group admits ${ruleSource(r)} → ${port}`), via: [at(l, ["load_balancer_arn"], l.body.load_balancer_arn)] });
        asArray(l.body.default_action).forEach((a, i) => {
          const action = asObj(a);
          const arns = action.type === "forward" ? [action.target_group_arn, ...asArray(asObj(action.forward).target_group).map((t) => asObj(t).arn)].filter((x) => x !== undefined) : [];
          for (const arn of arns) {
            const tg = referenced(l, arn, "aws_lb_target_group");
            if (tg) g.link({ from: listener, to: targetGroup(g, tg, box), kind: "traffic", label: `forward → ${asString(tg.body.port)}`, via: [at(l, ["default_action", i, action.target_group_arn === arn ? "target_group_arn" : "forward"], arn)] });
          }
        });
      }
    }
    // Targets: nodes by NodePort, or pods through a TargetGroupBinding.
    for (const tg of blocksOf([s], "aws_lb_target_group")) {
      const id = `tg:${asString(tg.body.name) ?? tg.key}`;
      if (!g.hops.has(id)) continue;
      const port = asNumber(tg.body.port);
      const hc = asObj(tg.body.health_check);
      const healthPort = asString(hc.port) ?? "traffic-port";
      const attachments = blocksOf([s], "aws_lb_target_group_attachment").filter((a) => refsTo(a.body.target_group_arn, "aws_lb_target_group", false).includes(tg.key));
      const nodeAdmits = (p: number) => ingress.filter((r) => !refsTo(r.body.security_group_id, "aws_security_group", false).length && inRange(p, portRange(r.body))).map((r) => `${asString(r.body.security_group_id)} admits ${ruleSource(r)} → ${p}`);
      for (const a of attachments) {
        const nodePort = asNumber(a.body.port) ?? port;
        const instances = referenced(a, a.body.for_each ?? a.body.target_id, "aws_instances", true);
        const tags = asArray(instances?.body.filter)
          .map(asObj)
          .filter((f) => String(f.name).startsWith("tag:"))
          .map((f) => `${String(f.name).slice(4)}=${asArray(f.values).join("|")}`);
        const where = instances ? `nodes tagged ${tags.join(", ") || "(any)"}` : "registered IPs";
        for (const c of awsClusters)
          for (const sp of c.services.filter((x) => nodePort !== undefined && x.nodePort === nodePort)) {
            const svc = serviceHop(g, c, sp);
            g.link({
              from: id,
              to: svc,
              kind: "traffic",
              label: `NodePort ${nodePort}`,
              servicePort: portKey(sp),
              admits: nodeAdmits(nodePort ?? 0),
              via: [at(a, ["port"], a.body.port ?? port), ...(instances ? [at(a, ["for_each"], a.body.for_each ?? "")] : []), ...sp.via.slice(0, 1)],
            });
            serviceToWorkload(g, sp, svc);
          }
        const hcPort = Number(healthPort);
        if (Number.isInteger(hcPort) && hcPort !== nodePort)
          for (const c of awsClusters)
            for (const sp of c.services.filter((x) => x.nodePort === hcPort)) {
              const svc = serviceHop(g, c, sp);
              g.link({ from: id, to: svc, kind: "health", label: `health ${asString(hc.protocol) ?? "TCP"} NodePort ${hcPort}${asString(hc.path) ?? ""}`, servicePort: portKey(sp), admits: nodeAdmits(hcPort), via: [at(tg, ["health_check", "port"], hc.port), ...sp.via.slice(0, 1)] });
              serviceToWorkload(g, sp, svc);
            }
        g.hop({ id, kind: "target-group", title: "", details: [`targets: ${where} (${asString(tg.body.target_type) ?? "instance"} targets)`], box });
      }
      for (const b of bindings) {
        const spec = asObj(asObj(b.body.manifest).spec);
        const lookup = referenced(b, spec.targetGroupARN, "aws_lb_target_group", true);
        const own = referenced(b, spec.targetGroupARN, "aws_lb_target_group", false);
        const matches = (lookup && asString(lookup.body.name) === asString(tg.body.name)) || (own && own.key === tg.key && own.stack === tg.stack);
        if (!matches) continue;
        const meta = asObj(asObj(b.body.manifest).metadata);
        const ns = asString(meta.namespace) ?? "default";
        const ref = asObj(spec.serviceRef);
        const c = awsClusters.find((x) => x.stack === b.stack);
        const sp = c?.services.find((x) => x.namespace === ns && x.name === asString(ref.name) && (x.port === asNumber(ref.port) || x.portName === asString(ref.port)));
        g.hop({ id, kind: "target-group", title: "", details: [`targets: pods registered by TargetGroupBinding ${ns}/${asString(meta.name)} (${asString(spec.targetType) ?? "instance"})`], box });
        if (!c || !sp) continue;
        const svc = serviceHop(g, c, sp);
        const podPort = sp.containerPort ?? port;
        const direct = asString(spec.targetType) === "ip";
        g.link({
          from: id,
          to: svc,
          kind: "traffic",
          label: direct ? `pod IPs :${podPort}` : `NodePort ${sp.nodePort ?? "?"}`,
          servicePort: portKey(sp),
          direct,
          admits: nodeAdmits(podPort ?? 0),
          via: [at(b, ["manifest", "spec", "targetGroupARN"], spec.targetGroupARN), ...(lookup ? [at(lookup, ["name"], lookup.body.name)] : []), at(b, ["manifest", "spec", "serviceRef", "name"], ref.name), ...sp.via.slice(0, 1)],
        });
        serviceToWorkload(g, sp, svc);
      }
    }
  }
}

function shortArn(arn: string): string {
  return arn.replace(/^arn:aws:acm:[^:]+:\d+:certificate\//, "ACM ").replace(/^(ACM [0-9a-f]{8})[0-9a-f-]+$/, "$1…");
}

function targetGroup(g: Graph, tg: Block, box: string): string {
  const hc = asObj(tg.body.health_check);
  const port = asString(tg.body.port) ?? "?";
  const healthPort = asString(hc.port) ?? "traffic-port";
  return g.hop({
    id: `tg:${asString(tg.body.name) ?? tg.key}`,
    kind: "target-group",
    title: `target port ${port}`,
    name: asString(tg.body.name) ?? tg.key,
    summary: healthPort === "traffic-port" || healthPort === port ? `health ${asString(hc.protocol) ?? "TCP"}${asString(hc.path) ? ` ${asString(hc.path)}` : ""} on the traffic port` : `health ${asString(hc.protocol) ?? "TCP"} :${healthPort}${asString(hc.path) ?? ""}`,
    details: [
      `health ${asString(hc.protocol) ?? "TCP"} ${healthPort === "traffic-port" || healthPort === port ? "on the traffic port" : `:${healthPort}`}${asString(hc.path) ?? ""}`,
      `PROXY protocol v2 ${tg.body.proxy_protocol_v2 === true ? "on" : "off"}`,
    ],
    box,
  });
}

/** The NLB listener a data-source lookup names (by load balancer name and port), in whichever stack defines it. */
function listenerByLookup(e: EnvStacks, lookup: Block): { id: string; via: Reference[] } | undefined {
  const lb = referenced(lookup, lookup.body.load_balancer_arn, "aws_lb", true);
  const port = asNumber(lookup.body.port);
  const name = asString(lb?.body.name);
  if (!lb || port === undefined || !name) return undefined;
  return listenerByName(e, name, port, [at(lookup, ["port"], port), at(lb, ["name"], name)]);
}

function listenerByName(e: EnvStacks, name: string, port: number, via: Reference[]): { id: string; via: Reference[] } | undefined {
  for (const real of blocksOf(e.stacks, "aws_lb").filter((b) => asString(b.body.name) === name))
    for (const l of blocksOf([real.stack], "aws_lb_listener").filter((x) => refsTo(x.body.load_balancer_arn, "aws_lb", false).includes(real.key) && asNumber(x.body.port) === port))
      return { id: `listener:${name}:${port}`, via: [...via, at(real, ["name"], name), at(l, ["port"], port)] };
  return undefined;
}

function buildApiGateway(g: Graph, e: EnvStacks): void {
  for (const api of blocksOf(e.stacks, "aws_apigatewayv2_api")) {
    const name = asString(api.body.name) ?? api.key;
    const box = `AWS ${regionOf(api.stack) ?? ""}`.trim();
    const stage = blocksOf([api.stack], "aws_apigatewayv2_stage").find((x) => refsTo(x.body.api_id, "aws_apigatewayv2_api", false).includes(api.key));
    const id = g.hop({ id: `api:${name}`, kind: "api", title: `${asString(api.body.protocol_type) ?? "HTTP"} API${stage ? ` · stage ${asString(stage.body.name)}` : ""}`, name, details: ["API Gateway (HTTP API)"], box });
    g.hop({ id: CLIENTS_INTERNET, kind: "clients", title: "clients on the internet", details: [] });
    g.link({ from: CLIENTS_INTERNET, to: id, kind: "traffic", label: "HTTPS", via: [at(api, ["protocol_type"], api.body.protocol_type ?? "HTTP")] });
    const routes = blocksOf([api.stack], "aws_apigatewayv2_route").filter((r) => refsTo(r.body.api_id, "aws_apigatewayv2_api", false).includes(api.key));
    for (const integ of blocksOf([api.stack], "aws_apigatewayv2_integration").filter((x) => refsTo(x.body.api_id, "aws_apigatewayv2_api", false).includes(api.key))) {
      const link = referenced(integ, integ.body.connection_id, "aws_apigatewayv2_vpc_link");
      const lookup = referenced(integ, integ.body.integration_uri, "aws_lb_listener", true);
      const keys = routes.filter((r) => refsTo(r.body.target, "aws_apigatewayv2_integration", false).includes(integ.key));
      if (!link || !lookup) continue;
      const vpcLink = g.hop({ id: `vpclink:${asString(link.body.name) ?? link.key}`, kind: "vpc-link", title: "VPC link", name: asString(link.body.name) ?? link.key, details: [`subnets ${asArray(link.body.subnet_ids).join(", ")}`], box });
      g.link({ from: id, to: vpcLink, kind: "traffic", label: "", via: [at(integ, ["connection_id"], integ.body.connection_id), at(integ, ["api_id"], integ.body.api_id)] });
      const target = listenerByLookup(e, lookup);
      if (target)
        g.link({
          from: vpcLink,
          to: target.id,
          kind: "traffic",
          label: keys.map((r) => asString(r.body.route_key) ?? "?").join("\n"),
          via: [at(integ, ["integration_uri"], integ.body.integration_uri), ...keys.map((r) => at(r, ["target"], r.body.target)), ...target.via],
        });
    }
  }
  for (const api of blocksOf(e.stacks, "aws_api_gateway_rest_api")) {
    const name = asString(api.body.name) ?? api.key;
    const box = `AWS ${regionOf(api.stack) ?? ""}`.trim();
    const id = g.hop({ id: `api:${name}`, kind: "api", title: "REST API", name, details: ["API Gateway (REST API)"], box });
    g.hop({ id: CLIENTS_INTERNET, kind: "clients", title: "clients on the internet", details: [] });
    g.link({ from: CLIENTS_INTERNET, to: id, kind: "traffic", label: "HTTPS", via: [at(api, ["name"], name)] });
    const resources = new Map(blocksOf([api.stack], "aws_api_gateway_resource").map((r) => [r.key, r]));
    const pathOf = (key: string | undefined): string => {
      const r = key ? resources.get(key) : undefined;
      if (!r) return "";
      return `${pathOf(refsTo(r.body.parent_id, "aws_api_gateway_resource", false)[0])}/${asString(r.body.path_part) ?? ""}`;
    };
    for (const integ of blocksOf([api.stack], "aws_api_gateway_integration").filter((x) => refsTo(x.body.rest_api_id, "aws_api_gateway_rest_api", false).includes(api.key))) {
      const link = referenced(integ, integ.body.connection_id, "aws_apigatewayv2_vpc_link") ?? referenced(integ, integ.body.connection_id, "aws_api_gateway_vpc_link");
      const lb = referenced(integ, integ.body.integration_target ?? integ.body.uri, "aws_lb", true);
      const port = asNumber(/:(\d+)(?:\/|$)/.exec(asString(integ.body.uri) ?? "")?.[1]);
      if (!link || !lb || port === undefined) continue;
      const method = referenced(integ, integ.body.http_method, "aws_api_gateway_method");
      const route = `${asString(method?.body.http_method) ?? "ANY"} ${pathOf(refsTo(method?.body.resource_id, "aws_api_gateway_resource", false)[0]) || "/"}`;
      const vpcLink = g.hop({ id: `vpclink:${asString(link.body.name) ?? link.key}`, kind: "vpc-link", title: "VPC link", name: asString(link.body.name) ?? link.key, details: [], box });
      g.link({ from: id, to: vpcLink, kind: "traffic", label: "", via: [at(integ, ["connection_id"], integ.body.connection_id)] });
      const target = listenerByName(e, asString(lb.body.name) ?? "", port, [at(integ, ["uri"], `:${port}`), at(lb, ["name"], lb.body.name)]);
      if (target) {
        const had = g.links.find((x) => x.from === vpcLink && x.to === target.id);
        if (had) g.links.splice(g.links.indexOf(had), 1, { ...had, label: `${had.label}\n${route}`, via: [...had.via, at(integ, ["uri"], `:${port}`)] });
        else g.link({ from: vpcLink, to: target.id, kind: "traffic", label: route, via: target.via });
      }
    }
  }
}

// ------------------------------------------------------------------------------ Route 53

function buildRoute53(g: Graph, e: EnvStacks): void {
  const checks = new Map(blocksOf(e.stacks, "aws_route53_health_check").map((b) => [`${b.stack.name}/${b.key}`, b]));
  const byName = new Map<string, Block[]>();
  for (const r of blocksOf(e.stacks, "aws_route53_record")) {
    const type = asString(r.body.type) ?? "A";
    if (!["A", "AAAA", "CNAME"].includes(type)) continue;
    const name = (asString(r.body.name) ?? r.key).replace(/\.$/, "");
    byName.set(name, [...(byName.get(name) ?? []), r]);
  }
  for (const [name, records] of byName) {
    const weights = records.map((r) => asNumber(asObj(asArray(r.body.weighted_routing_policy)[0] ?? r.body.weighted_routing_policy).weight));
    const total = weights.reduce<number>((s, w) => s + (w ?? 0), 0);
    const dns = g.hop({ id: `r53:${name}`, kind: "dns", title: `Route 53 ${name}`, details: records.map((r) => `${asString(r.body.type) ?? "A"} record${r.body.set_identifier ? ` ${asString(r.body.set_identifier)}` : ""}`) });
    g.hop({ id: CLIENTS_INTERNET, kind: "clients", title: "clients on the internet", details: [] });
    g.link({ from: CLIENTS_INTERNET, to: dns, kind: "dns", label: "resolve", via: [at(records[0] as Block, ["name"], (records[0] as Block).body.name)] });
    records.forEach((r, i) => {
      const failover = asString(asObj(asArray(r.body.failover_routing_policy)[0] ?? r.body.failover_routing_policy).type);
      const weight = weights[i];
      const hcKey = refsTo(r.body.health_check_id, "aws_route53_health_check", false)[0];
      const hc = hcKey ? checks.get(`${r.stack.name}/${hcKey}`) : undefined;
      const policy = failover ? failover : weight !== undefined ? `weight ${weight}${total ? ` (${Math.round((weight / total) * 100)}%)` : ""}` : "";
      const check = hc ? `health check ${asString(hc.body.type) ?? "?"} ${checkTarget(hc)}${hc.body.port !== undefined ? `:${asString(hc.body.port)}` : ""}${asString(hc.body.resource_path) ?? ""}` : "";
      const via = [
        ...(failover ? [at(r, ["failover_routing_policy", ...(Array.isArray(r.body.failover_routing_policy) ? [0] : []), "type"], failover)] : []),
        ...(weight !== undefined ? [at(r, ["weighted_routing_policy", ...(Array.isArray(r.body.weighted_routing_policy) ? [0] : []), "weight"], weight)] : []),
        ...(hc ? [at(r, ["health_check_id"], r.body.health_check_id)] : []),
      ];
      for (const t of recordTargets(g, r)) g.link({ from: dns, to: t.id, kind: "dns", label: [policy, check].filter(Boolean).join("\n") || asString(r.body.type) || "A", via: [...t.via, ...via] });
    });
  }
}

/** What a Route 53 health check probes, in words: the NLB or Google address it refers to, else the name or IP it gives. */
function checkTarget(hc: Block): string {
  for (const data of [true, false]) {
    const lb = referenced(hc, hc.body.fqdn, "aws_lb", data);
    if (lb) return `NLB ${asString(lb.body.name) ?? lb.key}`;
    const addr = referenced(hc, hc.body.ip_address, "google_compute_global_address", data);
    if (addr) return `address ${asString(addr.body.name) ?? addr.key}`;
  }
  return asString(hc.body.fqdn) ?? asString(hc.body.ip_address) ?? "";
}

function recordTargets(g: Graph, r: Block): Array<{ id: string; via: Reference[] }> {
  const out: Array<{ id: string; via: Reference[] }> = [];
  const alias = asObj(asArray(r.body.alias)[0] ?? r.body.alias);
  const aliasPath = ["alias", ...(Array.isArray(r.body.alias) ? [0] : []), "name"];
  for (const data of [false, true]) {
    const lb = alias.name !== undefined ? referenced(r, alias.name, "aws_lb", data) : undefined;
    if (lb && g.hops.has(`nlb:${asString(lb.body.name)}`)) out.push({ id: `nlb:${asString(lb.body.name)}`, via: [at(r, aliasPath, alias.name), ...(data ? [at(lb, ["name"], lb.body.name)] : [])] });
  }
  asArray(r.body.records).forEach((value, i) => {
    for (const data of [false, true]) {
      const addr = referenced(r, value, "google_compute_global_address", data);
      if (addr && g.hops.has(`addr:${asString(addr.body.name)}`)) out.push({ id: `addr:${asString(addr.body.name)}`, via: [at(r, ["records", i], value), at(addr, ["name"], addr.body.name)] });
    }
    if (typeof value === "string" && !value.includes("${")) {
      const known = [...g.hops.values()].find((h) => h.kind === "address" && h.details.includes(`address ${value}`));
      const id = known?.id ?? g.hop({ id: `ext:${value}`, kind: "external", title: `address ${value}`, details: ["not created by these stacks"] });
      out.push({ id, via: [at(r, ["records", i], value)] });
    }
  });
  return out;
}

// ------------------------------------------------------------------------------ Google Cloud

function buildGcp(g: Graph, e: EnvStacks, clusters: readonly ClusterFacts[]): void {
  const rules = blocksOf(e.stacks, "google_compute_global_forwarding_rule");
  if (!rules.length && !blocksOf(e.stacks, "google_compute_backend_service").length) return;
  const box = "Google Cloud";
  const project = e.stacks.map(projectOf).find(Boolean);
  const versions = new Map<string, string>();
  for (const a of blocksOf(e.stacks, "google_compute_global_address")) versions.set(asString(a.body.name) ?? a.key, (asString(a.body.ip_version) ?? "IPV4") === "IPV6" ? "IPv6" : "IPv4");
  const addressHop = (lookup: Block): string => {
    const name = asString(lookup.body.name) ?? lookup.key;
    const v = versions.get(name) ?? (name.endsWith("-v6") ? "IPv6" : "IPv4");
    return g.hop({ id: `addr:${name}`, kind: "address", title: `global ${v} address`, name, details: [`project ${asString(lookup.body.project) ?? project ?? "?"}`], box });
  };
  // Cloud DNS: a record's rrdatas name the address.
  const dnsRecords = blocksOf(e.stacks, "google_dns_record_set").filter((b) => b.body.type === "A" || b.body.type === "AAAA");
  const byAddress = new Map<string, { lookup: Block; records: Block[] }>();
  for (const r of dnsRecords)
    asArray(r.body.rrdatas).forEach((v) => {
      const lookup = referenced(r, v, "google_compute_global_address", true) ?? referenced(r, v, "google_compute_global_address", false);
      if (!lookup) return;
      const key = asString(lookup.body.name) ?? lookup.key;
      const entry = byAddress.get(key) ?? { lookup, records: [] };
      entry.records.push(r);
      byAddress.set(key, entry);
    });
  g.hop({ id: CLIENTS_INTERNET, kind: "clients", title: "clients on the internet", details: [] });
  if (byAddress.size) {
    const zones = [...new Set(dnsRecords.map((r) => asString(referenced(r, r.body.managed_zone, "google_dns_managed_zone", true)?.body.name) ?? "?"))];
    const names = [...new Set(dnsRecords.map((r) => (asString(r.body.name) ?? "").replace(/\.$/, "")))];
    const dns = g.hop({ id: "dns:cloud-dns", kind: "dns", title: `Cloud DNS · ${names.length} name${names.length === 1 ? "" : "s"}`, name: `zone ${zones.join(", ")}`, details: names, box });
    g.link({ from: CLIENTS_INTERNET, to: dns, kind: "dns", label: "resolve", via: [at(dnsRecords[0] as Block, ["name"], (dnsRecords[0] as Block).body.name)] });
    for (const { lookup, records } of byAddress.values()) {
      const types = [...new Set(records.map((r) => String(r.body.type)))].sort();
      g.link({ from: dns, to: addressHop(lookup), kind: "dns", label: types.join(" + "), via: records.map((r) => at(r, ["rrdatas", 0], asArray(r.body.rrdatas)[0])) });
    }
  }
  const certMaps = new Map(blocksOf(e.stacks, "google_certificate_manager_certificate_map").map((b) => [b.key, b]));
  const entries = blocksOf(e.stacks, "google_certificate_manager_certificate_map_entry").length;
  for (const rule of rules) {
    const lookup = referenced(rule, rule.body.ip_address, "google_compute_global_address", true) ?? referenced(rule, rule.body.ip_address, "google_compute_global_address", false);
    const port = asString(rule.body.port_range) ?? "?";
    let proxy: Block | undefined;
    let kind = "";
    for (const k of ["http", "https", "ssl", "tcp"]) {
      proxy ??= referenced(rule, rule.body.target, `google_compute_target_${k}_proxy`);
      if (proxy && !kind) kind = k.toUpperCase();
    }
    if (!proxy) continue;
    const urlMap = referenced(proxy, proxy.body.url_map, "google_compute_url_map");
    const redirect = urlMap?.body.default_url_redirect !== undefined;
    const policy = referenced(proxy, proxy.body.ssl_policy, "google_compute_ssl_policy");
    const map = certMaps.get(refsTo(proxy.body.certificate_map, "google_certificate_manager_certificate_map", false)[0] ?? "");
    const tls = kind === "HTTPS" || kind === "SSL";
    const frontend = g.hop({
      id: `fr:${proxy.address}`,
      kind: "frontend",
      title: `:${port} ${kind} proxy`,
      name: asString(proxy.body.name) ?? proxy.key,
      summary: redirect ? "redirects to HTTPS (301)" : tls ? `TLS ends here${map ? " (certificate map)" : ""}` : kind === "TCP" ? "TLS passes through" : "plain HTTP",
      details: [
        tls ? `TLS ends here${map ? `: certificate map ${asString(map.body.name)} (${entries} entries)` : ""}` : kind === "TCP" ? "TCP proxy: TLS passes through" : "plain HTTP",
        ...(policy ? [`SSL policy ${asString(policy.body.profile) ?? "COMPATIBLE"}, min ${(asString(policy.body.min_tls_version) ?? "TLS_1_0").replace(/^TLS_(\d)_(\d)$/, "TLS $1.$2")}`] : []),
        ...(redirect ? ["redirects every request to HTTPS (301)"] : []),
        `forwarding rule ${asString(rule.body.name) ?? rule.key}`,
      ],
      box,
    });
    if (lookup) g.link({ from: addressHop(lookup), to: frontend, kind: "traffic", label: `:${port}`, via: [at(rule, ["ip_address"], rule.body.ip_address), at(rule, ["target"], rule.body.target)] });
    const backend = referenced(proxy, proxy.body.backend_service, "google_compute_backend_service") ?? (urlMap ? referenced(urlMap, urlMap.body.default_service, "google_compute_backend_service") : undefined);
    if (backend) g.link({ from: frontend, to: backendHop(g, backend, box), kind: "traffic", label: urlMap ? "URL map default" : "backend", via: urlMap ? [at(proxy, ["url_map"], proxy.body.url_map), at(urlMap, ["default_service"], urlMap.body.default_service)] : [at(proxy, ["backend_service"], proxy.body.backend_service)] });
  }
  // Backend service → NEG → Service port (the NEG annotation) → controller.
  const gkeClusters = clusters.filter((c) => c.box.startsWith("GKE"));
  const firewalls = blocksOf(e.stacks, "google_compute_firewall");
  for (const be of blocksOf(e.stacks, "google_compute_backend_service")) {
    const beId = backendHop(g, be, box);
    for (const field of ["security_policy", "edge_security_policy"] as const) {
      const value = be.body[field];
      if (value === undefined) continue;
      const own = referenced(be, value, "google_compute_security_policy");
      const name = asString(own?.body.name) ?? String(value);
      const edge = field === "edge_security_policy" || asString(own?.body.type) === "CLOUD_ARMOR_EDGE";
      const armor = g.hop({ id: `armor:${name}`, kind: "armor", title: `Cloud Armor ${edge ? "edge " : ""}policy`, name, details: [own ? `${asArray(own.body.rule).length} rules` : "an existing policy, named"], box });
      g.link({ from: armor, to: beId, kind: "policy", label: edge ? "filters at the edge" : "filters", via: [at(be, [field], value)] });
    }
    const negs = new Map<string, { zones: string[]; via: Reference[]; name: string }>();
    asArray(be.body.backend).forEach((x, i) => {
      const neg = referenced(be, asObj(x).group, "google_compute_network_endpoint_group", true) ?? referenced(be, asObj(x).group, "google_compute_network_endpoint_group", false);
      if (!neg) return;
      const name = asString(neg.body.name) ?? neg.key;
      const entry = negs.get(name) ?? { zones: [], via: [], name };
      const cap = asNumber(asObj(x).capacity_scaler);
      entry.zones.push(`${asString(neg.body.zone) ?? "?"}${cap !== undefined && cap !== 1 ? ` (capacity ${cap})` : ""}`);
      entry.via.push(at(be, ["backend", i, "group"], asObj(x).group));
      negs.set(name, entry);
    });
    for (const n of negs.values()) {
      const owner = gkeClusters.flatMap((c) => negAnnotations(c).filter((a) => a.name === n.name).map((a) => ({ c, a })))[0];
      const neg = g.hop({ id: `neg:${asString(be.body.name)}:${n.name}`, kind: "neg", title: `NEG ×${n.zones.length} zone${n.zones.length === 1 ? "" : "s"}`, name: n.name, summary: zoneList(n.zones), details: n.zones.map((z) => `zone ${z}`), box: owner?.c.box ?? box });
      g.link({ from: beId, to: neg, kind: "traffic", label: "", via: n.via });
      if (!owner) continue;
      const sp = owner.c.services.find((x) => x.port === Number(owner.a.port));
      if (!sp) continue;
      const svc = serviceHop(g, owner.c, sp);
      const podPort = sp.containerPort;
      const fw = firewalls.filter((f) => asArray(f.body.allow).some((a) => asArray(asObj(a).ports).some((p) => inRange(podPort ?? -1, parsePorts(String(p))))));
      g.link({ from: neg, to: svc, kind: "traffic", label: `pod IPs :${podPort ?? owner.a.port}`, direct: true, servicePort: portKey(sp), admits: fw.map((f) => `firewall ${asString(f.body.name)} admits ${asArray(f.body.source_ranges).join(", ")} → ${podPort} on nodes tagged ${asArray(f.body.target_tags).join(", ") || "(all)"}`), via: [...owner.a.via, ...sp.via.slice(0, 1)] });
      serviceToWorkload(g, sp, svc);
      for (const f of fw) {
        const allow = asArray(f.body.allow)
          .map(asObj)
          .map((a) => `${asString(a.protocol)} ${asArray(a.ports).join(", ")}`)
          .join("; ");
        const fwId = g.hop({ id: `fw:${asString(f.body.name)}`, kind: "firewall", title: `firewall: ${allow}`, name: asString(f.body.name) ?? f.key, details: [`from ${asArray(f.body.source_ranges).join(", ")}`, `to nodes tagged ${asArray(f.body.target_tags).join(", ") || "(all)"}`], box });
        g.link({ from: fwId, to: sp.workload, kind: "policy", label: "admits", via: [at(f, ["allow", 0, "ports"], podPort ?? "")] });
      }
    }
  }
}

/** Zones in short: `europe-west1-b, -c, -d` for zones of one region. */
function zoneList(zones: readonly string[]): string {
  const region = /^(.*-)[a-z]$/.exec(zones[0] ?? "")?.[1];
  if (!region || !zones.every((z) => z.startsWith(region) && /^[a-z]$/.test(z.slice(region.length)))) return zones.join(", ");
  return zones.map((z, i) => (i === 0 ? z : `-${z.slice(region.length)}`)).join(", ");
}

function parsePorts(p: string): [number, number] | undefined {
  const [a, b] = p.split("-").map(Number);
  return a === undefined || !Number.isFinite(a) ? undefined : [a, b ?? a];
}

function backendHop(g: Graph, be: Block, box: string): string {
  const first = asObj(asArray(be.body.backend)[0]);
  const balancing = asString(first.balancing_mode) === "RATE" ? `RATE ${asString(first.max_rate_per_endpoint)}/s per endpoint` : `CONNECTION ${asString(first.max_connections_per_endpoint)} per endpoint`;
  const hc = asArray(be.body.health_checks)
    .map((h) => referenced(be, h, "google_compute_health_check"))
    .find((h) => h !== undefined);
  const check = asObj(hc?.body.http_health_check ?? hc?.body.https_health_check ?? hc?.body.http2_health_check ?? hc?.body.tcp_health_check);
  return g.hop({
    id: `be:${asString(be.body.name) ?? be.key}`,
    kind: "backend-service",
    title: `backend ${asString(be.body.protocol) ?? "HTTP"}`,
    name: asString(be.body.name) ?? be.key,
    summary: balancing,
    details: [balancing, ...(hc ? [`health check :${asString(check.port) ?? "serving port"}${asString(check.request_path) ?? ""}`] : [])],
    box,
  });
}

function negAnnotations(c: ClusterFacts): Array<{ port: string; name: string; via: Reference[] }> {
  const out: Array<{ port: string; name: string; via: Reference[] }> = [];
  for (const w of c.workloads) {
    if (!w.release) continue;
    const release = w.release;
    valuesOf(release.body).forEach((v, doc) => {
      const walk = (x: unknown, path: Array<string | number>): void => {
        if (Array.isArray(x)) x.forEach((y, i) => walk(y, [...path, i]));
        else if (x && typeof x === "object")
          for (const [k, y] of Object.entries(x as Obj)) {
            if (k === "cloud.google.com/neg" && typeof y === "string") {
              try {
                for (const [port, entry] of Object.entries(asObj(asObj(JSON.parse(y)).exposed_ports))) {
                  const name = asString(asObj(entry).name) ?? "?";
                  out.push({ port, name, via: [at(release, ["values", doc, "(yaml)", ...path, k, "(json)", "exposed_ports", port, "name"], name)] });
                }
              } catch {
                // not JSON: no NEG named
              }
            } else walk(y, [...path, k]);
          }
      };
      walk(v, []);
    });
  }
  return out;
}

// ------------------------------------------------------------------------------ routes: Gateways, Ingresses, VirtualServices, Lattice

interface K8sObject {
  readonly o: Obj;
  readonly release: Block;
  readonly doc: number;
  readonly index: number;
}

function objectsIn(s: Stack): K8sObject[] {
  return blocksOf([s], "helm_release").flatMap((release) => valuesOf(release.body).flatMap((v, doc) => asArray(v.objects).map((o, index) => ({ o: asObj(o), release, doc, index }))));
}

const objRef = (x: K8sObject, path: ReadonlyArray<string | number>, value: unknown) => at(x.release, ["values", x.doc, "(yaml)", "objects", x.index, ...path], value);
const metaOf = (o: Obj) => ({ ns: asString(asObj(o.metadata).namespace) ?? "default", name: asString(asObj(o.metadata).name) ?? "?" });

function routeHop(g: Graph, c: ClusterFacts, x: K8sObject): string {
  const { ns, name } = metaOf(x.o);
  if (x.o.kind === "DestinationRule" || x.o.kind === "UpstreamSettingsPolicy") {
    // A policy's line is short (its name says the route and Service); the tooltip has all of it.
    const [short, ...long] = describePolicy(x.o);
    return g.hop({ id: `route:${c.cluster}/${String(x.o.kind)}/${ns}/${name}`, kind: "route", title: `${String(x.o.kind)} ${name}`, summary: short, details: [...long, `${String(x.o.kind)} ${ns}/${name}`], box: c.box });
  }
  const section = asArray(asObj(x.o.spec).parentRefs)
    .map((p) => asString(asObj(p).sectionName))
    .filter(Boolean);
  const what = `${describeRoute(x.o)}${section.length ? ` (listener ${section.join(", ")})` : ""}`;
  return g.hop({ id: `route:${c.cluster}/${String(x.o.kind)}/${ns}/${name}`, kind: "route", title: `${String(x.o.kind)} ${ns}/${name}`, summary: what, details: [what], box: c.box });
}

function backendHopK8s(g: Graph, c: ClusterFacts, ns: string, name: string, port: string): string {
  return g.hop({ id: `backend:${c.cluster}/${ns}/${name}:${port}`, kind: "backend", title: `Service ${ns}/${name}:${port}`, details: [], box: c.box });
}

/** A regular expression gatehouse renders for a `cookie` match, read back: the cookie's name. */
const COOKIE_PATTERN = /^\^\(\?:\(\.\*;\\s\*\)\?(.+)=always\(;\.\*\)\?\)\$$/;
/** An anchored pattern gatehouse renders, without its anchors. */
const unanchored = (v: string) => /^\^\(\?:(.*)\)\$$/.exec(v)?.[1] ?? v;

/** An HTTPRoute match's headers and query parameters: `header x-preview = "true"`, `cookie preview=always`. */
function describeConditions(match: Obj): string[] {
  const value = (m: Obj) => (asString(m.type) === "RegularExpression" ? `~ /${unanchored(asString(m.value) ?? "")}/` : `= "${asString(m.value) ?? ""}"`);
  return [
    ...asArray(match.headers).map((h) => {
      const m = asObj(h);
      const cookie = asString(m.name)?.toLowerCase() === "cookie" ? COOKIE_PATTERN.exec(asString(m.value) ?? "")?.[1] : undefined;
      return cookie !== undefined ? `cookie ${cookie}=always` : `header ${asString(m.name) ?? "?"} ${value(m)}`;
    }),
    ...asArray(match.queryParams).map((q) => `query ${asString(asObj(q).name) ?? "?"} ${value(asObj(q))}`),
  ];
}

/**
 * An HTTPRoute rule's `retry`, as " · retries 2 on connection failures and 502-504, 10s per try":
 * connection failures always (the Gateway API's "SHOULD retry on connection errors"), then the
 * status codes, runs of consecutive codes as ranges; `timeouts.backendRequest` is each try's.
 */
function describeRetry(rule: Obj): string {
  if (rule.retry === undefined) return "";
  const retry = asObj(rule.retry);
  const codes = asArray(retry.codes).map(Number).sort((a, b) => a - b);
  const runs: Array<[number, number]> = [];
  for (const c of codes) {
    const last = runs[runs.length - 1];
    if (last && c === last[1] + 1) last[1] = c;
    else runs.push([c, c]);
  }
  const listed = runs.map(([a, b]) => (a === b ? String(a) : `${a}-${b}`)).join(", ");
  const perTry = asString(asObj(rule.timeouts).backendRequest);
  return ` · retries ${asString(retry.attempts) ?? "?"} on connection failures${listed ? ` and ${listed}` : ""}${perTry !== undefined ? `, ${perTry} per try` : ""}`;
}

function describeRoute(o: Obj): string {
  const spec = asObj(o.spec);
  if (o.kind === "Ingress") {
    const a = asObj(asObj(o.metadata).annotations);
    const nginx = (k: string) => asString(a[`nginx.ingress.kubernetes.io/${k}`]);
    const paths = asArray(spec.rules).flatMap((r) =>
      asArray(asObj(asObj(r).http).paths).map((p) => {
        const svc = asObj(asObj(asObj(p).backend).service);
        return `${asString(asObj(r).host) ?? "*"}${asString(asObj(p).path) ?? "/"} → ${asString(svc.name)}:${asString(asObj(svc.port).number) ?? asString(asObj(svc.port).name)}`;
      }),
    );
    // The canary's choice, in ingress-nginx's order: header, cookie, weight.
    const header = nginx("canary-by-header");
    const pattern = nginx("canary-by-header-pattern");
    const canary = [
      ...(header !== undefined ? [`header ${header} ${pattern !== undefined ? `~ /${unanchored(pattern)}/` : `= "${nginx("canary-by-header-value") ?? "always"}"`}`] : []),
      ...(nginx("canary-by-cookie") !== undefined ? [`cookie ${nginx("canary-by-cookie") ?? ""}=always`] : []),
      ...(nginx("canary-weight") !== undefined ? [`${nginx("canary-weight") ?? ""}%`] : []),
    ];
    const tries = nginx("proxy-next-upstream-tries");
    const tuning = [
      ...(nginx("proxy-next-upstream-timeout") ?? nginx("proxy-read-timeout") ? [`timeout ${nginx("proxy-next-upstream-timeout") ?? nginx("proxy-read-timeout") ?? ""}s`] : []),
      ...(tries !== undefined ? [`retries ${Number(tries) - 1} on ${nginx("proxy-next-upstream") ?? "?"}`] : []),
      ...(nginx("load-balance") !== undefined ? [nginx("load-balance") ?? ""] : []),
    ];
    return `${paths.join(", ")}${canary.length ? ` (canary: ${canary.join(" or ")})` : ""}${tuning.length ? ` · ${tuning.join(" · ")}` : ""}`;
  }

  if (o.kind === "VirtualService") {
    const ports = asArray(spec.tcp).flatMap((t) => asArray(asObj(t).match).map((m) => asString(asObj(m).port)));
    const dest = asArray(spec.tcp).flatMap((t) => asArray(asObj(t).route).map((r) => asObj(asObj(r).destination)));
    return `tcp ${ports.join(", ")} → ${dest.map((d) => `${asString(d.host)}:${asString(asObj(d.port).number)}`).join(", ")}`;
  }
  if (o.kind === "stream") return String(asObj(o.spec).text);
  const hosts = asArray(spec.hostnames).map(String);
  const rules = asArray(spec.rules).map((r) => {
    const rule = asObj(r);
    const match = asArray(rule.matches).map((m) => asString(asObj(asObj(m).path).value) ?? "").filter(Boolean);
    const conditions = asArray(rule.matches).flatMap((m) => describeConditions(asObj(m)));
    const refs = asArray(rule.backendRefs).map((b) => `${asString(asObj(b).name)}:${asString(asObj(b).port)}${asObj(b).weight !== undefined ? ` (${asString(asObj(b).weight)})` : ""}`);
    const redirect = asArray(rule.filters).some((f) => asObj(f).type === "RequestRedirect");
    const timeout = asString(asObj(rule.timeouts).request);
    return `${match.join("|") || "/"}${conditions.length ? ` [${conditions.join(", ")}]` : ""} → ${redirect ? "redirect to HTTPS" : refs.join(", ")}${timeout !== undefined ? ` · timeout ${timeout}` : ""}${describeRetry(rule)}`;
  });
  return `${hosts.length ? `${hosts.join(", ")} ` : ""}${rules.join("; ")}`;
}

/**
 * A per-Service policy: a short line (circuit breaker, connection limit, balancing) and the long
 * form, for the tooltip. An Istio DestinationRule, or an NGINX Gateway Fabric UpstreamSettingsPolicy.
 */
function describePolicy(o: Obj): [string, ...string[]] {
  const spec = asObj(o.spec);
  if (o.kind === "UpstreamSettingsPolicy") {
    const method = asString(spec.loadBalancingMethod) ?? "default balancing";
    return [method, `${asArray(spec.targetRefs).map((t) => `Service ${asString(asObj(t).name) ?? "?"}`).join(", ")}: load balancing ${method}`];
  }
  const tp = asObj(spec.trafficPolicy);
  const od = asObj(tp.outlierDetection);
  const pool = asObj(tp.connectionPool);
  const conns = asString(asObj(pool.tcp).maxConnections);
  const lb = asString(asObj(tp.loadBalancer).simple);
  const short = [
    ...(Object.keys(od).length ? [`out after ${asString(od.consecutive5xxErrors) ?? "?"}×5xx, ${asString(od.baseEjectionTime) ?? "?"}`] : []),
    ...(conns !== undefined ? [`≤${conns} conn`] : []),
    ...(lb !== undefined ? [lb] : []),
  ];
  const long = [
    ...(Object.keys(od).length
      ? [`circuit breaker: a pod is taken out after ${asString(od.consecutive5xxErrors) ?? "?"} 5xx responses in a row (checked every ${asString(od.interval) ?? "?"}) for ${asString(od.baseEjectionTime) ?? "?"}, at most ${asString(od.maxEjectionPercent) ?? "?"}% of the pods`]
      : []),
    ...(Object.keys(pool).length ? [`connection pool: ${[...Object.entries(asObj(pool.tcp)), ...Object.entries(asObj(pool.http))].map(([k, v]) => `${k} ${String(v)}`).join(", ")}`] : []),
    ...(lb !== undefined ? [`load balancing ${lb}`] : []),
  ];
  return [short.join(" · ") || "default policy", `Service ${asString(spec.host) ?? "?"}`, ...long];
}

function buildRoutes(g: Graph, e: EnvStacks, clusters: readonly ClusterFacts[]): void {
  for (const c of clusters) {
    const objects = objectsIn(c.stack);
    const classes = objects.filter((x) => x.o.kind === "GatewayClass");
    const gateways = objects.filter((x) => x.o.kind === "Gateway" && String(x.o.apiVersion ?? "").startsWith("gateway.networking.k8s.io"));
    const istioGateways = objects.filter((x) => x.o.kind === "Gateway" && String(x.o.apiVersion ?? "").startsWith("networking.istio.io"));
    const gatewayHops = new Map<string, string>();
    for (const gw of [...gateways, ...istioGateways]) {
      const { ns, name } = metaOf(gw.o);
      const spec = asObj(gw.o.spec);
      const listeners = asArray(spec.listeners).length
        ? asArray(spec.listeners).map((l) => `${asString(asObj(l).name)} ${asString(asObj(l).protocol)}:${asString(asObj(l).port)}`)
        : asArray(spec.servers).map((x) => `${asString(asObj(asObj(x).port).protocol)}:${asString(asObj(asObj(x).port).number)}`);
      const id = g.hop({ id: `gw:${c.cluster}/${ns}/${name}`, kind: "gateway", title: `Gateway ${name}`, summary: listeners.join(", "), name: `namespace ${ns}`, details: [`Gateway ${ns}/${name}`, `class ${asString(spec.gatewayClassName) ?? "(Istio selector)"}`], box: c.box });
      gatewayHops.set(`${ns}/${name}`, id);
      // Which controller serves it: the class named in a controller's values, the Service its address names, or the pods its selector picks.
      for (const w of c.workloads) {
        const release = w.release;
        if (!release) continue;
        const rname = asString(release.body.name) ?? "";
        const chart = asString(release.body.chart);
        const className = asString(spec.gatewayClassName);
        const ngfClass = chart === "nginx-gateway-fabric" ? valuesOf(release.body).map((v) => asString(asObj(v.nginxGateway).gatewayClassName)).find(Boolean) ?? "nginx" : undefined;
        const address = asArray(spec.addresses).map((a) => asString(asObj(a).value));
        const selector = asObj(spec.selector);
        if (ngfClass !== undefined && className === ngfClass) g.link({ from: w.id, to: id, kind: "traffic", label: `class ${className}`, via: [objRef(gw, ["spec", "gatewayClassName"], className)] });
        else if (chart === "gateway" && address.includes(rname)) g.link({ from: w.id, to: id, kind: "traffic", label: "address", via: [objRef(gw, ["spec", "addresses", address.indexOf(rname), "value"], rname)] });
        else if (chart === "gateway" && selector.app === rname) g.link({ from: w.id, to: id, kind: "traffic", label: "selector", via: [objRef(gw, ["spec", "selector", "app"], rname)] });
      }
      // Or VPC Lattice: a Gateway of a class whose controller is the AWS Gateway API controller, named after the service network.
      const cls = classes.find((x) => metaOf(x.o).name === asString(spec.gatewayClassName));
      const controllerName = asString(asObj(cls?.o.spec).controllerName) ?? "";
      if (controllerName.startsWith("application-networking.k8s.aws"))
        for (const net of blocksOf(e.stacks, "aws_vpclattice_service_network").filter((n) => asString(n.body.name) === name)) {
          const netId = latticeHop(g, net);
          g.link({ from: netId, to: id, kind: "traffic", label: "Gateway named after the network", via: [at(net, ["name"], name), objRef(gw, ["metadata", "name"], name), ...(cls ? [objRef(cls, ["spec", "controllerName"], controllerName)] : [])] });
        }
    }
    const nginx = c.workloads.filter((w) => asString(w.release?.body.chart) === "ingress-nginx");
    for (const x of objects) {
      const { ns } = metaOf(x.o);
      const spec = asObj(x.o.spec);
      if (x.o.kind === "HTTPRoute" || x.o.kind === "GRPCRoute" || x.o.kind === "TLSRoute" || x.o.kind === "TCPRoute") {
        const route = routeHop(g, c, x);
        asArray(spec.parentRefs).forEach((p, i) => {
          const gw = gatewayHops.get(`${asString(asObj(p).namespace) ?? ns}/${asString(asObj(p).name)}`);
          if (gw) g.link({ from: gw, to: route, kind: "traffic", label: "", via: [objRef(x, ["spec", "parentRefs", i, "name"], asObj(p).name)] });
        });
        asArray(spec.rules).forEach((r, ri) =>
          asArray(asObj(r).backendRefs).forEach((b, bi) => {
            const ref = asObj(b);
            g.link({ from: route, to: backendHopK8s(g, c, asString(ref.namespace) ?? ns, asString(ref.name) ?? "?", asString(ref.port) ?? "?"), kind: "traffic", label: ref.weight !== undefined ? `weight ${asString(ref.weight)}` : "", via: [objRef(x, ["spec", "rules", ri, "backendRefs", bi, "name"], ref.name)] });
          }),
        );
      } else if (x.o.kind === "Ingress") {
        const className = asString(spec.ingressClassName);
        const route = routeHop(g, c, x);
        for (const w of nginx) {
          const own = valuesOf(w.release?.body ?? {}).map((v) => asString(asObj(asObj(v.controller).ingressClassResource).name)).find(Boolean) ?? "nginx";
          if (className === own) g.link({ from: w.id, to: route, kind: "traffic", label: `class ${own}`, via: [objRef(x, ["spec", "ingressClassName"], className)] });
        }
        asArray(spec.rules).forEach((r, ri) =>
          asArray(asObj(asObj(r).http).paths).forEach((p, pi) => {
            const svc = asObj(asObj(asObj(p).backend).service);
            g.link({ from: route, to: backendHopK8s(g, c, ns, asString(svc.name) ?? "?", asString(asObj(svc.port).number) ?? asString(asObj(svc.port).name) ?? "?"), kind: "traffic", label: "", via: [objRef(x, ["spec", "rules", ri, "http", "paths", pi, "backend", "service", "name"], svc.name)] });
          }),
        );
      } else if (x.o.kind === "VirtualService") {
        const route = routeHop(g, c, x);
        asArray(spec.gateways).forEach((name, i) => {
          const gw = gatewayHops.get(`${ns}/${String(name)}`);
          if (gw) g.link({ from: gw, to: route, kind: "traffic", label: "", via: [objRef(x, ["spec", "gateways", i], name)] });
        });
        asArray(spec.tcp).forEach((t, ti) =>
          asArray(asObj(t).route).forEach((r, ri) => {
            const d = asObj(asObj(r).destination);
            const host = asString(d.host) ?? "?";
            const [svc, svcNs] = host.split(".");
            g.link({ from: route, to: backendHopK8s(g, c, svcNs ?? ns, svc ?? host, asString(asObj(d.port).number) ?? "?"), kind: "traffic", label: "", via: [objRef(x, ["spec", "tcp", ti, "route", ri, "destination", "host"], host)] });
          }),
        );
      }
    }
    // Per-Service policies (an Istio DestinationRule, an NGINX Gateway Fabric
    // UpstreamSettingsPolicy): a line in the routes box of each HTTPRoute that sends to the Service.
    for (const x of objects) {
      const { ns } = metaOf(x.o);
      const spec = asObj(x.o.spec);
      const targets: Array<{ service: string; namespace: string; ref: Reference }> = [];
      if (x.o.kind === "DestinationRule") {
        const host = asString(spec.host) ?? "";
        const [service = "", namespace = ns] = host.split(".");
        targets.push({ service, namespace, ref: objRef(x, ["spec", "host"], host) });
      } else if (x.o.kind === "UpstreamSettingsPolicy")
        asArray(spec.targetRefs).forEach((t, i) => targets.push({ service: asString(asObj(t).name) ?? "", namespace: ns, ref: objRef(x, ["spec", "targetRefs", i, "name"], asObj(t).name) }));
      else continue;
      let policy: string | undefined;
      for (const r of objects.filter((y) => y.o.kind === "HTTPRoute")) {
        const rns = metaOf(r.o).ns;
        asArray(asObj(r.o.spec).rules).forEach((rule, ri) =>
          asArray(asObj(rule).backendRefs).forEach((b, bi) => {
            const ref = asObj(b);
            const t = targets.find((tt) => tt.service === asString(ref.name) && tt.namespace === (asString(ref.namespace) ?? rns));
            if (!t) return;
            policy ??= routeHop(g, c, x);
            g.link({ from: routeHop(g, c, r), to: policy, kind: "policy", label: "", via: [objRef(r, ["spec", "rules", ri, "backendRefs", bi, "name"], ref.name), t.ref] });
          }),
        );
      }
    }
    // ingress-nginx TCP streams (the chart's `tcp:` values).
    for (const w of nginx) {
      const release = w.release as Block;
      valuesOf(release.body).forEach((v, doc) => {
        for (const [port, target] of Object.entries(asObj(v.tcp))) {
          const text = String(target);
          const [nsName, svcPort] = [text.split(":")[0] ?? "", text.split(":")[1] ?? "?"];
          const [ns, name] = nsName.split("/");
          const route = g.hop({ id: `route:${c.cluster}/stream/${port}`, kind: "route", title: `TCP :${port}`, summary: `→ ${text}`, details: [`ingress-nginx TCP service :${port} → ${text}`], box: c.box });
          g.link({ from: w.id, to: route, kind: "traffic", label: `tcp ${port}`, via: [at(release, ["values", doc, "(yaml)", "tcp", port], text)] });
          g.link({ from: route, to: backendHopK8s(g, c, ns ?? "default", name ?? nsName, svcPort), kind: "traffic", label: "", via: [at(release, ["values", doc, "(yaml)", "tcp", port], text)] });
        }
      });
    }
  }
}

function latticeHop(g: Graph, net: Block): string {
  const name = asString(net.body.name) ?? net.key;
  const box = `AWS ${regionOf(net.stack) ?? ""}`.trim();
  const id = g.hop({ id: `lattice:${name}`, kind: "lattice", title: "VPC Lattice service network", name, summary: `auth ${asString(net.body.auth_type) ?? "NONE"}`, details: [`auth ${asString(net.body.auth_type) ?? "NONE"}`], box });
  for (const assoc of blocksOf([net.stack], "aws_vpclattice_service_network_vpc_association").filter((a) => refsTo(a.body.service_network_identifier, "aws_vpclattice_service_network", false).includes(net.key))) {
    const sgs = asArray(assoc.body.security_group_ids).flatMap((x) => refsTo(x, "aws_security_group", false));
    const rules = blocksOf([net.stack], "aws_vpc_security_group_ingress_rule").filter((r) => sgs.some((k) => refsTo(r.body.security_group_id, "aws_security_group", false).includes(k)));
    g.hop({ id: CLIENTS_VPC, kind: "clients", title: "clients in the VPC", details: [] });
    g.link({ from: CLIENTS_VPC, to: id, kind: "traffic", label: `VPC ${asString(assoc.body.vpc_identifier)}`, admits: rules.map((r) => `association security group admits ${ruleSource(r)} → ${asString(r.body.from_port)}`), via: [at(assoc, ["service_network_identifier"], assoc.body.service_network_identifier)] });
  }
  return id;
}

// ------------------------------------------------------------------------------ the whole environment

export function buildGraph(e: EnvStacks): TrafficGraph {
  const g = new Graph();
  const clusters = e.stacks.flatMap((s) => clusterFacts(g, s) ?? []);
  buildAws(g, e, clusters);
  buildApiGateway(g, e);
  buildGcp(g, e, clusters);
  buildRoutes(g, e, clusters);
  buildRoute53(g, e);
  // A global address no DNS record names is still reached by its clients, through its forwarding rules.
  for (const h of [...g.hops.values()].filter((x) => x.kind === "address")) {
    if (g.links.some((l) => l.to === h.id)) continue;
    const out = g.links.find((l) => l.from === h.id);
    if (out) g.link({ from: CLIENTS_INTERNET, to: h.id, kind: "traffic", label: "connect", via: out.via.slice(0, 1) });
  }
  // Lattice service networks no Gateway names still get drawn, with their clients.
  for (const net of blocksOf(e.stacks, "aws_vpclattice_service_network")) latticeHop(g, net);
  // A Service hop only matters on a path: drop those nothing reaches.
  const reached = new Set(g.links.map((l) => l.to));
  for (const [id, h] of g.hops) if ((h.kind === "service" || h.kind === "backend") && !reached.has(id)) g.hops.delete(id);
  const links = g.links.filter((l) => g.hops.has(l.from) && g.hops.has(l.to));
  return { hops: [...g.hops.values()], links };
}

/** The value a reference points at, for checking it against the stacks: undefined when the path leads nowhere. */
export function resolveReference(stacks: readonly Stack[], r: Reference): unknown {
  const s = stacks.find((x) => x.name === r.stack);
  const [head, ...rest] = r.address.split(".");
  const data = head === "data";
  const [type, key] = data ? rest : [head, rest[0]];
  let cur: unknown = (data ? s?.json.data : s?.json.resource)?.[type ?? ""]?.[key ?? ""];
  for (const step of r.path) {
    if (step === "(yaml)") {
      try {
        cur = parse(String(cur)) as unknown;
      } catch {
        return undefined;
      }
    } else if (step === "(json)") {
      try {
        cur = JSON.parse(String(cur)) as unknown;
      } catch {
        return undefined;
      }
    } else cur = dig(cur, [step]);
    if (cur === undefined) return undefined;
  }
  return cur;
}

