/**
 * One environment's traffic graph (paths.ts) as Graphviz DOT, drawn top to bottom so that an
 * environment fits a laptop screen. Only the graph's links are drawn, so every edge stands on a
 * reference in the stacks. To keep the picture small:
 *
 * - a listener and the one target group it forwards to are one box ("`:443 TLS → target port 30443`");
 * - Services are not boxes: the edge that reaches one says how (NodePort, pod IPs) and goes on to
 *   the pods the Service selects;
 * - the routes behind a Gateway or controller are one box with a line each, counted.
 *
 * Each box shows the entry point and port first and the (often hashed) name second; every detail
 * and every edge's references are in the element's SVG `<title>` (a tooltip on hover) and in the
 * table below the picture. All text is SVG text, so the drawing can be searched.
 */
import type { EnvModel } from "./model";
import type { Hop, Link, TrafficGraph } from "./paths";

export interface Drawing {
  readonly dot: string;
  /** Tooltip text by Graphviz element title: node ids (`n3`) and edges (`n3->n7`). */
  readonly tooltips: ReadonlyMap<string, string>;
  /** The drawn edges, each with the graph links it stands for. */
  readonly edges: ReadonlyArray<{ readonly from: string; readonly to: string; readonly links: readonly Link[] }>;
  /** Links inside one drawn box (a listener and its target group). */
  readonly folded: readonly Link[];
}

const COLORS: Record<string, { fill: string; border: string }> = {
  clients: { fill: "#eeeeee", border: "#9e9e9e" },
  dns: { fill: "#e8eaf6", border: "#7986cb" },
  address: { fill: "#e8eaf6", border: "#7986cb" },
  external: { fill: "#eeeeee", border: "#9e9e9e" },
  api: { fill: "#fce4ec", border: "#ec407a" },
  "vpc-link": { fill: "#fce4ec", border: "#ec407a" },
  nlb: { fill: "#fff3e0", border: "#fb8c00" },
  listener: { fill: "#ffe0b2", border: "#fb8c00" },
  "target-group": { fill: "#fff8e1", border: "#fb8c00" },
  lattice: { fill: "#fce4ec", border: "#ec407a" },
  frontend: { fill: "#bbdefb", border: "#1e88e5" },
  "backend-service": { fill: "#e3f2fd", border: "#1e88e5" },
  armor: { fill: "#ffebee", border: "#e53935" },
  firewall: { fill: "#ffebee", border: "#e53935" },
  neg: { fill: "#e1f5fe", border: "#039be5" },
  workload: { fill: "#e8f5e9", border: "#43a047" },
  gateway: { fill: "#f1f8e9", border: "#7cb342" },
  route: { fill: "#fffde7", border: "#fdd835" },
};

const BOX_COLORS: Array<[RegExp, string]> = [
  [/^AWS/, "#ff9900"],
  [/^EKS/, "#34a853"],
  [/^GKE/, "#34a853"],
  [/^Google/, "#4285f4"],
];

/** The most children of one box drawn side by side. */
const ROW = 8;

const ROUTE_KINDS = new Set(["HTTPRoute", "GRPCRoute", "TLSRoute", "TCPRoute", "Ingress", "VirtualService"]);
/** Per-Service policies, drawn as lines of the routes box of the routes that send to the Service, counted apart. */
const POLICY_KINDS = new Set(["DestinationRule", "UpstreamSettingsPolicy"]);

/** Text for an HTML-like Graphviz label. */
const html = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
/** A DOT double-quoted string. */
const q = (s: string) => `"${s.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n")}"`;

/** A line no wider than `max` characters, cut with an ellipsis. */
const cut = (s: string, max = 48) => (s.length > max ? `${s.slice(0, max - 1)}…` : s);

/** A hop as drawn: merged hops (the routes of one controller, a listener with its target group) list their lines. */
interface Node extends Hop {
  readonly lines: readonly string[];
}

/** Which drawn box each hop ends up in: listener + target group merged, routes of one parent grouped; Services and route backends are not drawn. */
function layout(graph: TrafficGraph): { nodes: Map<string, Node>; of: Map<string, string> } {
  const hops = new Map(graph.hops.map((h) => [h.id, h]));
  const outs = (id: string) => graph.links.filter((l) => l.from === id);
  const ins = (id: string) => graph.links.filter((l) => l.to === id);
  const of = new Map<string, string>();
  const nodes = new Map<string, Node>();
  const plain = (h: Hop): Node => ({ id: h.id, kind: h.kind, title: h.title, name: h.name, summary: h.summary, lines: [], details: h.details, box: h.box });
  for (const h of graph.hops) {
    if (h.kind === "service" || h.kind === "backend") continue;
    if (h.kind === "target-group") {
      const from = ins(h.id).filter((l) => l.kind === "traffic");
      const listener = from.length === 1 ? hops.get((from[0] as Link).from) : undefined;
      if (listener?.kind === "listener" && outs(listener.id).filter((l) => l.kind === "traffic").length === 1) continue;
      nodes.set(h.id, plain(h));
      of.set(h.id, h.id);
      continue;
    }
    if (h.kind === "route") {
      const parents = [...new Set(ins(h.id).map((l) => l.from))];
      // A policy joins the box of the routes that lead to it, when they share one.
      const boxes = new Set(parents.map((p) => (hops.get(p)?.kind === "route" ? of.get(p) : undefined)));
      const joined = boxes.size === 1 ? [...boxes][0] : undefined;
      const parent = parents.length === 1 ? (parents[0] as string) : h.id;
      const id = joined ?? `routes:${parent}`;
      const had = nodes.get(id);
      const kind = h.title.split(" ")[0] ?? "";
      const object = ROUTE_KINDS.has(kind) || POLICY_KINDS.has(kind);
      const line = object ? `${h.title.slice(kind.length + 1)}: ${h.summary ?? ""}` : `${h.title} ${h.summary ?? ""}`;
      // A policy's own details (what it sets, in words) go on hover below its line.
      const more = POLICY_KINDS.has(kind) ? h.details.map((d) => `  ${d}`) : [];
      if (had) nodes.set(id, { ...had, lines: [...had.lines, line], details: [...had.details, line, ...more] });
      else nodes.set(id, { id, kind: "route", title: object ? kind : "route", lines: [line], details: [line, ...more], box: h.box });
      of.set(h.id, id);
      continue;
    }
    if (h.kind === "listener") {
      const tgLinks = outs(h.id).filter((l) => l.kind === "traffic" && hops.get(l.to)?.kind === "target-group");
      const tg = tgLinks.length === 1 ? hops.get((tgLinks[0] as Link).to) : undefined;
      if (tg && ins(tg.id).filter((l) => l.kind === "traffic").length === 1) {
        nodes.set(h.id, { id: h.id, kind: "listener", title: `${h.title} → ${tg.title}`, name: tg.name, summary: [h.summary, tg.summary].filter(Boolean).join("\n"), lines: [], details: [...h.details, ...tg.details], box: h.box });
        of.set(h.id, h.id);
        of.set(tg.id, h.id);
        continue;
      }
    }
    nodes.set(h.id, plain(h));
    of.set(h.id, h.id);
  }
  // "3 HTTPRoutes", "1 Ingress", "2 routes" when the kinds differ; policies after: "2 HTTPRoutes, 1 DestinationRule".
  const counted = (kind: string, n: number) => `${n} ${kind}${n === 1 ? "" : kind.endsWith("s") ? "es" : "s"}`;
  for (const [id, n] of nodes) {
    if (n.kind !== "route") continue;
    const kinds = graph.hops.filter((h) => h.kind === "route" && of.get(h.id) === id).map((h) => h.title.split(" ")[0] ?? "");
    const routes = kinds.filter((k) => !POLICY_KINDS.has(k));
    const policies = kinds.filter((k) => POLICY_KINDS.has(k));
    const one = (list: readonly string[], other: string) => (new Set(list).size === 1 && (ROUTE_KINDS.has(list[0] ?? "") || POLICY_KINDS.has(list[0] ?? "")) ? (list[0] as string) : other);
    const title = [routes.length ? counted(one(routes, "route"), routes.length) : "", policies.length ? counted(one(policies, "policy"), policies.length).replace(/policys$/, "policies") : ""].filter(Boolean).join(", ");
    nodes.set(id, { ...n, title });
  }
  return { nodes, of };
}

/** The drawn edges: links between drawn boxes, with Services (and route backends) folded into the edge that reaches them. */
function edges(graph: TrafficGraph, of: Map<string, string>): Array<{ from: string; to: string; links: Link[] }> {
  const hops = new Map(graph.hops.map((h) => [h.id, h]));
  const out = new Map<string, { from: string; to: string; links: Link[] }>();
  const add = (from: string, to: string, links: Link[]) => {
    if (from === to) return;
    const key = `${from}\u0000${to}`;
    const had = out.get(key);
    if (had) had.links.push(...links.filter((l) => !had.links.includes(l)));
    else out.set(key, { from, to, links: [...links] });
  };
  for (const l of graph.links) {
    const from = of.get(l.from);
    if (!from) continue;
    const target = hops.get(l.to);
    if (target?.kind === "service") {
      for (const next of graph.links.filter((x) => x.from === l.to && (l.servicePort === undefined || x.servicePort === undefined || x.servicePort === l.servicePort))) {
        const to = of.get(next.to);
        if (to) add(from, to, [l, next]);
      }
    } else if (target?.kind === "backend") continue;
    else {
      const to = of.get(l.to);
      if (to) add(from, to, [l]);
    }
  }
  return [...out.values()];
}

/** An edge's label: how the traffic gets there (NodePort, pod IPs, route keys) and, for a Service, the pod port; health checks last, shorter. */
function edgeLabel(links: readonly Link[]): string {
  const parts: string[] = [];
  const health: string[] = [];
  links.forEach((l, i) => {
    if (i > 0 && links[i - 1]?.to === l.from) return;
    const next = links[i + 1]?.from === l.to ? links[i + 1] : undefined;
    const podPort = next?.label.replace(/^→ pod port /, "");
    if (l.kind === "health") health.push(`health${l.label.replace(/^health \w+ NodePort /, " :")}`);
    else parts.push(`${l.label}${podPort && !l.label.endsWith(`:${podPort}`) ? ` → ${podPort}` : ""}`);
  });
  const lines = [...new Set([...parts, ...health].flatMap((s) => s.split("\n")).filter(Boolean))];
  return lines.length > 4 ? [...lines.slice(0, 3), `… ${lines.length - 3} more`].join("\n") : lines.join("\n");
}

function describeLink(l: Link, hops: Map<string, Hop>): string {
  const name = (id: string) => {
    const h = hops.get(id);
    return `${h?.title ?? id}${h?.name ? ` (${h.name})` : ""}`;
  };
  const refs = l.via.map((r) => `  ${r.stack}: ${r.address}.${r.path.join(".")} = ${r.value}`);
  return [`${name(l.from)} → ${name(l.to)}${l.label ? `: ${l.label.replace(/\n/g, ", ")}` : ""}${l.direct ? " (pod IPs, no kube-proxy)" : ""}`, ...l.admits.map((a) => `  ${a}`), ...refs].join("\n");
}

export function toDrawing(m: EnvModel): Drawing {
  const graph = m.graph;
  const hops = new Map(graph.hops.map((h) => [h.id, h]));
  const { nodes, of } = layout(graph);
  const drawn = edges(graph, of);
  const ids = new Map<string, string>();
  const idOf = (key: string) => {
    let id = ids.get(key);
    if (!id) {
      id = `n${ids.size}`;
      ids.set(key, id);
    }
    return id;
  };
  const tooltips = new Map<string, string>();
  const boxes = new Map<string, string[]>();
  const free: string[] = [];
  for (const n of nodes.values()) {
    const c = COLORS[n.kind] ?? { fill: "#ffffff", border: "#9e9e9e" };
    const rows = [`<B>${html(cut(n.title))}</B>`, ...(n.summary ? n.summary.split("\n").map((x) => `<FONT POINT-SIZE="9">${html(cut(x, 44))}</FONT>`) : []), ...(n.name ? [`<FONT POINT-SIZE="8" COLOR="#555555">${html(cut(n.name))}</FONT>`] : []), ...n.lines.slice(0, 6).map((l) => `<FONT POINT-SIZE="8">${html(cut(l, 72))}</FONT>`), ...(n.lines.length > 6 ? [`<FONT POINT-SIZE="8">… ${n.lines.length - 6} more (see the table)</FONT>`] : [])];
    const align = n.lines.length ? ' ALIGN="LEFT"' : "";
    const shape = n.kind === "clients" || n.kind === "external" ? "oval" : n.kind === "route" || n.kind === "firewall" ? "note" : "box";
    const id = idOf(n.id);
    const line = `    ${id} [label=<${rows.join(`<BR${align}/>`)}${align ? `<BR${align}/>` : ""}>, shape=${shape}, fillcolor=${q(c.fill)}, color=${q(c.border)}];`;
    tooltips.set(id, [`${n.title}${n.name ? ` (${n.name})` : ""}`, ...n.details].join("\n"));
    if (n.box) boxes.set(n.box, [...(boxes.get(n.box) ?? []), line]);
    else free.push(line);
  }
  const edgeLines: string[] = [];
  for (const e of drawn) {
    const from = idOf(e.from);
    const to = idOf(e.to);
    const kinds = new Set(e.links.map((l) => l.kind));
    const style = kinds.has("traffic") ? (e.links.some((l) => l.direct) ? 'color="#2e7d32", penwidth=1.4' : 'color="#424242"') : kinds.has("dns") ? 'style=dashed, color="#5c6bc0"' : kinds.has("health") ? 'style=dashed, color="#9e9e9e"' : 'style=dotted, color="#e53935", arrowhead=none';
    const label = edgeLabel(e.links);
    edgeLines.push(`  ${from} -> ${to} [${label ? `label=${q(label)}, ` : ""}${style}];`);
    tooltips.set(`${from}->${to}`, e.links.map((l) => describeLink(l, hops)).join("\n"));
  }
  // A box with many children (an NLB with dozens of listeners) would put them all in one row:
  // invisible edges stack them in rows of ROW, so the picture grows down instead of sideways.
  const children = new Map<string, string[]>();
  for (const e of drawn) if (e.links.some((l) => l.kind === "traffic")) children.set(e.from, [...(children.get(e.from) ?? []), e.to]);
  for (const list of children.values()) {
    const unique = [...new Set(list)];
    if (unique.length <= ROW) continue;
    for (let i = ROW; i < unique.length; i++) edgeLines.push(`  ${idOf(unique[i - ROW] as string)} -> ${idOf(unique[i] as string)} [style=invis, weight=0, minlen=2];`);
  }
  let cluster = 0;
  const clusters = [...boxes].map(([name, lines]) => {
    const color = BOX_COLORS.find(([re]) => re.test(name))?.[1] ?? "#9e9e9e";
    return [`  subgraph cluster_${cluster++} {`, `    label=${q(name)}; style="rounded"; color=${q(color)}; fontname="Helvetica"; fontsize=11;`, ...lines, "  }"].join("\n");
  });
  const dot = [
    `digraph ${q(m.env)} {`,
    `  graph [rankdir=TB, newrank=true, fontname="Helvetica", fontsize=12, label=${q(`gatehouse · ${m.env} · traffic paths`)}, labelloc=t, nodesep=0.25, ranksep=0.4, pad=0.2];`,
    '  node [style="rounded,filled", fontname="Helvetica", fontsize=10, margin="0.12,0.05"];',
    '  edge [fontname="Helvetica", fontsize=8, arrowsize=0.7];',
    ...free,
    ...clusters,
    ...edgeLines,
    "}",
    "",
  ].join("\n");
  const folded = graph.links.filter((l) => of.get(l.from) !== undefined && of.get(l.from) === of.get(l.to));
  return { dot, tooltips, edges: drawn.map((e) => ({ from: e.from, to: e.to, links: e.links })), folded };
}

const xml = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/**
 * Graphviz's SVG with each node's and edge's `<title>` (Graphviz writes the internal id there)
 * replaced by its details, so hovering shows them; the `<title>` of the graph stays the env name.
 */
export function withTooltips(svg: string, tooltips: ReadonlyMap<string, string>): string {
  return svg.replace(/<title>([^<]*)<\/title>/g, (all, raw: string) => {
    const key = raw.replace(/&#45;/g, "-").replace(/&gt;/g, ">");
    const text = tooltips.get(key);
    return text === undefined ? all : `<title>${xml(text)}</title>`;
  });
}
