/**
 * What the ingress-nginx chart (4.15.x) names and listens on, as the port contract needs it.
 * Derived from the chart's templates, so the load balancer side never guesses:
 * - Service name: `<fullname>-controller`, where fullname is the release name when it contains
 *   the chart name "ingress-nginx", else `<release>-ingress-nginx` (_helpers.tpl), ≤ 63 chars;
 * - pod selector: `app.kubernetes.io/{name,instance,component}` (selectorLabels + component);
 * - container ports `http` 80 and `https` 443 (controller.containerPort); no port is named
 *   `healthz`: health is served on the controller's `--healthz-port`, 10254 by default.
 */
const CHART = "ingress-nginx";

export interface ControllerIdentity {
  readonly serviceName: string;
  readonly healthServiceName: string;
  readonly podSelector: Readonly<Record<string, string>>;
  readonly healthPodPort: number;
  readonly containerPorts: { readonly http: number; readonly https: number };
}

function trunc63(s: string): string {
  return s.slice(0, 63).replace(/-+$/, "");
}

export function ingressNginxIdentity(releaseName: string): ControllerIdentity {
  const fullname = trunc63(releaseName.includes(CHART) ? releaseName : `${releaseName}-${CHART}`);
  return {
    serviceName: trunc63(`${fullname}-controller`),
    healthServiceName: trunc63(`${fullname}-healthcheck`),
    podSelector: {
      "app.kubernetes.io/name": CHART,
      "app.kubernetes.io/instance": releaseName,
      "app.kubernetes.io/component": "controller",
    },
    healthPodPort: 10254,
    containerPorts: { http: 80, https: 443 },
  };
}
