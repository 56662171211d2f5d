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
 * - a route's objects live in its backends' namespace and are named after the route, so route
 *   names are DNS labels without `--` (the separator of derived names) and a route's backends
 *   share one namespace;
 * - what the controller cannot carry out (weights, timeouts, retries) is refused by name;
 * - two routes that match the same requests are refused (routeMatchKey): the controller would
 *   serve one of them and drop the other without a word.
 */
import type { Check, FieldProblem } from "../core/errors";
import type { Route, RouteBackend, RouteFeatures } from "./route-types";
import * as rules from "../core/rules";
import { ROUTE_DEFAULTS, ROUTE_LIMITS } from "./defaults";

/** One route as the environment holds it. */
export interface RouteInput {
  /** Host to match; every host when unset. */
  readonly host?: string;
  /** @default "/" */
  readonly path?: string;
  /** @default "Prefix" */
  readonly pathType?: "Prefix" | "Exact";
  /** `namespace/service:port`; exactly one of backend and backends. */
  readonly backend?: string;
  /** Weighted backends (whole percentages adding up to 100). */
  readonly backends?: ReadonlyArray<{ readonly backend: string; readonly weight: number }>;
  /** Whole-request timeout, seconds. */
  readonly timeout?: number;
  /** Retries of a failed request: attempts after the first, and the timeout of each, seconds. */
  readonly retries?: { readonly attempts: number; readonly perTryTimeout?: number };
}

/** What a controller's route API carries out; `maxBackends` limits the backends of one route. */
export type RouteRuleFeatures = RouteFeatures;

export interface RouteRuleContext {
  /** The environment's GCP hostnames (wildcards allowed), when it has GCP: every host must be one of them. */
  readonly hostnames?: readonly string[];
  readonly features: RouteRuleFeatures;
  /** The controller's kind, for messages. */
  readonly controller: string;
}

const LABEL = /^[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?$/;
/** Service names are DNS-1035 labels (Kubernetes ValidateServiceName): they start with a letter. */
const SERVICE = /^[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?$/;
/** ingress-nginx's `validPathType` (internal/ingress/inspector/rules.go at helm-chart-4.15.1). */
const PLAIN_PATH = /^\/[A-Za-z0-9._\-/]*$/;
const BAD_PATH_SEQUENCES = ["//", "/./", "/../"] as const;
const BAD_PATH_SUFFIXES = ["/.", "/.."] as const;

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
export function routeNameCheck(name: string): Check {
  if (!LABEL.test(name) || name.includes("--"))
    return "route names must be DNS labels: lowercase letters, digits and single hyphens, starting and ending with a letter or digit, at most 63 characters (they name the route's objects; '--' is reserved)";
  return undefined;
}

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
 *   route with a host and one for every host.
 */
export function routeMatchKey(r: { readonly host?: string; readonly path: string; readonly pathType: string }): string {
  const host = r.host === undefined ? "" : r.host.toLowerCase().replace(/\.$/, "");
  const merged = r.path.replace(/\/{2,}/g, "/");
  const path = r.pathType === "Prefix" ? merged.replace(/(.)\/$/, "$1") : merged;
  return JSON.stringify([host, path, r.pathType]);
}

/** A route as routes are compared: its name and what it matches, defaults applied. */
export interface RouteMatch {
  readonly name: string;
  readonly host?: string;
  readonly path: string;
  readonly pathType: string;
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
    const where = (x: RouteMatch) => `${x.host === undefined ? "every host" : `host "${x.host}"`} with path "${x.path}" (${x.pathType})`;
    const reasons: string[] = [];
    if ((r.host ?? "") !== (first.host ?? "")) reasons.push("host names match whatever their letter case and with or without a trailing dot");
    const merged = (p: string) => p.replace(/\/{2,}/g, "/");
    if (merged(r.path) !== merged(first.path)) reasons.push('a Prefix path ignores a trailing "/" (Ingress and Gateway API alike)');
    if (r.path !== first.path && (r.path.includes("//") || first.path.includes("//"))) reasons.push('repeated "/" count as one');
    return {
      path: `routes.${r.name}.path`,
      value: r.path,
      message: reasons.length
        ? `${where(r)} matches the same requests as route "${first.name}", ${where(first)}: ${reasons.join("; ")}, so only one of the two would ever be used; keep one of them`
        : `${where(r)} is already routed by route "${first.name}"; each host, path and pathType can be routed once`,
    };
  }
}

/** Every problem with the environment's routes; empty when they can all be rendered for this controller. */
export function routeProblems(routes: Readonly<Record<string, RouteInput>>, ctx: RouteRuleContext): FieldProblem[] {
  const problems: FieldProblem[] = [];
  // Routes in name order: the later name is the one reported.
  const collisions = new RouteCollisions();
  for (const name of sortedNames(routes)) {
    const r = routes[name] as RouteInput;
    const at = `routes.${name}`;
    const nameProblem = routeNameCheck(name);
    if (nameProblem) problems.push({ path: at, value: name, message: nameProblem });

    if (r.host !== undefined) {
      const bad = rules.hostname(r.host, true);
      if (bad) problems.push({ path: `${at}.host`, value: r.host, message: bad });
      else if (ctx.hostnames && !hostCovered(r.host, ctx.hostnames))
        problems.push({
          path: `${at}.host`,
          value: r.host,
          message: `is not among the GCP hostnames (${ctx.hostnames.join(", ")}), exactly or by a wildcard: the load balancer's certificate map serves only those; add it to gcp.hostnames or use one of them`,
        });
    }

    const path = r.path ?? ROUTE_DEFAULTS.path;
    const pathType = r.pathType ?? ROUTE_DEFAULTS.pathType;
    const pathProblem = checkPath(path, pathType);
    if (pathProblem) problems.push({ path: `${at}.path`, value: path, message: pathProblem });
    if (pathType !== "Prefix" && pathType !== "Exact") problems.push({ path: `${at}.pathType`, value: pathType, message: 'must be "Prefix" or "Exact"' });
    const collision = collisions.claim({ name, host: r.host, path, pathType });
    if (collision) problems.push(collision);

    problems.push(...backendProblems(at, r));

    if (r.timeout !== undefined) {
      const bad = secondsCheck(r.timeout);
      if (bad) problems.push({ path: `${at}.timeout`, value: r.timeout, message: bad });
    }
    if (r.retries !== undefined) {
      const { attempts, perTryTimeout } = r.retries;
      const { min, max } = ROUTE_LIMITS.retryAttempts;
      if (!(Number.isInteger(attempts) && attempts >= min && attempts <= max))
        problems.push({ path: `${at}.retries.attempts`, value: attempts, message: `must be a whole number of retries from ${min} to ${max}` });
      if (perTryTimeout !== undefined) {
        const bad = secondsCheck(perTryTimeout);
        if (bad) problems.push({ path: `${at}.retries.perTryTimeout`, value: perTryTimeout, message: bad });
        else if (r.timeout !== undefined && perTryTimeout > r.timeout)
          problems.push({ path: `${at}.retries.perTryTimeout`, value: perTryTimeout, message: `must not exceed the route's timeout (${r.timeout} s), which covers every try` });
      }
    }
    problems.push(...featureProblems(at, { timeout: r.timeout, retries: r.retries, backends: r.backends?.length ?? 1 }, ctx));
  }
  return problems;
}

/**
 * What the controller's route API cannot carry out, for one route at `at`. The one home of these
 * rules: the env's routes (routeProblems) and a controller checking parsed routes
 * (routeFeatureProblems) both come here.
 */
function featureProblems(at: string, r: { readonly timeout?: number; readonly retries?: unknown; readonly backends: number }, ctx: Pick<RouteRuleContext, "features" | "controller">): FieldProblem[] {
  const problems: FieldProblem[] = [];
  if (r.timeout !== undefined && !ctx.features.timeouts) problems.push({ path: `${at}.timeout`, value: r.timeout, message: `${ctx.controller} cannot set a timeout on a route; remove it` });
  if (r.retries !== undefined && !ctx.features.retries)
    problems.push({ path: `${at}.retries`, value: r.retries, message: `${ctx.controller} cannot retry requests through its routes (for Gateway API controllers: HTTPRoute retries are not in the standard channel); remove it` });
  if (r.backends > 1 && !ctx.features.weights)
    problems.push({ path: `${at}.backends`, value: r.backends, message: `${ctx.controller} cannot split a route between weighted backends; give one backend` });
  else if (ctx.features.maxBackends !== undefined && r.backends > ctx.features.maxBackends)
    problems.push({
      path: `${at}.backends`,
      value: r.backends,
      message:
        ctx.features.maxBackends === 2
          ? `${ctx.controller} carries out only one canary backend beside the primary (one canary Ingress per host and path): give at most 2 backends`
          : `${ctx.controller} takes at most ${ctx.features.maxBackends} backends per route`,
    });
  return problems;
}

/** What a controller cannot carry out of parsed routes (the same rules and messages as routeProblems). */
export function routeFeatureProblems(routes: readonly Route[], ctx: Pick<RouteRuleContext, "features" | "controller">): FieldProblem[] {
  return routes.flatMap((r) => featureProblems(`routes.${r.name}`, { timeout: r.timeoutSeconds, retries: r.retries, backends: r.backends.length }, ctx));
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
  const parsed = list.map((b, i) => {
    const p = parseBackend(b.backend);
    if (!p) problems.push({ path: `${at}.backends.${i}.backend`, value: b.backend, message: BACKEND_FORMAT });
    if (!(Number.isInteger(b.weight) && b.weight >= 0 && b.weight <= 100))
      problems.push({ path: `${at}.backends.${i}.weight`, value: b.weight, message: "must be a whole number from 0 to 100 (a percentage of the route's requests)" });
    return p;
  });
  for (const i of rules.repeatedIndexes(list.map((b) => b.backend))) problems.push({ path: `${at}.backends.${i}.backend`, value: list[i]?.backend, message: "is listed twice; list each Service once" });
  const sum = list.reduce((s, b) => s + b.weight, 0);
  if (list.every((b) => Number.isInteger(b.weight)) && sum !== 100)
    problems.push({ path: `${at}.backends`, value: list.map((b) => b.weight), message: `weights must add up to 100 (they add up to ${sum})` });
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

function secondsCheck(value: number): Check {
  const { min, max } = ROUTE_LIMITS.timeoutSeconds;
  return Number.isInteger(value) && value >= min && value <= max ? undefined : `must be a whole number of seconds from ${min} to ${max}`;
}

/** Names in code-unit order: the same whatever order the environment lists them in. */
function sortedNames(routes: Readonly<Record<string, unknown>>): string[] {
  return Object.keys(routes).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
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
    return {
      name,
      ...(r.host !== undefined ? { host: r.host } : {}),
      path: r.path ?? ROUTE_DEFAULTS.path,
      pathType: r.pathType ?? ROUTE_DEFAULTS.pathType,
      backends,
      ...(r.timeout !== undefined ? { timeoutSeconds: r.timeout } : {}),
      ...(r.retries !== undefined
        ? { retries: { attempts: r.retries.attempts, ...(r.retries.perTryTimeout !== undefined ? { perTryTimeoutSeconds: r.retries.perTryTimeout } : {}) } }
        : {}),
    };
  });
}
