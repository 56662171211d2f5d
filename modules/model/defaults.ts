/**
 * Every default gatehouse applies, and the limits its rules enforce, stated once. The
 * environment schema fills the defaults in (and shows defaults and limits to editors through the
 * published JSON Schema); each construct falls back to the same value when a direct user of the
 * library leaves a prop out; each rule reads its limits from here. The ports are the port
 * contract's (DEFAULT_PORTS in modules/model/contract.ts), where every port is decided.
 */

/**
 * AWS's idle timeout of an NLB TCP listener, and the fixed one of its TLS listeners (seconds);
 * gatehouse's default for tcp entry points on both clouds, above MQTT's 60 s keepalive.
 */
export const DEFAULT_IDLE_TIMEOUT = 350;
/** The range AWS takes for a TCP listener's idle timeout (`tcp.idle_timeout.seconds`): the rule's own (modules/core/rules.ts). */
export { TCP_IDLE_TIMEOUT_LIMITS as IDLE_TIMEOUT_LIMITS } from "../core/rules";

/** The NLB and its target groups: safe production values (deletion protection on, cross-zone on, TLS 1.3 policy). */
export const NLB_DEFAULTS = {
  internetFacing: true,
  deletionProtection: true,
  crossZone: true,
  deregistrationDelay: 5,
  clusterTag: "shared",
  sslPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06",
  healthCheck: { interval: 10, timeout: 6, healthyThreshold: 3, unhealthyThreshold: 3, matcher: "200" },
} as const;

/** Google's backend services behind the global load balancer. */
export const GCP_BACKEND_DEFAULTS = {
  maxRatePerEndpoint: 100,
  maxConnectionsPerEndpoint: 100,
  /** Seconds an HTTPS backend waits for a response. */
  timeoutSec: 30,
  /** A tenth of requests logged: a representative sample at a tenth of the logging cost. */
  logSampleRate: 0.1,
  /** Seconds a removed endpoint keeps its open connections. */
  connectionDrainingTimeoutSec: 60,
  cdnCacheMode: "CACHE_ALL_STATIC",
  /** capacity_scaler of each cluster's backends. */
  capacity: 1,
} as const;

/** Google's SSL policy of the frontends: TLS 1.2 and up, the MODERN profile. */
export const GCP_SSL_POLICY_DEFAULTS = { profile: "MODERN", minTlsVersion: "TLS_1_2" } as const;

/** TTL of the A/AAAA records gatehouse writes, seconds. */
export const DNS_RECORD_TTL = 300;

/** How an environment with both edges publishes its hostnames (dns.steering). */
export const DNS_STEERING = ["single", "failover", "weighted"] as const;
export const DNS_STEERING_DEFAULTS = { steering: "single", primary: "aws", weights: { aws: 50, gcp: 50 } } as const;
/** The edges steering chooses between. */
export const EDGES = ["aws", "gcp"] as const;

/** Key algorithms of ACM certificates gatehouse requests (aws_acm_certificate key_algorithm). */
export const ACM_KEY_ALGORITHMS = ["RSA_2048", "EC_prime256v1", "EC_secp384r1"] as const;

/** An API Gateway stage. */
export const API_GATEWAY_STAGE_DEFAULTS = { name: "live", rateLimit: 1000, burstLimit: 2000, accessLogRetentionDays: 30 } as const;
/**
 * Default account-level throttle quota per Region (Amazon API Gateway quotas, "Throttle quota per
 * account"): a stage's limits cannot usefully exceed it. burstLimit is an integer, rateLimit a
 * double (API_ThrottleSettings).
 */
export const ACCOUNT_THROTTLE_QUOTA = { rateLimit: 10_000, burstLimit: 5_000 } as const;
/** CloudWatch Logs retention periods (API_PutRetentionPolicy `retentionInDays`). */
export const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653] as const;

/** The ingress controllers gatehouse installs behind the same load balancers. */
export const CONTROLLER_KINDS = ["ingress-nginx", "nginx-gateway-fabric", "istio"] as const;
export type ControllerKind = (typeof CONTROLLER_KINDS)[number];

/** The controller an environment gets when it names none. */
export const CONTROLLER_DEFAULTS = { kind: "ingress-nginx", replicas: 2, resources: { cpu: "100m", memory: "90Mi" } } as const satisfies {
  kind: ControllerKind;
  replicas: number;
  resources: { cpu: string; memory: string };
};
/** At least two data-plane replicas keep the entry points up through a node drain. */
export const CONTROLLER_LIMITS = { replicas: { min: 2, max: 100 } } as const;

/** How a route compares a header or query parameter value: exactly, or against a regular expression (the whole value). */
export const ROUTE_MATCH_TYPES = ["Exact", "RegularExpression"] as const;
/**
 * When a route retries a request (Envoy's names, the same meaning on every controller):
 * connect-failure (no connection to the backend), reset (the backend reset or closed the
 * connection, or timed out, before a response), gateway-error (a 502, 503 or 504 response), 5xx
 * (any 5xx response, a connection failure or a refused stream). Status codes may be listed too.
 */
export const RETRY_CONDITIONS = ["connect-failure", "reset", "gateway-error", "5xx"] as const;
/** How the controller picks a pod of a backend Service for each request. */
export const LOAD_BALANCER_POLICIES = ["round-robin", "least-request", "random"] as const;

/** A route's match when it names none, and what a route's retries and circuit breaker take by default. */
export const ROUTE_DEFAULTS = {
  path: "/",
  pathType: "Prefix",
  matchType: "Exact",
  /** ingress-nginx's retries before gatehouse could choose (error timeout http_502 http_503 http_504). */
  retryOn: ["connect-failure", "reset", "gateway-error"],
  /**
   * The same where an HTTPRoute's `retry` carries it out (Istio): connection failures are always
   * retried once a rule retries, and Istio cannot retry on a reset, so it keeps the rest.
   */
  httpRouteRetryOn: ["connect-failure", "gateway-error"],
  /** Envoy's own outlier detection defaults (consecutive_5xx 5, interval 10 s, base ejection 30 s, 10 %). */
  circuitBreaker: { consecutive5xxErrors: 5, intervalSeconds: 10, baseEjectionTimeSeconds: 30, maxEjectionPercent: 10 },
} as const;
/**
 * Limits of the route model, in one place for the messages, the checks and the published schema.
 * Header and query parameter limits are the Gateway API's (HTTPRoute, v1.5.1 standard channel:
 * at most 16 of each per match, names of at most 256 characters, values of at most 4096 and 1024).
 * The circuit breaker's count and percentage and the connection limits are the ranges of Istio's
 * DestinationRule fields (uint32 consecutive5xxErrors, a percentage, int32 connectionPool fields),
 * at least 1 where 0 would turn the setting off; its durations are gatehouse's bound (an hour, as
 * a route's timeout), Istio taking any duration over 1 ms.
 */
export const ROUTE_LIMITS = {
  timeoutSeconds: { min: 1, max: 3600 },
  retryAttempts: { min: 1, max: 10 },
  pathLength: 1024,
  weight: { min: 0, max: 100 },
  retryStatusCode: { min: 400, max: 599 },
  headers: 16,
  queryParams: 16,
  matchNameLength: 256,
  headerValueLength: 4096,
  queryParamValueLength: 1024,
  consecutive5xxErrors: { min: 1, max: 4_294_967_295 },
  ejectionSeconds: { min: 1, max: 3600 },
  maxEjectionPercent: { min: 1, max: 100 },
  connections: { min: 1, max: 2_147_483_647 },
} as const;

/** Who puts the Gateway API CRDs on a cluster: gatehouse's release, or the cluster (GKE, EKS Auto Mode, another installation). */
export const GATEWAY_API_CRD_SOURCES = ["install", "cluster-managed"] as const;
export type GatewayApiCrdSource = (typeof GATEWAY_API_CRD_SOURCES)[number];
/**
 * The Gateway API release channel of a cluster's CRDs. `standard` carries everything gatehouse
 * renders except HTTPRoute's `retry` (GEP-1731), which Gateway API v1.5.1 has in `experimental`
 * only: a standard-channel API server drops the field. A cluster holds one channel for all its
 * controllers.
 */
export const GATEWAY_API_CHANNELS = ["standard", "experimental"] as const;
export type GatewayApiChannel = (typeof GATEWAY_API_CHANNELS)[number];
export const GATEWAY_API_CRDS_DEFAULTS = { source: "install", channel: "standard", releaseName: "gateway-api-crds", namespace: "kube-system" } as const satisfies {
  source: GatewayApiCrdSource;
  channel: GatewayApiChannel;
  releaseName: string;
  namespace: string;
};

/** Where state goes by default, and the prefix of every workspace, S3 key or GCS prefix. */
export const STATE_DEFAULTS = { workspacePrefix: "gatehouse", keyPrefix: "gatehouse", prefix: "gatehouse" } as const;

/**
 * Route 53 steering between the edges. An edge is declared unhealthy after about
 * requestInterval × failureThreshold = 30 s, and clients follow once the record's TTL (60 s; the
 * NLB alias records take the load balancer's 60 s) has run out: a failover in about a minute and
 * a half at worst.
 */
export const ROUTE53_DEFAULTS = { requestInterval: 10, failureThreshold: 3, ttl: 60 } as const;
/**
 * What Route 53 accepts (API_ResourceRecordSet: Weight 0-255, TTL 0-2147483647;
 * API_HealthCheckConfig: RequestInterval 10 or 30, FailureThreshold 1-10, ResourcePath at most 255
 * characters; the provider's aws_route53_health_check schema checks the same).
 * https://docs.aws.amazon.com/Route53/latest/APIReference/API_ResourceRecordSet.html
 * https://docs.aws.amazon.com/Route53/latest/APIReference/API_HealthCheckConfig.html
 */
export const ROUTE53_LIMITS = {
  weight: { min: 0, max: 255 },
  ttl: { min: 0, max: 2_147_483_647 },
  requestIntervals: [10, 30],
  failureThreshold: { min: 1, max: 10 },
  resourcePathLength: 255,
} as const;

/** ACM certificates gatehouse requests: RSA 2048 (the widest client support), validation CNAMEs with a 60 s TTL. */
export const ACM_DEFAULTS = { keyAlgorithm: "RSA_2048", validationRecordTtl: 60 } as const;
/**
 * ACM's rules for a requested certificate: 10 names per certificate by default (the first name and
 * its SANs; a quota AWS can raise, which gatehouse does not assume), the first name (the Common
 * Name) at most 64 characters, every name at most 253. The key algorithms ACM issues are
 * ACM_KEY_ALGORITHMS (the others are for imported certificates).
 * https://docs.aws.amazon.com/acm/latest/userguide/acm-limits.html
 * https://docs.aws.amazon.com/acm/latest/APIReference/API_RequestCertificate.html
 */
export const ACM_LIMITS = { namesPerCertificate: 10, firstNameLength: 64, nameLength: 253 } as const;
