/**
 * The NGINX Gateway Fabric plug-in: identity, problems and values, then the real charts rendered
 * by helm: the NGF release's values with the vendored chart 2.6.7 (its values.schema.json
 * enforced), the Gateway API CRD chart and the Gateway objects gatehouse applies. NGF provisions
 * the data-plane Service at run time from the NginxProxy the chart renders, so the NginxProxy is
 * what is checked against the contract (NodePorts per listener port, the NEG annotation patch,
 * PROXY protocol), and the Gateway's listener ports are the Service ports NGF publishes.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse, parseAllDocuments } from "yaml";
import { ValidatingAdmissionPolicy } from "kubernetes-models/admissionregistration.k8s.io/v1/ValidatingAdmissionPolicy";
import { ValidatingAdmissionPolicyBinding } from "kubernetes-models/admissionregistration.k8s.io/v1/ValidatingAdmissionPolicyBinding";
import { CustomResourceDefinition } from "kubernetes-models/apiextensions.k8s.io/v1/CustomResourceDefinition";
import { Deployment } from "kubernetes-models/apps/v1/Deployment";
import { Job } from "kubernetes-models/batch/v1/Job";
import { PodDisruptionBudget } from "kubernetes-models/policy/v1/PodDisruptionBudget";
import { ClusterRole } from "kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRole";
import { ClusterRoleBinding } from "kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRoleBinding";
import { Role } from "kubernetes-models/rbac.authorization.k8s.io/v1/Role";
import { RoleBinding } from "kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding";
import { Service } from "kubernetes-models/v1/Service";
import { ServiceAccount } from "kubernetes-models/v1/ServiceAccount";
import type { ContractInput, PortContract } from "../modules/model/contract";
import { ConfigError } from "../modules/core/errors";
import { negAnnotation, type ControllerProps, type ControllerSettings } from "../modules/k8s/controllers/plugin";
import { controllerPlugin } from "../modules/k8s/controllers";
import { contractGateway, GATEWAY_API, GatewayApiCrds } from "../modules/k8s/gateway-api";
import { localChartDir } from "../modules/k8s/local-chart";
import { NGINX_GATEWAY_FABRIC_CHART, nginxGatewayFabricPlugin, nginxGatewayFabricProblems, nginxGatewayFabricValues } from "../modules/k8s/controllers/nginx-gateway-fabric";
import { nginxGatewayFabricIdentity, ngfResourceName } from "../modules/k8s/controllers/nginx-gateway-fabric-identity";
import type { KeyKind } from "../scripts/chart-keys";
import { chartKeyIndex, unknownKeys } from "../scripts/chart-keys";
import { renderChart, terraformStringValue, type KubeObject } from "./helpers/helm";
import { obj, list, type Json } from "./helpers/json";
import { crdValidators, objectValidator } from "./helpers/crd";
import { kubeValidator } from "./helpers/kube-models";
import { identityContract, MQTTS, TLS_AT_LB } from "./helpers/fixtures";
import { problemsOf } from "./helpers/problems";
import * as rules from "../modules/core/rules";
import { GOOGLE_FRONT_END_RANGES } from "../modules/model/front-end-ranges";
import { resources, synthConstruct, type TfJson } from "./helpers/synth";


const CHART_DIR = join(__dirname, "fixtures", "charts", "nginx-gateway-fabric-2.6.7");
const KEYS_FILE = join(__dirname, "fixtures", "nginx-gateway-fabric-2.6.7.keys.json");
const GATEWAY_API_DIR = join(localChartDir("gateway-api-crds"), "standard");

const SETTINGS: ControllerSettings = { releaseName: "nginx-gateway", namespace: "nginx-gateway", replicas: 2, resources: { cpu: "100m", memory: "128Mi" }, config: { httpsCertificateSecret: "edge-tls" } };

/** A contract built from NGF's identity for its TLS choice; `change` as for the fixtures' contract. */
function ngfContract(change: Partial<ContractInput> = {}, settings: ControllerSettings = SETTINGS): PortContract {
  const tls = change.https?.tls ?? "passthrough";
  return identityContract(nginxGatewayFabricIdentity(settings, tls), settings.namespace, change);
}
const NO_CERT: ControllerSettings = { ...SETTINGS, config: {} };

function props(change: Partial<ControllerProps> = {}): ControllerProps {
  return { contract: ngfContract(), exposure: "node-ports", settings: SETTINGS, ...change };
}



// ---------------------------------------------------------------------------------------------
// Identity

describe("nginx-gateway-fabric identity", () => {
  it("names the data plane <gateway>-<gatewayclass> and selects it by the labels NGF's provisioner sets", () => {
    const id = nginxGatewayFabricIdentity(SETTINGS);
    expect(id.serviceName).toBe("nginx-gateway-nginx");
    expect(id.podSelector).toEqual({
      "app.kubernetes.io/instance": "nginx-gateway",
      "app.kubernetes.io/managed-by": "nginx-gateway-nginx",
      "app.kubernetes.io/name": "nginx-gateway-nginx",
      "gateway.networking.k8s.io/gateway-name": "nginx-gateway",
    });
    expect(id.routes).toEqual({ api: "gateway", gateway: { name: "nginx-gateway", namespace: "nginx-gateway" }, policies: { kind: "nginx-gateway-fabric" } });
  });

  it("probes nginx's own readiness server, 8081 /readyz, and keeps 8081 and the metrics port for itself", () => {
    const id = nginxGatewayFabricIdentity(SETTINGS);
    expect(id.health).toEqual({ podPort: 8081, path: "/readyz" });
    expect(id.reservedPodPorts).toEqual([8081, 9113]);
  });

  it("serves each entry point on its listener port: the contract's pod ports are its Service ports, whatever the TLS choice", () => {
    for (const change of [{}, TLS_AT_LB]) {
      const c = ngfContract(change);
      for (const e of c.entryPoints) expect({ entry: e.name, containerPort: e.containerPort }).toEqual({ entry: e.name, containerPort: e.servicePort });
    }
  });

  it("cuts long names as NGF does (63 characters, an 8-hex hash of the whole before the suffix)", () => {
    expect(ngfResourceName("a".repeat(57), "nginx")).toBe(`${"a".repeat(57)}-nginx`);
    const long = ngfResourceName("a".repeat(60), "nginx");
    expect(long).toHaveLength(63);
    // sha256("aaa…a-nginx")[:8], as internal/framework/controller/resource.go computes it.
    expect(long).toMatch(/^a{48}-[0-9a-f]{8}-nginx$/);
  });

  it("carries weighted routes and header, query parameter and cookie matches, not timeouts or retries (NGF refuses those HTTPRoute fields)", () => {
    const f = nginxGatewayFabricIdentity(SETTINGS).routeFeatures;
    expect(f).toMatchObject({
      weights: true,
      timeouts: false,
      retries: false,
      headers: { types: ["Exact", "RegularExpression"], max: 16 },
      queryParams: { types: ["Exact", "RegularExpression"], max: 16 },
      cookie: true,
      loadBalancers: ["round-robin", "least-request", "random"],
    });
    expect([f.circuitBreaker, f.connectionPool, f.matchAsCanary, f.retryOn]).toEqual([undefined, undefined, undefined, undefined]);
  });

  it("is registered as the nginx-gateway-fabric plug-in with the pinned chart", () => {
    expect(controllerPlugin("nginx-gateway-fabric")).toBe(nginxGatewayFabricPlugin);
    expect(nginxGatewayFabricPlugin.chart).toEqual({ repository: "oci://ghcr.io/nginx/charts", chart: "nginx-gateway-fabric", version: "2.6.7" });
    expect(readFileSync(join(CHART_DIR, "Chart.yaml"), "utf8")).toMatch(/^version: 2\.6\.7$/m);
  });
});

// ---------------------------------------------------------------------------------------------
// Problems

describe("nginx-gateway-fabric problems", () => {
  const paths = (p: ControllerProps) => nginxGatewayFabricProblems(p).map((x) => x.path);
  const messages = (p: ControllerProps) => nginxGatewayFabricProblems(p).map((x) => `${x.path}: ${x.message}`);

  it("accepts the reference contract on both exposures, and TLS at the load balancer without a certificate", () => {
    expect(nginxGatewayFabricProblems(props())).toEqual([]);
    expect(nginxGatewayFabricProblems(props({ exposure: "gke-neg" }))).toEqual([]);
    expect(nginxGatewayFabricProblems(props({ contract: ngfContract({ ...TLS_AT_LB, proxyProtocol: true }), settings: NO_CERT }))).toEqual([]);
  });

  it("refuses tcp entry points: TCPRoute is not in the standard channel", () => {
    const problems = nginxGatewayFabricProblems(props({ contract: ngfContract({ tcp: MQTTS }) }));
    expect(problems.map((p) => p.path)).toEqual(["ports.tcp.mqtts"]);
    expect(problems[0]?.message).toMatch(/TCPRoute.*experimental channel/);
  });

  it("needs the https listener's certificate Secret when TLS ends in NGF, and refuses one it would not use", () => {
    expect(paths(props({ settings: NO_CERT }))).toEqual(["controller.config.httpsCertificateSecret"]);
    expect(paths(props({ settings: { ...SETTINGS, config: { httpsCertificateSecret: "Not_A_Name" } } }))).toEqual(["controller.config.httpsCertificateSecret"]);
    expect(nginxGatewayFabricProblems(props({ contract: ngfContract(TLS_AT_LB) }))[0]?.message).toMatch(/is unused/);
  });

  it("says what the certificate setting must be, in each case", () => {
    expect(messages(props({ settings: NO_CERT }))).toEqual([
      'controller.config.httpsCertificateSecret: is required: ports.https.tls is "passthrough", so TLS ends in NGINX Gateway Fabric, whose HTTPS listener needs the name of a kubernetes.io/tls Secret in nginx-gateway; or end TLS at the load balancer (tls: terminate)',
    ]);
    expect(messages(props({ settings: { ...SETTINGS, config: { httpsCertificateSecret: "Not_A_Name" } } }))).toEqual([
      'controller.config.httpsCertificateSecret: must be the name of a Secret in nginx-gateway (lowercase letters, digits, "-" and ".", at most 253 characters)',
    ]);
    expect(messages(props({ contract: ngfContract(TLS_AT_LB) }))).toEqual([
      'controller.config.httpsCertificateSecret: is unused: ports.https.tls is "terminate", so the load balancer ends TLS and the https listener is plain HTTP; remove it',
    ]);
  });

  it("refuses unknown config keys, naming the ones it takes", () => {
    expect(paths(props({ settings: { ...SETTINGS, config: { ...SETTINGS.config, "use-proxy-protocol": "true" } } }))).toEqual(["controller.config.use-proxy-protocol"]);
    expect(messages(props({ settings: { ...SETTINGS, config: { ...SETTINGS.config, "use-proxy-protocol": "true" } } }))).toEqual([
      "controller.config.use-proxy-protocol: is not an option of nginx-gateway-fabric (it is an ingress-nginx ConfigMap key); it takes: httpsCertificateSecret",
    ]);
  });

  it("refuses more trusted addresses than NginxProxy takes (64, Google's front-end ranges included)", () => {
    const addresses = (n: number) => Array.from({ length: n }, (_, i) => `34.1.${Math.floor(i / 250)}.${(i % 250) + 1}`);
    const room = 64 - GOOGLE_FRONT_END_RANGES.length;
    expect(messages(props({ exposure: "gke-neg", loadBalancerAddresses: addresses(room) }))).toEqual([]);
    expect(messages(props({ exposure: "gke-neg", loadBalancerAddresses: addresses(room + 1) }))).toEqual(["gcp: NGF trusts at most 64 addresses (NginxProxy rewriteClientIP.trustedAddresses)"]);
  });

  it("refuses a contract in another namespace than the controller's", () => {
    expect(messages(props({ settings: { ...SETTINGS, namespace: "elsewhere" } }))).toEqual([
      "controller.namespace: the contract's namespace differs from the controller's (elsewhere); the data plane runs in the Gateway's namespace",
    ]);
  });

  it("create() refuses one replica and PROXY protocol behind NEGs, as every controller does", () => {
    const create = (p: ControllerProps) => () => synthConstruct((s) => void nginxGatewayFabricPlugin.create(s, "ngf", p));
    expect(problemsOf(create(props({ settings: { ...SETTINGS, replicas: 1 } })))).toEqual(["controller.replicas: must be a whole number from 2 to 100 (one replica means an outage on every node drain)"]);
    expect(problemsOf(create(props({ exposure: "gke-neg", contract: ngfContract({ proxyProtocol: true }) })))).toEqual([
      "ports.proxyProtocol: must be false behind NEGs: Google's Application Load Balancer never sends PROXY headers, so the controller would reject every request",
    ]);
  });

  it("refuses a contract whose pod ports are not NGF's (built with another identity)", () => {
    const wrong = ngfContract({ ...TLS_AT_LB, containerPorts: nginxGatewayFabricIdentity(SETTINGS, "passthrough").containerPorts });
    expect(paths(props({ contract: wrong, settings: NO_CERT }))).toEqual(["ports.https.tls"]);
    expect(messages(props({ contract: wrong, settings: NO_CERT }))).toEqual([
      'ports.https.tls: NGINX Gateway Fabric serves entry point https on pod port 443 (its listener port), but the contract sends it to 80: build the contract with the identity for ports.https.tls (container ports {"http":443,"https":443,"redirect":80})',
    ]);
  });

  it("keeps the Gateway's release apart from NGF's at Helm's 53-character limit", () => {
    const long = "a".repeat(53);
    const json = synthConstruct((s) => void nginxGatewayFabricPlugin.create(s, "ngf", props({ settings: { ...SETTINGS, releaseName: long } })));
    const names = Object.values(resources(json, "helm_release")).map((r) => String(r.name));
    expect(names.filter((n) => n.startsWith("a")).sort()).toEqual([`${"a".repeat(45)}-gateway`, long]);
    expect(names.map((n) => [n, rules.helmReleaseName(n)])).toEqual(names.map((n) => [n, undefined]));
  });

  it("create() refuses what problems() reports", () => {
    expect(() => synthConstruct((s) => void nginxGatewayFabricPlugin.create(s, "ngf", props({ contract: ngfContract({ tcp: MQTTS }) })))).toThrow(ConfigError);
  });
});

// ---------------------------------------------------------------------------------------------
// Values and Terraform

describe("nginx-gateway-fabric values", () => {
  const index = JSON.parse(readFileSync(KEYS_FILE, "utf8")) as Record<string, KeyKind>;
  const unknown = (values: unknown) => unknownKeys(index, values);

  it("the committed key index matches the chart's values.yaml", () => {
    expect(chartKeyIndex(readFileSync(join(CHART_DIR, "values.yaml"), "utf8"))).toEqual(index);
  });

  it.each([
    ["node-ports", props()],
    ["node-ports + TLS at NLB + PROXY", props({ contract: ngfContract({ ...TLS_AT_LB, proxyProtocol: true }), settings: NO_CERT })],
    ["gke-neg", props({ exposure: "gke-neg", loadBalancerAddresses: ["34.1.2.3"] })],
  ])("every value key is a key of the chart: %s", (_name, p) => {
    expect(unknown(nginxGatewayFabricValues(p))).toEqual([]);
  });

  it("catches a misspelt key", () => {
    expect(unknown({ nginx: { service: { nodePort: [] } } })).toEqual(["nginx.service.nodePort"]);
  });

  it("sets exactly the contract's NodePorts per listener port on AWS, and the NEG annotation as a Service patch on GKE", () => {
    const aws = nginxGatewayFabricValues(props()).nginx.service;
    expect(aws).toMatchObject({ type: "NodePort", externalTrafficPolicy: "Local", patches: [] });
    expect(aws.nodePorts).toEqual([
      { port: 30080, listenerPort: 80 },
      { port: 30443, listenerPort: 443 },
    ]);
    const p = props({ exposure: "gke-neg" });
    const gke = nginxGatewayFabricValues(p).nginx.service;
    expect(gke).toMatchObject({ type: "ClusterIP", nodePorts: [] });
    expect(gke.patches).toEqual([{ type: "StrategicMerge", value: { metadata: { annotations: { "cloud.google.com/neg": negAnnotation(p.contract) } } } }]);
  });
});

interface Built {
  readonly json: TfJson;
  readonly crds: Json;
  readonly ngf: Json;
  readonly gateway: Json;
}

function build(p: ControllerProps): Built {
  const json = synthConstruct((s) => void nginxGatewayFabricPlugin.create(s, "ngf", p));
  const releases = resources(json, "helm_release");
  const find = (pred: (r: Json) => boolean, what: string): [string, Json] => {
    const found = Object.entries(releases).filter(([, r]) => pred(r));
    if (found.length !== 1) throw new Error(`expected one ${what} release, found ${found.length}`);
    return found[0] as [string, Json];
  };
  const [, crds] = find((r) => r.name === "gateway-api-crds", "CRD");
  const [, ngf] = find((r) => r.chart === "nginx-gateway-fabric", "NGF");
  const [, gateway] = find((r) => r.name === "nginx-gateway-gateway", "Gateway");
  expect(Object.keys(releases)).toHaveLength(3);
  return { json, crds, ngf, gateway };
}

function valuesOf(release: Json): string {
  const values = list(release.values, "helm_release.values");
  expect(values).toHaveLength(1);
  return terraformStringValue(String(values[0]), (expression) => expression);
}

describe("nginx-gateway-fabric Terraform", () => {
  const built = build(props());

  it("installs the CRDs, then NGF from its OCI repository, then the Gateway", () => {
    const { crds, ngf, gateway } = built;
    expect(crds).toMatchObject({ namespace: "kube-system", atomic: true });
    expect(String(crds.chart)).toMatch(/^\.\/assets\//);
    expect(ngf).toMatchObject({ name: "nginx-gateway", repository: NGINX_GATEWAY_FABRIC_CHART.repository, chart: "nginx-gateway-fabric", version: "2.6.7", namespace: "nginx-gateway", create_namespace: true, atomic: true });
    expect(ngf.depends_on).toEqual([expect.stringMatching(/^helm_release\.gateway-api-crds_release_/)]);
    expect(gateway).toMatchObject({ namespace: "nginx-gateway", atomic: true });
    expect([...list(gateway.depends_on, "depends_on")].sort()).toEqual([expect.stringMatching(/^helm_release\.gateway-api-crds_release_/), expect.stringMatching(/^helm_release\.ngf_release_/)].sort());
  });

  it("makes one GatewayApiCrds per stack, whoever asks for it", () => {
    const json = synthConstruct((s) => {
      const a = GatewayApiCrds.of(s);
      expect(GatewayApiCrds.of(s)).toBe(a);
    });
    expect(Object.keys(resources(json, "helm_release"))).toHaveLength(1);
  });
});

// ---------------------------------------------------------------------------------------------
// Rendering: the NGF chart, the Gateway API CRDs and the Gateway objects

const modelProblems = kubeValidator([Service, ServiceAccount, Deployment, Job, ClusterRole, ClusterRoleBinding, Role, RoleBinding, PodDisruptionBudget, CustomResourceDefinition, ValidatingAdmissionPolicy, ValidatingAdmissionPolicyBinding]);

const customValidators = crdValidators([
  ...readdirSync(GATEWAY_API_DIR).map((f) => join(GATEWAY_API_DIR, f)),
  join(CHART_DIR, "crds", "gateway.nginx.org_nginxproxies.yaml"),
  join(CHART_DIR, "crds", "gateway.nginx.org_nginxgateways.yaml"),
], { cel: "ignore" });

/** Problems with an object against its CRD or its Kubernetes schema; [] when valid. */
const objectProblems = objectValidator(customValidators, modelProblems);

function renderRelease(release: Json, chartDir: string): KubeObject[] {
  return renderChart({ release: String(release.name), namespace: String(release.namespace), values: valuesOf(release), chartDir });
}

function one(objects: readonly KubeObject[], kind: string): Json {
  const found = objects.filter((o) => o.kind === kind);
  if (found.length !== 1) throw new Error(`expected one ${kind}, found ${found.length}`);
  return found[0] as unknown as Json;
}

interface Listener {
  readonly name: string;
  readonly port: number;
  readonly protocol: string;
  readonly tls?: { readonly mode?: string; readonly certificateRefs?: ReadonlyArray<{ readonly name: string }> };
  readonly allowedRoutes?: { readonly namespaces?: { readonly from?: string } };
}

const CASES: ReadonlyArray<[string, ControllerProps]> = [
  ["AWS, TLS in NGF", props()],
  ["AWS, TLS at the NLB, PROXY protocol", props({ contract: ngfContract({ ...TLS_AT_LB, proxyProtocol: true }), settings: NO_CERT })],
  ["GKE", props({ exposure: "gke-neg", loadBalancerAddresses: ["${data.google_compute_global_address.ip.address}"] })],
  ["GKE, TLS at the load balancer", props({ exposure: "gke-neg", contract: ngfContract(TLS_AT_LB), settings: NO_CERT })],
];

describe.each(CASES)("rendered: %s", (_name, p) => {
  const c = p.contract;
  const { ngf, gateway: gatewayRelease } = build(p);
  const rendered = renderRelease(ngf, CHART_DIR);
  const applied = renderRelease(gatewayRelease, localChartDir("gatehouse-manifests"));
  const proxy = one(rendered, "NginxProxy");
  const proxySpec = obj(proxy.spec, "NginxProxy.spec");
  const service = obj(obj(proxySpec.kubernetes, "spec.kubernetes").service, "spec.kubernetes.service");
  const gateway = one(applied, "Gateway");
  const listeners = list(obj(gateway.spec, "Gateway.spec").listeners, "listeners") as Listener[];

  it("renders only valid objects (Kubernetes schemas; NginxProxy, NginxGateway and GatewayClass against their CRDs)", () => {
    expect(rendered.flatMap(objectProblems)).toEqual([]);
    expect(applied.flatMap(objectProblems)).toEqual([]);
  });

  it("the check catches what the API server would refuse: an unknown field, a kind the test has no schema for", () => {
    const typo = { ...gateway, spec: { ...obj(gateway.spec, "Gateway.spec"), listener: [] } } as unknown as KubeObject;
    expect(objectProblems(typo)).toEqual([expect.stringMatching(/^gateway\.networking\.k8s\.io\/v1\/Gateway nginx-gateway: \/spec must NOT have additional properties .*"listener"/)]);
    expect(objectProblems({ apiVersion: "v1", kind: "Pod", metadata: { name: "x" } })).toEqual(["v1/Pod x: no schema for this kind in the test's list; add its kubernetes-models class"]);
  });

  it("binds the chart's GatewayClass to the NginxProxy and the Gateway to that class", () => {
    const gc = one(rendered, "GatewayClass");
    const ref = obj(obj(gc.spec, "GatewayClass.spec").parametersRef, "parametersRef");
    expect(ref).toEqual({ group: "gateway.nginx.org", kind: "NginxProxy", name: obj(proxy.metadata, "metadata").name, namespace: c.namespace });
    expect(obj(gateway.spec, "Gateway.spec").gatewayClassName).toBe(obj(gc.metadata, "metadata").name);
    expect(obj(gateway.metadata, "metadata")).toMatchObject({ name: "nginx-gateway", namespace: c.namespace });
    // The data plane NGF provisions for this Gateway is the contract's Service, selected by its pod labels.
    const id = nginxGatewayFabricIdentity(p.settings);
    expect(c.serviceName).toBe(ngfResourceName(String(obj(gateway.metadata, "metadata").name), String(obj(gc.metadata, "metadata").name)));
    expect(c.podSelector).toEqual(id.podSelector);
  });

  it("listens on each entry point's Service port, which NGF publishes as Service port and pod port alike", () => {
    expect(listeners.map((l) => [l.name, l.port])).toEqual(c.entryPoints.map((e) => [e.name, e.servicePort]));
    for (const e of c.entryPoints) expect(e.containerPort).toBe(e.servicePort);
    expect(new Set(listeners.map((l) => l.port)).size).toBe(listeners.length);
  });

  it("speaks on each listener what the load balancer sends: TLS with the certificate, or plain HTTP after TLS ended at the load balancer", () => {
    for (const l of listeners) {
      const e = c.entry(l.name);
      if (e.tls === "passthrough") {
        expect(l).toMatchObject({ protocol: "HTTPS", tls: { mode: "Terminate", certificateRefs: [{ name: p.settings.config.httpsCertificateSecret }] } });
      } else {
        // Gateway API CEL rule: no tls on HTTP listeners.
        expect({ protocol: l.protocol, tls: l.tls }).toEqual({ protocol: "HTTP", tls: undefined });
      }
    }
  });

  it("redirects plain HTTP to https with 308 exactly when TLS ends at the load balancer, and attaches app routes to the other listener only", () => {
    const routes = applied.filter((o) => o.kind === "HTTPRoute") as unknown as Json[];
    const http = c.entry("http");
    const httpListener = listeners.find((l) => l.name === "http");
    if (!http.redirectsToHttps) {
      expect(routes).toEqual([]);
      expect(listeners.every((l) => l.allowedRoutes?.namespaces?.from === "All")).toBe(true);
      return;
    }
    expect(routes).toHaveLength(1);
    const spec = obj(routes[0]?.spec, "HTTPRoute.spec");
    expect(spec.parentRefs).toEqual([{ group: "gateway.networking.k8s.io", kind: "Gateway", name: "nginx-gateway", sectionName: "http" }]);
    expect(spec.rules).toEqual([{ filters: [{ type: "RequestRedirect", requestRedirect: { scheme: "https", statusCode: 308 } }] }]);
    expect(obj(routes[0]?.metadata, "metadata").namespace).toBe(c.namespace);
    expect(httpListener?.allowedRoutes?.namespaces?.from).toBe("Same");
    expect(listeners.filter((l) => l.name !== "http").every((l) => l.allowedRoutes?.namespaces?.from === "All")).toBe(true);
  });

  it("budgets the data plane's disruptions by the contract's pod selector", () => {
    const pdb = one(applied, "PodDisruptionBudget");
    expect(obj(pdb.spec, "PDB.spec")).toEqual({ maxUnavailable: 1, selector: { matchLabels: { ...c.podSelector } } });
  });

  if (p.exposure === "node-ports") {
    it("gives the data-plane Service exactly the contract's NodePorts per listener port, Local", () => {
      expect(service.type).toBe("NodePort");
      expect(service.externalTrafficPolicy).toBe("Local");
      const byListener = new Map(list(service.nodePorts, "nodePorts").map((n) => [obj(n, "nodePort").listenerPort, obj(n, "nodePort").port]));
      expect([...byListener.keys()].sort()).toEqual(listeners.map((l) => l.port).sort());
      for (const e of c.entryPoints) expect({ entry: e.name, nodePort: byListener.get(e.servicePort) }).toEqual({ entry: e.name, nodePort: e.nodePort });
      expect(service.patches).toBeUndefined();
    });
  } else {
    it("patches the NEG annotation onto the data-plane Service, keyed by Service ports the Gateway listens on", () => {
      expect(service.type).toBe("ClusterIP");
      expect(service.nodePorts).toBeUndefined();
      const patches = list(service.patches, "patches");
      expect(patches).toEqual([{ type: "StrategicMerge", value: { metadata: { annotations: { "cloud.google.com/neg": negAnnotation(c) } } } }]);
      const neg = JSON.parse(negAnnotation(c)) as { exposed_ports: Record<string, { name: string }> };
      const ports = new Set(listeners.map((l) => String(l.port)));
      for (const [port, { name }] of Object.entries(neg.exposed_ports)) expect({ port, name, listened: ports.has(port) }).toEqual({ port, name, listened: true });
    });
  }

  it("decodes PROXY protocol on every listener exactly when the load balancer sends it, and trusts Google's front ends behind NEGs", () => {
    const rewrite = proxySpec.rewriteClientIP as Json | undefined;
    if (c.proxyProtocol) {
      expect(rewrite).toMatchObject({ mode: "ProxyProtocol" });
    } else if (p.exposure === "gke-neg") {
      expect(rewrite).toMatchObject({ mode: "XForwardedFor", setIPRecursively: true });
      const trusted = list(rewrite?.trustedAddresses, "trustedAddresses").map((a) => obj(a, "address").value);
      expect(trusted).toEqual(expect.arrayContaining(["130.211.0.0/22", "35.191.0.0/16", ...(p.loadBalancerAddresses ?? [])]));
    } else {
      expect(rewrite).toBeUndefined();
    }
    // CEL rule of the NginxProxy CRD: a mode needs trusted addresses.
    if (rewrite) expect(list(rewrite.trustedAddresses, "trustedAddresses").length).toBeGreaterThan(0);
  });

  it("requests the settings' resources and replicas for the data plane", () => {
    const deployment = obj(obj(proxySpec.kubernetes, "kubernetes").deployment, "deployment");
    expect(deployment.replicas).toBe(p.settings.replicas);
    expect(obj(deployment.container, "container").resources).toEqual({ requests: { cpu: p.settings.resources.cpu, memory: p.settings.resources.memory } });
  });
});

describe("the Gateway API CRD chart", () => {
  const objects = renderChart({ release: "gateway-api-crds", namespace: "kube-system", values: "", chartDir: localChartDir("gateway-api-crds") });

  it(`renders the ${GATEWAY_API.channel} channel of ${GATEWAY_API.version}, valid, each kept on uninstall`, () => {
    expect(objects.flatMap(objectProblems)).toEqual([]);
    const crds = objects.filter((o) => o.kind === "CustomResourceDefinition");
    expect(crds.map((o) => o.metadata.name).sort()).toEqual(
      ["backendtlspolicies", "gatewayclasses", "gateways", "grpcroutes", "httproutes", "listenersets", "referencegrants", "tlsroutes"].map((n) => `${n}.gateway.networking.k8s.io`),
    );
    for (const o of crds) expect(o.metadata.annotations).toMatchObject({ "gateway.networking.k8s.io/bundle-version": GATEWAY_API.version, "gateway.networking.k8s.io/channel": "standard", "helm.sh/resource-policy": "keep" });
    expect(readFileSync(join(localChartDir("gateway-api-crds"), "Chart.yaml"), "utf8")).toMatch(new RegExp(`^version: ${GATEWAY_API.version.slice(1).replace(/\./g, "\\.")}$`, "m"));
  });

  it("renders every upstream document unchanged apart from the keep annotation", () => {
    const upstream = readdirSync(GATEWAY_API_DIR)
      .sort()
      .flatMap((f) => parseAllDocuments(readFileSync(join(GATEWAY_API_DIR, f), "utf8")).map((d) => d.toJS() as Json | null))
      .filter((d): d is Json => d !== null);
    const strip = (o: Json): Json => {
      const meta = obj(o.metadata, "metadata");
      const { ["helm.sh/resource-policy"]: _keep, ...annotations } = obj(meta.annotations ?? {}, "annotations");
      return { ...o, metadata: { ...meta, annotations } };
    };
    const key = (o: Json) => `${String(o.kind)}/${String(obj(o.metadata, "metadata").name)}`;
    const rendered = new Map(objects.map((o) => [key(o as unknown as Json), strip(o as unknown as Json)]));
    expect([...rendered.keys()].sort()).toEqual(upstream.map(key).sort());
    for (const u of upstream) expect(rendered.get(key(u))).toEqual({ ...u, metadata: { ...obj(u.metadata, "metadata"), annotations: obj(obj(u.metadata, "metadata").annotations ?? {}, "annotations") } });
  });

  it("a Gateway from any contract fits the Gateway CRD (another controller's class)", () => {
    const { gateway, routes } = contractGateway({ name: "edge", namespace: "istio-ingress", gatewayClassName: "istio", contract: ngfContract({ ...TLS_AT_LB, https: { listenerPort: 8443, nodePort: 30443, tls: "terminate" } }) });
    expect([gateway, ...routes].flatMap((o) => objectProblems(o as unknown as KubeObject))).toEqual([]);
    // A public https port other than 443 goes into the redirect.
    expect(JSON.stringify(routes[0]?.spec)).toContain('"port":8443');
  });
});

describe("vendored fixtures", () => {
  it("the NGF chart declares its schema and CRDs", () => {
    expect(parse(readFileSync(join(CHART_DIR, "Chart.yaml"), "utf8"))).toMatchObject({ name: "nginx-gateway-fabric", version: "2.6.7", appVersion: "2.6.7" });
    expect(readdirSync(join(CHART_DIR, "crds"))).toContain("gateway.nginx.org_nginxproxies.yaml");
    expect(JSON.parse(readFileSync(join(CHART_DIR, "values.schema.json"), "utf8"))).toHaveProperty("properties.nginx");
  });
});
