/**
 * npm run report: the traffic-path SVGs (real Graphviz in WebAssembly), the cost estimate and the
 * self-contained page, checked against what the synthesized stacks hold.
 */
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { DOMParser } from "@xmldom/xmldom";
import { parse } from "yaml";
import { ConfigError } from "../modules/core/errors";
import { assumptionsFor, assumptionVarProblems, DEFAULT_ASSUMPTIONS, estimate, unusedAssumptionOverrides, type EnvCost } from "../scripts/report/costs";
import { BASE_FILE_MAX_BYTES, baseTotals, changeAgainstBase, generateReport, type Report } from "../scripts/report/index";
import { buildModel } from "../scripts/report/model";
import PRICES from "../scripts/report/prices.json";
import { groupByEnv, readStacks, type EnvStacks, type Obj, type StackJson } from "../scripts/report/stacks";

const root = join(__dirname, "..");
const EXAMPLES = ["eks", "gke", "nginx-gateway-fabric", "istio"].map((f) => `envs/examples/${f}.yaml`).join(",");
let out: string;
let report: Report;

beforeAll(async () => {
  out = join(mkdtempSync(join(tmpdir(), "gatehouse-report-")), "cdktf.out");
  const synth = spawnSync(process.execPath, ["scripts/run-ts.js", "main.ts"], { cwd: root, encoding: "utf8", env: { ...process.env, CDKTF_OUTDIR: out, GATEHOUSE_ENV_FILE: EXAMPLES, GATEHOUSE_ENVS: "" } });
  expect(synth.stdout).toContain("synthesized");
  report = await generateReport(out, {});
}, 60_000);

afterAll(() => rmSync(join(out, ".."), { recursive: true, force: true }));

// ------------------------------------------------------------ what the stacks hold, read independently

function envOfStack(s: StackJson): string | undefined {
  const aws = (s.provider?.aws ?? []).flatMap((p) => (p.default_tags as Array<{ tags: Record<string, string> }> | undefined) ?? []);
  return aws[0]?.tags["gatehouse:env"] ?? ((s.provider?.google ?? [])[0]?.default_labels as Record<string, string> | undefined)?.["gatehouse-env"];
}

function stacksOf(env: string): StackJson[] {
  const manifest = JSON.parse(readFileSync(join(out, "manifest.json"), "utf8")) as { stacks: Record<string, { synthesizedStackPath: string }> };
  return Object.values(manifest.stacks)
    .map((s) => JSON.parse(readFileSync(join(out, s.synthesizedStackPath), "utf8")) as StackJson)
    .filter((s) => envOfStack(s) === env);
}

const all = (stacks: StackJson[], type: string, data = false): Obj[] => stacks.flatMap((s) => Object.values((data ? s.data : s.resource)?.[type] ?? {}));

function nodePortsInValues(v: unknown, under = false): number[] {
  if (Array.isArray(v)) return v.flatMap((x) => (under && x && typeof x === "object" ? [Number((x as Obj).port)] : nodePortsInValues(x, under)));
  if (v && typeof v === "object") return Object.entries(v as Obj).flatMap(([k, x]) => (k === "nodePort" ? [Number(x)] : k === "nodePorts" || under ? (typeof x === "number" ? [x] : nodePortsInValues(x, true)) : nodePortsInValues(x)));
  return [];
}

/** Listener ports, target-group ports, NodePorts (those a target group or its health check uses, and the others) and NEG names in an environment's stacks. */
function facts(env: string) {
  const stacks = stacksOf(env);
  const values = all(stacks, "helm_release").flatMap((r) => ((r.values as string[] | undefined) ?? []).map((v) => parse(v) as unknown));
  const nodePorts = [
    ...all(stacks, "kubernetes_service_v1").flatMap((s) => ((s.spec as { port: Array<{ node_port?: number }> }).port ?? []).flatMap((p) => (p.node_port ? [p.node_port] : []))),
    ...values.flatMap((v) => nodePortsInValues(v)),
  ];
  const used = new Set([
    ...all(stacks, "aws_lb_target_group_attachment").map((a) => Number(a.port)),
    ...all(stacks, "aws_lb_target_group").flatMap((t) => [Number((t.health_check as Obj | undefined)?.port)]),
  ]);
  return {
    listenerPorts: all(stacks, "aws_lb_listener").map((l) => Number(l.port)),
    targetGroupPorts: all(stacks, "aws_lb_target_group").map((t) => Number(t.port)),
    nodePorts: nodePorts.filter((n) => used.has(n)),
    unusedNodePorts: nodePorts.filter((n) => !used.has(n)),
    negNames: all(stacks, "google_compute_network_endpoint_group", true).map((n) => String(n.name)),
    forwardingRulePorts: all(stacks, "google_compute_global_forwarding_rule").map((r) => String(r.port_range)),
  };
}

/** The text of an SVG's `<text>` elements (what the picture shows), or of its `<title>`s (what hovering shows). */
function svgText(svg: string, tag: "text" | "title" = "text"): string {
  const errors: string[] = [];
  const doc = new DOMParser({ onError: (level, msg) => void (level !== "warning" && errors.push(msg)) }).parseFromString(svg, "image/svg+xml");
  expect(errors).toEqual([]);
  expect(doc.documentElement?.localName).toBe("svg");
  expect(doc.documentElement?.namespaceURI).toBe("http://www.w3.org/2000/svg");
  const texts = doc.getElementsByTagName(tag);
  return Array.from({ length: texts.length }, (_, i) => texts.item(i)?.textContent ?? "").join("\n");
}

const hasNumber = (text: string, n: number) => new RegExp(`(^|[^0-9])${n}([^0-9]|$)`, "m").test(text);

describe("npm run report: traffic path", () => {
  it("writes an SVG and a cost table per environment, costs.json and index.html", () => {
    const envs = report.envs.map((e) => e.env).sort();
    expect(envs).toEqual(["dev", "example-eks", "example-gke", "example-istio", "example-ngf", "prod", "staging"]);
    const files = readdirSync(report.dir).sort();
    for (const e of envs) expect(files).toEqual(expect.arrayContaining([`${e}.svg`, `${e}.md`]));
    expect(files).toEqual(expect.arrayContaining(["costs.json", "index.html"]));
  });

  it("each SVG is valid SVG drawn by Graphviz and carries every port and NEG name of its stacks as text, and no NodePort nothing uses", () => {
    let checked = 0;
    for (const e of report.envs) {
      const svg = readFileSync(join(report.dir, `${e.env}.svg`), "utf8");
      expect(svg).toContain("Generated by graphviz");
      const text = svgText(svg);
      const f = facts(e.env);
      for (const n of [...f.listenerPorts, ...f.targetGroupPorts, ...f.nodePorts]) {
        expect(Number.isInteger(n) && n > 0).toBe(true);
        if (!hasNumber(text, n)) throw new Error(`${e.env}.svg lacks port ${n}`);
        checked++;
      }
      for (const p of f.forwardingRulePorts) expect(text).toContain(`:${p}`);
      for (const neg of f.negNames) {
        if (!text.includes(neg)) throw new Error(`${e.env}.svg lacks NEG ${neg}`);
        checked++;
      }
      for (const n of f.unusedNodePorts) if (hasNumber(text, n)) throw new Error(`${e.env}.svg shows NodePort ${n}, which no target group uses`);
    }
    // Staging's NLB reaches the controller's pods (TargetGroupBinding, ip targets): its chart NodePorts are unused and not drawn.
    expect(facts("staging").unusedNodePorts.sort()).toEqual([30080, 30443]);
    const prod = facts("prod");
    expect(prod.listenerPorts.sort()).toEqual([443, 80, 8883]);
    expect(new Set(prod.nodePorts)).toEqual(new Set([30080, 30443, 30883, 30200]));
    expect(new Set(prod.negNames)).toEqual(new Set(["prod--prod-euw1--https", "prod--prod-euw1--mqtts", "prod--prod-use1--https", "prod--prod-use1--mqtts"]));
    expect(checked).toBeGreaterThan(60);
  });

  it("labels TLS choices, health checks and the controller and its routes, with admissions and details on hover", () => {
    const text = (env: string) => svgText(report.envs.find((e) => e.env === env)?.svg ?? "");
    const hover = (env: string) => svgText(report.envs.find((e) => e.env === env)?.svg ?? "", "title");
    const prod = text("prod");
    expect(prod).toContain(":8883 TLS → target port 30883");
    expect(prod).toContain(":8883 TLS → target port 30883\nTLS ends at the NLB\nhealth HTTP :30200/healthz\nprod--prod-eks--mqtts");
    expect(prod).toContain(":443 TCP → target port 30443\nTCP pass-through\nhealth HTTP :30200/healthz\nprod--prod-eks--https");
    expect(prod).not.toContain("TLS (if any)");
    expect(prod).toContain("ingress-nginx 4.15.1");
    expect(prod).toContain("release ingress-nginx · namespace ingress-nginx");
    expect(hover("prod")).toContain("sg-0123456789abcdef0 admits 10.0.0.0/16 → 30443");
    expect(hover("prod")).toContain("firewall prod--gatehouse--allow-gfe admits 130.211.0.0/22, 35.191.0.0/16 → 443 on nodes tagged gke-prod-node");
    expect(hover("prod")).toContain("chart ingress-nginx 4.15.1 from https://kubernetes.github.io/ingress-nginx");
    // The firewall is drawn once, with its ports; its sources and target tags are on hover.
    expect(prod.match(/firewall: tcp 443, 8883, 10254/g)).toHaveLength(1);
    expect(hover("staging")).toContain("NLB security group admits 0.0.0.0/0 → 443");
    expect(hover("staging")).toContain("targets: pods registered by TargetGroupBinding ingress-nginx/ingress-nginx-controller-http (ip)");
    const ngf = text("example-ngf");
    expect(ngf).toContain("NGINX Gateway Fabric 2.6.7");
    expect(ngf).toContain("shop/shop: shop.example.org / → storefront:8080");
    expect(text("example-istio")).toContain("istio-ingress/istio-ingress-tcp-mqtts: tcp 8883 → mqtt-broker.messaging");
    expect(text("example-eks")).toContain("api/api: api.example.com/v1 → api-v1:8080");
    expect(text("example-eks")).toContain("3 Ingresses");
  });
});

describe("npm run report: dark launches, retries and circuit breakers", () => {
  const text = (env: string) => svgText(report.envs.find((e) => e.env === env)?.svg ?? "");
  const hover = (env: string) => svgText(report.envs.find((e) => e.env === env)?.svg ?? "", "title");
  /** The objects of the routes release of an environment's stacks. */
  const routeObjects = (env: string): Obj[] =>
    all(stacksOf(env), "helm_release")
      .filter((r) => r.name === "gatehouse-routes")
      .flatMap((r) => ((r.values as string[] | undefined) ?? []).flatMap((v) => ((parse(v) as { objects?: Obj[] }).objects ?? [])));

  it("puts each route's match conditions, timeout and retries on its line of the routes box", () => {
    const istio = text("example-istio");
    expect(istio).toContain("3 HTTPRoutes, 3 DestinationRules");
    // The drawing cuts a long line; hovering shows it whole.
    expect(istio).toContain('web/web-preview: www.example.com / [header x-preview = "true"] → fronte');
    expect(istio).toContain("web/web-preview-cookie: www.example.com / [cookie preview=always] → fro");
    expect(hover("example-istio")).toContain('web/web-preview: www.example.com / [header x-preview = "true"] → frontend-next:80 · timeout 30s');
    expect(hover("example-istio")).toContain("web/web-preview-cookie: www.example.com / [cookie preview=always] → frontend-next:80 · timeout 30s");
    expect(hover("example-istio")).toContain("web/web: www.example.com / → frontend-stable:80 (95), frontend-canary:80 (5) · timeout 30s · retries 2 on connection failures and 502-504, 10s per try");
    expect(text("example-eks")).toContain("api/api: api.example.com/v1 → api-v1:8080 · timeout 60s · retries 2 on");
    expect(hover("example-eks")).toContain("api/api: api.example.com/v1 → api-v1:8080 · timeout 60s · retries 2 on error timeout http_502 http_503 http_504");
    expect(text("example-eks")).toContain("api/api--canary: api.example.com/v1 → api-v2:8080 (canary: 10%)");
  });

  it("puts each DestinationRule the stacks hold on the routes box of the routes that send to its Service, its circuit breaker on hover", () => {
    const rules = routeObjects("example-istio").filter((o) => o.kind === "DestinationRule");
    expect(rules).toHaveLength(3);
    for (const r of rules) {
      const name = String((r.metadata as Obj).name);
      const tp = ((r.spec as Obj).trafficPolicy ?? {}) as Obj;
      const od = tp.outlierDetection as Obj;
      expect(text("example-istio")).toContain(`${name}: out after ${String(od.consecutive5xxErrors)}×5xx, ${String(od.baseEjectionTime)}`);
      expect(hover("example-istio")).toContain(
        `circuit breaker: a pod is taken out after ${String(od.consecutive5xxErrors)} 5xx responses in a row (checked every ${String(od.interval)}) for ${String(od.baseEjectionTime)}, at most ${String(od.maxEjectionPercent)}% of the pods`,
      );
    }
    expect(text("example-istio")).toContain("web--frontend-stable: out after 5×5xx, 30s · ≤200 conn · LEAST_REQUEST");
  });
});

describe("npm run report: costs", () => {
  const cents = (x: number) => Math.round(x * 100);

  it("every line is quantity × unit price and the total is the sum of the lines, in costs.json and the Markdown", () => {
    const json = JSON.parse(readFileSync(join(report.dir, "costs.json"), "utf8")) as { prices: { checked: string }; envs: Record<string, EnvCost> };
    expect(json.prices.checked).toBe(PRICES.checked);
    for (const e of report.envs) {
      const c = json.envs[e.env] as EnvCost;
      expect(c).toEqual(JSON.parse(JSON.stringify(e.cost)));
      for (const l of c.lines) expect(Math.abs(cents(l.quantity * l.unitPrice) - cents(l.monthly))).toBeLessThanOrEqual(1);
      expect(cents(c.total)).toBe(c.lines.reduce((s, l) => s + cents(l.monthly), 0));
      expect(readFileSync(join(report.dir, `${e.env}.md`), "utf8")).toContain(`**$${c.total.toFixed(2)}**`);
    }
    const prod = json.envs.prod as EnvCost;
    const nlbHours = prod.lines.find((l) => l.item.includes("load balancer hours"));
    expect(nlbHours).toMatchObject({ quantity: 730, unitPrice: PRICES.aws.regions["eu-west-1"].nlbHour, region: "eu-west-1" });
    // Six forwarding rules (IPv4 and IPv6 for 80, 443 and 8883): five in the base price, one extra.
    expect(prod.lines.find((l) => l.item.startsWith("forwarding rules: 1 beyond"))?.monthly).toBe(7.3);
  });

  function withChange(env: string, change: (stacks: EnvStacks) => void): { before: EnvCost; after: EnvCost } {
    const e = groupByEnv(readStacks(out)).find((x) => x.env === env) as EnvStacks;
    const before = estimate(buildModel(e), DEFAULT_ASSUMPTIONS);
    const copy = JSON.parse(JSON.stringify(e)) as EnvStacks;
    change(copy);
    return { before, after: estimate(buildModel(copy), DEFAULT_ASSUMPTIONS) };
  }
  const stack = (e: EnvStacks, suffix: string) => e.stacks.find((s) => s.name.endsWith(suffix))?.json as StackJson;

  it("changes when a resource is added: a forwarding rule, an NLB, Cloud Armor, API Gateway, VPC Lattice", () => {
    const rule = withChange("prod", (e) => {
      const rules = stack(e, "-gcp-edge").resource?.google_compute_global_forwarding_rule as Record<string, Obj>;
      rules.extra = { ...(Object.values(rules)[0] as Obj), name: "prod--gatehouse--extra", port_range: "9000" };
    });
    expect(cents(rule.after.total - rule.before.total)).toBe(cents(730 * PRICES.gcp.forwardingRuleExtraHour));

    const armor = withChange("staging", (e) => {
      const res = stack(e, "-gcp-edge").resource as Record<string, Record<string, Obj>>;
      res.google_compute_security_policy = { armor: { name: "staging-armor", rule: [{ priority: 1000 }, { priority: 2147483647 }] } };
    });
    const armorLines = armor.after.lines.filter((l) => l.item.startsWith("Cloud Armor policy staging-armor"));
    expect(armorLines.map((l) => l.quantity)).toEqual([1, 2, expect.closeTo((50 * 3600 * 730) / 1e6, 3)]);
    expect(armor.after.total).toBeGreaterThan(armor.before.total);

    const api = withChange("dev", (e) => {
      const res = stack(e, "-aws-edge").resource as Record<string, Record<string, Obj>>;
      res.aws_apigatewayv2_api = { api: { name: "dev-api", protocol_type: "HTTP" } };
      res.aws_vpclattice_service_network = { net: { name: "dev-lattice" } };
      res.aws_vpclattice_service = { a: { name: "svc-a" }, b: { name: "svc-b" } };
    });
    const added = api.after.lines.filter((l) => !api.before.lines.some((b) => b.item === l.item));
    expect(added.map((l) => l.item)).toEqual([
      "API Gateway HTTP API dev-api: requests",
      "VPC Lattice: 2 services",
      "VPC Lattice: data processed",
      "VPC Lattice: requests above the free 300k per service-hour",
    ]);
    expect(added[1]).toMatchObject({ quantity: 2 * 730, unitPrice: 0.025 });
    // 50 requests/s over two services is 90k an hour each: inside the free 300k.
    expect(added[3]?.monthly).toBe(0);
    expect(cents(api.after.total - api.before.total)).toBe(added.reduce((s, l) => s + cents(l.monthly), 0));

    const nlb = withChange("example-gke", (e) => {
      const prodEdge = groupByEnv(readStacks(out)).find((x) => x.env === "prod")?.stacks.find((s) => s.name === "prod-aws-edge");
      (e.stacks as Array<{ name: string; json: StackJson }>).push({ name: "example-gke-aws-edge", json: JSON.parse(JSON.stringify(prodEdge?.json)) as StackJson });
    });
    // Hours, NLCUs and the three public IPv4 addresses of an internet-facing NLB in three zones.
    expect(nlb.after.lines.filter((l) => l.cloud === "aws").map((l) => l.item)).toEqual(["NLB prod--prod-eks: load balancer hours", "NLB prod--prod-eks: NLCU (data processing)", "NLB prod--prod-eks: 3 public IPv4 addresses"]);
    expect(nlb.after.total).toBeGreaterThan(nlb.before.total);
  });

  it("reads assumptions from GATEHOUSE_REPORT_* (per environment with __<ENV>) and rejects bad values", () => {
    expect(assumptionsFor("prod", {})).toEqual(DEFAULT_ASSUMPTIONS);
    const a = assumptionsFor("example-gke", { GATEHOUSE_REPORT_RPS: "200", GATEHOUSE_REPORT_GB_PER_MONTH: "100", GATEHOUSE_REPORT_GB_PER_MONTH__EXAMPLE_GKE: "5000" });
    expect(a).toMatchObject({ requestsPerSecond: 200, gbPerMonth: 5000 });
    const e = groupByEnv(readStacks(out)).find((x) => x.env === "example-gke") as EnvStacks;
    const more = estimate(buildModel(e), a).lines.find((l) => l.item === "load balancer data processing");
    expect(more).toMatchObject({ quantity: 5000, monthly: 5000 * PRICES.gcp.dataProcessedPerGb });
    expect(() => assumptionsFor("prod", { GATEHOUSE_REPORT_RPS: "lots" })).toThrow(/GATEHOUSE_REPORT_RPS="lots" must be a number >= 0/);
  });

  it("keeps a dated price table with its sources and regions", () => {
    expect(PRICES.checked).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    for (const u of [...Object.values(PRICES.aws.sources), ...Object.values(PRICES.gcp.sources)]) expect(u).toMatch(/^https:\/\//);
    expect(PRICES.aws.regions["us-east-1"]).toMatchObject({ latticeServiceHour: 0.025, latticePerGb: 0.025, latticeFreeRequestsPerHour: 300000, latticePerMillionRequests: 0.1 });
  });
});

describe("npm run report: page", () => {
  it("index.html is self-contained: inline SVGs, tables and script, no external asset; the only outside links are the price sources", () => {
    const html = readFileSync(join(report.dir, "index.html"), "utf8");
    expect(html).toBe(report.html);
    const refs = [...html.matchAll(/\b(?:src|href|xlink:href)\s*=\s*["']?([^"'\s>]*)/gi)].map((m) => m[1] ?? "");
    const sources = [...Object.values(PRICES.aws.sources), ...Object.values(PRICES.gcp.sources)];
    expect(refs.filter((r) => !r.startsWith("#")).sort()).toEqual([...sources].sort());
    expect(html).not.toMatch(/\bsrc\s*=|<link|<iframe|<img|@import|url\(/i);
    expect(html.match(/<script>/g)).toHaveLength(1);
    for (const u of sources) expect(html).toContain(`<a href="${u}" rel="noreferrer">${u}</a>`);
    expect((html.match(/<svg\b/g) ?? []).length).toBe(report.envs.length);
    expect(html).not.toContain("<?xml");
    expect(html).not.toContain("<!DOCTYPE svg");
    for (const e of report.envs) expect(html).toContain(`$${e.cost.total.toFixed(2)}`);
  });

  it("neither main.ts nor modules/ load the report or Graphviz, so synthesis does not pay for them", () => {
    const sources = (dir: string): string[] => readdirSync(dir, { withFileTypes: true }).flatMap((d) => (d.isDirectory() ? sources(join(dir, d.name)) : d.name.endsWith(".ts") ? [join(dir, d.name)] : []));
    for (const f of [join(root, "main.ts"), ...sources(join(root, "modules")), ...sources(join(root, "envs"))]) expect(readFileSync(f, "utf8")).not.toMatch(/@viz-js|scripts\/report|@xmldom/);
    expect(existsSync(join(root, "docs", "example-prod.svg"))).toBe(true);
    const docs = readFileSync(join(root, "docs", "example-prod.svg"), "utf8");
    expect(svgText(docs)).toContain("prod--prod-eks");
    if (docs !== report.envs.find((e) => e.env === "prod")?.svg) throw new Error("docs/example-prod.svg is not the report's picture of prod: run npm run report and copy cdktf.out/report/prod.svg to docs/example-prod.svg");
  });
});

// ------------------------------------------------------------------ report options, before anything runs

const work = mkdtempSync(join(tmpdir(), "gh-report-options-"));
/** Each kind of base file the report must refuse, made on demand; the message part that says why. */
const BAD_BASES: Array<{ label: string; make: () => string; message: string }> = [
  { label: "a character device (/dev/zero)", make: () => "/dev/zero", message: "is a character device, not a regular file" },
  {
    label: "a FIFO",
    make: () => {
      const fifo = join(work, `base-${Math.random().toString(36).slice(2)}.fifo`);
      if (spawnSync("mkfifo", [fifo]).status !== 0) throw new Error("mkfifo is needed for this test");
      return fifo;
    },
    message: "is a FIFO (named pipe), not a regular file",
  },
  { label: "a directory", make: () => mkdtempSync(join(work, "base-dir-")), message: "is a directory, not a regular file" },
  {
    label: "larger than the limit",
    make: () => {
      const file = join(work, "huge.json");
      writeFileSync(file, "");
      truncateSync(file, BASE_FILE_MAX_BYTES + 1024 * 1024);
      return file;
    },
    message: `is 9.0 MiB; costs.json files are limited to 8.0 MiB`,
  },
  { label: "not UTF-8", make: () => written("latin1.json", Buffer.from([0x7b, 0xff, 0x7d])), message: "is not UTF-8 text" },
  { label: "not JSON", make: () => written("broken.json", '{"envs": {'), message: "is not JSON (" },
  { label: "JSON without envs", make: () => written("list.json", "[1, 2]"), message: 'has no "envs" object' },
  { label: "JSON with a total that is not a number", make: () => written("text-total.json", JSON.stringify({ envs: { prod: { total: "42" } } })), message: 'envs.prod.total is "42", not a number of dollars' },
];

function written(name: string, content: string | Buffer): string {
  const file = join(work, name);
  writeFileSync(file, content);
  return file;
}

/** Every file under a directory with its size, modification time and content: what "untouched" means. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else {
        const st = statSync(p);
        out[p.slice(dir.length)] = `${st.size} ${st.mtimeMs} ${readFileSync(p, "base64")}`;
      }
    }
  };
  walk(dir);
  return out;
}

describe("the change against the base branch", () => {
  it("adds the difference of each environment's total, or says it is new, and nothing without a base", () => {
    const cost = { env: "prod", total: 120.5 } as unknown as EnvCost;
    expect(changeAgainstBase("prod", cost, undefined)).toBe("");
    expect(changeAgainstBase("prod", cost, new Map([["prod", 100]]))).toBe("\nChange against the base branch: +$20.50 per month (base $100.00).\n");
    expect(changeAgainstBase("prod", cost, new Map([["prod", 130.5]]))).toBe("\nChange against the base branch: -$10.00 per month (base $130.50).\n");
    expect(changeAgainstBase("prod", cost, new Map())).toBe("\nChange against the base branch: new environment (+$120.50 per month).\n");
  });

  it("reads the base totals from another report's costs.json, and none from a missing file", () => {
    const dir = mkdtempSync(join(tmpdir(), "gh-base-"));
    const file = join(dir, "costs.json");
    writeFileSync(file, JSON.stringify({ envs: { prod: { total: 42 }, dev: { total: 7 } } }));
    expect(baseTotals(file)).toEqual(new Map([["prod", 42], ["dev", 7]]));
    expect(baseTotals(join(dir, "missing.json"))).toEqual(new Map());
    expect(baseTotals(undefined)).toBeUndefined();
  });

  it.each(BAD_BASES.map((b) => [b.label, b] as const))("refuses a base that is %s, naming the variable, the file and what is accepted", (_label, bad) => {
    const file = bad.make();
    let error: unknown;
    try {
      baseTotals(file);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([{ env: "(report)", file, path: "GATEHOUSE_REPORT_BASE", value: file, message: expect.stringContaining(bad.message) as string }]);
    // What is accepted: the file another report wrote, or the size limit.
    expect((error as ConfigError).problems[0]?.message).toMatch(/name the costs\.json another report wrote|costs\.json files are limited to 8\.0 MiB$/);
  });
});

describe("npm run report: options are checked before the synth step, and a refusal leaves the output as it was", () => {
  /** A previous output (synthesized, reported) that the run must not touch. */
  function previousOutput(): string {
    const copy = join(mkdtempSync(join(work, "out-")), "cdktf.out");
    cpSync(out, copy, { recursive: true, preserveTimestamps: true });
    return copy;
  }
  const report = (outdir: string, vars: Record<string, string>, args: string[] = []) =>
    spawnSync(process.execPath, ["scripts/run-ts.js", "scripts/report.ts", ...args], {
      cwd: root,
      encoding: "utf8",
      timeout: 60_000,
      env: { ...process.env, CDKTF_OUTDIR: outdir, GATEHOUSE_ENV_FILE: "", GATEHOUSE_ENVS: "", ...vars },
    });

  const OPTION_CASES: Array<{ label: string; vars: () => Record<string, string>; stderr: (vars: Record<string, string>) => string[] }> = [
    ...BAD_BASES.map((b) => ({
      label: `GATEHOUSE_REPORT_BASE ${b.label}`,
      vars: () => ({ GATEHOUSE_REPORT_BASE: b.make() }),
      stderr: (v: Record<string, string>) => [`(report) (${v.GATEHOUSE_REPORT_BASE}): GATEHOUSE_REPORT_BASE (got ${JSON.stringify(v.GATEHOUSE_REPORT_BASE)}): ${b.message}`],
    })),
    {
      label: "an assumption that is not a number",
      vars: () => ({ GATEHOUSE_REPORT_RPS: "lots" }),
      stderr: () => ['(report): GATEHOUSE_REPORT_RPS (got "lots"): must be a number >= 0 (requests per second (average, each front door))'],
    },
    {
      label: "one environment's assumption below zero (once found only after the synth)",
      vars: () => ({ GATEHOUSE_REPORT_GB_PER_MONTH__PROD: "-5" }),
      stderr: () => ['(report): GATEHOUSE_REPORT_GB_PER_MONTH__PROD (got "-5"): must be a number >= 0 (GB processed per month (each load balancer))'],
    },
    { label: "a hexadecimal number", vars: () => ({ GATEHOUSE_REPORT_ARMOR_RULES: "0x10" }), stderr: () => ['(report): GATEHOUSE_REPORT_ARMOR_RULES (got "0x10"): must be a number >= 0'] },
    { label: "a misspelt variable", vars: () => ({ GATEHOUSE_REPORT_RSP: "400" }), stderr: () => ['(report): GATEHOUSE_REPORT_RSP (got "400"): is not a report variable; known: GATEHOUSE_REPORT_RPS, '] },
    {
      label: "several mistakes at once",
      vars: () => ({ GATEHOUSE_REPORT_RPS: "-1", GATEHOUSE_REPORT_BASE: "/dev/zero" }),
      stderr: () => ["gatehouse: 2 configuration problems", "GATEHOUSE_REPORT_RPS (got \"-1\")", "GATEHOUSE_REPORT_BASE (got \"/dev/zero\")"],
    },
  ];

  it.each(OPTION_CASES.map((c) => [c.label, c] as const))("%s: exit 1 before the synth step, the output untouched", (_label, c) => {
    const outdir = previousOutput();
    const before = snapshot(outdir);
    const vars = c.vars();
    const r = report(outdir, vars);
    expect(r.error).toBeUndefined();
    expect(r.status).toBe(1);
    for (const line of c.stderr(vars)) expect(r.stderr).toContain(line);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stdout).not.toContain("synthesized");
    expect(snapshot(outdir)).toEqual(before);
  }, 90_000);

  it("reads every input it hashes bounded: a 3 GiB env file is refused by the synth with its message, not a trace", () => {
    const outdir = previousOutput();
    const before = snapshot(outdir);
    const huge = join(work, "huge-env.yaml");
    writeFileSync(huge, "");
    truncateSync(huge, 3 * 1024 ** 3);
    const r = report(outdir, { GATEHOUSE_ENV_FILE: huge });
    rmSync(huge);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`GATEHOUSE_ENV_FILE (got ${JSON.stringify(huge)}): is 3072.0 MiB; environment files are limited to 256 KiB`);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(snapshot(outdir)).toEqual(before);
  }, 90_000);

  it("a base file that does not exist (the base branch predates the report) is no base: every environment is new", () => {
    const outdir = previousOutput();
    const missing = join(work, "no-such-dir", "costs.json");
    const r = report(outdir, { GATEHOUSE_REPORT_BASE: missing }, ["--no-synth"]);
    expect(r.status).toBe(0);
    expect(r.stderr).toContain(`gatehouse report: GATEHOUSE_REPORT_BASE names ${missing}, which does not exist: every environment is compared as new`);
    expect(readFileSync(join(outdir, "report", "prod.md"), "utf8")).toMatch(/Change against the base branch: new environment \(\+\$[0-9.]+ per month\)/);
  }, 90_000);
});

describe("the assumption variables", () => {
  it("are all checked at once, before any environment is known", () => {
    expect(assumptionVarProblems({ GATEHOUSE_REPORT_RPS: "200", GATEHOUSE_REPORT_RPS__PROD: "1e3", GATEHOUSE_REPORT_GB_PER_MONTH: "", PATH: "/bin" })).toEqual([]);
    expect(assumptionVarProblems({ GATEHOUSE_REPORT_RPS: " ", GATEHOUSE_REPORT_RPS__DEV: "Infinity", GATEHOUSE_REPORT_BASE: "x" }, []).map((p) => `${p.path}: ${p.message.split(" (")[0]}`)).toEqual([
      "GATEHOUSE_REPORT_BASE: is not a report variable; known: GATEHOUSE_REPORT_RPS, GATEHOUSE_REPORT_GB_PER_MONTH, GATEHOUSE_REPORT_NEW_CONNECTIONS_PER_S, GATEHOUSE_REPORT_ACTIVE_CONNECTIONS, GATEHOUSE_REPORT_ARMOR_RULES, GATEHOUSE_REPORT_DNS_QPS, and each assumption's <name>__<ENV> for one environment",
      "GATEHOUSE_REPORT_RPS: must be a number >= 0",
      "GATEHOUSE_REPORT_RPS__DEV: must be a number >= 0",
    ]);
  });

  it("name a per-environment override that matches no environment", () => {
    expect(unusedAssumptionOverrides({ GATEHOUSE_REPORT_RPS__PROD: "1", GATEHOUSE_REPORT_RPS__PRDO: "1", GATEHOUSE_REPORT_GB_PER_MONTH__EXAMPLE_GKE: "1" }, ["prod", "example-gke"])).toEqual(["GATEHOUSE_REPORT_RPS__PRDO"]);
  });
});

describe("an output directory that is not gatehouse's", () => {
  it.each([
    ["a manifest that is /dev/zero", (dir: string) => symlinkSync("/dev/zero", join(dir, "manifest.json")), /manifest\.json is a character device, not a regular file/],
    ["a manifest that is not JSON", (dir: string) => writeFileSync(join(dir, "manifest.json"), "{"), /manifest\.json is not JSON/],
    ["a manifest naming a file outside", (dir: string) => writeFileSync(join(dir, "manifest.json"), JSON.stringify({ stacks: { x: { synthesizedStackPath: "../../etc/passwd" } } })), /names \.\.\/\.\.\/etc\/passwd for x, outside the output directory/],
  ])("--no-synth on %s: exit 1 with the file named, no trace", (_label, plant, message) => {
    const dir = mkdtempSync(join(tmpdir(), "gatehouse-report-bad-"));
    plant(dir);
    const r = spawnSync(process.execPath, ["scripts/run-ts.js", "scripts/report.ts", "--no-synth"], { cwd: root, encoding: "utf8", env: { ...process.env, CDKTF_OUTDIR: dir }, timeout: 30_000 });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    rmSync(dir, { recursive: true, force: true });
  });

  it.each([
    ["without a stacks key", { version: "0.21.0" }],
    ["that is null", null],
    ["whose stacks is a string", { version: "0.21.0", stacks: "dev-aws-edge" }],
    ["whose stacks are an empty object", { version: "0.21.0", stacks: {} }],
    ["whose stacks are a list", { version: "0.21.0", stacks: [] }],
  ])("--no-synth on a manifest %s: exit 1, it lists no stacks, nothing written", (_label, manifest) => {
    const dir = mkdtempSync(join(tmpdir(), "gatehouse-report-nostacks-"));
    writeFileSync(join(dir, "manifest.json"), JSON.stringify(manifest));
    const before = snapshot(dir);
    const r = spawnSync(process.execPath, ["scripts/run-ts.js", "scripts/report.ts", "--no-synth"], { cwd: root, encoding: "utf8", env: { ...process.env, CDKTF_OUTDIR: dir }, timeout: 30_000 });
    expect([r.status, r.stdout]).toEqual([1, ""]);
    expect(r.stderr).toBe(`gatehouse report: reusing the synthesized output in ${relative(root, dir)}\ngatehouse report: ${join(dir, "manifest.json")} lists no stacks; synthesize again\n`);
    // No report/, no half-written report beside it.
    expect(readdirSync(dir)).toEqual(["manifest.json"]);
    expect(snapshot(dir)).toEqual(before);
    rmSync(dir, { recursive: true, force: true });
  });
});
