/**
 * The environment's routes (modules/model/route-types.ts) as the controller's own objects, applied through
 * one Helm release of the chart shipped with gatehouse (Manifests):
 *
 * - `api: "ingress"` (ingress-nginx): a `networking.k8s.io/v1` Ingress per route with the
 *   controller's `ingressClassName`, in its backend Service's namespace (an Ingress only reaches
 *   Services of its own namespace). A route with two weighted backends becomes a primary Ingress
 *   for the first and a canary Ingress for the second, on the same host and path
 *   (`nginx.ingress.kubernetes.io/canary: "true"` and `canary-weight`, out of the default
 *   `canary-weight-total` of 100). ingress-nginx takes one canary per host and path, so a route
 *   has at most two backends here. Annotations at controller tag helm-chart-4.15.1,
 *   docs/user-guide/nginx-configuration/annotations.md.
 * - `api: "gateway"`: a `gateway.networking.k8s.io/v1` HTTPRoute per route, in its backends'
 *   namespace (so no ReferenceGrant is needed), attached to the Gateway by a parentRef across
 *   namespaces, which the Gateway admits with `allowedRoutes.namespaces.from: All`. Weighted
 *   backendRefs and `timeouts.request` are in the standard channel (timeouts since v1.2.0);
 *   retries are not, and are refused.
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
import { createHash } from "node:crypto";
import { Construct } from "constructs";
import type { Release } from "@cdktf/provider-helm/lib/release";
import type { ITerraformDependable } from "../core/cdktf";
import { failIfAny, type FieldProblem } from "../core/errors";
import { RouteCollisions, routeNameCheck } from "../model/routes";
import type { Route, RouteAttachment, RouteBackend } from "../model/route-types";
import * as rules from "../core/rules";
import { Manifests, type KubeManifest } from "./manifests";

export interface RoutesProps {
  /** How routes attach to the controller (its identity's `routes`). */
  readonly attachment: RouteAttachment;
  /** The routes, checked by route-rules.ts. An empty list keeps the release, with no objects. */
  readonly routes: readonly Route[];
  /** Helm release name (a DNS label of at most 53 characters). */
  readonly releaseName: string;
  /** Namespace of the Helm release; every object carries its own namespace. */
  readonly namespace: string;
  /** What must exist first: the controller's release (its IngressClass or Gateway, and CRDs). */
  readonly dependsOn?: readonly ITerraformDependable[];
}

const INGRESS_API = "networking.k8s.io/v1";
const HTTPROUTE_API = "gateway.networking.k8s.io/v1";
const NGINX = "nginx.ingress.kubernetes.io";
const LABELS = { "app.kubernetes.io/part-of": "gatehouse" } as const;
const MAX_NAME = 63;

/**
 * ingress-nginx retries a request on the next upstream only for these conditions (ngx_http_proxy
 * `proxy_next_upstream`; the controller's default is "error timeout"). nginx never retries a
 * non-idempotent request (POST, PATCH) once it was sent, as `non_idempotent` is not set.
 */
export const NGINX_RETRY_ON = "error timeout http_502 http_503 http_504";

/** An object name from a route name: the name itself, or a prefix and a hash when too long. */
export function routeObjectName(name: string): string {
  if (name.length <= MAX_NAME) return name;
  const hash = createHash("sha256").update(name).digest("hex").slice(0, 8);
  return `${name.slice(0, MAX_NAME - hash.length - 2).replace(/-+$/, "")}--${hash}`;
}

/** What these routes cannot be rendered as with this attachment; empty when they can. */
export function routeRenderProblems(attachment: RouteAttachment, routes: readonly Route[]): FieldProblem[] {
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
      if (r.retries) problems.push({ path: `${at}.retries`, value: r.retries, message: "HTTPRoute retries are not in the Gateway API standard channel; remove it" });
    }
  }
  return problems;
}

/** The Kubernetes objects for the routes, grouped by namespace. Pure; throws a ConfigError for what cannot be rendered. */
export function routeManifests(attachment: RouteAttachment, routes: readonly Route[]): KubeManifest[] {
  failIfAny("routes", routeRenderProblems(attachment, routes));
  return renderRoutes(attachment, routes);
}

/** What is wrong with these props, at their prop paths; empty when nothing is. */
export function routesProblems(props: Omit<RoutesProps, "dependsOn">): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const release = rules.helmReleaseName(props.releaseName);
  if (release) problems.push({ path: "releaseName", value: props.releaseName, message: release });
  const namespace = rules.k8sLabelName(props.namespace);
  if (namespace) problems.push({ path: "namespace", value: props.namespace, message: namespace });
  return [...problems, ...routeRenderProblems(props.attachment, props.routes)];
}

/** The objects of routes that routeRenderProblems accepts. */
function renderRoutes(attachment: RouteAttachment, routes: readonly Route[]): KubeManifest[] {
  const objects = routes.flatMap((r) => (attachment.api === "ingress" ? ingresses(attachment.ingressClassName, r) : [httpRoute(attachment.gateway, r)]));
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

function ingresses(ingressClassName: string, r: Route): KubeManifest[] {
  const [primary, canary] = r.backends as [RouteBackend, RouteBackend | undefined];
  const out = [ingress(ingressClassName, r, routeObjectName(r.name), primary, nginxTuning(r))];
  // A canary Ingress inherits every other annotation (timeouts, retries) from its primary.
  if (canary) out.push(ingress(ingressClassName, r, routeObjectName(`${r.name}--canary`), canary, { [`${NGINX}/canary`]: "true", [`${NGINX}/canary-weight`]: String(canary.weight) }));
  return out;
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
    a[`${NGINX}/proxy-next-upstream`] = NGINX_RETRY_ON;
    a[`${NGINX}/proxy-next-upstream-tries`] = String(r.retries.attempts + 1);
    if (r.timeoutSeconds !== undefined) a[`${NGINX}/proxy-next-upstream-timeout`] = String(r.timeoutSeconds);
  }
  return a;
}

// ---------------------------------------------------------------------------------------------
// HTTPRoute (Gateway API)

function httpRoute(gateway: { readonly name: string; readonly namespace: string }, r: Route): KubeManifest {
  const weighted = r.backends.length > 1;
  return {
    apiVersion: HTTPROUTE_API,
    kind: "HTTPRoute",
    metadata: { name: routeObjectName(r.name), namespace: (r.backends[0] as RouteBackend).namespace, labels: { ...LABELS } },
    spec: {
      parentRefs: [{ name: gateway.name, namespace: gateway.namespace }],
      ...(r.host !== undefined ? { hostnames: [r.host] } : {}),
      rules: [
        {
          matches: [{ path: { type: r.pathType === "Prefix" ? "PathPrefix" : "Exact", value: r.path } }],
          backendRefs: r.backends.map((b) => ({ name: b.service, port: b.port, ...(weighted ? { weight: b.weight } : {}) })),
          ...(r.timeoutSeconds !== undefined ? { timeouts: { request: `${r.timeoutSeconds}s` } } : {}),
        },
      ],
    },
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
