/**
 * Istio's ingress gateway as the data plane behind the same load balancers.
 *
 * The Gateway API CRDs (GatewayApiCrds: gatehouse's release, or the cluster's own with
 * `controller.gatewayApiCrds: cluster-managed`, checked at plan time either way), then three Helm
 * releases from Istio's chart repository, in order: `base` (Istio's CRDs, cluster roles) and
 * `istiod` (control plane, sidecar/gateway injector) in istio-system, then `gateway` (the Envoy
 * Deployment and its Service) in the controller namespace. Routes attach to a Gateway API
 * `Gateway` of class `istio` bound to that Service in manual-deployment mode; tcp entry points
 * are Istio `Gateway` servers with a `VirtualService` each. Those objects are applied through the
 * shipped manifests chart (manifests.ts) once the releases are in.
 *
 * Pinned: Istio 1.30.3 (tag `1.30.3`, commit 56df41f63e513f834c9a3af33d8aed82d1d961f2, released
 * 2026-07-16), the latest release when this was written. The three charts must stay on one version.
 *
 * What the gateway chart (manifests/charts/gateway at 1.30.3) names and listens on:
 * - Service, Deployment and ServiceAccount are named `.Values.name | default .Release.Name`
 *   (templates/_helpers.tpl, gateway.name): the release name;
 * - pods carry `app: <name>` and `istio: <name without "istio-">` (gateway.selectorLabels), which
 *   is also the Service's selector;
 * - the pod declares one container port, 15090 `http-envoy-prom` (templates/deployment.yaml);
 *   Envoy listens on the targetPort of each Service port a Gateway listener names
 *   (pilot/pkg/model/gateway.go, resolvePorts), and may bind 80/443 because the chart sets the
 *   `net.ipv4.ip_unprivileged_port_start=0` sysctl;
 * - readiness: the injector (istiod files/gateway-injection-template.yaml) gives the proxy
 *   `readinessProbe: httpGet /healthz/ready port 15021`; gatehouse sets the same probe in the
 *   chart's `readinessProbe` value so the rendered pod states it.
 * - values live under `_internal_defaults_do_not_set` in values.yaml and are set at the top level
 *   (templates/zzz_profile.yaml merges them); helm enforces the chart's values.schema.json.
 */
import { Construct } from "constructs";
import { Release } from "@cdktf/provider-helm/lib/release";
import type { EntryPoint } from "../../model/contract";
import { failIfAny, type FieldProblem } from "../../core/errors";
import { controllerBaseProblems, negAnnotation, type Controller, type ControllerIdentity, type ControllerPlugin, type ControllerProps, type ControllerSettings } from "./plugin";
import { ISTIO_CONFIG_KEYS, unreadOptionProblems } from "./options";
import { contractGateway, GatewayApiCrds, gatewayEntryProblems } from "../gateway-api";
import { helmValues, Manifests, type KubeManifest } from "../manifests";
import { companionReleaseName, SAFE_RELEASE, spreadOverZonesAndNodes, type TopologySpread } from "../release-defaults";
import { truncatedLabel } from "../../core/naming";
import type { RouteFeatures } from "../../model/route-types";
import { ROUTE_LIMITS } from "../../model/defaults";

/** Istio 1.30.3, released 2026-07-16; `base`, `istiod` and `gateway` share the version. */
export const ISTIO_VERSION = "1.30.3";
export const ISTIO_REPOSITORY = "https://istio-release.storage.googleapis.com/charts";
/** The data plane's chart (ControllerPlugin.chart); `base` and `istiod` come from the same repository. */
export const ISTIO_CHART = { repository: ISTIO_REPOSITORY, chart: "gateway", version: ISTIO_VERSION } as const;
/** istiod's namespace: the gateway injection template points the proxies at `istiod.istio-system.svc`. */
export const ISTIO_SYSTEM_NAMESPACE = "istio-system";

/** The proxy's readiness endpoint (gateway-injection-template.yaml). */
const STATUS_PORT = 15021;
const READY_PATH = "/healthz/ready";
/**
 * Ports of Istio's own in the gateway pod: 15000 Envoy admin, 15001/15006 the virtual
 * outbound/inbound listeners and 15021/15090 the static status/Prometheus listeners
 * (pilot/pkg/model/context.go, conflictWithReservedListener), 15002 the iptables probe
 * (tools/istio-iptables), 15004 debug, 15008 HBONE (pilot/pkg/model/listener.go), 15020 the
 * agent's merged metrics, 15053 the agent's DNS proxy.
 */
const ISTIO_PORTS = [15000, 15001, 15002, 15004, 15006, 15008, 15020, 15021, 15053, 15090] as const;
/** Gateway pod ports gatehouse's listeners use: the chart's own 80/443, and a port that only redirects. */
const CONTAINER_PORTS = { http: 80, https: 443, redirect: 2443 } as const;
/** The settings' defaults (the names of Istio's own installation guide). */
export const ISTIO_DEFAULTS = { releaseName: "istio-ingress", namespace: "istio-ingress" } as const;
/** `controller.config` keys this plug-in reads (controller-options.ts); any other key is refused. */
export { ISTIO_CONFIG_KEYS };
/** Service port names: at most 15 characters (IANA_SVC_NAME). */
const PORT_NAME = { status: "status-port", http: "http", https: "https" } as const;

export function istioIdentity(settings: Pick<ControllerSettings, "releaseName" | "namespace">): ControllerIdentity {
  const name = settings.releaseName;
  return {
    serviceName: name,
    healthServiceName: truncatedLabel(`${name}-healthcheck`),
    podSelector: istioPodSelector(name),
    health: { podPort: STATUS_PORT, path: READY_PATH },
    containerPorts: { ...CONTAINER_PORTS },
    reservedPodPorts: [...ISTIO_PORTS],
    // The Gateway gatehouse creates, named after the release, beside the Service it binds to;
    // per-Service policies as DestinationRules for the gateway's pods alone.
    routes: {
      api: "gateway",
      gateway: { name: istioGatewayName(settings), namespace: settings.namespace },
      policies: { kind: "istio", namespace: settings.namespace, workloadSelector: istioPodSelector(name) },
      // Retries are carried out through HTTPRoute's retry field (ISTIO_ROUTE_FEATURES).
      httpRouteRetry: ISTIO_ROUTE_FEATURES.retries === "experimental-channel",
    },
    routeFeatures: ISTIO_ROUTE_FEATURES,
  };
}

/** The gateway chart's pod labels (templates/_helpers.tpl gateway.selectorLabels). */
function istioPodSelector(name: string): Record<string, string> {
  return { app: name, istio: name.replace(/^istio-/, "") };
}

/**
 * What Istio 1.30 carries out of a route, and through which API.
 *
 * Routes stay HTTPRoutes on the Gateway API Gateway, with a DestinationRule per Service beside
 * them, rather than VirtualServices, because of what Istio supports for gateway traffic:
 * - a VirtualService applies to a gateway only through its `gateways` field, which names Istio
 *   `Gateway` objects (networking.istio.io). gatehouse's Gateway is a Gateway API one, bound to the
 *   gateway chart's Service by its address (Istio's manual deployment: "configure the addresses
 *   field to point to a single Hostname"); Istio turns it into internal Gateways whose names are
 *   not an API. VirtualServices would need Istio Gateways on the same ports instead, and of two
 *   TLS servers with one host on one port Istio keeps the first ("skipping server on gateway …,
 *   duplicate host names": pilot/pkg/model/gateway.go MergeGateways);
 * - Istio merges the HTTPRoutes of one host with the Gateway API's precedence (exact path,
 *   longest prefix, most header then query parameter matches: pilot/pkg/config/kube/gateway/
 *   conversion.go sortHTTPRoutes), which a dark launch relies on; the routes of several
 *   VirtualServices of one host are appended one VirtualService after the other, only catch-all
 *   routes moved last (pilot/pkg/networking/core/gateway.go, route.SortVHostRoutes), so a route
 *   per VirtualService could shadow a longer path;
 * - a DestinationRule's traffic policy applies to the requests a proxy sends to its host after
 *   routing, whichever API routed them: outlier detection, connection pool and load balancer
 *   hold for HTTPRoute backends as for VirtualService destinations.
 * HTTPRoute in the standard channel (v1.5.1) carries weighted backendRefs, rules[].timeouts and
 * matches[].headers / queryParams, Exact or RegularExpression (conversion.go createHeadersMatch,
 * createQueryParamsMatch: Envoy RE2, matching the whole value).
 *
 * Retries: Istio turns an HTTPRoute rule's `retry` into the route's retry policy and reads no
 * other retry setting of a Gateway API route (conversion.go convertHTTPRoute): `attempts`, and
 * retryOn "connect-failure,refused-stream,unavailable,cancelled" plus each of `codes`, with
 * `timeouts.backendRequest` as the per-try timeout. `retry` is in Gateway API v1.5.1's
 * experimental channel only (still so at the Gateway API's main branch, August 2026): a
 * standard-channel API server drops it. Istio 1.30 is built against v1.5.1 and reports its
 * conformance on the experimental channel (gateway-api conformance/reports/v1.5/istio-istio), so
 * retries are carried out where `controller.gatewayApiChannel` is experimental and refused by
 * name elsewhere. A route without retries keeps Istio's default policy: 2 retries on
 * connect-failure, refused-stream, unavailable and cancelled (pilot/pkg/networking/core/route/
 * retry/retry.go). Istio cannot retry on a reset through `retry`; connect-failure it always does.
 */
export const ISTIO_ROUTE_FEATURES: RouteFeatures = {
  weights: true,
  timeouts: true,
  retries: "experimental-channel",
  retryOn: { conditions: ["connect-failure", "gateway-error", "5xx"], always: ["connect-failure"] },
  headers: { types: ["Exact", "RegularExpression"], max: ROUTE_LIMITS.headers },
  queryParams: { types: ["Exact", "RegularExpression"], max: ROUTE_LIMITS.queryParams },
  cookie: true,
  circuitBreaker: true,
  connectionPool: true,
  loadBalancers: ["round-robin", "least-request", "random"],
  reasons: {
    retryOn: "Istio turns HTTPRoute's retry into retries on connect-failure, refused-stream, unavailable and cancelled, plus the listed status codes",
  },
};

// ---------------------------------------------------------------------------------------------
// Values of the three charts, typed. Every key exists in the chart's values.yaml (a test checks
// them against the key indexes under __tests__/fixtures/).

export interface ServicePortValue {
  name: string;
  port: number;
  protocol: "TCP";
  targetPort: number;
  nodePort?: number;
}

export interface IstioGatewayValues {
  replicaCount: number;
  autoscaling: { enabled: boolean };
  podDisruptionBudget: { minAvailable: number };
  resources: { requests: { cpu: string; memory: string } };
  topologySpreadConstraints: TopologySpread[];
  readinessProbe: { httpGet: { path: string; port: number }; periodSeconds: number; timeoutSeconds: number; failureThreshold: number };
  podAnnotations?: Record<string, string>;
  service: {
    type: "NodePort" | "ClusterIP";
    externalTrafficPolicy?: "Local";
    annotations?: Record<string, string>;
    ports: ServicePortValue[];
  };
}

export interface IstiodValues {
  /** istiod runs under an HPA; its chart's PodDisruptionBudget (minAvailable 1) blocks node drains at one replica. */
  autoscaleMin: number;
}

/** The gateway Service's name for an entry point's port. */
export function istioServicePortName(e: EntryPoint): string {
  return e.kind === "http" || e.kind === "https" ? PORT_NAME[e.kind] : `tcp-${e.servicePort}`;
}

/** The Service port of an entry point: the contract's servicePort, to the contract's pod port. */
function servicePort(e: EntryPoint, exposure: ControllerProps["exposure"]): ServicePortValue {
  const port: ServicePortValue = { name: istioServicePortName(e), port: e.servicePort, protocol: "TCP", targetPort: e.containerPort };
  if (exposure === "node-ports") port.nodePort = e.nodePort;
  return port;
}

/**
 * The proxy's gateway topology (ProxyConfig, pod annotation `proxy.istio.io/config`):
 * - `proxyProtocol: {}` adds Envoy's proxy_protocol listener filter to every gateway listener
 *   (pilot/pkg/networking/core/gateway.go, needPROXYProtocol), which then requires the header;
 * - behind Google's front ends, X-Forwarded-For arrives as "<client-supplied…>, <client>, <forwarding
 *   rule address>" from a front-end address: two trusted hops (`numTrustedProxies: 2`,
 *   Envoy's xff_num_trusted_hops) make the client the address Envoy uses and forwards.
 */
export function gatewayTopology(props: Pick<ControllerProps, "contract" | "exposure">): Record<string, unknown> | undefined {
  if (props.exposure === "gke-neg") return { numTrustedProxies: 2 };
  if (props.contract.proxyProtocol) return { proxyProtocol: {} };
  return undefined;
}

export function istioGatewayValues(props: ControllerProps): IstioGatewayValues {
  const c = props.contract;
  const replicas = props.settings.replicas;
  const values: IstioGatewayValues = {
    // A fixed replica count (the chart's HPA off): the PodDisruptionBudget keeps all but one up.
    replicaCount: replicas,
    autoscaling: { enabled: false },
    podDisruptionBudget: { minAvailable: replicas - 1 },
    resources: { requests: { cpu: props.settings.resources.cpu, memory: props.settings.resources.memory } },
    topologySpreadConstraints: spreadOverZonesAndNodes(c.podSelector),
    // The injector's own probe, stated in the chart so the health endpoint is visible in the pod spec.
    readinessProbe: { httpGet: { path: READY_PATH, port: STATUS_PORT }, periodSeconds: 15, timeoutSeconds: 3, failureThreshold: 4 },
    service: {
      type: props.exposure === "node-ports" ? "NodePort" : "ClusterIP",
      // On a NodePort Service the chart's status port would get a NodePort of Kubernetes' choosing:
      // one more open port on every node, and one that may take a fixed NodePort another Service
      // claims later (the health check's). The NLB checks readiness through gatehouse's health
      // Service instead, so the status port stays only on the ClusterIP Service (GKE).
      ports: [
        ...(props.exposure === "node-ports" ? [] : [{ name: PORT_NAME.status, port: STATUS_PORT, protocol: "TCP" as const, targetPort: STATUS_PORT }]),
        ...c.entryPoints.map((e) => servicePort(e, props.exposure)),
      ],
    },
  };
  const topology = gatewayTopology(props);
  // Merged into the chart's default podAnnotations (injection template, Prometheus).
  if (topology) values.podAnnotations = { "proxy.istio.io/config": JSON.stringify({ gatewayTopology: topology }) };
  if (props.exposure === "node-ports") {
    // Local: a node only accepts traffic for a gateway pod it runs, which is what the health
    // Service (also Local) reports to the NLB.
    values.service.externalTrafficPolicy = "Local";
  } else {
    values.service.annotations = { "cloud.google.com/neg": negAnnotation(c) };
  }
  return values;
}

export function istiodValues(): IstiodValues {
  return { autoscaleMin: 2 };
}

// ---------------------------------------------------------------------------------------------
// Objects applied after the releases: the Gateway routes attach to, the https redirect, tcp entries.

/** The GatewayClass istiod creates (PILOT_GATEWAY_API_DEFAULT_GATEWAYCLASS_NAME, default "istio"). */
export const ISTIO_GATEWAY_CLASS = "istio";
export const ISTIO_NETWORKING_API = "networking.istio.io/v1";

const MANAGED = { "app.kubernetes.io/managed-by": "gatehouse" } as const;

/** The Gateway routes attach to: named after the release, beside the gateway Service. */
export function istioGatewayName(settings: Pick<ControllerSettings, "releaseName">): string {
  return settings.releaseName;
}

/** Name of the Istio Gateway that carries the tcp entry points. */
function tcpGatewayName(settings: ControllerSettings): string {
  return truncatedLabel(`${settings.releaseName}-tcp`);
}

/** `namespace/service:port` → the backend's cluster-local host and port. */
function backendOf(e: EntryPoint): { host: string; port: number } {
  const m = /^([^/]+)\/([^:]+):([0-9]+)$/.exec(e.backend ?? "");
  if (!m) throw new Error(`tcp entry point ${e.name} has no backend`);
  return { host: `${m[2]}.${m[1]}.svc.cluster.local`, port: Number(m[3]) };
}

/**
 * The Gateway API `Gateway` (class `istio`, gateway-api.ts contractGateway) bound to the gateway
 * chart's Service: one address of type Hostname makes Istio treat it as manually deployed
 * (pilot/pkg/config/kube/gatewaycommon/gateway_utils.go, IsManaged) and apply its listeners to
 * the pods behind that Service in the Gateway's own namespace; a short name expands to
 * `<name>.<namespace>.svc.<domain>` (pilot/pkg/config/kube/gateway/conversion.go,
 * extractGatewayServices). Listener ports are Service ports; Envoy listens on their targetPorts.
 * With TLS ended at the load balancer, the redirect route answers plain-HTTP clients.
 */
export function istioGatewayObjects(props: ControllerProps): KubeManifest[] {
  const c = props.contract;
  const { gateway, routes } = contractGateway({
    name: istioGatewayName(props.settings),
    namespace: c.namespace,
    gatewayClassName: ISTIO_GATEWAY_CLASS,
    contract: c,
    httpsCertificateSecret: props.settings.config[ISTIO_CONFIG_KEYS.httpsCertificateSecret],
    labels: MANAGED,
  });
  const spec = gateway.spec as Record<string, unknown>;
  const objects: KubeManifest[] = [{ ...gateway, spec: { ...spec, addresses: [{ type: "Hostname", value: c.serviceName }] } }, ...routes];
  const tcp = c.entryPoints.filter((e) => e.kind === "tcp");
  if (tcp.length) {
    // TCPRoute is experimental in the Gateway API; Istio's own Gateway and VirtualService (v1,
    // CRDs from the base chart) forward a port to one backend. The server port is the Service port
    // (legacy selector mode translates it to the Service's targetPort, the same number here).
    const name = tcpGatewayName(props.settings);
    objects.push({
      apiVersion: ISTIO_NETWORKING_API,
      kind: "Gateway",
      metadata: { name, namespace: c.namespace, labels: { ...MANAGED } },
      spec: {
        selector: { ...c.podSelector },
        servers: tcp.map((e) => ({ port: { number: e.servicePort, name: istioServicePortName(e), protocol: "TCP" }, hosts: ["*"] })),
      },
    });
    for (const e of tcp) {
      const backend = backendOf(e);
      objects.push({
        apiVersion: ISTIO_NETWORKING_API,
        kind: "VirtualService",
        metadata: { name: truncatedLabel(`${name}-${e.name}`), namespace: c.namespace, labels: { ...MANAGED } },
        spec: {
          hosts: ["*"],
          gateways: [name],
          tcp: [{ match: [{ port: e.servicePort }], route: [{ destination: { host: backend.host, port: { number: backend.port } } }] }],
        },
      });
    }
  }
  return objects;
}

// ---------------------------------------------------------------------------------------------

/** What Istio cannot do with these props, with environment field paths. */
export function istioProblems(props: ControllerProps): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const c = props.contract;
  if (c.health.podPort !== STATUS_PORT || c.health.path !== READY_PATH)
    problems.push({ path: "ports.health.path", value: c.health.path, message: `Istio's gateway reports readiness on ${READY_PATH} at pod port ${STATUS_PORT}; the health check must probe that (port ${c.health.podPort} was given)` });
  const config = props.settings.config;
  problems.push(...unreadOptionProblems("istio", config));
  // tcp entry points are served through Istio's own Gateway and VirtualService, not TCPRoute.
  const certificate = `controller.config.${ISTIO_CONFIG_KEYS.httpsCertificateSecret}`;
  problems.push(...gatewayEntryProblems(c, "Istio's gateway", { path: certificate, value: config[ISTIO_CONFIG_KEYS.httpsCertificateSecret] }).filter((p) => !p.path.startsWith("ports.tcp.")));
  if (c.namespace !== props.settings.namespace)
    problems.push({ path: "controller.namespace", value: c.namespace, message: `the contract's namespace differs from the controller's (${props.settings.namespace}); Istio binds a Gateway only to a Service of its own namespace` });
  return problems;
}

export class Istio extends Construct implements Controller {
  public readonly crds: GatewayApiCrds;
  public readonly base: Release;
  public readonly istiod: Release;
  public readonly gateway: Release;
  /** The Gateway (and redirect route, tcp Gateway and VirtualServices). */
  public readonly objects: Manifests;
  public readonly gatewayValues: IstioGatewayValues;
  public readonly dependables: readonly Release[];

  constructor(scope: Construct, id: string, props: ControllerProps) {
    super(scope, id);
    failIfAny(this.node.path, [...controllerBaseProblems(props), ...istioProblems(props)]);
    const version = props.settings.chartVersion ?? ISTIO_VERSION;
    this.crds = GatewayApiCrds.of(this);
    // Roll back a failed upgrade instead of leaving a half-applied control plane behind.
    const common = { repository: ISTIO_REPOSITORY, version, ...SAFE_RELEASE };
    this.base = new Release(this, "base", { ...common, name: "istio-base", chart: "base", namespace: ISTIO_SYSTEM_NAMESPACE, createNamespace: true });
    this.istiod = new Release(this, "istiod", {
      ...common,
      name: "istiod",
      chart: "istiod",
      namespace: ISTIO_SYSTEM_NAMESPACE,
      values: [helmValues(istiodValues())],
      // With the Gateway API CRDs in place istiod starts serving the API (and its GatewayClass) at once.
      dependsOn: [this.base, ...this.crds.dependables],
    });
    this.gatewayValues = istioGatewayValues(props);
    // After istiod: the gateway pods' `image: auto` is filled in by istiod's injection webhook.
    this.gateway = new Release(this, "gateway", {
      ...common,
      name: props.settings.releaseName,
      chart: "gateway",
      namespace: props.contract.namespace,
      createNamespace: true,
      values: [helmValues(this.gatewayValues)],
      dependsOn: [this.istiod],
    });
    this.objects = new Manifests(this, "objects", {
      releaseName: companionReleaseName(props.settings.releaseName, "routing"),
      namespace: props.contract.namespace,
      objects: istioGatewayObjects(props),
      dependsOn: [...this.crds.dependables, this.gateway],
    });
    this.dependables = [this.gateway, this.objects.release];
  }
}

export const istioPlugin: ControllerPlugin = {
  kind: "istio",
  defaults: ISTIO_DEFAULTS,
  chart: ISTIO_CHART,
  identity: (settings) => istioIdentity(settings),
  problems: istioProblems,
  create: (scope, id, props) => new Istio(scope, id, props),
};
