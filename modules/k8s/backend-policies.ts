/**
 * Circuit breaking, connection limits and load balancing toward a route's backend Services,
 * through each Gateway API controller's own API, since the Gateway API has no standard field for
 * them (v1.5.1; BackendLBPolicy and BackendTrafficPolicy are experimental):
 *
 * - Istio: a `DestinationRule` (networking.istio.io/v1, the CRD of Istio's `base` chart) per
 *   Service, in the gateway's namespace, `workloadSelector` the gateway's pods and `exportTo: ["."]`
 *   (Istio's validation allows nothing wider with a selector): its traffic policy holds for the
 *   gateway's requests to the Service, whichever route API chose the Service, and for nothing
 *   else in the mesh. Fields: `outlierDetection` (consecutive5xxErrors, interval,
 *   baseEjectionTime, maxEjectionPercent), `connectionPool` (tcp.maxConnections,
 *   http.http1MaxPendingRequests, http.http2MaxRequests, http.maxRequestsPerConnection),
 *   `loadBalancer.simple`. Envoy applies the limits per gateway pod (they are each proxy's
 *   circuit breakers on the Service's cluster).
 * - NGINX Gateway Fabric: an `UpstreamSettingsPolicy` (gateway.nginx.org/v1alpha1, a CRD of its
 *   chart) per Service, in the Service's namespace (targetRefs are same-namespace), setting
 *   `loadBalancingMethod`: the only one of the three it has (its other fields are keepalive and
 *   the upstream zone size; there is no outlier detection and no connection limit).
 *
 * One object per Service, named after the first route (by name) that sends to it, so its name is
 * stable while that route exists; every route to one Service states the same settings
 * (modules/model/routes.ts).
 */
import type { BackendPolicyAttachment, LoadBalancerPolicy, Route, RouteBackend } from "../model/route-types";
import type { KubeManifest } from "./manifests";
import { routeObjectName } from "./route-names";

export const ISTIO_DESTINATION_RULE_API = "networking.istio.io/v1";
export const NGF_POLICY_API = "gateway.nginx.org/v1alpha1";

const LABELS = { "app.kubernetes.io/part-of": "gatehouse" } as const;

/** Envoy's names (DestinationRule `loadBalancer.simple`). */
const ISTIO_LOAD_BALANCER: Readonly<Record<LoadBalancerPolicy, string>> = { "round-robin": "ROUND_ROBIN", "least-request": "LEAST_REQUEST", random: "RANDOM" };

/**
 * NGINX's (UpstreamSettingsPolicy `loadBalancingMethod`). least-request is `random two
 * least_conn`, Envoy's LEAST_REQUEST in NGINX terms: both take the less busy of two pods picked
 * at random, and nginx counts a connection to a pod while a request uses it (an idle keepalive
 * connection is not counted), which on HTTP/1.1 upstreams is a request in flight.
 */
export const NGF_LOAD_BALANCER: Readonly<Record<LoadBalancerPolicy, string>> = { "round-robin": "round_robin", "least-request": "random two least_conn", random: "random" };

/** A Service and the route whose settings it takes. */
interface ServiceRoute {
  readonly backend: Omit<RouteBackend, "weight" | "port">;
  readonly route: Route;
}

/** Each Service that a route with Service-level settings sends to, once, with the first such route by name. */
function servicesWithSettings(routes: readonly Route[]): ServiceRoute[] {
  const out = new Map<string, ServiceRoute>();
  for (const route of [...routes].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    if (route.circuitBreaker === undefined && route.connectionPool === undefined && route.loadBalancer === undefined) continue;
    for (const b of route.backends) {
      const key = `${b.namespace}/${b.service}`;
      if (!out.has(key)) out.set(key, { backend: { namespace: b.namespace, service: b.service }, route });
    }
  }
  return [...out.values()];
}

/** The name of the policy object of a Service: after its route and the Service. */
export function backendPolicyName(route: string, service: string): string {
  return routeObjectName(`${route}--${service}`);
}

/** The Istio DestinationRule of one Service. */
function destinationRule(p: Extract<BackendPolicyAttachment, { kind: "istio" }>, s: ServiceRoute): KubeManifest {
  const r = s.route;
  const trafficPolicy: Record<string, unknown> = {};
  if (r.loadBalancer !== undefined) trafficPolicy.loadBalancer = { simple: ISTIO_LOAD_BALANCER[r.loadBalancer] };
  const pool = r.connectionPool;
  if (pool !== undefined) {
    const http: Record<string, number> = {};
    if (pool.maxPendingRequests !== undefined) http.http1MaxPendingRequests = pool.maxPendingRequests;
    if (pool.maxRequests !== undefined) http.http2MaxRequests = pool.maxRequests;
    if (pool.maxRequestsPerConnection !== undefined) http.maxRequestsPerConnection = pool.maxRequestsPerConnection;
    trafficPolicy.connectionPool = {
      ...(pool.maxConnections !== undefined ? { tcp: { maxConnections: pool.maxConnections } } : {}),
      ...(Object.keys(http).length ? { http } : {}),
    };
  }
  const cb = r.circuitBreaker;
  if (cb !== undefined)
    trafficPolicy.outlierDetection = {
      consecutive5xxErrors: cb.consecutive5xxErrors,
      interval: `${cb.intervalSeconds}s`,
      baseEjectionTime: `${cb.baseEjectionTimeSeconds}s`,
      maxEjectionPercent: cb.maxEjectionPercent,
    };
  return {
    apiVersion: ISTIO_DESTINATION_RULE_API,
    kind: "DestinationRule",
    metadata: { name: backendPolicyName(r.name, s.backend.service), namespace: p.namespace, labels: { ...LABELS } },
    spec: {
      host: `${s.backend.service}.${s.backend.namespace}.svc.cluster.local`,
      exportTo: ["."],
      workloadSelector: { matchLabels: { ...p.workloadSelector } },
      trafficPolicy,
    },
  };
}

/** The NGINX Gateway Fabric UpstreamSettingsPolicy of one Service. */
function upstreamSettingsPolicy(s: ServiceRoute): KubeManifest | undefined {
  const lb = s.route.loadBalancer;
  if (lb === undefined) return undefined;
  return {
    apiVersion: NGF_POLICY_API,
    kind: "UpstreamSettingsPolicy",
    metadata: { name: backendPolicyName(s.route.name, s.backend.service), namespace: s.backend.namespace, labels: { ...LABELS } },
    spec: { targetRefs: [{ group: "core", kind: "Service", name: s.backend.service }], loadBalancingMethod: NGF_LOAD_BALANCER[lb] },
  };
}

/** What these routes' Service-level settings need that the policy attachment cannot carry. */
export function backendPolicyProblems(policies: BackendPolicyAttachment | undefined, routes: readonly Route[]): Array<{ path: string; value: unknown; message: string }> {
  const problems: Array<{ path: string; value: unknown; message: string }> = [];
  for (const r of routes) {
    const at = `routes.${r.name}`;
    if (policies?.kind === "istio") continue;
    const what = policies?.kind === "nginx-gateway-fabric" ? "an UpstreamSettingsPolicy sets only the load balancing method" : "these routes attach no per-Service policies";
    if (r.circuitBreaker !== undefined) problems.push({ path: `${at}.circuitBreaker`, value: r.circuitBreaker, message: `cannot be carried out: ${what}` });
    if (r.connectionPool !== undefined) problems.push({ path: `${at}.connectionPool`, value: r.connectionPool, message: `cannot be carried out: ${what}` });
    if (r.loadBalancer !== undefined && policies === undefined) problems.push({ path: `${at}.loadBalancer`, value: r.loadBalancer, message: `cannot be carried out: ${what}` });
  }
  return problems;
}

/** The policy objects of routes that backendPolicyProblems accepts, one per Service. */
export function backendPolicyObjects(policies: BackendPolicyAttachment | undefined, routes: readonly Route[]): KubeManifest[] {
  if (!policies) return [];
  const services = servicesWithSettings(routes);
  if (policies.kind === "istio") return services.map((s) => destinationRule(policies, s));
  return services.map(upstreamSettingsPolicy).filter((o): o is KubeManifest => o !== undefined);
}
