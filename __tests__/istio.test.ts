/**
 * The istio controller plug-in: values, identity and problems, the Terraform it synthesizes, and
 * the vendored Istio 1.30.3 charts rendered with the real helm. The gateway chart is rendered
 * with the values the synthesized `helm_release` passes, and the load balancer's view (NodePorts,
 * NEG annotation, health endpoint, pod selector, PROXY protocol) is checked against what the
 * chart really makes; istiod is rendered to read the injector's own readiness probe. Rendered
 * objects are validated against the Kubernetes schemas (kubernetes-models), the objects gatehouse
 * applies against the Gateway API and Istio CRDs.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse, stringify } from "yaml";
import { Deployment, type IDeployment } from "kubernetes-models/apps/v1/Deployment";
import { HorizontalPodAutoscaler } from "kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler";
import { PodDisruptionBudget } from "kubernetes-models/policy/v1/PodDisruptionBudget";
import { ClusterRole } from "kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRole";
import { ClusterRoleBinding } from "kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRoleBinding";
import { Role } from "kubernetes-models/rbac.authorization.k8s.io/v1/Role";
import { RoleBinding } from "kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding";
import { MutatingWebhookConfiguration } from "kubernetes-models/admissionregistration.k8s.io/v1/MutatingWebhookConfiguration";
import { ValidatingWebhookConfiguration } from "kubernetes-models/admissionregistration.k8s.io/v1/ValidatingWebhookConfiguration";
import { CustomResourceDefinition } from "kubernetes-models/apiextensions.k8s.io/v1/CustomResourceDefinition";
import { ConfigMap, type IConfigMap } from "kubernetes-models/v1/ConfigMap";
import { Service, type IService } from "kubernetes-models/v1/Service";
import { ServiceAccount } from "kubernetes-models/v1/ServiceAccount";
import { ConfigError } from "../modules/core/errors";
import type { ContractInput, PortContract } from "../modules/model/contract";
import type { ControllerProps, ControllerSettings } from "../modules/k8s/controllers/plugin";
import { controllerPlugin } from "../modules/k8s/controllers";
import { GATEWAY_API } from "../modules/k8s/gateway-api";
import { Istio, ISTIO_CHART, ISTIO_VERSION, istioGatewayObjects, istioGatewayValues, istioIdentity, istioPlugin, istioProblems, istiodValues } from "../modules/k8s/controllers/istio";
import type { KubeManifest } from "../modules/k8s/manifests";
import { chartKeyIndex, unknownKeys, type KeyKind } from "../scripts/chart-keys";
import { identityContract, MQTTS, TLS_AT_LB } from "./helpers/fixtures";
import { problemsOf } from "./helpers/problems";
import * as rules from "../modules/core/rules";
import { renderChart, terraformStringValue, type KubeObject } from "./helpers/helm";
import { crdValidators, objectValidator } from "./helpers/crd";
import { kubeValidator } from "./helpers/kube-models";
import { resources, synthConstruct, type TfJson } from "./helpers/synth";

type Json = Record<string, unknown>;

const CHARTS = join(__dirname, "fixtures", "charts", `istio-${ISTIO_VERSION}`);
const SETTINGS: ControllerSettings = {
  releaseName: "istio-ingress",
  namespace: "istio-ingress",
  replicas: 2,
  resources: { cpu: "250m", memory: "256Mi" },
  config: { httpsCertificateSecret: "edge-tls" },
};
const ID = istioIdentity(SETTINGS);

/** A contract built with the istio identity, as the resolved plan builds it. */
const istioContract = (change: Partial<ContractInput> = {}): PortContract => identityContract(ID, SETTINGS.namespace, change);

function props(change: Partial<ControllerProps> = {}, settings: Partial<ControllerSettings> = {}): ControllerProps {
  return { contract: istioContract(), exposure: "node-ports", settings: { ...SETTINGS, ...settings }, ...change };
}

/** The variants every rendering test runs over. */
const CASES: ReadonlyArray<[string, ControllerProps]> = [
  ["AWS, TLS passed through", props()],
  ["AWS, TLS at the NLB, PROXY protocol, a tcp entry", props({ contract: istioContract({ ...TLS_AT_LB, proxyProtocol: true, tcp: MQTTS }) }, { config: {} })],
  ["GKE", props({ exposure: "gke-neg" })],
  ["GKE, TLS at the load balancer, a tcp entry", props({ exposure: "gke-neg", contract: istioContract({ ...TLS_AT_LB, tcp: MQTTS }) }, { config: {} })],
];

// ---------------------------------------------------------------------------------------------

describe("istio identity", () => {
  it("is registered as the istio plug-in, pinned to one Istio release", () => {
    expect(controllerPlugin("istio")).toBe(istioPlugin);
    expect(ISTIO_CHART).toEqual({ repository: "https://istio-release.storage.googleapis.com/charts", chart: "gateway", version: "1.30.3" });
    expect(istioPlugin.defaults).toEqual({ releaseName: "istio-ingress", namespace: "istio-ingress" });
  });

  it("names the Service after the release and selects the chart's pod labels", () => {
    expect(ID.serviceName).toBe("istio-ingress");
    expect(ID.podSelector).toEqual({ app: "istio-ingress", istio: "ingress" });
    expect(istioIdentity({ releaseName: "edge", namespace: "x" }).podSelector).toEqual({ app: "edge", istio: "edge" });
  });

  it("health-checks the proxy's readiness endpoint and keeps Istio's own ports from tcp entries", () => {
    expect(ID.health).toEqual({ podPort: 15021, path: "/healthz/ready" });
    expect(ID.reservedPodPorts).toEqual(expect.arrayContaining([15000, 15001, 15006, 15008, 15020, 15021, 15053, 15090]));
  });

  it("attaches routes to the Gateway in the gateway's namespace, and per-Service policies to the gateway's pods, with HTTPRoute retries", () => {
    expect(ID.routes).toEqual({ api: "gateway", gateway: { name: "istio-ingress", namespace: "istio-ingress" }, policies: { kind: "istio", namespace: "istio-ingress", workloadSelector: ID.podSelector }, httpRouteRetry: true });
    expect(ID.routeFeatures).toMatchObject({
      weights: true,
      timeouts: true,
      retries: "experimental-channel",
      retryOn: { conditions: ["connect-failure", "gateway-error", "5xx"], always: ["connect-failure"] },
      headers: { types: ["Exact", "RegularExpression"], max: 16 },
      queryParams: { types: ["Exact", "RegularExpression"], max: 16 },
      cookie: true,
      circuitBreaker: true,
      connectionPool: true,
      loadBalancers: ["round-robin", "least-request", "random"],
    });
    expect(ID.routeFeatures.reasons?.retryOn).toMatch(/^Istio turns HTTPRoute's retry into retries on connect-failure, refused-stream, unavailable and cancelled, plus the listed status codes$/);
  });
});

describe("istio gateway values", () => {
  it("AWS: a NodePort Service with exactly the contract's NodePorts, Local, and no status port (it would take a NodePort of Kubernetes' choosing)", () => {
    const v = istioGatewayValues(props({ contract: istioContract({ tcp: MQTTS }) }));
    expect(v.service).toEqual({
      type: "NodePort",
      externalTrafficPolicy: "Local",
      ports: [
        { name: "http", port: 80, protocol: "TCP", targetPort: 80, nodePort: 30080 },
        { name: "https", port: 443, protocol: "TCP", targetPort: 443, nodePort: 30443 },
        { name: "tcp-8883", port: 8883, protocol: "TCP", targetPort: 8883, nodePort: 30883 },
      ],
    });
    expect(v.podAnnotations).toBeUndefined();
  });

  it("TLS at the load balancer: port 80 goes to the redirect port, 443 to plain HTTP", () => {
    const ports = istioGatewayValues(props({ contract: istioContract(TLS_AT_LB) }, { config: {} })).service.ports;
    expect(ports.map((p) => [p.port, p.targetPort])).toEqual([
      [80, 2443],
      [443, 80],
    ]);
  });

  it("GKE: a ClusterIP Service annotated with the NEGs, its ports the annotation's keys", () => {
    const p = props({ exposure: "gke-neg", contract: istioContract({ tcp: MQTTS }) });
    const v = istioGatewayValues(p);
    expect(v.service.type).toBe("ClusterIP");
    expect(v.service.externalTrafficPolicy).toBeUndefined();
    expect(v.service.ports.every((port) => port.nodePort === undefined)).toBe(true);
    const neg = JSON.parse(v.service.annotations?.["cloud.google.com/neg"] ?? "{}") as { exposed_ports: Record<string, { name: string }> };
    expect(Object.keys(neg.exposed_ports).sort()).toEqual(["443", "8883"]);
    expect(neg.exposed_ports["443"]?.name).toBe(p.contract.entry("https").negName);
    // Google's front ends append "<client>, <forwarding rule>"; two trusted hops find the client.
    expect(JSON.parse(v.podAnnotations?.["proxy.istio.io/config"] ?? "{}")).toEqual({ gatewayTopology: { numTrustedProxies: 2 } });
  });

  it("decodes PROXY protocol exactly when the load balancer sends it", () => {
    const on = istioGatewayValues(props({ contract: istioContract({ proxyProtocol: true }) }));
    expect(JSON.parse(on.podAnnotations?.["proxy.istio.io/config"] ?? "{}")).toEqual({ gatewayTopology: { proxyProtocol: {} } });
    expect(istioGatewayValues(props()).podAnnotations).toBeUndefined();
  });

  it("runs the configured replicas with a budget, spread over zones and nodes", () => {
    const v = istioGatewayValues(props({}, { replicas: 3 }));
    expect({ replicas: v.replicaCount, hpa: v.autoscaling.enabled, pdb: v.podDisruptionBudget }).toEqual({ replicas: 3, hpa: false, pdb: { minAvailable: 2 } });
    expect(v.topologySpreadConstraints.map((t) => t.topologyKey)).toEqual(["topology.kubernetes.io/zone", "kubernetes.io/hostname"]);
    expect(v.resources).toEqual({ requests: { cpu: "250m", memory: "256Mi" } });
  });
});

describe("every Helm value key is a key of the istio charts", () => {
  const index = (chart: string) => JSON.parse(readFileSync(join(__dirname, "fixtures", `istio-${ISTIO_VERSION}-${chart}.keys.json`), "utf8")) as Record<string, KeyKind>;
  const gateway = index("gateway");
  const istiod = index("istiod");
  /** Maps the chart fills with defaults but renders whole (annotations): any key may go below them. */
  const OPEN = new Set(["podAnnotations"]);

  const unknown = (keys: Record<string, KeyKind>, values: unknown) => unknownKeys(keys, values, OPEN);

  it.each(CASES)("gateway: %s", (_name, p) => {
    expect(unknown(gateway, JSON.parse(JSON.stringify(istioGatewayValues(p))))).toEqual([]);
  });

  it("istiod", () => {
    expect(unknown(istiod, istiodValues())).toEqual([]);
  });

  it("catches a misspelt key", () => {
    expect(unknown(gateway, { service: { nodePorts: [] } })).toEqual(["service.nodePorts"]);
  });

  it.each(["gateway", "istiod"])("the committed %s key index matches the chart's values.yaml (below _internal_defaults_do_not_set)", (chart) => {
    const values = parse(readFileSync(join(CHARTS, chart, "values.yaml"), "utf8")) as { _internal_defaults_do_not_set: unknown };
    expect(chartKeyIndex(stringify(values._internal_defaults_do_not_set))).toEqual(index(chart));
  });
});

describe("istio problems", () => {
  const paths = (p: ControllerProps) => istioProblems(p).map((x) => x.path);

  it("accepts the reference contract, TLS at the load balancer, PROXY protocol on AWS and tcp entries", () => {
    expect(istioProblems(props())).toEqual([]);
    expect(istioProblems(props({ contract: istioContract({ ...TLS_AT_LB, proxyProtocol: true, tcp: MQTTS }) }, { config: {} }))).toEqual([]);
    expect(istioProblems(props({ exposure: "gke-neg", contract: istioContract({ tcp: MQTTS }) }))).toEqual([]);
  });


  it("refuses a health check anywhere but /healthz/ready on 15021", () => {
    const p = props({ contract: istioContract({ health: { nodePort: 30200, path: "/healthz", podPort: 10254, serviceName: "h" } }) });
    expect(istioProblems(p)).toEqual([expect.objectContaining({ path: "ports.health.path", value: "/healthz", message: expect.stringContaining("/healthz/ready at pod port 15021") })]);
  });

  it("needs the https certificate exactly when TLS ends in the gateway", () => {
    expect(istioProblems(props({}, { config: {} }))).toEqual([expect.objectContaining({ path: "controller.config.httpsCertificateSecret", message: expect.stringContaining("is required") })]);
    expect(paths(props({}, { config: { httpsCertificateSecret: "Not_A_Name" } }))).toEqual(["controller.config.httpsCertificateSecret"]);
    expect(istioProblems(props({ contract: istioContract(TLS_AT_LB) }))).toEqual([expect.objectContaining({ path: "controller.config.httpsCertificateSecret", message: expect.stringContaining("is unused") })]);
  });

  it("refuses options it does not read, and a namespace apart from the Gateway's", () => {
    expect(paths(props({}, { config: { httpsCertificateSecret: "edge-tls", "use-proxy-protocol": "true" } }))).toEqual(["controller.config.use-proxy-protocol"]);
    expect(istioProblems(props({}, { config: { httpsCertificateSecret: "edge-tls", "use-proxy-protocol": "true" } })).map((x) => x.message)).toEqual(["is not an option of istio (it is an ingress-nginx ConfigMap key); it takes: httpsCertificateSecret"]);
    expect(paths(props({}, { namespace: "elsewhere" }))).toEqual(["controller.namespace"]);
  });

  it("create() refuses what problems() reports, and one replica and PROXY protocol behind NEGs as every controller does, naming the construct", () => {
    const create = (p: ControllerProps) => () => synthConstruct((s) => void istioPlugin.create(s, "istio", p));
    expect(create(props({ exposure: "gke-neg", contract: istioContract({ proxyProtocol: true }) }))).toThrow(ConfigError);
    expect(create(props({ exposure: "gke-neg", contract: istioContract({ proxyProtocol: true }) }))).toThrow(/ports\.proxyProtocol/);
    expect(problemsOf(create(props({ exposure: "gke-neg", contract: istioContract({ proxyProtocol: true }) })))).toEqual(["ports.proxyProtocol: must be false behind NEGs: Google's Application Load Balancer never sends PROXY headers, so the controller would reject every request"]);
    expect(problemsOf(create(props({}, { replicas: 1 })))).toEqual(["controller.replicas: must be a whole number from 2 to 100 (one replica means an outage on every node drain)"]);
    expect(problemsOf(create(props({}, { namespace: "elsewhere" })))).toEqual([expect.stringMatching(/^controller\.namespace: /)]);
  });
});

// ---------------------------------------------------------------------------------------------
// The Terraform

function releasesOf(json: TfJson): Record<string, Json> {
  return Object.fromEntries(Object.values(resources(json, "helm_release")).map((r) => [String(r.name), r]));
}

/** The logical ids a resource's depends_on names (`helm_release.<id>`). */
function dependsOn(r: Json): string[] {
  return ((r.depends_on ?? []) as string[]).map((d) => d.replace(/^helm_release\./, ""));
}

function idOf(json: TfJson, name: string): string {
  const e = Object.entries(resources(json, "helm_release")).find(([, r]) => r.name === name);
  if (!e) throw new Error(`no helm_release named ${name}`);
  return e[0];
}

/** The one values document of a release, as helm reads it. */
function valuesOf(r: Json): string {
  const values = r.values as string[] | undefined;
  if (!values || values.length !== 1) throw new Error(`${String(r.name)}: expected one values document`);
  return terraformStringValue(values[0] as string);
}

describe("Istio releases", () => {
  const json = synthConstruct((s) => void new Istio(s, "istio", props()));
  const releases = releasesOf(json);

  it("installs base and istiod in istio-system, then the gateway in the controller namespace, all pinned", () => {
    expect(Object.keys(releases).sort()).toEqual(["gateway-api-crds", "istio-base", "istio-ingress", "istio-ingress-routing", "istiod"]);
    for (const [name, chart, namespace] of [
      ["istio-base", "base", "istio-system"],
      ["istiod", "istiod", "istio-system"],
      ["istio-ingress", "gateway", "istio-ingress"],
    ] as const)
      expect(releases[name]).toMatchObject({ chart, namespace, repository: "https://istio-release.storage.googleapis.com/charts", version: "1.30.3", atomic: true, wait: true });
    const id = (n: string) => idOf(json, n);
    expect(dependsOn(releases.istiod as Json)).toEqual(expect.arrayContaining([id("istio-base"), id("gateway-api-crds")]));
    expect(dependsOn(releases["istio-ingress"] as Json)).toEqual([id("istiod")]);
    expect(dependsOn(releases["istio-ingress-routing"] as Json)).toEqual(expect.arrayContaining([id("gateway-api-crds"), id("istio-ingress")]));
  });

  it("keeps the routing release apart from the gateway's at Helm's 53-character limit", () => {
    const long = "a".repeat(53);
    const names = Object.values(resources(synthConstruct((s) => void new Istio(s, "istio", props({}, { releaseName: long }))), "helm_release")).map((r) => String(r.name));
    expect(names.filter((n) => n.startsWith("a")).sort()).toEqual([`${"a".repeat(45)}-routing`, long]);
    expect(names.map((n) => [n, rules.helmReleaseName(n)])).toEqual(names.map((n) => [n, undefined]));
  });

  it("a chart version from the settings moves all three charts together", () => {
    const moved = releasesOf(synthConstruct((s) => void new Istio(s, "istio", props({}, { chartVersion: "1.30.2" }))));
    expect(["istio-base", "istiod", "istio-ingress"].map((n) => moved[n]?.version)).toEqual(["1.30.2", "1.30.2", "1.30.2"]);
  });
});

// ---------------------------------------------------------------------------------------------
// Rendered with helm

interface Rendered {
  readonly props: ControllerProps;
  readonly objects: readonly KubeObject[];
  readonly service: IService;
  readonly deployment: IDeployment;
  readonly podLabels: Readonly<Record<string, string>>;
  readonly podAnnotations: Readonly<Record<string, string>>;
  /** What gatehouse applies after the releases (the routing release's objects). */
  readonly applied: readonly KubeManifest[];
}

const renders = new Map<string, Rendered>();

/** Synthesizes the plug-in and renders the gateway release's chart with its Terraform values. */
function rendered(name: string, p: ControllerProps): Rendered {
  const done = renders.get(name);
  if (done) return done;
  const json = synthConstruct((s) => void istioPlugin.create(s, "istio", p));
  const releases = releasesOf(json);
  const gw = releases[p.settings.releaseName] as Json;
  const objects = renderChart({ release: String(gw.name), namespace: String(gw.namespace), values: valuesOf(gw), chartDir: join(CHARTS, "gateway") });
  const service = objects.find((o) => o.kind === "Service") as unknown as IService;
  const deployment = objects.find((o) => o.kind === "Deployment") as unknown as IDeployment;
  const routing = releases[`${p.settings.releaseName}-routing`] as Json;
  const applied = (parse(valuesOf(routing)) as { objects: KubeManifest[] }).objects;
  const r: Rendered = {
    props: p,
    objects,
    service,
    deployment,
    podLabels: deployment.spec?.template.metadata?.labels ?? {},
    podAnnotations: deployment.spec?.template.metadata?.annotations ?? {},
    applied,
  };
  renders.set(name, r);
  return r;
}

let injectorTemplate: string | undefined;
/** The `gateway` injection template in the rendered istiod chart's injector ConfigMap. */
function gatewayInjectionTemplate(): string {
  if (injectorTemplate) return injectorTemplate;
  const objects = renderChart({ release: "istiod", namespace: "istio-system", values: stringify(istiodValues()), chartDir: join(CHARTS, "istiod") });
  expect(objects.flatMap(kubeProblems)).toEqual([]);
  const cm = objects.find((o) => o.kind === "ConfigMap" && o.metadata.name === "istio-sidecar-injector") as unknown as IConfigMap | undefined;
  const config = parse(cm?.data?.config ?? "") as { templates?: Record<string, string> };
  injectorTemplate = config.templates?.gateway ?? "";
  return injectorTemplate;
}

describe.each(CASES)("gateway chart rendered: %s", (name, p) => {
  const c = p.contract;
  const entries = c.entryPoints;

  it("renders objects valid against the Kubernetes schemas", () => {
    expect(rendered(name, p).objects.flatMap(kubeProblems)).toEqual([]);
  });

  it("publishes the identity's Service, selecting the gateway pods by the identity's labels", () => {
    const r = rendered(name, p);
    expect(r.service.metadata?.name).toBe(c.serviceName);
    expect(r.service.spec?.selector).toEqual(c.podSelector);
    expect(Object.entries(c.podSelector).every(([k, v]) => r.podLabels[k] === v)).toBe(true);
    expect(r.deployment.spec?.selector.matchLabels).toEqual(c.podSelector);
  });

  it("sends each entry point's Service port to the contract's pod port, keeping the status port on ClusterIP only", () => {
    const ports = rendered(name, p).service.spec?.ports ?? [];
    for (const e of entries) {
      const sp = ports.find((x) => x.port === e.servicePort);
      expect({ entry: e.name, targetPort: sp?.targetPort }).toEqual({ entry: e.name, targetPort: e.containerPort });
    }
    if (p.exposure === "node-ports") expect(ports.find((x) => x.name === "status-port")).toBeUndefined();
    else expect(ports.find((x) => x.name === "status-port")).toMatchObject({ port: 15021, targetPort: 15021 });
  });

  if (p.exposure === "node-ports") {
    it("is a NodePort Service, Local, with exactly the contract's NodePort per port", () => {
      const s = rendered(name, p).service;
      expect({ type: s.spec?.type, policy: s.spec?.externalTrafficPolicy }).toEqual({ type: "NodePort", policy: "Local" });
      // Every port has its fixed NodePort: none is left for Kubernetes to choose.
      const byPort = Object.fromEntries((s.spec?.ports ?? []).map((x) => [x.port, x.nodePort]));
      expect(byPort).toEqual(Object.fromEntries(entries.map((e) => [e.servicePort, e.nodePort])));
    });
  } else {
    it("is a ClusterIP Service whose NEG annotation names only its own ports", () => {
      const s = rendered(name, p).service;
      expect(s.spec?.type).toBe("ClusterIP");
      const neg = JSON.parse(s.metadata?.annotations?.["cloud.google.com/neg"] ?? "{}") as { exposed_ports: Record<string, { name: string }> };
      const ports = (s.spec?.ports ?? []).map((x) => String(x.port));
      expect(Object.keys(neg.exposed_ports).every((k) => ports.includes(k))).toBe(true);
      expect(neg.exposed_ports).toEqual(Object.fromEntries(entries.filter((e) => e.kind !== "http").map((e) => [String(e.servicePort), { name: e.negName }])));
    });
  }

  it("probes the health endpoint on the gateway pod, the same probe istiod's injector gives it", () => {
    const r = rendered(name, p);
    const proxy = r.deployment.spec?.template.spec?.containers.find((k) => k.name === "istio-proxy");
    expect(proxy?.readinessProbe?.httpGet).toEqual({ path: c.health.path, port: c.health.podPort });
    // The injector's template (Go template text): `readinessProbe: httpGet: path … port …`.
    const probe = /readinessProbe:\s*\n\s*httpGet:\s*\n\s*path: (\S+)\s*\n\s*port: (\d+)/.exec(gatewayInjectionTemplate());
    expect([probe?.[1], Number(probe?.[2])]).toEqual([c.health.path, c.health.podPort]);
    // On GKE the chart's status-port (15021) carries it on the Service too.
    if (p.exposure === "gke-neg") expect((r.service.spec?.ports ?? []).some((x) => x.targetPort === c.health.podPort)).toBe(true);
  });

  it("decodes PROXY protocol exactly when the load balancer sends it", () => {
    const config = rendered(name, p).podAnnotations["proxy.istio.io/config"];
    const topology = (config === undefined ? {} : (JSON.parse(config) as { gatewayTopology?: Json }).gatewayTopology) ?? {};
    expect("proxyProtocol" in topology).toBe(c.proxyProtocol);
    // The chart's own pod annotations (injection template) stay.
    expect(rendered(name, p).podAnnotations["inject.istio.io/templates"]).toBe("gateway");
  });

  it("binds the Gateway to the rendered Service, its listeners on Service ports", () => {
    const r = rendered(name, p);
    const gw = r.applied.find((o) => o.apiVersion === "gateway.networking.k8s.io/v1" && o.kind === "Gateway") as KubeManifest;
    const spec = gw.spec as { gatewayClassName: string; addresses: Array<{ type: string; value: string }>; listeners: Array<{ port: number; protocol: string }> };
    expect(gw.metadata.namespace).toBe(r.service.metadata?.namespace ?? c.namespace);
    expect(spec.gatewayClassName).toBe("istio");
    // Istio's manual deployment: exactly one Hostname address, the Service's (short) name.
    expect(spec.addresses).toEqual([{ type: "Hostname", value: r.service.metadata?.name }]);
    const ports = (r.service.spec?.ports ?? []).map((x) => x.port);
    for (const l of spec.listeners) expect({ listener: l.port, isServicePort: ports.includes(l.port) }).toEqual({ listener: l.port, isServicePort: true });
    // Per-Service DestinationRules select exactly the pods the gateway Service sends to.
    expect(ID.routes).toEqual({ api: "gateway", gateway: { name: gw.metadata.name, namespace: gw.metadata.namespace }, policies: { kind: "istio", namespace: gw.metadata.namespace, workloadSelector: r.service.spec?.selector }, httpRouteRetry: true });
    const https = spec.listeners.find((l) => l.port === c.entry("https").servicePort);
    expect(https?.protocol).toBe(c.entry("https").tls === "terminate" ? "HTTP" : "HTTPS");
    const redirect = r.applied.filter((o) => o.kind === "HTTPRoute");
    expect(redirect.length).toBe(c.entry("http").redirectsToHttps ? 1 : 0);
  });

  it("serves tcp entry points through an Istio Gateway on the gateway pods and a VirtualService each", () => {
    const r = rendered(name, p);
    const tcp = entries.filter((e) => e.kind === "tcp");
    const gws = r.applied.filter((o) => o.apiVersion === "networking.istio.io/v1" && o.kind === "Gateway");
    const vss = r.applied.filter((o) => o.kind === "VirtualService");
    expect({ gateways: gws.length, virtualServices: vss.length }).toEqual({ gateways: tcp.length ? 1 : 0, virtualServices: tcp.length });
    for (const g of gws) {
      const spec = g.spec as { selector: Record<string, string>; servers: Array<{ port: { number: number } }> };
      expect(Object.entries(spec.selector).every(([k, v]) => r.podLabels[k] === v)).toBe(true);
      const ports = (r.service.spec?.ports ?? []).map((x) => x.port);
      expect(spec.servers.map((s) => s.port.number).every((n) => ports.includes(n))).toBe(true);
    }
    for (const e of tcp) {
      const [ns, rest] = (e.backend ?? "").split("/");
      const [svc, port] = (rest ?? "").split(":");
      const vs = vss.find((v) => v.metadata.name.endsWith(`-${e.name}`));
      expect(vs?.spec).toMatchObject({ tcp: [{ match: [{ port: e.servicePort }], route: [{ destination: { host: `${svc}.${ns}.svc.cluster.local`, port: { number: Number(port) } } }] }] });
    }
  });

  it("applies objects valid against the Gateway API and Istio CRDs", () => {
    expect(rendered(name, p).applied.flatMap(crdProblems)).toEqual([]);
  });
});

it("the CRD check catches an object its CRD refuses", () => {
  const gw = istioGatewayObjects(props())[0] as KubeManifest;
  const spec = gw.spec as Json;
  expect(crdProblems({ ...gw, spec: { ...spec, listeners: [{ name: "http", port: 80, protocol: 7 }] } })).not.toEqual([]);
  expect(crdProblems({ apiVersion: "networking.istio.io/v1", kind: "VirtualService", metadata: { name: "x" }, spec: { tcp: "no" } })).not.toEqual([]);
});

it("the gatehouse objects of a contract are the routing release's objects", () => {
  const p = CASES[1]?.[1] as ControllerProps;
  expect(rendered("AWS, TLS at the NLB, PROXY protocol, a tcp entry", p).applied).toEqual(JSON.parse(JSON.stringify(istioGatewayObjects(p))));
});

// ---------------------------------------------------------------------------------------------
// Validation

const kubeProblems = kubeValidator([ConfigMap, Service, ServiceAccount, Deployment, HorizontalPodAutoscaler, PodDisruptionBudget, ClusterRole, ClusterRoleBinding, Role, RoleBinding, MutatingWebhookConfiguration, ValidatingWebhookConfiguration, CustomResourceDefinition]);


const gatewayApiDir = join(__dirname, "..", "modules", "k8s", "charts", GATEWAY_API.chart, "standard");
/** Problems against the Gateway API CRDs gatehouse ships and Istio's (base chart); CEL rules not evaluated. */
const crdProblems = objectValidator<KubeManifest>(
  crdValidators([...readdirSync(gatewayApiDir).filter((f) => f.endsWith(".yaml")).map((f) => join(gatewayApiDir, f)), join(CHARTS, "base", "files", "crd-all.gen.yaml")], { cel: "ignore" }),
);
