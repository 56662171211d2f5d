/**
 * `controller.config`, compared the way each controller reads it. ingress-nginx decodes its
 * ConfigMap with mapstructure, which matches keys whatever their letter case: a key that reads as
 * one gatehouse sets is refused, in any spelling, and so is every key the controller would not read
 * as written. The Gateway API plug-ins read their options by exact name and refuse everything else,
 * naming the controller an ingress-nginx key belongs to. The accepted ingress-nginx keys are
 * derived again here from the controller's vendored sources.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { loadEnvironments } from "../modules/config/loader";
import type { EnvInput } from "../modules/config/schema";
import type { PortContract } from "../modules/model/contract";
import { ConfigError, type Problem } from "../modules/core/errors";
import type { ControllerKind, ControllerProps } from "../modules/k8s/controllers/plugin";
import { CONTROLLER_CONFIG_KEYS, equalFoldAscii, INGRESS_NGINX_CONFIG_KEYS, INGRESS_NGINX_CONFIG_REFERENCE } from "../modules/k8s/controllers/options";
import { controllerPlugin } from "../modules/k8s/controllers";
import { ingressNginxProblems, ownedConfigKeys } from "../modules/k8s/controllers/ingress-nginx";
import { istioIdentity } from "../modules/k8s/controllers/istio";
import { nginxGatewayFabricIdentity } from "../modules/k8s/controllers/nginx-gateway-fabric-identity";
import { awsEnv, contract, gcpEnv, identityContract, MQTTS, TLS_AT_LB } from "./helpers/fixtures";
import type { FieldProblem } from "../modules/core/errors";

const SOURCES = join(__dirname, "fixtures", "ingress-nginx-controller-v1.15.1");
const source = (file: string) => readFileSync(join(SOURCES, file), "utf8");

/** The body of `type <name> struct { … }` in Go source. */
function structBody(text: string, name: string): string {
  const start = text.indexOf(`type ${name} struct {`);
  if (start < 0) throw new Error(`no struct ${name}`);
  return text.slice(start, text.indexOf("\n}\n", start));
}

describe("the ConfigMap keys ingress-nginx reads (controller v1.15.1 sources)", () => {
  const configmap = source("configmap.go");

  it("are the json tags of Configuration and the embedded Backend, and the keys ReadConfig reads by name, but the three that are no options", () => {
    const tags = [structBody(source("config.go"), "Configuration"), structBody(source("defaults-main.go"), "Backend")].flatMap((body) => [...body.matchAll(/json:"([^",]*)/g)].map((m) => m[1] as string));
    const byName = [...(/const \(\n([\s\S]*?)\n\)/.exec(configmap)?.[1] ?? "").matchAll(/=\s*"([^"]+)"/g)].map((m) => m[1] as string);
    expect(byName).toContain("proxy-real-ip-cidr");
    const notOptions = ["", "-", "Resolver", "global-external-auth"];
    expect([...new Set([...tags, ...byName])].filter((k) => !notOptions.includes(k)).sort()).toEqual([...INGRESS_NGINX_CONFIG_KEYS].sort());
  });

  it("decodes what it did not read by name with mapstructure on json tags, matching names as mapstructure does by default (no MatchName)", () => {
    expect(configmap).toContain('"github.com/mitchellh/mapstructure"');
    expect(configmap).toMatch(/TagName:\s+"json"/);
    expect(configmap).not.toContain("MatchName");
    // The exact-name value is set first; a case variant left in the map then overwrites it.
    const set = configmap.indexOf("to.ProxyRealIPCIDR = proxyList");
    const decode = configmap.indexOf("decoder.Decode(conf)");
    expect(set).toBeGreaterThan(0);
    expect(decode).toBeGreaterThan(set);
    expect(configmap).toContain("delete(conf, proxyRealIPCIDR)");
  });

  it("a ConfigMap key matches a name as Go's strings.EqualFold does: ASCII case, ſ for s and the Kelvin sign for k, nothing else", () => {
    const folds = (c: string, x: string) => c === x || c === x.toUpperCase() || (x === "s" && c === "\u017f") || (x === "k" && c === "\u212a");
    const wrong: string[] = [];
    for (let code = 0; code <= 0xffff; code++) {
      if (code >= 0xd800 && code <= 0xdfff) continue;
      const c = String.fromCharCode(code);
      for (const x of "abcdefghijklmnopqrstuvwxyz0123456789-") if (equalFoldAscii(c, x) !== folds(c, x)) wrong.push(`U+${code.toString(16)} ~ ${x}`);
    }
    expect(wrong).toEqual([]);
    expect(equalFoldAscii("PROXY-Real-IP-cidr", "proxy-real-ip-cidr")).toBe(true);
    expect(equalFoldAscii("proxy_real_ip_cidr", "proxy-real-ip-cidr")).toBe(false);
  });
});

// ---------------------------------------------------------------------------------------------
// ingress-nginx

interface Scenario {
  readonly name: string;
  readonly contract: PortContract;
  readonly exposure: ControllerProps["exposure"];
}

const SCENARIOS: readonly Scenario[] = [
  { name: "AWS", contract: contract({ tcp: MQTTS }), exposure: "node-ports" },
  { name: "AWS, TLS at the NLB", contract: contract(TLS_AT_LB), exposure: "node-ports" },
  { name: "GKE", contract: contract(), exposure: "gke-neg" },
  { name: "GKE, TLS at the load balancer", contract: contract(TLS_AT_LB), exposure: "gke-neg" },
];

const nginx = (s: Scenario, config: Record<string, string>): ControllerProps => ({
  contract: s.contract,
  exposure: s.exposure,
  settings: { releaseName: "ingress-nginx", namespace: "ingress-nginx", replicas: 2, resources: { cpu: "100m", memory: "90Mi" }, config },
});
const lines = (ps: readonly FieldProblem[]) => ps.map((p) => `${p.path}: ${p.message}`);

const SET_BY_GATEHOUSE = "from the port contract (PROXY protocol, forwarded headers, the https redirect); remove it";
/** Spellings the controller reads as `key`: every letter case, and ſ for s. */
function caseVariants(key: string): string[] {
  const alternating = [...key].map((c, i) => (i % 2 ? c.toUpperCase() : c)).join("");
  const title = key.replace(/(^|-)([a-z])/g, (_m, dash: string, c: string) => dash + c.toUpperCase());
  return [...new Set([key.toUpperCase(), title, alternating, key.replace(/s/g, "\u017f")])].filter((v) => v !== key);
}
const ALL_OWNED = [...new Set(SCENARIOS.flatMap((s) => ownedConfigKeys(s)))].sort();

describe("ingress-nginx controller.config: keys gatehouse sets, in any spelling", () => {
  it("owns PROXY protocol everywhere, forwarded headers and the trusted ranges behind Google, the redirect with TLS at the load balancer", () => {
    expect(SCENARIOS.map((s) => [s.name, ownedConfigKeys(s)])).toEqual([
      ["AWS", ["use-proxy-protocol"]],
      ["AWS, TLS at the NLB", ["use-proxy-protocol", "http-snippet", "ssl-redirect", "force-ssl-redirect"]],
      ["GKE", ["use-proxy-protocol", "use-forwarded-headers", "proxy-real-ip-cidr", "forwarded-for-header"]],
      ["GKE, TLS at the load balancer", ["use-proxy-protocol", "use-forwarded-headers", "proxy-real-ip-cidr", "forwarded-for-header", "http-snippet", "ssl-redirect", "force-ssl-redirect"]],
    ]);
  });

  const cases = SCENARIOS.flatMap((s) => ownedConfigKeys(s).flatMap((key) => [key, ...caseVariants(key)].map((spelling) => [s.name, key, spelling, s] as const)));
  it.each(cases)("%s: %s written %j is refused, naming the key it reads as", (_s, key, spelling, scenario) => {
    const message = spelling === key ? `is set by gatehouse ${SET_BY_GATEHOUSE}` : `is read by the controller as "${key}" (it matches ConfigMap keys whatever their letter case), which gatehouse sets ${SET_BY_GATEHOUSE}`;
    expect(ingressNginxProblems(nginx(scenario, { [spelling]: "0.0.0.0/0" }))).toEqual([{ path: `controller.config.${spelling}`, value: "0.0.0.0/0", message }]);
  });

  it.each(SCENARIOS.map((s) => [s.name, s] as const))("%s: a key gatehouse sets only elsewhere is the user's, written as the controller spells it", (_name, s) => {
    const free = ALL_OWNED.filter((k) => !ownedConfigKeys(s).includes(k));
    expect(ingressNginxProblems(nginx(s, Object.fromEntries(free.map((k) => [k, "x"]))))).toEqual([]);
    for (const k of free)
      for (const spelling of caseVariants(k))
        expect(lines(ingressNginxProblems(nginx(s, { [spelling]: "x" })))).toEqual([`controller.config.${spelling}: is read by the controller as "${k}" (it matches ConfigMap keys whatever their letter case); write it as "${k}"`]);
  });

  it("reads '-' and '_' apart: proxy_real_ip_cidr is no key of the controller, and is never offered where gatehouse sets proxy-real-ip-cidr", () => {
    const [aws, , gke] = SCENARIOS as [Scenario, Scenario, Scenario];
    expect(lines(ingressNginxProblems(nginx(aws, { proxy_real_ip_cidr: "0.0.0.0/0" })))).toEqual([
      `controller.config.proxy_real_ip_cidr: is not a ConfigMap key ingress-nginx reads (controller v1.15.1), so it would be ignored; did you mean "proxy-real-ip-cidr"? the keys it reads: ${INGRESS_NGINX_CONFIG_REFERENCE}`,
    ]);
    expect(lines(ingressNginxProblems(nginx(gke, { proxy_real_ip_cidr: "0.0.0.0/0" })))[0]).not.toContain('"proxy-real-ip-cidr"');
  });
});

describe("ingress-nginx controller.config: keys it does not read", () => {
  const [aws] = SCENARIOS as [Scenario];

  it("accepts every ConfigMap key the controller reads, but those gatehouse sets", () => {
    const config = Object.fromEntries(INGRESS_NGINX_CONFIG_KEYS.filter((k) => !ownedConfigKeys(aws).includes(k)).map((k) => [k, "x"]));
    expect(Object.keys(config).length).toBeGreaterThan(190);
    expect(ingressNginxProblems(nginx(aws, config))).toEqual([]);
  });

  it("refuses another kind's option, naming the kinds that read it", () => {
    expect(lines(ingressNginxProblems(nginx(aws, { httpsCertificateSecret: "edge-tls" })))).toEqual([
      `controller.config.httpsCertificateSecret: is an option of nginx-gateway-fabric and istio, which ingress-nginx does not read; ingress-nginx takes the keys of its ConfigMap (${INGRESS_NGINX_CONFIG_REFERENCE}); remove it`,
    ]);
  });

  it.each<[string, string[]]>([
    ["proxy-body-sise", ["proxy-body-size"]],
    ["use_gzip", ["use-gzip"]],
    ["proxy-read-timeot", ["proxy-read-timeout", "proxy-send-timeout", "proxy-stream-timeout"]],
    ["enable-opentracing", []],
    ["jaeger-collector-host", []],
    ["x", []],
  ])("refuses %j, which the controller would ignore, offering the keys closest to it", (key, closest) => {
    const hint = closest.length ? `did you mean ${closest.map((k) => `"${k}"`).join(" or ")}? ` : "";
    expect(lines(ingressNginxProblems(nginx(aws, { [key]: "1" })))).toEqual([
      `controller.config.${key}: is not a ConfigMap key ingress-nginx reads (controller v1.15.1), so it would be ignored; ${hint}the keys it reads: ${INGRESS_NGINX_CONFIG_REFERENCE}`,
    ]);
  });

  it("the construct refuses what the plug-in reports, so a direct user meets the same rule", () => {
    const plugin = controllerPlugin("ingress-nginx");
    expect(plugin.problems(nginx(aws, { "USE-PROXY-PROTOCOL": "true" })).map((p) => p.path)).toEqual(["controller.config.USE-PROXY-PROTOCOL"]);
  });
});

// ---------------------------------------------------------------------------------------------
// The Gateway API plug-ins

const GATEWAY_KINDS: ReadonlyArray<Exclude<ControllerKind, "ingress-nginx">> = ["nginx-gateway-fabric", "istio"];

function gatewayProps(kind: Exclude<ControllerKind, "ingress-nginx">, config: Record<string, string>): ControllerProps {
  const settings = { releaseName: kind === "istio" ? "istio-ingress" : "nginx-gateway", namespace: kind === "istio" ? "istio-ingress" : "nginx-gateway", replicas: 2, resources: { cpu: "100m", memory: "128Mi" }, config };
  const identity = kind === "istio" ? istioIdentity(settings) : nginxGatewayFabricIdentity(settings, "passthrough");
  return { contract: identityContract(identity, settings.namespace), exposure: "node-ports", settings };
}

describe.each(GATEWAY_KINDS.map((k) => [k] as const))("%s controller.config", (kind) => {
  const problems = (config: Record<string, string>) => controllerPlugin(kind).problems(gatewayProps(kind, { httpsCertificateSecret: "edge-tls", ...config })).filter((p) => p.path.startsWith("controller.config."));

  it("takes httpsCertificateSecret, by that exact name", () => {
    expect(CONTROLLER_CONFIG_KEYS[kind]).toEqual(["httpsCertificateSecret"]);
    expect(problems({})).toEqual([]);
    expect(lines(problems({ HttpsCertificateSecret: "edge-tls" }))).toEqual([`controller.config.HttpsCertificateSecret: is not an option of ${kind}; it takes: httpsCertificateSecret`]);
  });

  it("refuses every ingress-nginx ConfigMap key, saying whose key it is", () => {
    const config = Object.fromEntries(INGRESS_NGINX_CONFIG_KEYS.map((k) => [k, "x"]));
    const found = problems(config);
    expect(found.map((p) => p.path)).toEqual(INGRESS_NGINX_CONFIG_KEYS.map((k) => `controller.config.${k}`).sort());
    expect(new Set(found.map((p) => p.message))).toEqual(new Set([`is not an option of ${kind} (it is an ingress-nginx ConfigMap key); it takes: httpsCertificateSecret`]));
  });
});

// ---------------------------------------------------------------------------------------------
// Through the loader: the environment, the file and line, the field.

describe("from an environment file", () => {
  function problemsOf(env: EnvInput): Problem[] {
    const dir = mkdtempSync(join(tmpdir(), "gatehouse-config-"));
    try {
      const file = join(dir, "env.yaml");
      writeFileSync(file, stringify(env));
      loadEnvironments({ builtins: [], files: [file] });
      return [];
    } catch (e) {
      if (e instanceof ConfigError) return e.problems.map((p) => ({ ...p, file: p.file?.replace(dir, "<dir>") }));
      throw e;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  it("PROXY-REAL-IP-CIDR behind Google is refused at its line", () => {
    const env = gcpEnv({ name: "spoof", controller: { config: { "proxy-body-size": "8m", "PROXY-REAL-IP-CIDR": "0.0.0.0/0" } } });
    expect(problemsOf(env)).toEqual([
      {
        env: "spoof",
        file: expect.stringMatching(/^<dir>\/env\.yaml:[0-9]+$/) as unknown as string,
        path: "controller.config.PROXY-REAL-IP-CIDR",
        value: "0.0.0.0/0",
        message: `is read by the controller as "proxy-real-ip-cidr" (it matches ConfigMap keys whatever their letter case), which gatehouse sets ${SET_BY_GATEHOUSE}`,
      },
    ]);
  });

  it("another kind's option on ingress-nginx, and an ingress-nginx key on istio, are refused with the env and field", () => {
    const found = [...problemsOf(awsEnv({ name: "a", controller: { config: { httpsCertificateSecret: "edge-tls" } } })), ...problemsOf(awsEnv({ name: "b", controller: { kind: "istio", config: { httpsCertificateSecret: "edge-tls", "use-gzip": "true" } } }))];
    expect(found.map((p) => `${p.env}: ${p.path}: ${p.message}`)).toEqual([
      `a: controller.config.httpsCertificateSecret: is an option of nginx-gateway-fabric and istio, which ingress-nginx does not read; ingress-nginx takes the keys of its ConfigMap (${INGRESS_NGINX_CONFIG_REFERENCE}); remove it`,
      "b: controller.config.use-gzip: is not an option of istio (it is an ingress-nginx ConfigMap key); it takes: httpsCertificateSecret",
    ]);
    expect(found.every((p) => /env\.yaml:[0-9]+$/.test(p.file ?? ""))).toBe(true);
  });
});
