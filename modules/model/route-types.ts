/**
 * Routes as data: host and path rules sending HTTP(S) requests to in-cluster Services, the same
 * model for every controller. A controller renders them with its own API (modules/k8s/route-objects.ts):
 * `Ingress` for ingress-nginx, `HTTPRoute` attached to the Gateway for the Gateway API
 * controllers, and per-Service policies beside them (an Istio `DestinationRule`, an NGINX Gateway
 * Fabric `UpstreamSettingsPolicy`). What a controller cannot carry out is refused with a message,
 * never dropped.
 */
import type { LOAD_BALANCER_POLICIES, RETRY_CONDITIONS, ROUTE_MATCH_TYPES } from "./defaults";

export interface RouteBackend {
  readonly namespace: string;
  readonly service: string;
  readonly port: number;
  /** Share of requests, 0-100; the weights of a route's backends add up to 100. */
  readonly weight: number;
}

/** How a value is compared: exactly, or against a regular expression that must match the whole value. */
export type RouteMatchType = (typeof ROUTE_MATCH_TYPES)[number];
export type RetryCondition = (typeof RETRY_CONDITIONS)[number];
export type LoadBalancerPolicy = (typeof LOAD_BALANCER_POLICIES)[number];

/** One header or query parameter a request must carry. */
export interface RouteValueMatch {
  readonly name: string;
  readonly value: string;
  readonly type: RouteMatchType;
}

/**
 * What a request must carry besides its host and path for the route to take it (a dark launch):
 * every condition holds. A route with conditions takes precedence over a route on the same host
 * and path without them (Gateway API: more header matches win; ingress-nginx: a canary by header
 * or cookie).
 */
export interface RouteMatchConditions {
  readonly headers: readonly RouteValueMatch[];
  readonly queryParams: readonly RouteValueMatch[];
  /** A cookie of this name whose value is `always` (ingress-nginx's canary convention). */
  readonly cookie?: string;
}

export interface RouteRetries {
  /** Retries after the first try. */
  readonly attempts: number;
  readonly perTryTimeoutSeconds?: number;
  /** When to retry: conditions and response status codes. @default ROUTE_DEFAULTS.retryOn */
  readonly retryOn?: ReadonlyArray<RetryCondition | number>;
}

/** Outlier detection: a pod that keeps failing is taken out of the backend's pool for a while. */
export interface RouteCircuitBreaker {
  /** 5xx responses in a row that eject a pod. */
  readonly consecutive5xxErrors: number;
  /** Seconds between ejection sweeps. */
  readonly intervalSeconds: number;
  /** Seconds a pod stays ejected, times the number of times it was ejected. */
  readonly baseEjectionTimeSeconds: number;
  /** Most pods of the backend that may be ejected at once, percent. */
  readonly maxEjectionPercent: number;
}

/** Limits on the traffic the controller sends one backend Service (per controller pod). */
export interface RouteConnectionPool {
  readonly maxConnections?: number;
  /** Requests waiting for a connection. */
  readonly maxPendingRequests?: number;
  /** Requests in flight. */
  readonly maxRequests?: number;
  readonly maxRequestsPerConnection?: number;
}

export interface Route {
  /** Stable key from the environment (`routes.<name>`): names the rendered objects. */
  readonly name: string;
  /** Host to match; every host when unset. */
  readonly host?: string;
  readonly path: string;
  readonly pathType: "Prefix" | "Exact";
  /** Conditions beyond host and path. @default none */
  readonly match?: RouteMatchConditions;
  /** One backend, or weighted backends (canary). */
  readonly backends: readonly RouteBackend[];
  /** Whole-request timeout, seconds. */
  readonly timeoutSeconds?: number;
  /** Retries of a failed request. */
  readonly retries?: RouteRetries;
  /** Per backend Service: eject failing pods. */
  readonly circuitBreaker?: RouteCircuitBreaker;
  /** Per backend Service: connection and request limits. */
  readonly connectionPool?: RouteConnectionPool;
  /** Per backend Service: how a pod is picked. */
  readonly loadBalancer?: LoadBalancerPolicy;
}

/** What a controller's route API carries out; a feature left out is refused. */
export interface RouteFeatures {
  /** More than one weighted backend on a route. */
  readonly weights: boolean;
  readonly timeouts: boolean;
  /**
   * Retries of a failed request; `"experimental-channel"`: through a field the Gateway API has in
   * its experimental channel only (HTTPRoute `retry`), so only where the cluster's CRDs are of it.
   */
  readonly retries: boolean | "experimental-channel";
  /** Backends one route may have (ingress-nginx: a primary and one canary). @default no limit beyond the weights */
  readonly maxBackends?: number;
  /** Header matches: the comparisons carried out and how many one route may have. @default none */
  readonly headers?: { readonly types: readonly RouteMatchType[]; readonly max: number };
  /** Query parameter matches. @default none */
  readonly queryParams?: { readonly types: readonly RouteMatchType[]; readonly max: number };
  /** Cookie matches. @default none */
  readonly cookie?: boolean;
  /**
   * A route with match conditions is carried out as the canary of the route with the same host,
   * path and pathType and none (ingress-nginx: one canary Ingress per host and path, chosen by
   * header, then cookie, then weight). @default false
   */
  readonly matchAsCanary?: boolean;
  /**
   * Retry conditions and status codes it can express (`statusCodes` left out: every code the route
   * model takes), conditions it can only take together (ingress-nginx: its `error` and `timeout`
   * cover both connect-failure and reset), and conditions it retries on whenever a route retries
   * (Istio: connect-failure), which a route's list must name. @default all, none, none
   */
  readonly retryOn?: {
    readonly conditions: readonly RetryCondition[];
    readonly statusCodes?: readonly number[];
    readonly together?: ReadonlyArray<readonly RetryCondition[]>;
    readonly always?: readonly RetryCondition[];
  };
  readonly circuitBreaker?: boolean;
  readonly connectionPool?: boolean;
  readonly loadBalancers?: readonly LoadBalancerPolicy[];
  /** Why a feature is missing, when there is more to say than that it is; for the messages. */
  readonly reasons?: Partial<Record<"retries" | "retryOn" | "timeouts" | "circuitBreaker" | "connectionPool" | "loadBalancer" | "headers" | "queryParams" | "cookie", string>>;
}

/** How the per-Service policies (circuit breaker, connection pool, load balancing) reach a Gateway API controller. */
export type BackendPolicyAttachment =
  /** Istio: a DestinationRule per Service in the gateway's namespace, for the gateway's pods only. */
  | { readonly kind: "istio"; readonly namespace: string; readonly workloadSelector: Readonly<Record<string, string>> }
  /** NGINX Gateway Fabric: an UpstreamSettingsPolicy per Service, in its namespace. */
  | { readonly kind: "nginx-gateway-fabric" };

/** How routes attach to a controller. */
export type RouteAttachment =
  | { readonly api: "ingress"; readonly ingressClassName: string }
  | {
      readonly api: "gateway";
      readonly gateway: { readonly name: string; readonly namespace: string };
      readonly policies?: BackendPolicyAttachment;
      /** The controller carries out HTTPRoute's `retry` (Gateway API experimental channel): Istio. @default false */
      readonly httpRouteRetry?: boolean;
    };
