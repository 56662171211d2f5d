/**
 * Routes as data: host and path rules sending HTTP(S) requests to in-cluster Services, the same
 * model for every controller. A controller renders them with its own API (modules/k8s/route-objects.ts):
 * `Ingress` for ingress-nginx, `HTTPRoute` attached to the Gateway for the Gateway API
 * controllers. What a controller cannot carry out is refused with a message, never dropped.
 */

export interface RouteBackend {
  readonly namespace: string;
  readonly service: string;
  readonly port: number;
  /** Share of requests, 0-100; the weights of a route's backends add up to 100. */
  readonly weight: number;
}

export interface Route {
  /** Stable key from the environment (`routes.<name>`): names the rendered objects. */
  readonly name: string;
  /** Host to match; every host when unset. */
  readonly host?: string;
  readonly path: string;
  readonly pathType: "Prefix" | "Exact";
  /** One backend, or weighted backends (canary). */
  readonly backends: readonly RouteBackend[];
  /** Whole-request timeout, seconds. */
  readonly timeoutSeconds?: number;
  /** Retries of a failed request. */
  readonly retries?: { readonly attempts: number; readonly perTryTimeoutSeconds?: number };
}

/** What a controller's route API carries out. */
export interface RouteFeatures {
  /** More than one weighted backend on a route. */
  readonly weights: boolean;
  readonly timeouts: boolean;
  readonly retries: boolean;
  /** Backends one route may have (ingress-nginx: a primary and one canary). @default no limit beyond the weights */
  readonly maxBackends?: number;
}

/** How routes attach to a controller. */
export type RouteAttachment =
  | { readonly api: "ingress"; readonly ingressClassName: string }
  | { readonly api: "gateway"; readonly gateway: { readonly name: string; readonly namespace: string } };
