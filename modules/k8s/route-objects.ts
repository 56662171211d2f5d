/**
 * The environment's routes (modules/model/route-types.ts) as the controller's own objects, applied through
 * one Helm release of the chart shipped with gatehouse (Manifests):
 *
 * - `api: "ingress"` (ingress-nginx): a `networking.k8s.io/v1` Ingress per route with the
 *   controller's `ingressClassName`, in its backend Service's namespace (an Ingress only reaches
 *   Services of its own namespace). A route with two weighted backends becomes a primary Ingress
 *   for the first and a canary Ingress for the second, on the same host and path
 *   (`nginx.ingress.kubernetes.io/canary: "true"` and `canary-weight`, out of the default
 *   `canary-weight-total` of 100). A route with match conditions (a dark launch) becomes the
 *   canary Ingress of the route with the same host, path and pathType and none: `canary-by-header`
 *   with `canary-by-header-value` (Exact) or `canary-by-header-pattern` (a regular expression), or
 *   `canary-by-cookie`; when that main route splits by weight too, its one canary Ingress carries
 *   both (ingress-nginx picks the canary by header, then cookie, then weight). ingress-nginx takes
 *   one canary per host and path, so a route has at most two backends here. Annotations at
 *   controller tag helm-chart-4.15.1, docs/user-guide/nginx-configuration/annotations.md; the
 *   header and cookie comparison in rootfs/etc/nginx/lua/balancer.lua (the pattern is searched
 *   for with ngx.re.match, so gatehouse anchors it).
 * - `api: "gateway"`: a `gateway.networking.k8s.io/v1` HTTPRoute per route, in its backends'
 *   namespace (so no ReferenceGrant is needed), attached to the Gateway by a parentRef across
 *   namespaces, which the Gateway admits with `allowedRoutes.namespaces.from: All`. Weighted
 *   backendRefs, `timeouts.request` (standard since v1.2.0) and `matches[].headers` /
 *   `queryParams` are in the standard channel; a cookie is a regular expression on the Cookie
 *   header. Retries are HTTPRoute's `retry` (attempts and status codes), which Gateway API v1.5.1
 *   has in the experimental channel only: rendered for a controller that carries it out (Istio)
 *   on a cluster whose CRDs are of that channel, refused otherwise. Circuit breaking, connection
 *   limits and load balancing become the controller's own per-Service policies (backend-policies.ts).
 *
 * A request that no route matches gets 404 either way: the ingress-nginx chart leaves
 * `defaultBackend.enabled: false`, so the controller's own default server answers 404, and a
 * Gateway answers 404 for a request no HTTPRoute matches (Gateway API, HTTPRoute rules).
 *
 * Objects are named after the route (its stable key in the environment), never after a list
 * position: route names are DNS labels without `--`; a canary is `<route>--canary`, and a name
 * longer than 63 characters keeps a prefix and ends in `--<hash of the whole>`, so no two
 * objects can share a name.
 */
import { Construct } from "constructs";
import type { Release } from "@cdktf/provider-helm/lib/release";
import type { ITerraformDependable } from "../core/cdktf";
import { failIfAny, type FieldProblem } from "../core/errors";
import { anchoredPattern, cookiePattern, RouteCollisions, routeMatchKey, routeNameCheck } from "../model/routes";
import type { LoadBalancerPolicy, RetryCondition, Route, RouteAttachment, RouteBackend, RouteValueMatch } from "../model/route-types";
import { GATEWAY_API_CHANNELS, GATEWAY_API_CRDS_DEFAULTS, ROUTE_DEFAULTS, type GatewayApiChannel } from "../model/defaults";
import * as rules from "../core/rules";
import { Manifests, type KubeManifest } from "./manifests";
import { backendPolicyObjects, backendPolicyProblems } from "./backend-policies";
import { routeObjectName } from "./route-names";

export { routeObjectName };

export interface RoutesProps {
  /** How routes attach to the controller (its identity's `routes`). */
  readonly attachment: RouteAttachment;
  /** The routes, checked by modules/model/routes.ts. An empty list keeps the release, with no objects. */
  readonly routes: readonly Route[];
  /** Helm release name (a DNS label of at most 53 characters). */
  readonly releaseName: string;
  /** Namespace of the Helm release; every object carries its own namespace. */
  readonly namespace: string;
  /**
   * The release channel of the cluster's Gateway API CRDs: HTTPRoute's `retry` survives only in
   * the experimental one. @default "standard"
   */
  readonly gatewayApiChannel?: GatewayApiChannel;
  /** What must exist first: the controller's release (its IngressClass or Gateway, and CRDs). */
  readonly dependsOn?: readonly ITerraformDependable[];
}

const INGRESS_API = "networking.k8s.io/v1";
const HTTPROUTE_API = "gateway.networking.k8s.io/v1";
const NGINX = "nginx.ingress.kubernetes.io";
const LABELS = { "app.kubernetes.io/part-of": "gatehouse" } as const;

/**
 * ingress-nginx's `proxy_next_upstream` condition for each retry condition (ngx_http_proxy):
 * `error` and `timeout` are failures to connect, send or read a response header, which is Envoy's
 * connect-failure and reset together; a status code is `http_<code>` for 403, 404, 429, 500,
 * 502, 503 and 504. nginx never retries a non-idempotent request (POST, PATCH) once it was sent,
 * as `non_idempotent` is not set.
 */
const NGINX_NEXT_UPSTREAM: Readonly<Record<RetryCondition, readonly string[]>> = {
  "connect-failure": ["error", "timeout"],
  reset: ["error", "timeout"],
  "gateway-error": ["http_502", "http_503", "http_504"],
  // Any 5xx: nginx has no such condition (ingress-nginx's features refuse it).
  "5xx": [],
};
/** The status codes nginx's proxy_next_upstream can retry on. */
export const NGINX_RETRY_STATUS_CODES = [403, 404, 429, 500, 502, 503, 504] as const;

/** ingress-nginx's `proxy-next-upstream` for these retry conditions, in nginx's order. */
export function nginxRetryOn(retryOn: ReadonlyArray<RetryCondition | number>): string {
  const order = ["error", "timeout", "invalid_header", "http_500", "http_502", "http_503", "http_504", "http_403", "http_404", "http_429"];
  const set = new Set(retryOn.flatMap((c) => (typeof c === "number" ? [`http_${c}`] : NGINX_NEXT_UPSTREAM[c])));
  return order.filter((c) => set.has(c)).join(" ");
}

/** The retries gatehouse asks ingress-nginx for when a route names no conditions. */
export const NGINX_RETRY_ON = nginxRetryOn(ROUTE_DEFAULTS.retryOn);

/**
 * The status codes of HTTPRoute's `retry.codes` for each retry condition. The field lists
 * response codes only: "Implementations SHOULD retry on connection errors (disconnect, reset,
 * timeout, TCP failure) if a retry stanza is configured" (GEP-1731, apis/v1/httproute_types.go
 * at v1.5.1), which Istio does for connect-failure (and refused-stream, unavailable, cancelled),
 * not for a reset (its features refuse that). Envoy's 5xx is every 5xx response.
 */
const HTTPROUTE_RETRY_CODES: Readonly<Record<RetryCondition, readonly number[]>> = {
  "connect-failure": [],
  reset: [],
  "gateway-error": [502, 503, 504],
  "5xx": Array.from({ length: 100 }, (_, i) => 500 + i),
};

/** HTTPRoute's `retry.codes` for these retry conditions and codes, ascending. */
export function httpRouteRetryCodes(retryOn: ReadonlyArray<RetryCondition | number>): number[] {
  return [...new Set(retryOn.flatMap((c) => (typeof c === "number" ? [c] : HTTPROUTE_RETRY_CODES[c])))].sort((a, b) => a - b);
}

/** ingress-nginx's `load-balance` value (the ConfigMap's `load-balance`, per Ingress). */
const NGINX_LOAD_BALANCE: Readonly<Partial<Record<LoadBalancerPolicy, string>>> = { "round-robin": "round_robin" };

/** What these routes cannot be rendered as with this attachment; empty when they can. */
export function routeRenderProblems(attachment: RouteAttachment, routes: readonly Route[], gatewayApiChannel: GatewayApiChannel = GATEWAY_API_CRDS_DEFAULTS.channel): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const seen = new Set<string>();
  // Two routes that match the same requests: the controller would serve one and drop the other.
  const collisions = new RouteCollisions();
  for (const r of routes) {
    const at = `routes.${r.name}`;
    const bad = routeNameCheck(r.name);
    if (bad) problems.push({ path: at, value: r.name, message: bad });
    if (seen.has(r.name)) problems.push({ path: at, value: r.name, message: "is given twice; route names are unique keys" });
    else {
      const collision = collisions.claim(r);
      if (collision) problems.push(collision);
    }
    seen.add(r.name);
    if (r.backends.length === 0) problems.push({ path: `${at}.backends`, value: [], message: "must list at least one backend" });
    if (attachment.api === "ingress" && r.backends.length > 2)
      problems.push({ path: `${at}.backends`, value: r.backends.length, message: "an Ingress route takes at most 2 backends: the primary and one canary" });
    if (attachment.api === "gateway") {
      if (new Set(r.backends.map((b) => b.namespace)).size > 1)
        problems.push({ path: `${at}.backends`, value: r.backends.map((b) => b.namespace), message: "must all be in one namespace: the HTTPRoute lives with its Services" });
      if (r.retries && !attachment.httpRouteRetry) problems.push({ path: `${at}.retries`, value: r.retries, message: "the controller does not carry out HTTPRoute's retry field; remove it" });
      else if (r.retries && gatewayApiChannel !== "experimental")
        problems.push({
          path: `${at}.retries`,
          value: r.retries,
          message: "HTTPRoute's retry field is in the Gateway API's experimental channel only, and the cluster's CRDs are the standard channel, which drops it: use the experimental channel's CRDs or remove it",
        });
    }
  }
  if (attachment.api === "ingress") problems.push(...ingressProblems(routes));
  else problems.push(...backendPolicyProblems(attachment.policies, routes));
  return problems;
}

/** What an Ingress cannot carry: a match route without its main route, two canaries on one host and path, settings nginx has no annotation for. */
function ingressProblems(routes: readonly Route[]): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const groups = canaryGroups(routes);
  for (const r of routes) {
    const at = `routes.${r.name}`;
    if (r.circuitBreaker !== undefined) problems.push({ path: `${at}.circuitBreaker`, value: r.circuitBreaker, message: "an Ingress has no annotation to eject failing pods" });
    if (r.connectionPool !== undefined) problems.push({ path: `${at}.connectionPool`, value: r.connectionPool, message: "an Ingress has no annotation to limit connections to a backend" });
    if (r.loadBalancer !== undefined && NGINX_LOAD_BALANCE[r.loadBalancer] === undefined) problems.push({ path: `${at}.loadBalancer`, value: r.loadBalancer, message: 'an Ingress balances "round-robin" only (ingress-nginx\'s load-balance: round_robin)' });
    const m = r.match;
    if (!m) continue;
    const group = groups.get(matchlessKey(r));
    if (!group?.main) problems.push({ path: `${at}.match`, value: r.name, message: "an Ingress canary needs the route with the same host, path and pathType and no match conditions" });
    else if (group.canary !== r) problems.push({ path: `${at}.match`, value: r.name, message: `an Ingress takes one canary per host and path, and route "${group.canary?.name ?? "?"}" is it` });
    else {
      const main = group.main;
      const weighted = main.backends[1];
      const mine = r.backends[0];
      if (r.backends.length !== 1) problems.push({ path: `${at}.backends`, value: r.backends.length, message: "a canary Ingress has one backend" });
      else if (weighted && mine && !sameBackend(weighted, mine)) problems.push({ path: `${at}.backend`, value: mine.service, message: `route "${main.name}" already has a canary (${weighted.service}); one canary Ingress per host and path` });
    }
    if (m.queryParams.length > 0) problems.push({ path: `${at}.match.queryParams`, value: m.queryParams.length, message: "an Ingress canary cannot match query parameters" });
    if (m.headers.length > 1) problems.push({ path: `${at}.match.headers`, value: m.headers.length, message: "an Ingress canary matches one header" });
    if (m.headers.length > 0 && m.cookie !== undefined) problems.push({ path: `${at}.match`, value: r.name, message: "an Ingress canary matches a header or a cookie, not both" });
  }
  return problems;
}

/** The Kubernetes objects for the routes, grouped by namespace. Pure; throws a ConfigError for what cannot be rendered. */
export function routeManifests(attachment: RouteAttachment, routes: readonly Route[], gatewayApiChannel?: GatewayApiChannel): KubeManifest[] {
  failIfAny("routes", routeRenderProblems(attachment, routes, gatewayApiChannel));
  return renderRoutes(attachment, routes);
}

/** What is wrong with these props, at their prop paths; empty when nothing is. */
export function routesProblems(props: Omit<RoutesProps, "dependsOn">): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const release = rules.helmReleaseName(props.releaseName);
  if (release) problems.push({ path: "releaseName", value: props.releaseName, message: release });
  const namespace = rules.k8sLabelName(props.namespace);
  if (namespace) problems.push({ path: "namespace", value: props.namespace, message: namespace });
  if (props.gatewayApiChannel !== undefined && !(GATEWAY_API_CHANNELS as readonly string[]).includes(props.gatewayApiChannel))
    problems.push({ path: "gatewayApiChannel", value: props.gatewayApiChannel, message: `must be one of ${GATEWAY_API_CHANNELS.map((c) => `"${c}"`).join(", ")}` });
  return [...problems, ...routeRenderProblems(props.attachment, props.routes, props.gatewayApiChannel)];
}

/** The objects of routes that routeRenderProblems accepts. */
function renderRoutes(attachment: RouteAttachment, routes: readonly Route[]): KubeManifest[] {
  const objects =
    attachment.api === "ingress"
      ? ingresses(attachment.ingressClassName, routes)
      : [...routes.map((r) => httpRoute(attachment.gateway, r)), ...backendPolicyObjects(attachment.policies, routes)];
  const names = new Set<string>();
  for (const o of objects) {
    const key = `${o.kind} ${o.metadata.namespace ?? ""}/${o.metadata.name}`;
    if (names.has(key)) throw new Error(`gatehouse: two route objects are both named ${key}`);
    names.add(key);
  }
  const order = (o: KubeManifest) => [o.metadata.namespace ?? "", o.kind, o.metadata.name];
  return objects.sort((a, b) => compareLists(order(a), order(b)));
}

export class Routes extends Construct {
  /** The objects the release applies. */
  public readonly objects: readonly KubeManifest[];
  public readonly manifests: Manifests;
  public readonly release: Release;

  constructor(scope: Construct, id: string, props: RoutesProps) {
    super(scope, id);
    failIfAny(this.node.path, routesProblems(props));
    this.objects = renderRoutes(props.attachment, props.routes);
    this.manifests = new Manifests(this, "manifests", {
      releaseName: props.releaseName,
      namespace: props.namespace,
      objects: this.objects,
      dependsOn: props.dependsOn,
    });
    this.release = this.manifests.release;
  }
}

// ---------------------------------------------------------------------------------------------
// Ingress (ingress-nginx)

/** The route a host, path and pathType belong to, and its canary route (the first with match conditions, by name). */
interface CanaryGroup {
  main?: Route;
  canary?: Route;
}

const matchlessKey = (r: Route) => routeMatchKey({ ...r, match: undefined });
const sameBackend = (a: Omit<RouteBackend, "weight">, b: Omit<RouteBackend, "weight">) => a.namespace === b.namespace && a.service === b.service && a.port === b.port;

function canaryGroups(routes: readonly Route[]): Map<string, CanaryGroup> {
  const groups = new Map<string, CanaryGroup>();
  for (const r of [...routes].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const key = matchlessKey(r);
    const g = groups.get(key) ?? {};
    if (!r.match) g.main = r;
    else g.canary ??= r;
    groups.set(key, g);
  }
  return groups;
}

function ingresses(ingressClassName: string, routes: readonly Route[]): KubeManifest[] {
  const out: KubeManifest[] = [];
  for (const g of canaryGroups(routes).values()) {
    const main = g.main;
    if (!main) continue;
    const [primary, weighted] = main.backends as [RouteBackend, RouteBackend | undefined];
    out.push(ingress(ingressClassName, main, routeObjectName(main.name), primary, { ...nginxTuning(main), ...loadBalance(main) }));
    const dark = g.canary;
    if (!weighted && !dark) continue;
    // A canary Ingress inherits every other annotation (timeouts, retries) from its primary,
    // except load-balance (annotations.md, Canary).
    const annotations: Record<string, string> = { [`${NGINX}/canary`]: "true" };
    if (weighted) annotations[`${NGINX}/canary-weight`] = String(weighted.weight);
    if (dark) Object.assign(annotations, canaryMatch(dark), loadBalance(dark));
    else Object.assign(annotations, loadBalance(main));
    const name = weighted ? `${main.name}--canary` : (dark as Route).name;
    out.push(ingress(ingressClassName, main, routeObjectName(name), dark ? (dark.backends[0] as RouteBackend) : (weighted as RouteBackend), annotations));
  }
  return out;
}

/** The canary annotations of a match route: one header (a value or an anchored pattern) or a cookie. */
function canaryMatch(r: Route): Record<string, string> {
  const m = r.match;
  const header = m?.headers[0];
  if (header)
    return header.type === "Exact"
      ? { [`${NGINX}/canary-by-header`]: header.name, [`${NGINX}/canary-by-header-value`]: header.value }
      : { [`${NGINX}/canary-by-header`]: header.name, [`${NGINX}/canary-by-header-pattern`]: anchoredPattern(header.value) };
  return m?.cookie !== undefined ? { [`${NGINX}/canary-by-cookie`]: m.cookie } : {};
}

function loadBalance(r: Route): Record<string, string> {
  const lb = r.loadBalancer === undefined ? undefined : NGINX_LOAD_BALANCE[r.loadBalancer];
  return lb === undefined ? {} : { [`${NGINX}/load-balance`]: lb };
}

function ingress(ingressClassName: string, r: Route, name: string, backend: RouteBackend, annotations: Record<string, string>): KubeManifest {
  return {
    apiVersion: INGRESS_API,
    kind: "Ingress",
    metadata: { name, namespace: backend.namespace, labels: { ...LABELS }, ...(Object.keys(annotations).length ? { annotations } : {}) },
    spec: {
      ingressClassName,
      rules: [
        {
          ...(r.host !== undefined ? { host: r.host } : {}),
          http: { paths: [{ path: r.path, pathType: r.pathType, backend: { service: { name: backend.service, port: { number: backend.port } } } }] },
        },
      ],
    },
  };
}

/**
 * Timeouts and retries as ingress-nginx annotations (values in seconds, as strings). nginx has no
 * whole-request timeout: `proxy-read-timeout` and `proxy-send-timeout` bound the wait between two
 * reads or writes of one try (so a slow backend times out; a response that keeps streaming does
 * not), the per-try timeout when retries give one, else the route's timeout. With retries,
 * `proxy-next-upstream-timeout` keeps every try within the route's timeout, and
 * `proxy-next-upstream-tries` counts the first try too, hence attempts + 1. Without retries the
 * controller's defaults apply (ConfigMap `proxy-next-upstream`, `proxy-next-upstream-tries`).
 */
function nginxTuning(r: Route): Record<string, string> {
  const a: Record<string, string> = {};
  const perTry = r.retries?.perTryTimeoutSeconds ?? r.timeoutSeconds;
  if (perTry !== undefined) {
    a[`${NGINX}/proxy-read-timeout`] = String(perTry);
    a[`${NGINX}/proxy-send-timeout`] = String(perTry);
  }
  if (r.retries) {
    a[`${NGINX}/proxy-next-upstream`] = nginxRetryOn(r.retries.retryOn ?? ROUTE_DEFAULTS.retryOn);
    a[`${NGINX}/proxy-next-upstream-tries`] = String(r.retries.attempts + 1);
    if (r.timeoutSeconds !== undefined) a[`${NGINX}/proxy-next-upstream-timeout`] = String(r.timeoutSeconds);
  }
  return a;
}

// ---------------------------------------------------------------------------------------------
// HTTPRoute (Gateway API)

/** A header or query parameter match of an HTTPRoute; a regular expression anchored to the whole value. */
function valueMatch(m: RouteValueMatch): Record<string, string> {
  return { type: m.type, name: m.name, value: m.type === "RegularExpression" ? anchoredPattern(m.value) : m.value };
}

function httpRoute(gateway: { readonly name: string; readonly namespace: string }, r: Route): KubeManifest {
  const weighted = r.backends.length > 1;
  const headers = [...(r.match?.headers ?? []).map(valueMatch), ...(r.match?.cookie !== undefined ? [{ type: "RegularExpression", name: "cookie", value: cookiePattern(r.match.cookie) }] : [])];
  const queryParams = (r.match?.queryParams ?? []).map(valueMatch);
  return {
    apiVersion: HTTPROUTE_API,
    kind: "HTTPRoute",
    metadata: { name: routeObjectName(r.name), namespace: (r.backends[0] as RouteBackend).namespace, labels: { ...LABELS } },
    spec: {
      parentRefs: [{ name: gateway.name, namespace: gateway.namespace }],
      ...(r.host !== undefined ? { hostnames: [r.host] } : {}),
      rules: [
        {
          matches: [{ path: { type: r.pathType === "Prefix" ? "PathPrefix" : "Exact", value: r.path }, ...(headers.length ? { headers } : {}), ...(queryParams.length ? { queryParams } : {}) }],
          backendRefs: r.backends.map((b) => ({ name: b.service, port: b.port, ...(weighted ? { weight: b.weight } : {}) })),
          ...httpRouteResilience(r),
        },
      ],
    },
  };
}

/**
 * A rule's `timeouts` and `retry`. With retries, the per-try timeout is `timeouts.backendRequest`,
 * "the timeout for an individual request from the gateway to a backend", which Istio makes the
 * retry policy's perTryTimeout (pilot/pkg/config/kube/gateway/conversion.go at 1.30.3); the route
 * rules keep it within the request timeout, as the CRD's CEL rule requires.
 */
function httpRouteResilience(r: Route): Record<string, unknown> {
  const timeouts = {
    ...(r.timeoutSeconds !== undefined ? { request: `${r.timeoutSeconds}s` } : {}),
    ...(r.retries?.perTryTimeoutSeconds !== undefined ? { backendRequest: `${r.retries.perTryTimeoutSeconds}s` } : {}),
  };
  const codes = r.retries ? httpRouteRetryCodes(r.retries.retryOn ?? ROUTE_DEFAULTS.httpRouteRetryOn) : [];
  return {
    ...(Object.keys(timeouts).length ? { timeouts } : {}),
    ...(r.retries ? { retry: { attempts: r.retries.attempts, ...(codes.length ? { codes } : {}) } } : {}),
  };
}

function compareLists(a: readonly string[], b: readonly string[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const x = a[i] as string;
    const y = b[i] as string;
    if (x !== y) return x < y ? -1 : 1;
  }
  return a.length - b.length;
}
