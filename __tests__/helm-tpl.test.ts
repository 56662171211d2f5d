/**
 * No configuration text becomes a Helm template. Charts that render a value with `tpl` parse it
 * as a Go template at install; gatehouse escapes every such value it sets (modules/k8s/helm-tpl.ts).
 *
 * Which values are templated is found twice, independently: by reading every vendored and shipped
 * chart's templates for `tpl`, and by rendering every chart gatehouse installs, with the values
 * the synthesized Terraform carries, once with a probe appended to every string (and to every key
 * the chart does not define): a probe that the render evaluates marks a templated value. Both must
 * agree with the values the plug-ins escape. Then every templated value is rendered by the real
 * chart with a list of hostile strings, and each must come out exactly as written; without the
 * escape, each templated value is shown to run as a template.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { parse, stringify } from "yaml";
import { DEMO_ENVS } from "../envs/examples/demo";
import { loadEnvironments } from "../modules/config/loader";
import type { Env, EnvInput } from "../modules/config/schema";
import { ConfigError } from "../modules/core/errors";
import { INGRESS_NGINX_CONFIG_KEYS } from "../modules/k8s/controllers/options";
import { escapeTemplatedValues, tplLiteral, type TemplatedRendering, type TemplatedValue } from "../modules/k8s/helm-tpl";
import { INGRESS_NGINX_TEMPLATED_VALUES } from "../modules/k8s/controllers/ingress-nginx";
import { ingressNginxIdentity } from "../modules/k8s/controllers/ingress-nginx-identity";
import { localChartDir } from "../modules/k8s/local-chart";
import type { KeyKind } from "../scripts/chart-keys";
import { awsEnv, gcpEnv, MQTTS, patch } from "./helpers/fixtures";
import { helmBinary, INGRESS_NGINX_CHART_DIR, renderChart, terraformStringValue, type KubeObject } from "./helpers/helm";
import { parseEnv, resources, synthEnvs, type TfJson } from "./helpers/synth";

const FIXTURES = join(__dirname, "fixtures");

/** Every chart gatehouse installs, by the `chart` of its helm_release (shipped charts by name). */
const CHARTS: Readonly<Record<string, { readonly dir: string; readonly keys?: string; readonly escaped: readonly TemplatedValue[] }>> = {
  "ingress-nginx": { dir: INGRESS_NGINX_CHART_DIR, keys: "ingress-nginx-4.15.1.keys.json", escaped: INGRESS_NGINX_TEMPLATED_VALUES },
  "nginx-gateway-fabric": { dir: join(FIXTURES, "charts/nginx-gateway-fabric-2.6.7"), keys: "nginx-gateway-fabric-2.6.7.keys.json", escaped: [] },
  base: { dir: join(FIXTURES, "charts/istio-1.30.3/base"), escaped: [] },
  istiod: { dir: join(FIXTURES, "charts/istio-1.30.3/istiod"), keys: "istio-1.30.3-istiod.keys.json", escaped: [] },
  gateway: { dir: join(FIXTURES, "charts/istio-1.30.3/gateway"), keys: "istio-1.30.3-gateway.keys.json", escaped: [] },
  "aws-gateway-controller-chart": { dir: join(FIXTURES, "charts/aws-gateway-controller-v2.1.3"), keys: "aws-gateway-controller-v2.1.3.keys.json", escaped: [] },
  "gatehouse-manifests": { dir: localChartDir("gatehouse-manifests"), escaped: [] },
  "gateway-api-crds": { dir: localChartDir("gateway-api-crds"), escaped: [] },
};

/**
 * Strings a chart must render as written: Go template actions (one that reads cluster Secrets),
 * lone and nested delimiters, trim markers, comments, raw strings, quotes and backslashes next to
 * `{{`, text over several lines, control characters and a long line (YAML may quote or fold what
 * `toYaml` writes), Terraform's own sequences, and NGINX text as users write it.
 */
const HOSTILE: readonly string[] = [
  '{{ lookup "v1" "Secret" "kube-system" "x" }}',
  "{{",
  "}}",
  "`",
  '{{"x"}}',
  "{{`x`}}",
  "first line\n{{ .Release.Name }}\n  indented }} and {{\n",
  "{{- trim -}}",
  "{{/* a comment */}}",
  "{{{",
  "{{{{{",
  "}}{{",
  "{{}}",
  "{ {",
  "{",
  "'{{'",
  '"{{"',
  "\\{{",
  "{{ end }}",
  '{{ define "x" }}{{ end }}',
  "\t{{\r\n}}",
  "\u0007{{ bell",
  "é{{ü}}ß ✓",
  "${x} %{y} {{ z }}",
  `${"word ".repeat(30)}{{ .Values }}${" word".repeat(30)}`,
  'log_format {"time": "$time_iso8601", "req": {{"a": {"b": "$request"}}}}',
];

// ---------------------------------------------------------------------------------------------
// Found by reading: `tpl` in every chart's templates.

interface TplUse {
  readonly path: string;
  readonly rendering: TemplatedRendering;
}

/**
 * The values a chart's templates run `tpl` over. Each `tpl` call is read with the value it takes:
 * `.Values.x` in the call, `$value` of the enclosing `range $key, $value := .Values.x`, or `.` of
 * the enclosing `with .Values.x`. A call over text the chart builds itself (`print`) takes no
 * value. Any other form fails, so that a chart update cannot add a use this reading misses.
 */
function templatedValuesOf(chartDir: string): TplUse[] {
  const uses = new Map<string, TplUse>();
  const dir = join(chartDir, "templates");
  const files = readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)))
    .sort();
  for (const file of files) {
    const lines = readFileSync(join(dir, file), "utf8").split("\n");
    lines.forEach((line, i) => {
      for (const m of line.matchAll(/\btpl\s*\(([^)]*)\)/g)) {
        const arg = (m[1] as string).trim();
        const enclosing = (re: RegExp) => {
          for (let j = i; j >= 0; j--) {
            const hit = re.exec(lines[j] as string);
            if (hit) return hit[1] as string;
          }
          throw new Error(`${file}:${i + 1}: no enclosing block for ${JSON.stringify(line.trim())}`);
        };
        let use: TplUse | undefined;
        let direct: RegExpExecArray | null;
        if ((direct = /^(toYaml|toString)\s+\.Values\.([\w.]+)$/.exec(arg))) use = { path: direct[2] as string, rendering: "as-yaml" };
        else if (/^(\$value\s*\|\s*toString|toString\s+\$value)$/.test(arg)) use = { path: enclosing(/range\s+\$key,\s*\$value\s*:=\s*\.Values\.([\w.]+)/), rendering: "each-value" };
        else if (/^toYaml\s+\.$/.test(arg)) use = { path: enclosing(/\bwith\s+\.Values\.([\w.]+)/), rendering: "as-yaml" };
        else if (/^print\s/.test(arg)) continue; // text the chart builds itself
        else throw new Error(`${file}:${i + 1}: a tpl call this test cannot read: ${JSON.stringify(line.trim())}`);
        uses.set(use.path, use);
      }
    });
  }
  return [...uses.values()].sort((a, b) => (a.path < b.path ? -1 : 1));
}

const declared = (list: readonly TemplatedValue[]): TplUse[] => list.map((t) => ({ path: t.path, rendering: t.rendering })).sort((a, b) => (a.path < b.path ? -1 : 1));

describe("found by reading: the values each chart runs tpl over", () => {
  it.each(Object.entries(CHARTS).map(([name, c]) => [name, c] as const))("%s: every value it templates that gatehouse sets is one its plug-in escapes, as the chart templates it", (name, chart) => {
    const found = templatedValuesOf(chart.dir);
    const escaped = declared(chart.escaped);
    // Every value the plug-in escapes is one the chart templates, the same way: no stale entry.
    expect(escaped.filter((e) => !found.some((f) => f.path === e.path && f.rendering === e.rendering))).toEqual([]);
    // What else the chart templates, gatehouse never sets (istiod's initContainers).
    const others = found.filter((f) => !escaped.some((e) => e.path === f.path));
    const has = (values: unknown, path: string) => path.split(".").reduce<unknown>((o, k) => (o !== null && typeof o === "object" ? (o as Record<string, unknown>)[k] : undefined), values) !== undefined;
    expect(RELEASES.filter((r) => r.chart === name).flatMap((r) => others.filter((o) => has(parse(r.values), o.path)).map((o) => `${r.release}: ${o.path}`))).toEqual([]);
  });

  it("ingress-nginx 4.15.1 runs tpl over the ConfigMap's values, the Service annotations, tcp and udp, and pod scheduling", () => {
    expect(templatedValuesOf(INGRESS_NGINX_CHART_DIR).map((u) => `${u.path} (${u.rendering})`)).toEqual([
      "controller.affinity (as-yaml)",
      "controller.config (each-value)",
      "controller.extraInitContainers (as-yaml)",
      "controller.hostAliases (as-yaml)",
      "controller.service.annotations (each-value)",
      "controller.service.internal.annotations (each-value)",
      "controller.topologySpreadConstraints (as-yaml)",
      "defaultBackend.affinity (as-yaml)",
      "defaultBackend.extraVolumes (as-yaml)",
      "defaultBackend.topologySpreadConstraints (as-yaml)",
      "tcp (as-yaml)",
      "udp (as-yaml)",
    ]);
  });

  it("the reading fails on a tpl call it cannot attribute to a value", () => {
    const dir = mkdtempSync(join(tmpdir(), "gatehouse-tpl-"));
    try {
      mkdirSync(join(dir, "templates"));
      writeFileSync(join(dir, "templates", "x.yaml"), "data: {{ tpl (include \"x\" .) $ }}\n");
      expect(() => templatedValuesOf(dir)).toThrow("a tpl call this test cannot read");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Found by rendering: every chart gatehouse installs, with the values it really sets, probed.

/** Environments that between them set every value each plug-in writes. */
const EXAMPLES = join(__dirname, "..", "envs", "examples");
const exampleEnvs: Env[] = loadEnvironments({
  builtins: [],
  files: readdirSync(EXAMPLES)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()
    .map((f) => join(EXAMPLES, f)),
}).map((l) => l.env);
const CERT = { aws: { nlb: { tls: { certificateArn: "arn:aws:acm:eu-west-1:123456789012:certificate/abc" } } } };
const VARIANTS: readonly EnvInput[] = [
  // ingress-nginx: tcp-services, the https redirect server, PROXY protocol.
  patch(awsEnv({ name: "nginx-tls", ports: { proxyProtocol: true, https: { listenerPort: 443, nodePort: 30443, tls: "terminate" }, tcp: MQTTS } }), CERT),
  // Istio behind Google's load balancer: the NEG annotation and the trusted hops.
  gcpEnv({ name: "istio-gke", controller: { kind: "istio", config: { httpsCertificateSecret: "edge-tls" } } }),
];
const STACKS: Readonly<Record<string, TfJson>> = synthEnvs([...DEMO_ENVS.map(parseEnv), ...exampleEnvs, ...VARIANTS.map(parseEnv)]);

interface ReleaseCase {
  readonly chart: string;
  readonly release: string;
  readonly namespace: string;
  /** The values document helm receives (Terraform references replaced by stand-ins). */
  readonly values: string;
}

/** A stand-in for a Terraform reference inside values (the global addresses, account ids). */
const standIn = (expression: string) => (/address/.test(expression) ? "203.0.113.10" : "stand-in");

/** Every distinct (chart, values) pair the synthesized cluster stacks install. */
const RELEASES: readonly ReleaseCase[] = (() => {
  const seen = new Map<string, ReleaseCase>();
  for (const stack of Object.values(STACKS))
    for (const r of Object.values(resources(stack, "helm_release"))) {
      const text = terraformStringValue((r.values as string[] | undefined)?.[0] ?? "", standIn);
      const chartRef = String(r.chart);
      // Shipped charts are copied into the stack as assets, under the id of the construct that ships them.
      const chart = chartRef.startsWith("./") ? (/\/gateway-api-crds_chart_/.test(chartRef) ? "gateway-api-crds" : "gatehouse-manifests") : chartRef;
      seen.set(`${chart}\n${text}`, { chart, release: String(r.name), namespace: String(r.namespace ?? "default"), values: text });
    }
  return [...seen.values()];
})();

interface Probe {
  readonly id: number;
  /** Where the probe went: the value's path, and whether the string probed is the key at that path. */
  readonly path: readonly string[];
  readonly key: boolean;
}

const probeText = (id: number) => `tplprobe-${id}-`;
/** A probe appended to a string: an action printing its own marker, which only a template run removes the delimiters from. */
const probeAction = (id: number) => `{{\`${probeText(id)}\`}}`;

/**
 * `values` with a probe appended to every string (`strings`), or to every map key the chart does
 * not define (`keys`: by its key index; every key below a list or a map the chart leaves empty is data). The
 * two are probed apart: a probed key the chart looks up by name hides the values below it, which
 * only costs the keys pass its view of them.
 */
function probed(values: unknown, index: Readonly<Record<string, KeyKind>> | undefined, what: "strings" | "keys", only?: number): { values: unknown; probes: Probe[] } {
  const probes: Probe[] = [];
  /** The probe for the next string; only the one numbered `only`, when given. */
  const add = (path: readonly string[], key: boolean) => {
    const id = probes.length;
    probes.push({ id, path, key });
    return only === undefined || only === id ? probeAction(id) : "";
  };
  const walk = (node: unknown, path: readonly string[], data: boolean): unknown => {
    if (typeof node === "string") return what === "strings" ? node + add(path, false) : node;
    if (Array.isArray(node)) return node.map((v, i) => walk(v, [...path, String(i)], true));
    if (node === null || typeof node !== "object") return node;
    return Object.fromEntries(
      Object.entries(node).map(([k, v]) => {
        const p = [...path, k];
        // Without an index the chart defines only its top-level keys (the shipped charts: `objects`).
        const kind = data ? undefined : index ? index[p.join(".")] : path.length === 0 ? "list" : undefined;
        return [kind === undefined && what === "keys" ? k + add(p, true) : k, walk(v, p, kind !== "map")];
      }),
    );
  };
  return { values: walk(values, [], false), probes };
}

/** `helm template` output as text (schema validation off: probes make enum values invalid). */
function renderText(chartDir: string, release: string, namespace: string, values: string): string {
  const work = mkdtempSync(join(tmpdir(), "gatehouse-tpl-"));
  try {
    writeFileSync(join(work, "values.yaml"), values);
    return execFileSync(helmBinary(), ["template", release, chartDir, "--namespace", namespace, "--values", join(work, "values.yaml"), "--kube-version", "1.31.0", "--skip-schema-validation"], {
      encoding: "utf8",
      maxBuffer: 64 * 1024 * 1024,
      stdio: ["ignore", "pipe", "pipe"],
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: work, HELM_CACHE_HOME: join(work, "c"), HELM_CONFIG_HOME: join(work, "f"), HELM_DATA_HOME: join(work, "d"), KUBECONFIG: join(work, "none"), HTTP_PROXY: "http://127.0.0.1:9", HTTPS_PROXY: "http://127.0.0.1:9", NO_PROXY: "" },
    });
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** Where each probe came out: templated (evaluated), literal (as written), or nowhere. */
function classify(output: string, probes: readonly Probe[]): Record<"templated" | "literal" | "absent", Probe[]> {
  const out: Record<"templated" | "literal" | "absent", Probe[]> = { templated: [], literal: [], absent: [] };
  for (const p of probes) {
    const literal = output.split(probeAction(p.id));
    if (literal.join("").includes(probeText(p.id))) out.templated.push(p);
    else if (literal.length > 1) out.literal.push(p);
    else out.absent.push(p);
  }
  return out;
}

/** True when the plug-in escapes the string at this path: it lies in a templated value, as the chart templates it. */
function escapedBy(list: readonly TemplatedValue[], p: Probe): boolean {
  return list.some((t) => {
    const at = t.path.split(".");
    if (at.some((seg, i) => p.path[i] !== seg)) return false;
    const depth = p.path.length - at.length;
    return t.rendering === "each-value" ? depth === 1 && !p.key : depth >= 1;
  });
}

const label = (p: Probe) => `${p.path.join(".")}${p.key ? " (key)" : ""}`;

/** Strings a chart reads without printing them, by chart. */
const NOT_PRINTED: Readonly<Record<string, readonly string[]>> = {
  // templates/nginxproxy.yaml compares it ("deployment" or "daemonSet") to choose the block it writes.
  "nginx-gateway-fabric": ["nginx.kind"],
};

describe("found by rendering: probes in every string gatehouse sets", () => {
  it("covers every chart gatehouse installs", () => {
    expect([...new Set(RELEASES.map((r) => r.chart))].sort()).toEqual(Object.keys(CHARTS).sort());
  });

  const cases = RELEASES.filter((r) => r.values.trim() !== "").map((r, i) => [`${r.chart} #${i} (${r.release})`, r] as const);
  const indexOf = (chart: (typeof CHARTS)[string]) => (chart.keys ? (JSON.parse(readFileSync(join(FIXTURES, chart.keys), "utf8")) as Record<string, KeyKind>) : undefined);
  /**
   * Renders the release with every string (or key) probed. A probe that does not come out at all
   * is tried again alone: a probed value the chart's logic compares (a kind, a Service type) can
   * hide others, never itself be templated.
   */
  const probe = (r: ReleaseCase, what: "strings" | "keys") => {
    const chart = CHARTS[r.chart];
    if (!chart) throw new Error(`no vendored chart for ${r.chart}`);
    const index = indexOf(chart);
    const render = (only?: number) => {
        const { values, probes } = probed(parse(r.values), index, what, only);
      return classify(renderText(chart.dir, r.release, r.namespace, stringify(values, { lineWidth: 0 })), probes.filter((p) => only === undefined || p.id === only));
    };
    const all = render();
    const alone = all.absent.map((p) => render(p.id));
    return {
      chart,
      templated: [...all.templated, ...alone.flatMap((f) => f.templated)],
      printed: all.literal.length + all.templated.length + alone.filter((f) => f.absent.length === 0).length,
      absent: alone.flatMap((f) => f.absent),
    };
  };

  it.each(cases)("%s: every string the chart templates is one its plug-in escapes", (_name, r) => {
    const { chart, templated, absent } = probe(r, "strings");
    expect(templated.filter((p) => !escapedBy(chart.escaped, p)).map(label)).toEqual([]);
    // The probe sees what the chart prints: every string comes out, as written or evaluated, but
    // those the chart's own logic reads without printing them.
    expect(absent.map(label)).toEqual(NOT_PRINTED[r.chart] ?? []);
    if (r.chart === "ingress-nginx") expect(templated.map(label)).toEqual(expect.arrayContaining(["controller.config.use-proxy-protocol", "controller.topologySpreadConstraints.0.topologyKey"]));
  });

  it.each(cases)("%s: every key the chart templates is one its plug-in escapes", (_name, r) => {
    const { chart, templated } = probe(r, "keys");
    expect(templated.filter((p) => !escapedBy(chart.escaped, p)).map(label)).toEqual([]);
    if (r.chart === "ingress-nginx") expect(templated.map(label)).toEqual(expect.arrayContaining(["controller.topologySpreadConstraints.0.labelSelector.matchLabels.app.kubernetes.io/instance (key)"]));
  });
});

// ---------------------------------------------------------------------------------------------
// Hostile strings × every templated value, rendered by the real chart.

const RELEASE = "edge";
const NAMESPACE = "ingress-nginx";
const names = ingressNginxIdentity(RELEASE);
const FULLNAME = names.serviceName.replace(/-controller$/, "");

/** What a placement reads back: the texts where they were values, and where they were keys. */
interface ReadBack {
  readonly values: unknown[];
  /** Sorted: helm's toYaml writes map keys in an order of its own. */
  readonly keys: string[];
}

/** How to put texts into one templated value of the ingress-nginx chart and read them back from what it renders. */
interface Placement {
  /** The chart values that carry the texts (and switch on what renders them). */
  values(texts: readonly string[]): Record<string, unknown>;
  /** The rendered object that carries them, by kind and name. */
  readonly object: { readonly kind: string; readonly name: string };
  read(o: KubeObject): ReadBack;
  /** Whether the texts also go in as map keys (where the chart templates keys too). */
  readonly keys: boolean;
}

const indexed = (i: number) => String(i).padStart(2, "0");
const keyed = (texts: readonly string[], prefix: string) => Object.fromEntries(texts.map((t, i) => [`${prefix}${indexed(i)}`, t]));
const inOrder = (m: unknown) => Object.entries((m ?? {}) as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)).map(([, v]) => v);
const dig = (o: unknown, ...path: Array<string | number>): unknown => path.reduce<unknown>((x, k) => (x as Record<string | number, unknown> | undefined)?.[k], o);
const sorted = (xs: readonly string[]) => [...xs].sort();
const podSpec = (o: KubeObject) => dig(o, "spec", "template", "spec");

/** A label selector with the texts as label values (`lNN`), as expression values, and as label keys. */
const selector = (texts: readonly string[]) => ({
  matchLabels: { ...keyed(texts, "l"), ...Object.fromEntries(texts.map((t) => [t, "as-key"])) },
  matchExpressions: texts.map((t) => ({ key: "k", operator: "In", values: [t] })),
});
const readSelector = (s: unknown): ReadBack => {
  const labels = (dig(s, "matchLabels") ?? {}) as Record<string, unknown>;
  const byIndex = Object.keys(labels).filter((k) => /^l[0-9]{2}$/.test(k)).sort().map((k) => labels[k]);
  const expressions = ((dig(s, "matchExpressions") ?? []) as Array<{ values: unknown[] }>).map((e) => e.values[0]);
  return { values: [...byIndex, ...expressions], keys: sorted(Object.keys(labels).filter((k) => labels[k] === "as-key")) };
};
const spread = (texts: readonly string[]) => [{ maxSkew: 1, topologyKey: "zone", whenUnsatisfiable: "DoNotSchedule", labelSelector: selector(texts) }];
const affinity = (texts: readonly string[]) => ({ podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: "zone", labelSelector: selector(texts) }] } });
const controllerPod = { kind: "Deployment", name: `${FULLNAME}-controller` };
const backendPod = { kind: "Deployment", name: `${FULLNAME}-defaultbackend` };
const valuesOnly = (values: unknown): ReadBack => ({ values: (values ?? []) as unknown[], keys: [] });

const PLACEMENTS: Readonly<Record<string, Placement>> = {
  "controller.config": { values: (t) => ({ controller: { config: keyed(t, "k") } }), object: { kind: "ConfigMap", name: `${FULLNAME}-controller` }, read: (o) => valuesOnly(inOrder(o.data)), keys: false },
  "controller.service.annotations": {
    values: (t) => ({ controller: { service: { annotations: keyed(t, "a") } } }),
    object: { kind: "Service", name: `${FULLNAME}-controller` },
    read: (o) => valuesOnly(inOrder(o.metadata.annotations)),
    keys: false,
  },
  "controller.service.internal.annotations": {
    values: (t) => ({ controller: { service: { internal: { enabled: true, annotations: keyed(t, "a") } } } }),
    object: { kind: "Service", name: `${FULLNAME}-controller-internal` },
    read: (o) => valuesOnly(inOrder(o.metadata.annotations)),
    keys: false,
  },
  "controller.hostAliases": { values: (t) => ({ controller: { hostAliases: [{ ip: "192.0.2.1", hostnames: t }] } }), object: controllerPod, read: (o) => valuesOnly(dig(podSpec(o), "hostAliases", 0, "hostnames")), keys: false },
  "controller.extraInitContainers": {
    values: (t) => ({ controller: { extraInitContainers: [{ name: "init", image: "busybox", args: t }] } }),
    object: controllerPod,
    read: (o) => valuesOnly(dig(podSpec(o), "initContainers", 0, "args")),
    keys: false,
  },
  "controller.affinity": { values: (t) => ({ controller: { affinity: affinity(t) } }), object: controllerPod, read: (o) => readSelector(dig(podSpec(o), "affinity", "podAntiAffinity", "requiredDuringSchedulingIgnoredDuringExecution", 0, "labelSelector")), keys: true },
  "controller.topologySpreadConstraints": { values: (t) => ({ controller: { topologySpreadConstraints: spread(t) } }), object: controllerPod, read: (o) => readSelector(dig(podSpec(o), "topologySpreadConstraints", 0, "labelSelector")), keys: true },
  tcp: { values: (t) => ({ tcp: Object.fromEntries(t.map((x, i) => [String(9000 + i), x])) }), object: { kind: "ConfigMap", name: `${FULLNAME}-tcp` }, read: (o) => valuesOnly(inOrder(o.data)), keys: false },
  udp: { values: (t) => ({ udp: Object.fromEntries(t.map((x, i) => [String(9000 + i), x])) }), object: { kind: "ConfigMap", name: `${FULLNAME}-udp` }, read: (o) => valuesOnly(inOrder(o.data)), keys: false },
  "defaultBackend.affinity": {
    values: (t) => ({ defaultBackend: { enabled: true, affinity: affinity(t) } }),
    object: backendPod,
    read: (o) => readSelector(dig(podSpec(o), "affinity", "podAntiAffinity", "requiredDuringSchedulingIgnoredDuringExecution", 0, "labelSelector")),
    keys: true,
  },
  "defaultBackend.topologySpreadConstraints": {
    values: (t) => ({ defaultBackend: { enabled: true, topologySpreadConstraints: spread(t) } }),
    object: backendPod,
    read: (o) => readSelector(dig(podSpec(o), "topologySpreadConstraints", 0, "labelSelector")),
    keys: true,
  },
  "defaultBackend.extraVolumes": {
    values: (t) => ({ defaultBackend: { enabled: true, extraVolumes: t.map((x, i) => ({ name: `v${indexed(i)}`, hostPath: { path: x } })) } }),
    object: backendPod,
    read: (o) => valuesOnly(((dig(podSpec(o), "volumes") ?? []) as Array<{ hostPath?: { path: string } }>).filter((v) => v.hostPath).map((v) => v.hostPath?.path)),
    keys: false,
  },
};

/** What a placement of these texts must read back. */
function expected(placement: Placement, texts: readonly string[]): ReadBack {
  return placement.keys ? { values: [...texts, ...texts], keys: sorted(texts) } : { values: [...texts], keys: [] };
}

function renderPlacement(path: string, values: Record<string, unknown>): ReadBack {
  const placement = PLACEMENTS[path] as Placement;
  const objects = renderChart({ release: RELEASE, namespace: NAMESPACE, values: stringify(values, { lineWidth: 0 }) });
  const o = objects.find((x) => x.kind === placement.object.kind && x.metadata.name === placement.object.name);
  if (!o) throw new Error(`${path}: the chart rendered no ${placement.object.kind} ${placement.object.name}`);
  return placement.read(o);
}

describe("hostile strings × every value ingress-nginx templates, rendered by the chart", () => {
  it("has a placement for every templated value", () => {
    expect(Object.keys(PLACEMENTS).sort()).toEqual(INGRESS_NGINX_TEMPLATED_VALUES.map((t) => t.path).sort());
  });

  it.each(INGRESS_NGINX_TEMPLATED_VALUES.map((t) => [t.path, t] as const))("%s: runs as a template when not escaped", (path) => {
    const placement = PLACEMENTS[path] as Placement;
    expect(renderPlacement(path, placement.values(['{{ print "ran" "-as-template" }}']))).toEqual(expected(placement, ["ran-as-template"]));
  });

  it.each(INGRESS_NGINX_TEMPLATED_VALUES.map((t) => [t.path, t] as const))("%s: every hostile string comes out exactly as written once escaped", (path) => {
    const placement = PLACEMENTS[path] as Placement;
    const values = escapeTemplatedValues(placement.values(HOSTILE), INGRESS_NGINX_TEMPLATED_VALUES);
    expect(renderPlacement(path, values)).toEqual(expected(placement, HOSTILE));
  });
});

describe("tplLiteral", () => {
  it("changes only text holding {{, and no other character of it", () => {
    for (const s of ["", "}}", "`", "{ {", "a}b{c", "${x}", "%{y}"]) expect(tplLiteral(s)).toBe(s);
    expect(tplLiteral("a{{b{{{")).toBe("a{{`{{`}}b{{`{{`}}{");
    // No `$` or `%`: Terraform's escaping of what it evaluates composes with this one.
    for (const s of HOSTILE) expect(tplLiteral(s).replace(/\{\{`\{\{`\}\}/g, "").includes("{{")).toBe(false);
  });

  it("escapes each value of an each-value map and leaves its keys, and every key and string of an as-yaml value", () => {
    const values = { a: { m: { "{{k": "{{v", n: 1 } }, b: [{ "{{k": ["{{v"] }], c: "{{untouched" };
    const list: TemplatedValue[] = [
      { path: "a.m", rendering: "each-value", template: "x" },
      { path: "b", rendering: "as-yaml", template: "x" },
      { path: "missing.path", rendering: "as-yaml", template: "x" },
    ];
    expect(escapeTemplatedValues(values, list)).toEqual({ a: { m: { "{{k": "{{`{{`}}v", n: 1 } }, b: [{ "{{`{{`}}k": ["{{`{{`}}v"] }], c: "{{untouched" });
    expect(values.a.m["{{k"]).toBe("{{v"); // a copy
  });
});

// ---------------------------------------------------------------------------------------------
// The other environment strings that reach a value a chart templates, or that reach a chart at all,
// are names and references with a syntax of their own: text with a template in it is refused.

/** Environment fields whose text ends up in a chart's values, and the value it becomes. */
const NAMED_FIELDS: ReadonlyArray<readonly [string, (h: string) => EnvInput]> = [
  ["name", (h) => awsEnv({ name: h })], // NEG names in the Service annotation (templated)
  ["gcp.clusters.0.name", (h) => patch(gcpEnv(), { gcp: { clusters: [{ name: h, location: "europe-west1", zones: ["europe-west1-b"] }] } })], // NEG names (templated)
  ["controller.releaseName", (h) => awsEnv({ controller: { releaseName: h } })], // pod labels in topologySpreadConstraints (templated)
  ["controller.namespace", (h) => awsEnv({ controller: { namespace: h } })],
  ["ports.tcp.mqtts.backend", (h) => awsEnv({ ports: { tcp: { mqtts: { ...MQTTS.mqtts, backend: h } } } })], // tcp-services (templated)
  ["controller.config.httpsCertificateSecret", (h) => awsEnv({ controller: { kind: "istio", config: { httpsCertificateSecret: h } } })], // Gateway certificateRefs
  ["routes.r.host", (h) => awsEnv({ routes: { r: { host: h, backend: "shop/web:80" } } })], // Ingress and HTTPRoute objects
  ["routes.r.path", (h) => awsEnv({ routes: { r: { path: h, backend: "shop/web:80" } } })],
  ["routes.r.backend", (h) => awsEnv({ routes: { r: { backend: h } } })],
];

describe("hostile strings in every other environment field that reaches a chart are refused with the field", () => {
  const refused = (env: EnvInput): string[] => {
    try {
      loadEnvironments({ builtins: [env] });
    } catch (e) {
      if (e instanceof ConfigError) return e.problems.map((p) => p.path);
      throw e;
    }
    return [];
  };
  it.each(NAMED_FIELDS.flatMap(([field, env]) => HOSTILE.map((h) => [field, h, env] as const)))("%s = %j", (field, hostile, env) => {
    expect(refused(env(hostile))).toContain(field);
  });
});

// ---------------------------------------------------------------------------------------------
// Through the whole path: an environment file, the loader, Terraform JSON, helm.

describe("controller.config from an environment file reaches the ConfigMap as written", () => {
  const keys = INGRESS_NGINX_CONFIG_KEYS.filter((k) => !["use-proxy-protocol", "use-forwarded-headers", "proxy-real-ip-cidr", "forwarded-for-header", "http-snippet", "ssl-redirect", "force-ssl-redirect"].includes(k));
  const config = Object.fromEntries(HOSTILE.map((h, i) => [keys[i] as string, h]));

  it.each([
    ["AWS", awsEnv({ name: "hostile", controller: { config } })],
    ["GKE", gcpEnv({ name: "hostile", controller: { config } })],
  ])("%s", (_cloud, env) => {
    const dir = mkdtempSync(join(tmpdir(), "gatehouse-tpl-env-"));
    try {
      const file = join(dir, "hostile.yaml");
      writeFileSync(file, stringify(env, { lineWidth: 0 }));
      const [loaded] = loadEnvironments({ builtins: [], files: [file] });
      const stacks = synthEnvs([loaded?.env as Env]);
      const stack = Object.entries(stacks).find(([name]) => /-(aws|gcp)-cluster/.test(name))?.[1] as TfJson;
      const release = Object.values(resources(stack, "helm_release")).find((r) => r.chart === "ingress-nginx") as { name: string; namespace: string; values: string[] };
      const objects = renderChart({ release: release.name, namespace: release.namespace, values: terraformStringValue(release.values[0] ?? "", standIn) });
      const data = objects.find((o) => o.kind === "ConfigMap" && o.metadata.name === ingressNginxIdentity(release.name).serviceName)?.data as Record<string, string>;
      expect(Object.fromEntries(Object.keys(config).map((k) => [k, data[k]]))).toEqual(config);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
