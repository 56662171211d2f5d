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
import { truncatedLabel } from "../../core/naming";

const CHART = "ingress-nginx";


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
    // Canary weights (one canary backend), proxy timeouts and upstream retries, as annotations.
    routeFeatures: { weights: true, timeouts: true, retries: true, maxBackends: 2 },
  };
}
