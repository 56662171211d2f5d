/**
 * What the ingress-nginx chart (4.15.x) names and listens on, as the port contract needs it.
 * Derived from the chart's templates, so the load balancer side never guesses:
 * - Service name: `<fullname>-controller`, where fullname is the release name when it contains
 *   the chart name "ingress-nginx", else `<release>-ingress-nginx` (_helpers.tpl), ≤ 63 chars;
 * - pod selector: `app.kubernetes.io/{name,instance,component}` (selectorLabels + component);
 * - container ports `http` 80 and `https` 443 (controller.containerPort); no port is named
 *   `healthz`: health is served on the controller's `--healthz-port`, 10254 by default;
 * - ports the controller keeps for itself and refuses as stream (tcp-services) ports
 *   (internal/ingress/controller/controller.go, getStreamServices): 80, 443, 442 (SSL
 *   passthrough), 10254 (health), 8181 (default server), 10245-10247 (profiler, status, stream);
 * - 2443 is where gatehouse's redirect server listens when TLS ends at the load balancer (the
 *   chart's own NLB-TLS-termination recipe uses that port, named `tohttps`).
 */
import type { ControllerIdentity } from "./plugin";
import type { RouteFeatures } from "../../model/route-types";
import { truncatedLabel } from "../../core/naming";
import { NGINX_RETRY_STATUS_CODES } from "../route-objects";

const CHART = "ingress-nginx";

/**
 * What ingress-nginx carries out of a route, as annotations (controller v1.15.1,
 * docs/user-guide/nginx-configuration/annotations.md): canary weights (one canary backend),
 * proxy timeouts and upstream retries; a dark launch as a canary Ingress picked by one header
 * (an exact value, or a PCRE pattern) or a cookie; round-robin balancing (`load-balance`; its
 * other choice, ewma, balances by latency, which none of the other controllers does). Retries:
 * `proxy_next_upstream` has `error` and `timeout` (connect-failure and reset together, as nginx
 * does not tell them apart), 502/503/504 (gateway-error) and a few status codes, no "any 5xx".
 */
export const INGRESS_NGINX_ROUTE_FEATURES: RouteFeatures = {
  weights: true,
  timeouts: true,
  retries: true,
  maxBackends: 2,
  headers: { types: ["Exact", "RegularExpression"], max: 1 },
  cookie: true,
  matchAsCanary: true,
  retryOn: { conditions: ["connect-failure", "reset", "gateway-error"], statusCodes: NGINX_RETRY_STATUS_CODES, together: [["connect-failure", "reset"]] },
  loadBalancers: ["round-robin"],
  reasons: {
    queryParams: "a canary Ingress is picked by a header, a cookie or a weight only",
    circuitBreaker: "its Lua balancer never takes a failing pod out (nginx max_fails is not used with it)",
    connectionPool: "it has no per-backend connection or request limit",
    loadBalancer: "its other method, ewma, balances by latency",
  },
};

export function ingressNginxIdentity(releaseName: string): ControllerIdentity {
  const fullname = truncatedLabel(releaseName.includes(CHART) ? releaseName : `${releaseName}-${CHART}`);
  return {
    serviceName: truncatedLabel(`${fullname}-controller`),
    healthServiceName: truncatedLabel(`${fullname}-healthcheck`),
    podSelector: {
      "app.kubernetes.io/name": CHART,
      "app.kubernetes.io/instance": releaseName,
      "app.kubernetes.io/component": "controller",
    },
    health: { podPort: 10254, path: "/healthz" },
    containerPorts: { http: 80, https: 443, redirect: 2443 },
    reservedPodPorts: [80, 443, 442, 2443, 8181, 10245, 10246, 10247, 10254],
    // The chart's IngressClass is named "nginx" (controller.ingressClassResource.name).
    routes: { api: "ingress", ingressClassName: "nginx" },
    routeFeatures: INGRESS_NGINX_ROUTE_FEATURES,
  };
}
