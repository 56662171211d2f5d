/**
 * npm run report: the traffic paths drawn for every built-in environment and every example, each
 * edge checked against the synthesized stacks it was read from, and the prices the issue found
 * missing (public IPv4, Cloud Armor edge policies, region-marked estimates, per-project GCP
 * allowances, Route 53), including Route 53 steering from a hand-made stack fixture.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";
import { DEFAULT_ASSUMPTIONS, estimate, projectShares, toMarkdown, type CostLine } from "../scripts/report/costs";
import { toDrawing } from "../scripts/report/dot";
import { generateReport, type EnvReport, type Report } from "../scripts/report/index";
import { buildModel, type EnvModel } from "../scripts/report/model";
import { resolveReference, type Link, type TrafficGraph } from "../scripts/report/paths";
import PRICES from "../scripts/report/prices.json";
import { groupByEnv, orderEnvs, readStacks, type EnvStacks, type Obj, type StackJson } from "../scripts/report/stacks";

const root = join(__dirname, "..");
const EXAMPLES = readdirSync(join(root, "envs", "examples"))
  .filter((f) => f.endsWith(".yaml"))
  .map((f) => `envs/examples/${f}`)
  .join(",");
const ENVS = ["dev", "staging", "prod", "example-api", "example-eks", "example-gke", "example-istio", "example-lattice", "example-multi", "example-ngf"];
let out: string;
let report: Report;
let stacks: EnvStacks[];

beforeAll(async () => {
  out = join(mkdtempSync(join(tmpdir(), "gatehouse-report-paths-")), "cdktf.out");
  const synth = spawnSync(process.execPath, ["scripts/run-ts.js", "main.ts"], { cwd: root, encoding: "utf8", env: { ...process.env, CDKTF_OUTDIR: out, GATEHOUSE_ENV_FILE: EXAMPLES, GATEHOUSE_ENVS: "" } });
  expect(synth.stderr).not.toMatch(/error/i);
  expect(synth.stdout).toContain("synthesized");
  stacks = groupByEnv(readStacks(out));
  report = await generateReport(out, {});
}, 90_000);

afterAll(() => rmSync(join(out, ".."), { recursive: true, force: true }));

const envReport = (env: string) => report.envs.find((e) => e.env === env) as EnvReport;
const graphOf = (env: string): TrafficGraph => envReport(env).model.graph;
const stacksOf = (env: string) => (stacks.find((e) => e.env === env) as EnvStacks).stacks;

/** `from -> to [label]` for every link of kind `kind`, each end its title and (name). */
function edges(g: TrafficGraph, kind: Link["kind"] = "traffic"): string[] {
  const hops = new Map(g.hops.map((h) => [h.id, h]));
  const t = (id: string) => {
    const h = hops.get(id);
    return `${h?.title ?? id}${h?.name ? ` (${h.name})` : ""}`;
  };
  return g.links
    .filter((l) => l.kind === kind)
    .map((l) => `${t(l.from)} -> ${t(l.to)}${l.label ? ` [${l.label.replace(/\n/g, " | ")}]` : ""}`)
    .sort();
}

/** NodePorts in chart values: `nodePort: n`, `nodePorts: {name: n}`, `nodePorts: {tcp: {"8883": n}}` or `nodePorts: [{port: n}]`. */
function valuesNodePorts(v: unknown, under = false): number[] {
  if (Array.isArray(v)) return v.flatMap((x) => (under && x && typeof x === "object" ? [Number((x as Obj).port)] : valuesNodePorts(x, under)));
  if (v && typeof v === "object") return Object.entries(v as Obj).flatMap(([k, x]) => (k === "nodePort" ? [Number(x)] : k === "nodePorts" || under ? (typeof x === "number" ? [x] : valuesNodePorts(x, true)) : valuesNodePorts(x)));
  return [];
}

const svgTexts = (svg: string) => [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => (m[1] ?? "").replace(/&#45;/g, "-").replace(/&gt;/g, ">").replace(/&lt;/g, "<").replace(/&amp;/g, "&")).join("\n");

describe("every drawn edge stands on references in the stacks", () => {
  it("draws every built-in environment and example, in the order changes apply: dev, staging, prod, then the others as they come", () => {
    expect(report.envs.map((e) => e.env)).toEqual(ENVS);
    expect(orderEnvs([{ env: "prod" }, { env: "zeta" }, { env: "team-dev" }, { env: "alpha" }, { env: "staging" }]).map((e) => e.env)).toEqual(["team-dev", "staging", "prod", "zeta", "alpha"]);
    const html = report.html;
    const at = ENVS.map((e) => html.indexOf(`<a href="#env-${e}">`));
    expect(at.every((x, i) => x > 0 && (i === 0 || x > (at[i - 1] as number)))).toBe(true);
  });

  it.each(ENVS)("%s: each link cites references that hold the values it names, and the SVG draws exactly the drawing's edges", (env) => {
    const g = graphOf(env);
    expect(g.links.length).toBeGreaterThan(5);
    for (const l of g.links) {
      if (!l.via.length) throw new Error(`${env}: ${l.from} -> ${l.to} cites no reference`);
      for (const r of l.via) {
        const v = resolveReference(stacksOf(env), r);
        const text = typeof v === "string" ? v : JSON.stringify(v);
        if (v === undefined || !text.includes(r.value)) throw new Error(`${env}: ${l.from} -> ${l.to} cites ${r.stack} ${r.address} ${r.path.join(".")} = ${r.value}, which holds ${text}`);
      }
    }
    const drawing = toDrawing(envReport(env).model);
    const svg = envReport(env).svg;
    expect((svg.match(/class="edge"/g) ?? []).length).toBe(drawing.edges.length);
    for (const e of drawing.edges) expect(e.links.length).toBeGreaterThan(0);
    // Every link of the graph is drawn (a Service's links folded into the edge that reaches it), inside one box (listener and target group), or a route's backend (a line of its box).
    const drawnLinks = new Set([...drawing.edges.flatMap((e) => e.links), ...drawing.folded]);
    const hops = new Map(g.hops.map((h) => [h.id, h]));
    for (const l of g.links) if (!drawnLinks.has(l) && hops.get(l.to)?.kind !== "backend") throw new Error(`${env}: link ${l.from} -> ${l.to} is not drawn`);
  });

  it("a reference that does not hold the value is caught", () => {
    const g = graphOf("prod");
    const l = g.links.find((x) => x.from === "listener:prod--prod-eks:443") as Link;
    const r = l.via[0];
    expect(r && resolveReference(stacksOf("prod"), r)).toBe("${aws_lb_target_group.edge_tg-https_3AC53664.arn}");
    expect(r && resolveReference(stacksOf("prod"), { ...r, path: ["default_action", 0, "nothing"] })).toBeUndefined();
  });

  it.each(ENVS.filter((e) => e !== "example-gke"))("%s: listener → target group → NodePort or pod port, read again from the raw JSON, is what the graph says", (env) => {
    const raw = stacksOf(env).map((s) => s.json);
    const res = (type: string) => raw.flatMap((j) => Object.entries(j.resource?.[type] ?? {}));
    const expected: string[] = [];
    for (const [, l] of res("aws_lb_listener")) {
      const tgKey = /aws_lb_target_group\.([^.]+)\.arn/.exec(JSON.stringify(l.default_action))?.[1];
      const tg = res("aws_lb_target_group").find(([k]) => k === tgKey)?.[1] as Obj;
      const attachment = res("aws_lb_target_group_attachment").find(([, a]) => String(a.target_group_arn).includes(`.${tgKey}.`))?.[1];
      const lookups = raw.flatMap((j) => Object.entries(j.data?.aws_lb_target_group ?? {}));
      const binding = res("kubernetes_manifest").find(([, m]) => {
        const key = /data\.aws_lb_target_group\.([^.]+)\.arn/.exec(String(((m.manifest as Obj).spec as Obj | undefined)?.targetGroupARN))?.[1];
        return lookups.some(([k, d]) => k === key && d.name === tg.name);
      });
      if (attachment) expected.push(`:${String(l.port)} -> NodePort ${String(attachment.port)}`);
      else if (binding) expected.push(`:${String(l.port)} -> pod IPs`);
    }
    const g = graphOf(env);
    const hops = new Map(g.hops.map((h) => [h.id, h]));
    const actual = g.links
      .filter((l) => hops.get(l.from)?.kind === "listener" && hops.get(l.to)?.kind === "target-group")
      .flatMap((l) =>
        g.links
          .filter((x) => x.from === l.to && x.kind === "traffic")
          .map((x) => `${(hops.get(l.from)?.title ?? "").split(" ")[0]} -> ${x.label.startsWith("pod IPs") ? "pod IPs" : x.label}`),
      );
    expect([...new Set(actual)].sort()).toEqual(expected.sort());
    // Each NodePort drawn is one a Service of the stacks has: a kubernetes_service_v1 port or a chart's values.
    const nodePorts = new Set(raw.flatMap((j) => [
      ...Object.values(j.resource?.kubernetes_service_v1 ?? {}).flatMap((svc) => (((svc.spec as Obj).port as Obj[] | undefined) ?? []).map((p) => Number(p.node_port))),
      ...Object.values(j.resource?.helm_release ?? {}).flatMap((h) => ((h.values as string[] | undefined) ?? []).flatMap((v) => valuesNodePorts(parse(v)))),
    ]));
    for (const l of g.links.filter((x) => x.label.startsWith("NodePort "))) expect(nodePorts.has(Number(l.label.split(" ")[1]))).toBe(true);
  });
});

describe("what the drawings got wrong", () => {
  it("API Gateway: the API reaches listeners 8081-8083 through its VPC link; each fixed-NodePort service goes to its own NodePort Service, each with its own health check", () => {
    const g = graphOf("example-api");
    const traffic = edges(g);
    expect(traffic.filter((e) => e.includes("VPC link") || e.includes("HTTP API"))).toEqual([
      "HTTP API · stage live (example-api--gatehouse--api) -> VPC link (example-api--gatehouse--api)",
      "VPC link (example-api--gatehouse--api) -> :8081 TCP [ANY /orders/{proxy+}]",
      "VPC link (example-api--gatehouse--api) -> :8082 TCP [ANY /payments/{proxy+}]",
      "VPC link (example-api--gatehouse--api) -> :8083 TCP [GET /catalog/{proxy+}]",
      "clients on the internet -> HTTP API · stage live (example-api--gatehouse--api) [HTTPS]",
    ]);
    expect(traffic.filter((e) => /target port 3108\d/.test(e.split(" -> ")[0] ?? "") || /Service shop\//.test(e.split(" -> ")[0] ?? ""))).toEqual([
      "Service shop/catalog-nodeport -> pods app=catalog (namespace shop) [→ pod port 8080]",
      "Service shop/orders-nodeport -> pods app=orders (namespace shop) [→ pod port 8080]",
      "Service shop/payments-nodeport -> pods of Service shop/payments (selector read from the existing Service) [→ pod port 9000]",
      "target port 31081 (example-api--example-api-0c2bf3) -> Service shop/orders-nodeport [NodePort 31081]",
      "target port 31082 (example-api--example-api-62058a) -> Service shop/payments-nodeport [NodePort 31082]",
      "target port 31083 (example-api--example-api-260041) -> Service shop/catalog-nodeport [NodePort 31083]",
    ]);
    // Nothing on a fixed NodePort reaches ingress-nginx; its health checks are their own.
    const health = edges(g, "health");
    expect(health).toEqual([
      "target port 30080 (example-api--example-api-de5649) -> Service ingress-nginx/ingress-nginx-healthcheck [health HTTP NodePort 30200/healthz]",
      "target port 30443 (example-api--example-api-920cf3) -> Service ingress-nginx/ingress-nginx-healthcheck [health HTTP NodePort 30200/healthz]",
    ]);
    const summary = (name: string) => g.hops.find((h) => h.name === name)?.summary;
    expect(summary("example-api--example-api-0c2bf3")).toBe("health HTTP /healthz on the traffic port");
    expect(summary("example-api--example-api-260041")).toBe("health TCP on the traffic port");
    expect(summary("example-api--example-api-de5649")).toBe("health HTTP :30200/healthz");
    const text = svgTexts(envReport("example-api").svg);
    expect(text).not.toContain("health NodePort 31083");
    expect(text).toContain("ANY /orders/{proxy+}");
  });

  it("controller-managed targets (staging): the NLB sends to the controller's pod IPs, no kube-proxy, and the chart's NodePorts are not drawn", () => {
    const g = graphOf("staging");
    const fromTargetGroups = g.links.filter((l) => l.from.startsWith("tg:"));
    expect(fromTargetGroups.map((l) => `${l.label} direct=${String(l.direct)}`).sort()).toEqual(["pod IPs :2443 direct=true", "pod IPs :80 direct=true"]);
    const text = svgTexts(envReport("staging").svg);
    expect(text).not.toMatch(/kube-proxy|NodePort/);
    expect(text).toContain("pod IPs :2443 → tohttps (2443)");
  });

  it("VPC Lattice: clients in the VPC → service network → the Gateway named after it → HTTPRoutes → Services; nothing hangs off ingress-nginx", () => {
    const traffic = edges(graphOf("example-lattice"));
    expect(traffic.filter((e) => /Lattice|Gateway|HTTPRoute/.test(e))).toEqual([
      "Gateway example-lattice-network (namespace aws-application-networking-system) -> HTTPRoute store/checkout",
      "Gateway example-lattice-network (namespace aws-application-networking-system) -> HTTPRoute store/inventory",
      "HTTPRoute store/checkout -> Service store/checkout-v1:8090 [weight 80]",
      "HTTPRoute store/checkout -> Service store/checkout-v2:8090 [weight 20]",
      "HTTPRoute store/inventory -> Service store/inventory:8080",
      "VPC Lattice service network (example-lattice-network) -> Gateway example-lattice-network (namespace aws-application-networking-system) [Gateway named after the network]",
      "clients in the VPC -> VPC Lattice service network (example-lattice-network) [VPC vpc-0aaaaaaaaaaaaaae1]",
    ]);
    expect(traffic.filter((e) => e.startsWith("ingress-nginx"))).toEqual([]);
  });

  it("TLS is named only where a listener or proxy ends or passes it; DNS draws only the record types there are; the firewall once, with its target tags", () => {
    for (const env of ENVS) {
      const text = svgTexts(envReport(env).svg);
      expect(text).not.toContain("TLS (if any)");
      expect(text).not.toContain("A / AAAA");
    }
    expect(edges(graphOf("staging"), "dns")).toEqual(["Cloud DNS · 2 names (zone staging-example-com) -> global IPv4 address (staging--gatehouse--ip) [A]", "clients on the internet -> Cloud DNS · 2 names (zone staging-example-com) [resolve]"]);
    expect(edges(graphOf("prod"), "dns")).toEqual([
      "Cloud DNS · 4 names (zone example-com) -> global IPv4 address (prod--gatehouse--ip) [A]",
      "Cloud DNS · 4 names (zone example-com) -> global IPv6 address (prod--gatehouse--ip-v6) [AAAA]",
      "clients on the internet -> Cloud DNS · 4 names (zone example-com) [resolve]",
    ]);
    const fw = graphOf("prod").hops.filter((h) => h.kind === "firewall");
    expect(fw.map((h) => [h.title, h.name, ...h.details])).toEqual([["firewall: tcp 443, 8883, 10254", "prod--gatehouse--allow-gfe", "from 130.211.0.0/22, 35.191.0.0/16", "to nodes tagged gke-prod-node"]]);
    expect(svgTexts(envReport("prod").svg).match(/firewall: tcp/g)).toHaveLength(1);
  });

  it("GKE: each NEG reaches the Service port its annotation exposes and the controller behind it", () => {
    expect(edges(graphOf("example-gke")).filter((e) => e.startsWith("NEG"))).toEqual([
      "NEG ×3 zones (example-gke--gke-euw1--https) -> Service ingress-nginx/ingress-nginx-controller [pod IPs :443]",
      "NEG ×3 zones (example-gke--gke-euw1--mqtts) -> Service ingress-nginx/ingress-nginx-controller [pod IPs :8883]",
    ]);
    expect(edges(graphOf("example-ngf")).filter((e) => e.startsWith("NEG"))).toEqual(["NEG ×2 zones (example-ngf--ngf-euw1--https) -> Service nginx-gateway/nginx-gateway-nginx [pod IPs :443]"]);
  });
});

describe("readable on a laptop screen", () => {
  it("every picture is laid out top to bottom within 1400 × 900 pt (they were 1,854 to 3,455 pt wide), with the entry point and port before the hashed name", () => {
    for (const e of report.envs) {
      const m = /<svg width="([\d.]+)pt" height="([\d.]+)pt"/.exec(e.svg);
      expect(Number(m?.[1])).toBeLessThanOrEqual(1400);
      expect(Number(m?.[2])).toBeLessThanOrEqual(900);
      expect(e.dot).toContain("rankdir=TB");
    }
    const text = svgTexts(envReport("prod").svg).split("\n");
    const port = text.indexOf(":443 TCP → target port 30443");
    expect(port).toBeGreaterThanOrEqual(0);
    expect(text.slice(port, port + 4)).toEqual([":443 TCP → target port 30443", "TCP pass-through", "health HTTP :30200/healthz", "prod--prod-eks--https"]);
  });

  it("hovering shows a node's details and an edge's references", () => {
    const svg = envReport("example-api").svg;
    expect(svg).toContain("<title>VPC link (example-api--gatehouse--api) → :8081 TCP: ANY /orders/{proxy+}\n  example-api-aws-api: aws_apigatewayv2_integration.api_integration-orders_1F684DDC.integration_uri = ${data.aws_lb_listener.api_listener-orders_11BEACAE.arn}");
    expect(svg).not.toMatch(/<title>n\d+<\/title>/);
  });
});

// ------------------------------------------------------------------------------------------ costs

const line = (lines: readonly CostLine[], item: string) => lines.find((l) => l.item === item);

describe("costs the estimate was missing", () => {
  it("public IPv4 addresses: one per zone of an internet-facing NLB, none for an internal one", () => {
    const cost = (env: string) => envReport(env).cost;
    expect(line(cost("dev").lines, "NLB dev--dev-eks: 2 public IPv4 addresses")).toMatchObject({ quantity: 1460, unitPrice: 0.005, monthly: 7.3 });
    expect(line(cost("prod").lines, "NLB prod--prod-eks: 3 public IPv4 addresses")).toMatchObject({ quantity: 2190, monthly: 10.95, note: expect.stringContaining("Elastic IPs eipalloc-0123456789abcdef1") as string });
    expect(line(cost("staging").lines, "NLB staging--staging-eks: 3 public IPv4 addresses")?.monthly).toBe(10.95);
    expect(cost("example-api").lines.filter((l) => l.item.includes("IPv4"))).toEqual([]);
    expect(PRICES.aws.publicIpv4AddressHour).toBe(0.005);
  });

  it("API Gateway and VPC Lattice in eu-west-1 are marked as estimated from us-east-1 rates; the NLB lines have their own region's", () => {
    const api = envReport("example-api");
    const l = line(api.cost.lines, "API Gateway HTTP API example-api--gatehouse--api: requests");
    expect(l).toMatchObject({ region: "eu-west-1", estimatedFrom: "us-east-1", unitPrice: PRICES.aws.regions["us-east-1"].apiGatewayHttpPerMillion, note: "estimated from the us-east-1 rate: the price table has no eu-west-1 rate for it" });
    expect(api.markdown).toContain("| eu-west-1 (estimated from us-east-1) |");
    expect(api.cost.lines.filter((x) => x.item.startsWith("NLB")).every((x) => x.estimatedFrom === undefined && x.region === "eu-west-1")).toBe(true);
    const lattice = envReport("example-lattice").cost.lines.filter((x) => x.item.startsWith("VPC Lattice"));
    expect(lattice.map((x) => [x.item, x.region, x.estimatedFrom])).toEqual([
      ["VPC Lattice: 2 services", "eu-west-1", "us-east-1"],
      ["VPC Lattice: data processed", "eu-west-1", "us-east-1"],
      ["VPC Lattice: requests above the free 300k per service-hour", "eu-west-1", "us-east-1"],
    ]);
    expect(report.html).toContain('<tr class="estimated">');
    // The sources are links in the Markdown the pull-request comment carries, too.
    expect(api.markdown).toContain("[apiGateway](https://aws.amazon.com/api-gateway/pricing/), [vpcLattice](https://aws.amazon.com/vpc/lattice/pricing/)");
  });

  it("GCP's first five forwarding rules are one charge per project: a second environment in the project pays only what goes beyond", () => {
    const prod = buildModel(stacks.find((e) => e.env === "prod") as EnvStacks);
    const staging = buildModel(JSON.parse(JSON.stringify(stacks.find((e) => e.env === "staging"))) as EnvStacks);
    const shared: EnvModel = { ...staging, gcp: { ...(staging.gcp as NonNullable<EnvModel["gcp"]>), project: prod.gcp?.project } };
    const shares = projectShares([prod, shared]);
    expect(shares.get("staging")).toEqual({ project: "acme-prod-edge", before: ["prod"], forwardingRulesBefore: 6, certificatesBefore: 1 });
    const a = estimate(prod, DEFAULT_ASSUMPTIONS, PRICES, shares.get("prod"));
    const b = estimate(shared, DEFAULT_ASSUMPTIONS, PRICES, shares.get("staging"));
    const rules = (c: typeof a) => c.lines.filter((x) => x.item.startsWith("forwarding rules")).map((x) => [x.item, x.monthly]);
    expect(rules(a)).toEqual([
      ["forwarding rules: first 5 (5 used)", 18.25],
      ["forwarding rules: 1 beyond the first 5", 7.3],
    ]);
    // Staging's 2 rules are the project's 7th and 8th: no base charge, two extra rules.
    expect(rules(b)).toEqual([
      ["forwarding rules: first 5 of project acme-prod-edge", 0],
      ["forwarding rules: 2 beyond the first 5", 14.6],
    ]);
    // Alone in its own project, staging pays the base.
    expect(rules(estimate(staging, DEFAULT_ASSUMPTIONS, PRICES, projectShares([staging]).get("staging")))).toEqual([["forwarding rules: first 5 (2 used)", 18.25]]);
    // The report applies it: envs of different projects each pay their base.
    expect(envReport("staging").cost.lines.find((x) => x.item.startsWith("forwarding rules: first"))?.monthly).toBe(18.25);
  });
});

describe("Route 53 steering and Cloud Armor (a hand-made stack fixture)", () => {
  const fixture = JSON.parse(readFileSync(join(root, "__tests__", "fixtures", "report", "steering.json"), "utf8")) as { stacks: Record<string, StackJson> };
  const env: EnvStacks = { env: "steer", stacks: Object.entries(fixture.stacks).map(([name, json]) => ({ name, json })) };
  const m = buildModel(env);
  const cost = estimate(m, DEFAULT_ASSUMPTIONS);

  it("draws failover records as DNS → primary and secondary, weighted ones with their share, each with its health check", () => {
    expect(edges(m.graph, "dns")).toEqual([
      "Route 53 api.example.com -> NLB · internet-facing (steer--steer-eks) [weight 90 (90%)]",
      "Route 53 api.example.com -> global IPv4 address (steer--gatehouse--ip) [weight 10 (10%)]",
      "Route 53 status.example.com -> NLB · internet-facing (steer--steer-eks) [A]",
      "Route 53 www.example.com -> NLB · internet-facing (steer--steer-eks) [PRIMARY | health check HTTPS NLB steer--steer-eks:443/healthz]",
      "Route 53 www.example.com -> global IPv4 address (steer--gatehouse--ip) [SECONDARY | health check HTTPS_STR_MATCH address steer--gatehouse--ip:443/healthz]",
      "clients on the internet -> Route 53 api.example.com [resolve]",
      "clients on the internet -> Route 53 status.example.com [resolve]",
      "clients on the internet -> Route 53 www.example.com [resolve]",
    ]);
    for (const l of m.graph.links)
      for (const r of l.via) {
        const v = resolveReference(env.stacks, r);
        expect(typeof v === "string" ? v : JSON.stringify(v)).toContain(r.value);
      }
  });

  it("prices each health check by endpoint (AWS or not) and optional features, and queries only for names not all aliases to AWS", () => {
    const r53 = PRICES.aws.route53;
    expect(line(cost.lines, "Route 53 health check steer-nlb")).toMatchObject({ quantity: 1, unitPrice: r53.healthCheckAwsEndpointMonth + r53.optionalFeatureAwsEndpointMonth, monthly: 1.5 });
    // HTTPS, string matching and the 10-second interval, against an endpoint outside AWS.
    expect(line(cost.lines, "Route 53 health check steer-gcp")).toMatchObject({ unitPrice: r53.healthCheckOtherEndpointMonth + 3 * r53.optionalFeatureOtherEndpointMonth, monthly: 6.75, note: expect.stringContaining("HTTPS, string matching, fast interval (10 s)") as string });
    const queries = cost.lines.filter((l) => l.item.startsWith("Route 53 queries"));
    expect(queries.map((l) => [l.item, l.quantity, l.monthly])).toEqual([
      ["Route 53 queries for www.example.com", 26.28, 10.51],
      ["Route 53 queries for api.example.com", 26.28, 10.51],
    ]);
    expect(line(cost.lines, "Elastic IP steer-spare")).toMatchObject({ quantity: 730, monthly: 3.65 });
  });

  it("draws and prices Cloud Armor edge policies beside backend policies", () => {
    expect(edges(m.graph, "policy")).toEqual(["Cloud Armor edge policy (steer-edge) -> backend TCP (steer--gatehouse--https) [filters at the edge]", "Cloud Armor policy (steer-backend) -> backend TCP (steer--gatehouse--https) [filters]"]);
    expect(cost.lines.filter((l) => l.item.startsWith("Cloud Armor edge policy steer-edge")).map((l) => [l.item, l.monthly])).toEqual([
      ["Cloud Armor edge policy steer-edge", 5],
      ["Cloud Armor edge policy steer-edge: 5 rules", 5],
      ["Cloud Armor edge policy steer-edge: requests", 98.55],
    ]);
    expect(toMarkdown(cost)).toContain("| GCP | Cloud Armor edge policy steer-edge | 1 policy-month | $5.00 | global | $5.00 |");
    const drawing = toDrawing(m);
    expect(drawing.dot).toContain("Cloud Armor edge policy");
  });
});
