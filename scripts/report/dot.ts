/**
 * One environment's traffic path as a Graphviz graph (DOT), left to right: clients → DNS /
 * global IP or NLB → listeners / forwarding rules → target groups / backend services / NEGs →
 * nodes or pods → the controller → its routes. Security-group and firewall admissions label
 * the edges they govern. Every label is plain text, so the SVG carries it as searchable text.
 */
import type { Admission, AwsEdge, AwsTargetGroup, Controller, EnvModel, GcpEdge, GcpFrontend } from "./model";

const KINDS: Record<string, string> = {
  "ingress-nginx": "ingress-nginx",
  "nginx-gateway-fabric": "NGINX Gateway Fabric",
  gateway: "Istio gateway",
  istiod: "Istio control plane",
  base: "Istio base",
  "aws-gateway-controller-chart": "AWS Gateway API controller (VPC Lattice)",
  "aws-load-balancer-controller": "AWS Load Balancer Controller",
};

/** A DOT string literal; `\n` in the text becomes a line break (centered), `\l` stays a left-justified one. */
function q(text: string): string {
  return `"${text.replace(/\\(?!l)/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n")}"`;
}

function portInRange(port: number, range: string): boolean {
  const [from, to] = range.split("-").map(Number);
  return from !== undefined && port >= from && port <= (to ?? from);
}

function admits(list: readonly Admission[], port: number): string[] {
  return list.filter((a) => a.ports === "all" || portInRange(port, a.ports)).map((a) => `${a.where} admits ${a.from}`);
}

function short(arn: string): string {
  return arn.replace(/^arn:aws:acm:[^:]+:\d+:certificate\//, "ACM ").replace(/^(ACM [0-9a-f]{8})[0-9a-f-]+$/, "$1…");
}

function controllerLabel(c: Controller): string {
  const lines = c.releases.map((r) => `${KINDS[r.chart] ?? r.chart} (chart ${r.chart}${r.version ? ` ${r.version}` : ""})\nrelease ${r.name} · namespace ${r.namespace}`);
  if (c.nodePorts.length) lines.push(`Service NodePorts ${c.nodePorts.join(", ")}`);
  if (c.health) lines.push(`health Service ${c.health.service}: NodePort ${c.health.nodePort ?? "-"} → ${c.health.port ?? "-"}`);
  for (const n of c.negs) lines.push(`NEG annotation: port ${n.port} → ${n.name}`);
  lines.push(...c.gateways);
  return `controller in ${c.cloud === "gcp" ? "GKE" : "EKS"} ${c.cluster}\n${lines.join("\n")}`;
}

function routesLabel(c: Controller): string {
  return `routes (${c.cluster})\\l${c.routes.map((r) => `${r}\\l`).join("")}`;
}

class Dot {
  readonly lines: string[] = [];
  readonly edges: string[] = [];
  private ids = new Map<string, string>();

  id(key: string): string {
    let id = this.ids.get(key);
    if (!id) {
      id = `n${this.ids.size}`;
      this.ids.set(key, id);
    }
    return id;
  }

  node(key: string, label: string, attrs = ""): string {
    const id = this.id(key);
    this.lines.push(`    ${id} [label=${q(label)}${attrs ? `, ${attrs}` : ""}];`);
    return id;
  }

  edge(from: string, to: string, label?: string, attrs = ""): void {
    const parts = [label ? `label=${q(label)}` : "", attrs].filter(Boolean).join(", ");
    this.edges.push(`  ${from} -> ${to}${parts ? ` [${parts}]` : ""};`);
  }

  /** Nodes created in `body` are drawn inside a box. */
  box(id: string, label: string, color: string, body: () => void): void {
    this.lines.push(`  subgraph cluster_${id} {`, `    label=${q(label)}; style="rounded"; color=${q(color)}; fontname="Helvetica";`);
    body();
    this.lines.push("  }");
  }
}

/** The controller (and its routes) in a box of its own: the Kubernetes cluster. */
function kubernetes(g: Dot, c: Controller, prefix: string, inside: (g: Dot) => void = () => undefined): string {
  let id = "";
  g.box(`${prefix}k8s_${g.id(`${prefix}${c.cluster}`)}`, `${c.cloud === "gcp" ? "GKE" : "EKS"} cluster ${c.cluster}`, "#34a853", () => {
    inside(g);
    id = g.node(`${prefix}controller-${c.cluster}`, controllerLabel(c), 'fillcolor="#e8f5e9"');
    if (c.routes.length) g.edge(id, g.node(`${prefix}routes-${c.cluster}`, routesLabel(c), 'shape=note, fillcolor="#fffde7"'), "routes");
  });
  return id;
}

function aws(g: Dot, clients: string, edge: AwsEdge, i: number, controllers: readonly Controller[]): void {
  const tgIds = new Map<string, string>();
  const targetNodes = new Map<string, string>();
  const listenerIds = new Map<number, string>();
  let nlb = "";
  const groups = new Map<string, AwsTargetGroup[]>();
  for (const tg of edge.targetGroups) groups.set(tg.targets, [...(groups.get(tg.targets) ?? []), tg]);
  const targets = (gr: Dot) => {
    for (const [targets, list] of groups) {
      const first = list[0] as AwsTargetGroup;
      const kind = first.pods ? "controller pods" : "nodes";
      const what = `${first.pods ? "pod ports" : "NodePorts"} ${list.map((t) => t.port).join(", ")}`;
      const health = `health ${first.pods ? "port" : "NodePort"} ${first.health.port} ${first.health.path ?? ""}`.trim();
      targetNodes.set(targets, gr.node(`targets${i}-${targets}`, `${kind}: ${targets}\n${what}\n${health}`, 'fillcolor="#e3f2fd"'));
    }
  };
  g.box(`aws_${i}`, `AWS · ${edge.region}`, "#ff9900", () => {
    nlb = g.node(
      `nlb${i}`,
      [`NLB ${edge.name}`, `${edge.internal ? "internal" : "internet-facing"}${edge.crossZone ? " · cross-zone" : ""}`, edge.staticIps ? `${edge.staticIps} fixed addresses (subnet mappings)` : "", edge.hasSecurityGroup ? "security group attached" : "no security group"].filter(Boolean).join("\n"),
      'fillcolor="#fff3e0"',
    );
    for (const l of edge.listeners) {
      const tls = l.protocol === "TLS" ? `TLS ends at the NLB\n${l.sslPolicy ?? ""}${l.certificate ? `\n${short(l.certificate)}` : ""}${l.alpn ? `\nALPN ${l.alpn}` : ""}` : "TLS (if any) passes through";
      listenerIds.set(l.port, g.node(`listener${i}-${l.port}`, `listener :${l.port} ${l.protocol}\n${tls}`, 'fillcolor="#ffe0b2"'));
    }
    for (const tg of edge.targetGroups) {
      const health = `health ${tg.health.protocol} :${tg.health.port}${tg.health.path ?? ""}`;
      tgIds.set(tg.key, g.node(`tg${i}-${tg.key}`, `target group ${tg.name}\nport ${tg.port} · ${tg.targetType} targets\n${health}\nPROXY v2 ${tg.proxyProtocol ? "on" : "off"}`, 'fillcolor="#fff8e1"'));
    }
    if (!controllers.length) targets(g);
    controllers.forEach((c, k) => {
      const cid = kubernetes(g, c, `aws${i}_`, k === 0 ? targets : undefined);
      for (const to of targetNodes.values()) g.edge(to, cid, "kube-proxy → controller pods");
    });
  });
  g.edge(clients, nlb, edge.clientAdmissions.length ? edge.clientAdmissions.map((a) => `${a.where} admits ${a.from} → ${a.ports}`).join("\n") : edge.internal ? "from inside the VPC" : "internet");
  for (const l of edge.listeners) {
    const lid = listenerIds.get(l.port) ?? "";
    g.edge(nlb, lid);
    const tg = edge.targetGroups.find((t) => t.key === l.targetGroup);
    if (tg) g.edge(lid, tgIds.get(tg.key) ?? "", `forward → ${tg.port}`);
  }
  for (const tg of edge.targetGroups) {
    const to = targetNodes.get(tg.targets);
    if (to) g.edge(tgIds.get(tg.key) ?? "", to, [`:${tg.port}`, ...admits(edge.nodeAdmissions, tg.port)].join("\n"));
  }
  const healthPorts = new Map<string, { port: string; to: string }>();
  for (const tg of edge.targetGroups) {
    const to = targetNodes.get(tg.targets);
    if (to) healthPorts.set(`${tg.health.port}|${to}`, { port: tg.health.port, to });
  }
  for (const { port, to } of healthPorts.values()) g.edge(nlb, to, [`health checks :${port}`, ...admits(edge.nodeAdmissions, Number(port))].join("\n"), 'style=dashed, color="#888888"');
}

function gcp(g: Dot, clients: string, edge: GcpEdge, controllers: readonly Controller[]): void {
  const backendIds = new Map<string, string>();
  const negIds: Array<{ from: string; neg: string; cluster: string }> = [];
  const frontIds: Array<{ f: GcpFrontend; id: string }> = [];
  let dns: string | undefined;
  let ip = "";
  let certNode: string | undefined;
  g.box("gcp", "Google Cloud · global external load balancer", "#4285f4", () => {
    dns = edge.dnsNames.length ? g.node("dns", `Cloud DNS\n${edge.dnsNames.join("\n")}`, 'fillcolor="#e8eaf6"') : undefined;
    ip = g.node("gip", `global IP\n${edge.addresses.join("\n") || "(read by name)"}`, 'fillcolor="#e8eaf6"');
    const certs = edge.certificates.map((c) => `certificate ${c.name}: ${c.domains.join(", ")}`);
    certNode = certs.length ? g.node("certs", `Certificate Manager\n${certs.join("\n")}`, 'shape=note, fillcolor="#f3e5f5"') : undefined;
    for (const f of edge.frontends) {
      const tls = f.proxyKind === "HTTPS" || f.proxyKind === "SSL" ? `TLS ends here${f.certificateMap ? `: cert map ${f.certificateMap} (${edge.certificateMapEntries} entries)` : ""}${f.sslPolicy ? `\nSSL policy ${f.sslPolicy}` : ""}` : f.proxyKind === "TCP" ? "TLS (if any) passes through" : "";
      const label = [`forwarding rule :${f.port} (${f.ipVersions.join(", ")})`, `target ${f.proxyKind} proxy ${f.proxy}`, tls, f.redirect ? "redirects to HTTPS (301)" : ""].filter(Boolean).join("\n");
      frontIds.push({ f, id: g.node(`fr-${f.port}-${f.proxy}`, label, 'fillcolor="#bbdefb"') });
    }
    for (const b of edge.backends) {
      const lines = [`backend service ${b.name}`, `${b.protocol} · ${b.balancing}`, b.health ? `health check :${b.health}` : "", b.securityPolicy ? `Cloud Armor ${b.securityPolicy}` : ""];
      backendIds.set(b.key, g.node(`be-${b.key}`, lines.filter(Boolean).join("\n"), 'fillcolor="#e3f2fd"'));
    }
    const clusters = [...new Set([...edge.backends.flatMap((b) => b.negs.map((n) => n.cluster)), ...controllers.map((c) => c.cluster)])];
    for (const cluster of clusters) {
      const negs = (gr: Dot) => {
        for (const b of edge.backends)
          for (const n of b.negs.filter((x) => x.cluster === cluster))
            negIds.push({ from: backendIds.get(b.key) ?? "", neg: gr.node(`neg-${n.cluster}-${n.name}`, `NEG ${n.name}\nzones ${n.zones.join(", ")}`, 'fillcolor="#e1f5fe"'), cluster });
      };
      const c = controllers.find((x) => x.cluster === cluster);
      if (c) kubernetes(g, c, "gcp_", negs);
      else negs(g);
    }
  });
  if (dns) {
    g.edge(clients, dns, "resolve");
    g.edge(dns, ip, "A / AAAA");
  } else g.edge(clients, ip);
  for (const { f, id } of frontIds) {
    g.edge(ip, id, `:${f.port}`);
    if (certNode && f.certificateMap) g.edge(certNode, id, "certificate map", 'style=dotted, arrowhead=none, color="#888888"');
    if (f.backend && backendIds.has(f.backend)) g.edge(id, backendIds.get(f.backend) ?? "", f.proxyKind === "HTTPS" ? "URL map default" : "backend");
  }
  const fw = edge.firewalls.map((a) => `${a.where} admits ${a.from} → ${a.ports}`).join("\n");
  for (const { from, neg, cluster } of negIds) {
    g.edge(from, neg, fw);
    if (controllers.some((x) => x.cluster === cluster)) g.edge(neg, g.id(`gcp_controller-${cluster}`), "pod IPs");
  }
}

export function toDot(m: EnvModel): string {
  const g = new Dot();
  const internal = m.aws.length > 0 && m.aws.every((a) => a.internal) && !m.gcp;
  const clients = g.node("clients", internal ? "clients\n(inside the VPC)" : "clients\n(internet)", 'shape=oval, fillcolor="#eeeeee"');
  m.aws.forEach((edge, i) => aws(g, clients, edge, i, m.controllers.filter((c) => c.cloud === "aws")));
  if (m.gcp) gcp(g, clients, m.gcp, m.controllers.filter((c) => c.cloud === "gcp"));
  const extras = [
    ...m.awsExtras.httpApis.map((a) => `API Gateway HTTP API ${a}`),
    ...m.awsExtras.restApis.map((a) => `API Gateway REST API ${a}`),
    ...m.awsExtras.latticeServiceNetworks.map((n) => `VPC Lattice service network ${n} (${m.awsExtras.latticeServices.length} services)`),
  ];
  if (extras.length) g.edge(clients, g.node("extras", extras.join("\n"), 'fillcolor="#fce4ec"'), "also");
  return [
    `digraph ${q(m.env)} {`,
    `  graph [rankdir=LR, fontname="Helvetica", fontsize=12, label=${q(`gatehouse · ${m.env} · traffic path`)}, labelloc=t, nodesep=0.3, ranksep=0.6];`,
    '  node [shape=box, style="rounded,filled", fontname="Helvetica", fontsize=10, fillcolor="#ffffff"];',
    '  edge [fontname="Helvetica", fontsize=9];',
    ...g.lines,
    ...g.edges,
    "}",
    "",
  ].join("\n");
}
