/**
 * What NGINX Gateway Fabric 2.6.x names and listens on, as the port contract needs it.
 *
 * NGF 2.x provisions the nginx data plane at run time, one Deployment + Service per Gateway, from
 * the NginxProxy the GatewayClass references. Read in the controller source at tag v2.6.7:
 * - names (internal/controller/provisioner/handler.go, internal/framework/controller/resource.go):
 *   every data-plane object, the Service included, is named `<gateway>-<gatewayclass>`; past 63
 *   characters the Gateway name is cut and an 8-hex sha256 of the full name goes in between;
 * - pod and Service selector (provisioner.go, objects.go buildLabelsAndAnnotations):
 *   `app.kubernetes.io/instance` = the control plane's own instance label (the Helm release name:
 *   the chart's deployment.yaml passes it as INSTANCE_NAME), `app.kubernetes.io/managed-by` =
 *   `<release>-<gatewayclass>` (same truncation), `app.kubernetes.io/name` = the resource name,
 *   and `gateway.networking.k8s.io/gateway-name` = the Gateway's name when it fits 63 characters;
 * - ports (objects.go buildServicePorts, buildContainerPortsAndAnnotations): one Service port per
 *   listener port, named `port-<n>`, whose targetPort and container port are that same number. So
 *   the pod port of an entry point is its Gateway listener port, which is the contract's Service
 *   port (80, 443): the http entry's pod port is 80, the https entry's 443, whatever the TLS;
 * - readiness (internal/controller/state/dataplane/configuration.go, nginx base_http_config
 *   template): nginx itself answers `GET /readyz` with 200 on port 8081, in a server of its own
 *   (plain HTTP, never PROXY protocol), and the container's readinessProbe checks exactly that;
 * - ports the data plane keeps for itself: 8081 (readiness) and 9113 (Prometheus metrics, on by
 *   default in the NginxProxy).
 */
import type { TlsChoice } from "../../model/contract";
import type { ControllerIdentity, ControllerSettings } from "./plugin";
import type { RouteFeatures } from "../../model/route-types";
import { ROUTE_LIMITS } from "../../model/defaults";
import { shortHash } from "../../core/naming";

/** The chart's GatewayClass (`nginxGateway.gatewayClassName`, default "nginx"). */
export const NGF_GATEWAY_CLASS = "nginx";
export const NGF_READINESS = { podPort: 8081, path: "/readyz" } as const;
export const NGF_METRICS_PORT = 9113;

const MAX_NAME = 63;

/**
 * What NGF 2.6.7 carries out of an HTTPRoute (internal/controller/state/graph/httproute.go):
 * weighted backendRefs; header and query parameter matches, Exact or RegularExpression
 * (validateHeaderMatch, validateQueryParamMatch; matched in NJS, internal/controller/nginx/modules/
 * src/httpmatches.js, with JavaScript regular expressions searched for in the value, which is why
 * gatehouse anchors them), so a cookie too, as a pattern on the Cookie header; rules with
 * `timeouts` or `retry` are refused as unsupported fields (checkForUnsupportedHTTPFields). Per
 * Service, its UpstreamSettingsPolicy (gateway.nginx.org/v1alpha1) sets the load balancing
 * method; it has no outlier detection and no connection limit.
 */
export const NGF_ROUTE_FEATURES: RouteFeatures = {
  weights: true,
  timeouts: false,
  retries: false,
  headers: { types: ["Exact", "RegularExpression"], max: ROUTE_LIMITS.headers },
  queryParams: { types: ["Exact", "RegularExpression"], max: ROUTE_LIMITS.queryParams },
  cookie: true,
  loadBalancers: ["round-robin", "least-request", "random"],
  reasons: {
    timeouts: "NGINX Gateway Fabric 2.6 refuses an HTTPRoute rule with timeouts",
    retries: "NGINX Gateway Fabric 2.6 refuses an HTTPRoute rule with retry, which is not in the Gateway API standard channel either",
    circuitBreaker: "its UpstreamSettingsPolicy has no outlier detection",
    connectionPool: "its UpstreamSettingsPolicy has no connection or request limit (keepAlive only caches idle connections)",
  },
};

/** NGF's `CreateNginxResourceName(prefix, suffix)` (internal/framework/controller/resource.go). */
export function ngfResourceName(prefix: string, suffix: string): string {
  const full = `${prefix}-${suffix}`;
  if (full.length <= MAX_NAME) return full;
  const hash = shortHash(full, 8);
  const maxPrefix = MAX_NAME - 2 - 8 - suffix.length;
  return `${prefix.slice(0, maxPrefix).replace(/-+$/, "")}-${hash}-${suffix}`;
}

/** The Gateway gatehouse creates for an NGF release: named after the release. */
export function ngfGatewayName(settings: Pick<ControllerSettings, "releaseName">): string {
  return settings.releaseName;
}

/**
 * The identity for a release. The container ports depend on where the https entry's TLS ends:
 * NGF serves each listener on its own port number, so the https entry always reaches pod port
 * 443 (TLS there, or plain HTTP when the load balancer ended TLS), and the http entry port 80
 * (plain HTTP, or the listener that only redirects).
 */
export function nginxGatewayFabricIdentity(settings: Pick<ControllerSettings, "releaseName" | "namespace">, httpsTls: TlsChoice = "passthrough"): ControllerIdentity {
  const gateway = ngfGatewayName(settings);
  const serviceName = ngfResourceName(gateway, NGF_GATEWAY_CLASS);
  const podSelector: Record<string, string> = {
    "app.kubernetes.io/instance": settings.releaseName,
    "app.kubernetes.io/managed-by": ngfResourceName(settings.releaseName, NGF_GATEWAY_CLASS),
    "app.kubernetes.io/name": serviceName,
  };
  if (gateway.length <= MAX_NAME) podSelector["gateway.networking.k8s.io/gateway-name"] = gateway;
  return {
    serviceName,
    healthServiceName: `${serviceName.slice(0, MAX_NAME - "-healthcheck".length).replace(/-+$/, "")}-healthcheck`,
    podSelector,
    health: { ...NGF_READINESS },
    containerPorts: httpsTls === "terminate" ? { http: 443, https: 443, redirect: 80 } : { http: 80, https: 443, redirect: 80 },
    reservedPodPorts: [NGF_READINESS.podPort, NGF_METRICS_PORT],
    routes: { api: "gateway", gateway: { name: gateway, namespace: settings.namespace }, policies: { kind: "nginx-gateway-fabric" } },
    routeFeatures: NGF_ROUTE_FEATURES,
  };
}
