/**
 * Routes as an environment writes them (`routes.<name>`), checked and turned into the route model
 * (modules/model/route-types.ts). Pure: no constructs, no I/O.
 *
 * The checks are those of the objects the routes become, made at synth so that a mistake is
 * reported with its environment path instead of by the API server, the admission webhook or,
 * worst, silently by the controller at apply time:
 * - hosts are DNS names, wildcard only as the whole leftmost label (Ingress `rules[].host`,
 *   HTTPRoute `hostnames`), and behind GCP each host is one the load balancer serves
 *   (its certificate map has an entry per environment hostname);
 * - paths are plain: ingress-nginx refuses Exact/Prefix paths with other characters than letters,
 *   digits, `.`, `_`, `-` and `/` (`strict-validate-path-type`, on by default since controller
 *   v1.12: internal/ingress/inspector/rules.go), and Kubernetes and the Gateway API refuse `//`,
 *   `/./`, `/../` and a trailing `/.` or `/..`;
 * - match conditions are what HTTPRoute `matches[].headers` / `queryParams` take (Gateway API
 *   v1.5.1: names of HTTP token characters, at most 256 long, at most 16 of each, values of at
 *   most 4096 / 1024 characters, each name once), and a regular expression is one every
 *   controller reads alike: it must match the whole value (gatehouse anchors it, as Envoy's RE2
 *   does and nginx's PCRE and NGINX Gateway Fabric's JavaScript do not), and uses no lookaround,
 *   backreference, named group or `\u` escape, which RE2 lacks;
 * - a route's objects live in its backends' namespace and are named after the route, so route
 *   names are DNS labels without `--` (the separator of derived names) and a route's backends
 *   share one namespace;
 * - what the controller cannot carry out (weights, timeouts, retries and their conditions, match
 *   conditions, circuit breaking, connection limits, load balancing) is refused by name;
 * - circuit breaking, connection limits and load balancing apply to a backend Service (an Istio
 *   DestinationRule, an NGINX Gateway Fabric UpstreamSettingsPolicy, ingress-nginx's upstream),
 *   so every route that sends to one Service states the same ones;
 * - two routes that match the same requests are refused (routeMatchKey): the controller would
 *   serve one of them and drop the other without a word.
 */
import type { Check, FieldProblem } from "../core/errors";
import type { LoadBalancerPolicy, RetryCondition, Route, RouteBackend, RouteFeatures, RouteMatchConditions, RouteMatchType, RouteValueMatch } from "./route-types";
import * as rules from "../core/rules";
import { GATEWAY_API_CRDS_DEFAULTS, RETRY_CONDITIONS, ROUTE_DEFAULTS, ROUTE_LIMITS, type GatewayApiChannel } from "./defaults";

/** A header or query parameter a route matches, as the environment holds it. */
export interface RouteValueMatchInput {
  readonly name: string;
  readonly value: string;
  /** @default "Exact" */
  readonly type?: RouteMatchType;
}

/** One route as the environment holds it. */
export interface RouteInput {
  /** Host to match; every host when unset. */
  readonly host?: string;
  /** @default "/" */
  readonly path?: string;
  /** @default "Prefix" */
  readonly pathType?: "Prefix" | "Exact";
  /** Conditions beyond host and path: every one must hold (a dark launch). */
  readonly match?: { readonly headers?: readonly RouteValueMatchInput[]; readonly queryParams?: readonly RouteValueMatchInput[]; readonly cookie?: string };
  /** `namespace/service:port`; exactly one of backend and backends. */
  readonly backend?: string;
  /** Weighted backends (whole percentages adding up to 100). */
  readonly backends?: ReadonlyArray<{ readonly backend: string; readonly weight: number }>;
  /** Whole-request timeout, seconds. */
  readonly timeout?: number;
  /** Retries of a failed request: attempts after the first, the timeout of each (seconds), and when. */
  readonly retries?: { readonly attempts: number; readonly perTryTimeout?: number; readonly retryOn?: ReadonlyArray<RetryCondition | number> };
  /** Per backend Service: eject pods that keep failing (seconds for the durations). */
  readonly circuitBreaker?: { readonly consecutive5xxErrors?: number; readonly interval?: number; readonly baseEjectionTime?: number; readonly maxEjectionPercent?: number };
  /** Per backend Service: connection and request limits. */
  readonly connectionPool?: { readonly maxConnections?: number; readonly maxPendingRequests?: number; readonly maxRequests?: number; readonly maxRequestsPerConnection?: number };
  /** Per backend Service: how a pod is picked. */
  readonly loadBalancer?: LoadBalancerPolicy;
}

/** What a controller's route API carries out; `maxBackends` limits the backends of one route. */
export type RouteRuleFeatures = RouteFeatures;

export interface RouteRuleContext {
  /** The environment's GCP hostnames (wildcards allowed), when it has GCP: every host must be one of them. */
  readonly hostnames?: readonly string[];
  readonly features: RouteRuleFeatures;
  /** The controller's kind, for messages. */
  readonly controller: string;
  /** The release channel of the cluster's Gateway API CRDs (`controller.gatewayApiChannel`). @default "standard" */
  readonly gatewayApiChannel?: GatewayApiChannel;
}

const LABEL = /^[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?$/;
/** Service names are DNS-1035 labels (Kubernetes ValidateServiceName): they start with a letter. */
const SERVICE = /^[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?$/;
/** ingress-nginx's `validPathType` (internal/ingress/inspector/rules.go at helm-chart-4.15.1). */
const PLAIN_PATH = /^\/[A-Za-z0-9._\-/]*$/;
const BAD_PATH_SEQUENCES = ["//", "/./", "/../"] as const;
const BAD_PATH_SUFFIXES = ["/.", "/.."] as const;
/** HTTPRoute header and query parameter names (and cookie names, RFC 6265): HTTP token characters. */
const TOKEN = /^[A-Za-z0-9!#$%&'*+\-.^_`|~]+$/;

const BACKEND_FORMAT = 'must be "namespace/service:port": a namespace (DNS-1123 label), a Service name (DNS-1035 label: lowercase letters, digits and hyphens, starting with a letter, at most 63 characters) and a port number 1-65535';

/** `namespace/service:port` → its parts; undefined when malformed. */
export function parseBackend(text: string): Omit<RouteBackend, "weight"> | undefined {
  const m = /^([^/:]+)\/([^/:]+):([0-9]{1,5})$/.exec(text);
  if (!m) return undefined;
  const [, namespace = "", service = "", portText = ""] = m;
  const port = Number(portText);
  if (!LABEL.test(namespace) || !SERVICE.test(service) || portText.startsWith("0") || rules.port(port) !== undefined) return undefined;
  return { namespace, service, port };
}

/** True when `host` is one of `hostnames`, or matches a wildcard of them (one label, as certificates do). */
export function hostCovered(host: string, hostnames: readonly string[]): boolean {
  return hostnames.some((h) => {
    if (h === host) return true;
    if (!h.startsWith("*.") || host.startsWith("*.")) return false;
    const dot = host.indexOf(".");
    return dot > 0 && host.slice(dot) === h.slice(1);
  });
}

/** Problems with a route's name: it names the route's Kubernetes objects. */
/**
 * Whether a route takes a request for this path that carries nothing but a Host the route does
 * not name (a health checker's): no host, no match conditions, and its path matching as the
 * Ingress and Gateway API define it (Exact: equal; Prefix: element by element, so `/status`
 * takes `/status` and `/status/ready`, not `/statusx`).
 */
export function answersWithoutHost(r: Pick<Route, "host" | "path" | "pathType" | "match">, path: string): boolean {
  if (r.host !== undefined || r.match !== undefined) return false;
  if (r.pathType === "Exact") return r.path === path;
  const prefix = r.path.replace(/\/+$/, "");
  return prefix === "" || path === prefix || path.startsWith(`${prefix}/`);
}

export function routeNameCheck(name: string): Check {
  if (!LABEL.test(name) || name.includes("--"))
    return "route names must be DNS labels: lowercase letters, digits and single hyphens, starting and ending with a letter or digit, at most 63 characters (they name the route's objects; '--' is reserved)";
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Match conditions

/**
 * A route's regular expression as every controller is given it: anchored, so it must match the
 * whole value on each (Envoy's RE2 matches whole values; nginx's PCRE and NGINX Gateway Fabric's
 * JavaScript search for the pattern anywhere).
 */
export function anchoredPattern(pattern: string): string {
  return `^(?:${pattern})$`;
}

/** The regular expression of a `cookie` match: a `Cookie` header holding `<name>=always` as one of its pairs. */
export function cookiePattern(name: string): string {
  return anchoredPattern(`(.*;\\s*)?${name.replace(/[\\^$.*+?()[\]{}|]/g, "\\$&")}=always(;.*)?`);
}

/** Constructs of PCRE and JavaScript that RE2 (Envoy) lacks, and what they are. */
const NOT_RE2: ReadonlyArray<readonly [RegExp, string]> = [
  [/\(\?<?[=!]/, "lookaround"],
  [/\\[1-9]|\\k</, "backreferences"],
  [/\(\?<[A-Za-z]|\(\?P</, "named groups"],
  [/\\u|\\c/, "\\u and \\c escapes"],
  [/\[\^?\]/, "empty character classes"],
];

/** A regular expression every controller reads alike, or why not. */
export function matchPattern(pattern: string): Check {
  try {
    new RegExp(pattern);
  } catch (e) {
    return `is not a valid regular expression (${e instanceof Error ? e.message : String(e)})`;
  }
  for (const [re, what] of NOT_RE2) if (re.test(pattern)) return `uses ${what}, which Envoy's RE2 (Istio) does not have; write it without them`;
  return undefined;
}

function valueMatchProblems(at: string, list: readonly RouteValueMatchInput[], kind: "header" | "query parameter", maxValue: number): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const max = kind === "header" ? ROUTE_LIMITS.headers : ROUTE_LIMITS.queryParams;
  if (list.length === 0) problems.push({ path: at, value: [], message: `must list at least one ${kind}, or be left out` });
  if (list.length > max) problems.push({ path: at, value: list.length, message: `takes at most ${max} ${kind}s (HTTPRoute matches)` });
  const seen = new Map<string, number>();
  list.forEach((m, i) => {
    const here = `${at}.${i}`;
    if (!TOKEN.test(m.name) || m.name.length > ROUTE_LIMITS.matchNameLength)
      problems.push({ path: `${here}.name`, value: m.name, message: `must be an HTTP ${kind} name: 1-${ROUTE_LIMITS.matchNameLength} letters, digits and !#$%&'*+-.^_\`|~` });
    // Header names compare without letter case (RFC 9110); query parameter names exactly.
    const key = kind === "header" ? m.name.toLowerCase() : m.name;
    const first = seen.get(key);
    if (first !== undefined) problems.push({ path: `${here}.name`, value: m.name, message: `is ${at}.${first} again${kind === "header" ? " (header names ignore letter case)" : ""}: each ${kind} may be matched once` });
    else seen.set(key, i);
    const type = m.type ?? ROUTE_DEFAULTS.matchType;
    if (type === "RegularExpression") {
      const bad = matchPattern(m.value);
      if (bad) problems.push({ path: `${here}.value`, value: m.value, message: bad });
      else if (anchoredPattern(m.value).length > maxValue)
        problems.push({ path: `${here}.value`, value: m.value, message: `must be at most ${maxValue - anchoredPattern("").length} characters (the controller gets it anchored, "^(?:…)$", in a field of at most ${maxValue})` });
    } else if (m.value.length === 0 || m.value.length > maxValue || m.value.trim() !== m.value) {
      problems.push({ path: `${here}.value`, value: m.value, message: `must be 1-${maxValue} characters without leading or trailing spaces (a request's ${kind} value never has them)` });
    } else {
      const bad = rules.headerValue(m.value);
      if (bad) problems.push({ path: `${here}.value`, value: m.value, message: bad });
    }
  });
  return problems;
}

function matchProblems(at: string, match: NonNullable<RouteInput["match"]>): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const { headers, queryParams, cookie } = match;
  if (headers === undefined && queryParams === undefined && cookie === undefined)
    return [{ path: at, value: match, message: "must name at least one header, query parameter or cookie; leave match out to take every request for the host and path" }];
  if (headers !== undefined) problems.push(...valueMatchProblems(`${at}.headers`, headers, "header", ROUTE_LIMITS.headerValueLength));
  if (queryParams !== undefined) problems.push(...valueMatchProblems(`${at}.queryParams`, queryParams, "query parameter", ROUTE_LIMITS.queryParamValueLength));
  if (cookie !== undefined) {
    if (!TOKEN.test(cookie) || cookie.length > ROUTE_LIMITS.matchNameLength)
      problems.push({ path: `${at}.cookie`, value: cookie, message: `must be a cookie name: 1-${ROUTE_LIMITS.matchNameLength} letters, digits and !#$%&'*+-.^_\`|~` });
    const clash = (headers ?? []).findIndex((h) => h.name.toLowerCase() === "cookie");
    if (clash >= 0) problems.push({ path: `${at}.headers.${clash}.name`, value: headers?.[clash]?.name, message: "matches the Cookie header, which match.cookie matches too; keep one of them" });
  }
  return problems;
}

/** The conditions with their defaults, header names in lowercase (as compared), each list sorted by name. */
function normalizedMatch(m: RouteMatchConditions | undefined): string {
  if (!m) return "";
  const list = (l: readonly RouteValueMatch[], lower: boolean) =>
    l.map((x) => [lower ? x.name.toLowerCase() : x.name, x.type, x.value] as const).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return JSON.stringify([list(m.headers, true), list(m.queryParams, false), m.cookie ?? null]);
}

/** The match conditions as a phrase, for messages. */
function describeMatch(m: RouteMatchConditions | undefined): string {
  if (!m) return "";
  const parts = [
    ...m.headers.map((h) => `header ${h.name} ${h.type === "Exact" ? "=" : "~"} "${h.value}"`),
    ...m.queryParams.map((q) => `query ${q.name} ${q.type === "Exact" ? "=" : "~"} "${q.value}"`),
    ...(m.cookie !== undefined ? [`cookie ${m.cookie}=always`] : []),
  ];
  return ` and ${parts.join(", ")}`;
}

// ---------------------------------------------------------------------------------------------
// Routes that match the same requests

/**
 * What a route matches, the way Ingress controllers and Gateway API implementations compare it;
 * two routes with the same key claim the same requests, and only one of them would ever be used:
 * - a Prefix path matches whole path elements and ignores a trailing `/` (Ingress: "Prefix /aaa/bbb/
 *   matches /aaa/bbb, ignores trailing slash"; Gateway API PathPrefix: "When specified, a trailing
 *   `/` is ignored"): `/api` and `/api/` match the same requests. An Exact path is compared as it
 *   is: `/api` and `/api/` are two paths (both APIs say so);
 * - repeated `/` count as one (nginx merges them in a request before matching); both APIs refuse
 *   them in a path, and so does checkPath, so this only names the reason beside that refusal;
 * - a Prefix and an Exact route on the same path are two routes: the Exact one takes that one
 *   path, the Prefix one everything below it (both APIs prefer Exact);
 * - host names are compared without letter case and without a trailing dot (DNS); a wildcard host
 *   and an exact host under it are two routes (the exact host wins for its name), and so are a
 *   route with a host and one for every host;
 * - match conditions (headers, query parameters, a cookie) make another route: it takes the
 *   requests that carry them, the route without takes the rest. Header names ignore letter case.
 */
export function routeMatchKey(r: { readonly host?: string; readonly path: string; readonly pathType: string; readonly match?: RouteMatchConditions }): string {
  const host = r.host === undefined ? "" : r.host.toLowerCase().replace(/\.$/, "");
  const merged = r.path.replace(/\/{2,}/g, "/");
  const path = r.pathType === "Prefix" ? merged.replace(/(.)\/$/, "$1") : merged;
  return JSON.stringify([host, path, r.pathType, normalizedMatch(r.match)]);
}

/** A route as routes are compared: its name and what it matches, defaults applied. */
export interface RouteMatch {
  readonly name: string;
  readonly host?: string;
  readonly path: string;
  readonly pathType: string;
  readonly match?: RouteMatchConditions;
}

/**
 * Routes that match the same requests (routeMatchKey) as a route before them, in the order given:
 * one problem per later route, at its path, naming both. The env's routes (routeProblems) and the
 * Routes construct (routeRenderProblems) both come here.
 */
export class RouteCollisions {
  private readonly claimed = new Map<string, RouteMatch>();

  /** The problem with `r`, when an earlier route claimed what it matches; else `r` claims it. */
  public claim(r: RouteMatch): FieldProblem | undefined {
    const key = routeMatchKey(r);
    const first = this.claimed.get(key);
    if (first === undefined) {
      this.claimed.set(key, r);
      return undefined;
    }
    const where = (x: RouteMatch) => `${x.host === undefined ? "every host" : `host "${x.host}"`} with path "${x.path}" (${x.pathType})${describeMatch(x.match)}`;
    const reasons: string[] = [];
    if ((r.host ?? "") !== (first.host ?? "")) reasons.push("host names match whatever their letter case and with or without a trailing dot");
    const merged = (p: string) => p.replace(/\/{2,}/g, "/");
    if (merged(r.path) !== merged(first.path)) reasons.push('a Prefix path ignores a trailing "/" (Ingress and Gateway API alike)');
    if (r.path !== first.path && (r.path.includes("//") || first.path.includes("//"))) reasons.push('repeated "/" count as one');
    if (describeMatch(r.match) !== describeMatch(first.match)) reasons.push("header names match whatever their letter case, and the order of conditions does not count");
    return {
      path: `routes.${r.name}.path`,
      value: r.path,
      message: reasons.length
        ? `${where(r)} matches the same requests as route "${first.name}", ${where(first)}: ${reasons.join("; ")}, so only one of the two would ever be used; keep one of them`
        : `${where(r)} is already routed by route "${first.name}"; each host, path and pathType can be routed once${r.match ? " with the same conditions" : ""}`,
    };
  }
}

// ---------------------------------------------------------------------------------------------
// The environment's routes

/** Every problem with the environment's routes; empty when they can all be rendered for this controller. */
export function routeProblems(routes: Readonly<Record<string, RouteInput>>, ctx: RouteRuleContext): FieldProblem[] {
  const problems: FieldProblem[] = [];
  // Routes in name order: the later name is the one reported.
  const collisions = new RouteCollisions();
  const sound: Record<string, RouteInput> = {};
  for (const name of sortedNames(routes)) {
    const r = routes[name] as RouteInput;
    const at = `routes.${name}`;
    const own: FieldProblem[] = [];
    const nameProblem = routeNameCheck(name);
    if (nameProblem) own.push({ path: at, value: name, message: nameProblem });

    if (r.host !== undefined) {
      const bad = rules.hostname(r.host, true);
      if (bad) own.push({ path: `${at}.host`, value: r.host, message: bad });
      else if (ctx.hostnames && !hostCovered(r.host, ctx.hostnames))
        own.push({
          path: `${at}.host`,
          value: r.host,
          message: `is not among the hostnames (${ctx.hostnames.join(", ")}), exactly or by a wildcard: Google's certificate map serves only those; add it to hostnames or use one of them`,
        });
    }

    const path = r.path ?? ROUTE_DEFAULTS.path;
    const pathType = r.pathType ?? ROUTE_DEFAULTS.pathType;
    const pathProblem = checkPath(path, pathType);
    if (pathProblem) own.push({ path: `${at}.path`, value: path, message: pathProblem });
    if (pathType !== "Prefix" && pathType !== "Exact") own.push({ path: `${at}.pathType`, value: pathType, message: 'must be "Prefix" or "Exact"' });
    const matchIssues = r.match !== undefined ? matchProblems(`${at}.match`, r.match) : [];
    own.push(...matchIssues);
    if (matchIssues.length === 0) {
      const collision = collisions.claim({ name, host: r.host, path, pathType, match: r.match && parseMatch(r.match) });
      if (collision) own.push(collision);
    }

    own.push(...backendProblems(at, r));
    own.push(...resilienceProblems(at, r));
    problems.push(...own);
    if (own.length === 0) sound[name] = r;
  }
  // What the controller cannot carry out, of the routes that are sound themselves.
  problems.push(...routeFeatureProblems(parseRoutes(sound), ctx));
  return problems;
}

function resilienceProblems(at: string, r: RouteInput): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const ranged = (path: string, value: number | undefined, limits: { readonly min: number; readonly max: number }, what: string) => {
    if (value !== undefined && !(Number.isInteger(value) && value >= limits.min && value <= limits.max))
      problems.push({ path, value, message: `must be a whole number${what ? ` ${what}` : ""} from ${limits.min} to ${limits.max}` });
  };
  ranged(`${at}.timeout`, r.timeout, ROUTE_LIMITS.timeoutSeconds, "of seconds");
  if (r.retries !== undefined) {
    const { attempts, perTryTimeout, retryOn } = r.retries;
    ranged(`${at}.retries.attempts`, attempts, ROUTE_LIMITS.retryAttempts, "of retries");
    if (perTryTimeout !== undefined) {
      const before = problems.length;
      ranged(`${at}.retries.perTryTimeout`, perTryTimeout, ROUTE_LIMITS.timeoutSeconds, "of seconds");
      if (problems.length === before && r.timeout !== undefined && perTryTimeout > r.timeout)
        problems.push({ path: `${at}.retries.perTryTimeout`, value: perTryTimeout, message: `must not exceed the route's timeout (${r.timeout} s), which covers every try` });
    }
    if (retryOn !== undefined) {
      if (retryOn.length === 0) problems.push({ path: `${at}.retries.retryOn`, value: [], message: `must list at least one of ${RETRY_CONDITIONS.join(", ")} or a status code, or be left out (${ROUTE_DEFAULTS.retryOn.join(", ")})` });
      retryOn.forEach((c, i) => {
        if (typeof c === "number") ranged(`${at}.retries.retryOn.${i}`, c, ROUTE_LIMITS.retryStatusCode, "(an HTTP status code)");
        else if (!(RETRY_CONDITIONS as readonly string[]).includes(c)) problems.push({ path: `${at}.retries.retryOn.${i}`, value: c, message: `must be one of ${RETRY_CONDITIONS.join(", ")}, or a status code ${ROUTE_LIMITS.retryStatusCode.min}-${ROUTE_LIMITS.retryStatusCode.max}` });
      });
      for (const i of rules.repeatedIndexes(retryOn)) problems.push({ path: `${at}.retries.retryOn.${i}`, value: retryOn[i], message: "is listed twice; list each condition once" });
    }
  }
  const cb = r.circuitBreaker;
  if (cb !== undefined) {
    ranged(`${at}.circuitBreaker.consecutive5xxErrors`, cb.consecutive5xxErrors, ROUTE_LIMITS.consecutive5xxErrors, "of responses");
    ranged(`${at}.circuitBreaker.interval`, cb.interval, ROUTE_LIMITS.ejectionSeconds, "of seconds");
    ranged(`${at}.circuitBreaker.baseEjectionTime`, cb.baseEjectionTime, ROUTE_LIMITS.ejectionSeconds, "of seconds");
    ranged(`${at}.circuitBreaker.maxEjectionPercent`, cb.maxEjectionPercent, ROUTE_LIMITS.maxEjectionPercent, "(percent)");
  }
  const pool = r.connectionPool;
  if (pool !== undefined) {
    const fields = ["maxConnections", "maxPendingRequests", "maxRequests", "maxRequestsPerConnection"] as const;
    if (fields.every((f) => pool[f] === undefined)) problems.push({ path: `${at}.connectionPool`, value: pool, message: `must set at least one of ${fields.join(", ")}, or be left out` });
    for (const f of fields) ranged(`${at}.connectionPool.${f}`, pool[f], ROUTE_LIMITS.connections, "");
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------
// What the controller carries out

/** A route's Service-level settings, defaults applied: equal on every route to one Service. */
function serviceSettings(r: Route): string {
  return JSON.stringify([r.circuitBreaker ?? null, r.connectionPool ?? null, r.loadBalancer ?? null]);
}

/**
 * What the controller's route API cannot carry out, for one route. The one home of these rules:
 * the env's routes (routeProblems) and a controller checking parsed routes (routeFeatureProblems)
 * both come here.
 */
function featureProblems(r: Route, ctx: Pick<RouteRuleContext, "features" | "controller" | "gatewayApiChannel">): FieldProblem[] {
  const at = `routes.${r.name}`;
  const f = ctx.features;
  const why = (feature: keyof NonNullable<RouteFeatures["reasons"]>) => (f.reasons?.[feature] ? ` (${f.reasons[feature]})` : "");
  const problems: FieldProblem[] = [];
  if (r.timeoutSeconds !== undefined && !f.timeouts) problems.push({ path: `${at}.timeout`, value: r.timeoutSeconds, message: `${ctx.controller} cannot set a timeout on a route${why("timeouts")}; remove it` });
  if (r.retries !== undefined && !f.retries)
    problems.push({
      path: `${at}.retries`,
      value: r.retries,
      message: `${ctx.controller} cannot retry requests through its routes${f.reasons?.retries ? ` (${f.reasons.retries})` : " (for Gateway API controllers: HTTPRoute retries are not in the standard channel)"}; remove it`,
    });
  else if (r.retries !== undefined && f.retries === "experimental-channel" && (ctx.gatewayApiChannel ?? GATEWAY_API_CRDS_DEFAULTS.channel) !== "experimental")
    problems.push({
      path: `${at}.retries`,
      value: r.retries,
      message: `${ctx.controller} retries a route through HTTPRoute's retry field, which the Gateway API has in its experimental channel only: the standard channel's CRD drops it. Set controller.gatewayApiChannel: experimental (gatehouse then installs, or with gatewayApiCrds: cluster-managed requires, the experimental CRDs), or remove it`,
    });
  else if (r.retries?.retryOn !== undefined && f.retryOn) problems.push(...retryOnProblems(`${at}.retries.retryOn`, r.retries.retryOn, f.retryOn, ctx.controller, why("retryOn")));
  const backends = r.backends.length;
  if (backends > 1 && !f.weights) problems.push({ path: `${at}.backends`, value: backends, message: `${ctx.controller} cannot split a route between weighted backends; give one backend` });
  else if (f.maxBackends !== undefined && backends > f.maxBackends)
    problems.push({
      path: `${at}.backends`,
      value: backends,
      message:
        f.maxBackends === 2
          ? `${ctx.controller} carries out only one canary backend beside the primary (one canary Ingress per host and path): give at most 2 backends`
          : `${ctx.controller} takes at most ${f.maxBackends} backends per route`,
    });
  const m = r.match;
  if (m) {
    for (const [kind, list, support] of [
      ["headers", m.headers, f.headers],
      ["queryParams", m.queryParams, f.queryParams],
    ] as const) {
      if (list.length === 0) continue;
      const what = kind === "headers" ? "headers" : "query parameters";
      if (!support) {
        problems.push({ path: `${at}.match.${kind}`, value: list.map((x) => x.name), message: `${ctx.controller} cannot match ${what}${why(kind)}; remove them` });
        continue;
      }
      if (list.length > support.max) problems.push({ path: `${at}.match.${kind}`, value: list.length, message: `${ctx.controller} matches at most ${support.max} ${what} per route` });
      list.forEach((x, i) => {
        if (!support.types.includes(x.type)) problems.push({ path: `${at}.match.${kind}.${i}.type`, value: x.type, message: `${ctx.controller} compares ${what} only by ${support.types.join(" or ")}${why(kind)}; use type ${support.types.join(" or ")}` });
      });
    }
    if (m.cookie !== undefined && !f.cookie) problems.push({ path: `${at}.match.cookie`, value: m.cookie, message: `${ctx.controller} cannot match cookies${why("cookie")}; remove it` });
  }
  if (r.circuitBreaker !== undefined && !f.circuitBreaker)
    problems.push({ path: `${at}.circuitBreaker`, value: r.circuitBreaker, message: `${ctx.controller} cannot eject failing pods of a backend${why("circuitBreaker")}; remove it` });
  if (r.connectionPool !== undefined && !f.connectionPool)
    problems.push({ path: `${at}.connectionPool`, value: r.connectionPool, message: `${ctx.controller} cannot limit the connections or requests to a backend${why("connectionPool")}; remove it` });
  if (r.loadBalancer !== undefined && !(f.loadBalancers ?? []).includes(r.loadBalancer))
    problems.push({
      path: `${at}.loadBalancer`,
      value: r.loadBalancer,
      message: f.loadBalancers?.length
        ? `${ctx.controller} balances only ${f.loadBalancers.map((p) => `"${p}"`).join(" or ")}${why("loadBalancer")}; use ${f.loadBalancers.length === 1 ? "it" : "one of them"} or leave loadBalancer out`
        : `${ctx.controller} cannot choose how pods are balanced${why("loadBalancer")}; remove it`,
    });
  return problems;
}

function retryOnProblems(at: string, retryOn: ReadonlyArray<RetryCondition | number>, can: NonNullable<RouteFeatures["retryOn"]>, controller: string, reason: string): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const codes = can.statusCodes ?? [`status codes ${ROUTE_LIMITS.retryStatusCode.min}-${ROUTE_LIMITS.retryStatusCode.max}`];
  const accepted = [...can.conditions, ...codes].join(", ");
  retryOn.forEach((c, i) => {
    const ok = typeof c === "number" ? (can.statusCodes?.includes(c) ?? true) : can.conditions.includes(c);
    if (!ok) problems.push({ path: `${at}.${i}`, value: c, message: `${controller} cannot retry on ${c}; it retries on ${accepted}${reason}` });
  });
  const missing = (can.always ?? []).filter((c) => !retryOn.includes(c));
  if (missing.length)
    problems.push({ path: at, value: retryOn, message: `${controller} retries on ${missing.join(" and ")} whenever a route retries${reason}; list ${missing.length === 1 ? "it" : "them"} too` });
  for (const group of can.together ?? []) {
    const given = group.filter((c) => retryOn.includes(c));
    if (given.length > 0 && given.length < group.length)
      problems.push({ path: at, value: retryOn, message: `${controller} retries on ${group.join(" and ")} together or on neither (one setting of its covers them all); list ${group.filter((c) => !given.includes(c)).join(", ")} too, or leave ${given.join(", ")} out` });
  }
  return problems;
}

/**
 * What a controller cannot carry out of parsed routes (the same rules and messages as
 * routeProblems): each route's features, and the rules between routes: ingress-nginx's canaries,
 * and one set of Service-level settings per backend Service.
 */
export function routeFeatureProblems(routes: readonly Route[], ctx: Pick<RouteRuleContext, "features" | "controller" | "gatewayApiChannel">): FieldProblem[] {
  const problems = routes.flatMap((r) => featureProblems(r, ctx));
  if (ctx.features.matchAsCanary) problems.push(...canaryProblems(routes, ctx.controller));
  // Circuit breaking, connection limits and load balancing attach to a Service.
  const byService = new Map<string, Route>();
  for (const r of [...routes].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    for (const b of new Set(r.backends.map((x) => `${x.namespace}/${x.service}`))) {
      const first = byService.get(b);
      if (first === undefined) {
        byService.set(b, r);
        continue;
      }
      if (serviceSettings(first) === serviceSettings(r)) continue;
      // The settings differ, so one of them does.
      const differs = (["circuitBreaker", "connectionPool", "loadBalancer"] as const).find((k) => JSON.stringify(r[k] ?? null) !== JSON.stringify(first[k] ?? null)) ?? "circuitBreaker";
      problems.push({
        path: `routes.${r.name}.${differs}`,
        value: r[differs] ?? null,
        message: `differs from route "${first.name}", which sends to Service ${b} too: circuit breaking, connection limits and load balancing apply to a Service, not to a route; give both routes the same ${differs} (or leave it out of both)`,
      });
    }
  }
  return problems;
}

/**
 * ingress-nginx carries out a route with match conditions as a canary Ingress beside the Ingress
 * of the route with the same host, path and pathType and no conditions (its main route): one
 * canary per host and path, one backend, picked by header (`canary-by-header` with a value or a
 * pattern), else by cookie (`canary-by-cookie`), else by weight, and taking every other setting
 * from the main Ingress (annotations.md, Canary). A main route that splits by weight already has
 * its canary: the match route must send to that same backend, and the one canary Ingress then
 * carries both.
 */
function canaryProblems(routes: readonly Route[], controller: string): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const mains = new Map<string, Route>();
  for (const r of routes) if (!r.match) mains.set(routeMatchKey(r), r);
  const taken = new Map<string, Route>();
  for (const r of [...routes].filter((x) => x.match).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const at = `routes.${r.name}`;
    const key = routeMatchKey({ ...r, match: undefined });
    const main = mains.get(key);
    const m = r.match as RouteMatchConditions;
    if (m.headers.length > 0 && m.cookie !== undefined)
      problems.push({ path: `${at}.match`, value: { headers: m.headers.map((h) => h.name), cookie: m.cookie }, message: `${controller} picks a canary by a header or by a cookie, not by both together; keep one of them` });
    m.headers.forEach((h, i) => {
      if (h.name.includes("_")) problems.push({ path: `${at}.match.headers.${i}.name`, value: h.name, message: `${controller} drops request headers with "_" in their names (nginx ignore_invalid_headers) and reads this one as "${h.name.replace(/_/g, "-")}"; name the header with "-"` });
    });
    if (!main) {
      problems.push({ path: `${at}.match`, value: describeMatch(m).slice(5), message: `${controller} carries out match conditions only as the canary of a route with the same host, path and pathType and no conditions, which takes the other requests; add that route` });
      continue;
    }
    const other = taken.get(key);
    if (other) {
      problems.push({ path: `${at}.match`, value: describeMatch(m).slice(5), message: `${controller} takes one canary per host and path, and route "${other.name}" already is the canary of route "${main.name}"; merge the two` });
      continue;
    }
    taken.set(key, r);
    if (r.backends.length !== 1) problems.push({ path: `${at}.backends`, value: r.backends.length, message: `${controller} sends a canary to one backend; give one` });
    const canary = main.backends[1];
    const mine = r.backends[0];
    if (canary && mine && (canary.namespace !== mine.namespace || canary.service !== mine.service || canary.port !== mine.port))
      problems.push({
        path: `${at}.backend`,
        value: `${mine.namespace}/${mine.service}:${mine.port}`,
        message: `${controller} takes one canary per host and path, and route "${main.name}" already sends ${canary.weight}% to its canary ${canary.namespace}/${canary.service}:${canary.port}; send this route there too (the canary then takes the matching requests and its share of the others)`,
      });
    if (r.timeoutSeconds !== undefined || r.retries !== undefined)
      problems.push({ path: `${at}.${r.timeoutSeconds !== undefined ? "timeout" : "retries"}`, value: r.timeoutSeconds ?? r.retries, message: `${controller} gives a canary the timeout and retries of its main route "${main.name}" and ignores its own; set them there` });
  }
  return problems;
}

function backendProblems(at: string, r: RouteInput): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const one = rules.exactlyOneOf(r.backend, r.backends, "backend", "backends");
  if (one) return [{ path: at, message: `${one}: one Service as "namespace/service:port", or weighted Services` }];
  if (r.backend !== undefined) {
    if (!parseBackend(r.backend)) problems.push({ path: `${at}.backend`, value: r.backend, message: BACKEND_FORMAT });
    return problems;
  }
  const list = r.backends ?? [];
  if (list.length === 0) return [{ path: `${at}.backends`, value: [], message: "must list at least one backend" }];
  const { min, max } = ROUTE_LIMITS.weight;
  const parsed = list.map((b, i) => {
    const p = parseBackend(b.backend);
    if (!p) problems.push({ path: `${at}.backends.${i}.backend`, value: b.backend, message: BACKEND_FORMAT });
    if (!(Number.isInteger(b.weight) && b.weight >= min && b.weight <= max))
      problems.push({ path: `${at}.backends.${i}.weight`, value: b.weight, message: `must be a whole number from ${min} to ${max} (a percentage of the route's requests)` });
    return p;
  });
  for (const i of rules.repeatedIndexes(list.map((b) => b.backend))) problems.push({ path: `${at}.backends.${i}.backend`, value: list[i]?.backend, message: "is listed twice; list each Service once" });
  const sum = list.reduce((s, b) => s + b.weight, 0);
  if (list.every((b) => Number.isInteger(b.weight)) && sum !== max)
    problems.push({ path: `${at}.backends`, value: list.map((b) => b.weight), message: `weights must add up to ${max} (they add up to ${sum})` });
  const namespaces = new Set(parsed.filter((p) => p !== undefined).map((p) => p.namespace));
  if (namespaces.size > 1)
    problems.push({ path: `${at}.backends`, value: [...namespaces], message: "must all be in one namespace: a route's objects live in its Services' namespace" });
  return problems;
}

function checkPath(path: string, pathType: string): Check {
  if (!path.startsWith("/")) return 'must start with "/"';
  if (path.length > ROUTE_LIMITS.pathLength) return `must be at most ${ROUTE_LIMITS.pathLength} characters`;
  if (!PLAIN_PATH.test(path))
    return `must be a plain path for pathType ${pathType}: letters, digits, ".", "_", "-" and "/" only (no regular expression, no escapes; ingress-nginx refuses anything else)`;
  if (BAD_PATH_SEQUENCES.some((s) => path.includes(s)) || BAD_PATH_SUFFIXES.some((s) => path.endsWith(s)))
    return 'must not contain "//", "/./" or "/../" nor end with "/." or "/.." (the Kubernetes API and the Gateway API refuse them)';
  return undefined;
}

/** Names in code-unit order: the same whatever order the environment lists them in. */
function sortedNames(routes: Readonly<Record<string, unknown>>): string[] {
  return Object.keys(routes).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

function parseMatch(m: NonNullable<RouteInput["match"]>): RouteMatchConditions {
  const values = (l: readonly RouteValueMatchInput[] | undefined): RouteValueMatch[] => (l ?? []).map((x) => ({ name: x.name, value: x.value, type: x.type ?? ROUTE_DEFAULTS.matchType }));
  return { headers: values(m.headers), queryParams: values(m.queryParams), ...(m.cookie !== undefined ? { cookie: m.cookie } : {}) };
}

/**
 * The environment's routes as the route model, sorted by name, defaults applied. Takes routes
 * `routeProblems` accepts (a malformed backend is a bug here, and throws).
 */
export function parseRoutes(routes: Readonly<Record<string, RouteInput>>): Route[] {
  return sortedNames(routes).map((name): Route => {
    const r = routes[name] as RouteInput;
    const backend = (text: string, weight: number): RouteBackend => {
      const p = parseBackend(text);
      if (!p) throw new Error(`routes.${name}: backend ${JSON.stringify(text)} is not "namespace/service:port"; check routes with routeProblems first`);
      return { ...p, weight };
    };
    const backends = r.backend !== undefined ? [backend(r.backend, 100)] : (r.backends ?? []).map((b) => backend(b.backend, b.weight));
    const cb = r.circuitBreaker;
    const dflt = ROUTE_DEFAULTS.circuitBreaker;
    const pool = r.connectionPool;
    return {
      name,
      ...(r.host !== undefined ? { host: r.host } : {}),
      path: r.path ?? ROUTE_DEFAULTS.path,
      pathType: r.pathType ?? ROUTE_DEFAULTS.pathType,
      ...(r.match !== undefined ? { match: parseMatch(r.match) } : {}),
      backends,
      ...(r.timeout !== undefined ? { timeoutSeconds: r.timeout } : {}),
      ...(r.retries !== undefined
        ? {
            retries: {
              attempts: r.retries.attempts,
              ...(r.retries.perTryTimeout !== undefined ? { perTryTimeoutSeconds: r.retries.perTryTimeout } : {}),
              ...(r.retries.retryOn !== undefined ? { retryOn: [...r.retries.retryOn] } : {}),
            },
          }
        : {}),
      ...(cb !== undefined
        ? {
            circuitBreaker: {
              consecutive5xxErrors: cb.consecutive5xxErrors ?? dflt.consecutive5xxErrors,
              intervalSeconds: cb.interval ?? dflt.intervalSeconds,
              baseEjectionTimeSeconds: cb.baseEjectionTime ?? dflt.baseEjectionTimeSeconds,
              maxEjectionPercent: cb.maxEjectionPercent ?? dflt.maxEjectionPercent,
            },
          }
        : {}),
      ...(pool !== undefined
        ? {
            connectionPool: {
              ...(pool.maxConnections !== undefined ? { maxConnections: pool.maxConnections } : {}),
              ...(pool.maxPendingRequests !== undefined ? { maxPendingRequests: pool.maxPendingRequests } : {}),
              ...(pool.maxRequests !== undefined ? { maxRequests: pool.maxRequests } : {}),
              ...(pool.maxRequestsPerConnection !== undefined ? { maxRequestsPerConnection: pool.maxRequestsPerConnection } : {}),
            },
          }
        : {}),
      ...(r.loadBalancer !== undefined ? { loadBalancer: r.loadBalancer } : {}),
    };
  });
}
