/**
 * Routes as data: the environment's rules (modules/model/routes.ts), each with its message; the
 * route model rendered as Ingresses (ingress-nginx) and HTTPRoutes (Gateway API); and the
 * objects of the `Routes` construct's helm_release rendered for real by helm through the shipped
 * gatehouse-manifests chart, then validated: Ingresses against the Kubernetes schema
 * (kubernetes-models), HTTPRoutes against the vendored Gateway API CRD (standard channel v1.5.1).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse, stringify } from "yaml";
import { loadEnvironments } from "../modules/config/loader";
import { Release } from "@cdktf/provider-helm/lib/release";
import { Ingress } from "kubernetes-models/networking.k8s.io/v1/Ingress";
import { ConfigError } from "../modules/core/errors";
import { NGINX_RETRY_ON, routeManifests, routeObjectName, Routes, type RoutesProps } from "../modules/k8s/route-objects";
import { localChartDir } from "../modules/k8s/local-chart";
import type { KubeManifest } from "../modules/k8s/manifests";
import { ingressNginxIdentity } from "../modules/k8s/controllers/ingress-nginx-identity";
import { hostCovered, parseBackend, parseRoutes, routeProblems, type RouteInput, type RouteRuleContext } from "../modules/model/routes";
import type { Route, RouteAttachment } from "../modules/model/route-types";
import { renderChart, terraformStringValue, type KubeObject } from "./helpers/helm";
import { httpRouteCrdProblems as crdProblems } from "./helpers/httproute-crd";
import { only, resources, synthConstruct } from "./helpers/synth";

type Json = Record<string, unknown>;

const NGINX_CTX: RouteRuleContext = { controller: "ingress-nginx", features: { weights: true, timeouts: true, retries: true, maxBackends: 2 } };
const GATEWAY_CTX: RouteRuleContext = { controller: "nginx-gateway-fabric", features: { weights: true, timeouts: true, retries: false } };
const INGRESS: RouteAttachment = { api: "ingress", ingressClassName: "nginx" };
const GATEWAY: RouteAttachment = { api: "gateway", gateway: { name: "gatehouse", namespace: "gateway-system" } };

const problems = (routes: Record<string, RouteInput>, ctx: RouteRuleContext = NGINX_CTX) => routeProblems(routes, ctx);
/** The problems of one route named `r`. */
const one = (route: RouteInput, ctx: RouteRuleContext = NGINX_CTX) => problems({ r: route }, ctx);
const OK = { backend: "shop/web:8080" } as const;

const BACKEND_FORMAT =
  'must be "namespace/service:port": a namespace (DNS-1123 label), a Service name (DNS-1035 label: lowercase letters, digits and hyphens, starting with a letter, at most 63 characters) and a port number 1-65535';
const PLAIN_PATH = (t: string) => `must be a plain path for pathType ${t}: letters, digits, ".", "_", "-" and "/" only (no regular expression, no escapes; ingress-nginx refuses anything else)`;
const DOT_SEGMENTS = 'must not contain "//", "/./" or "/../" nor end with "/." or "/.." (the Kubernetes API and the Gateway API refuse them)';
const NAME_RULE =
  "route names must be DNS labels: lowercase letters, digits and single hyphens, starting and ending with a letter or digit, at most 63 characters (they name the route's objects; '--' is reserved)";

// ---------------------------------------------------------------------------------------------
// Validation

describe("route rules", () => {
  test("well-formed routes have no problems", () => {
    expect(
      problems({
        web: { host: "shop.example.com", backend: "shop/web:8080", timeout: 30, retries: { attempts: 2, perTryTimeout: 10 } },
        api: { host: "*.apps.example.com", path: "/api/v1.2_x-y", pathType: "Exact", backends: [{ backend: "api/v1:80", weight: 90 }, { backend: "api/v2:80", weight: 10 }] },
        all: { backend: "default/fallback:80" },
      }),
    ).toEqual([]);
  });

  test("route names are DNS labels without '--'", () => {
    for (const name of ["Web", "a--b", "-a", "a_b", "x".repeat(64), ""])
      expect(problems({ [name]: OK })).toEqual([{ path: `routes.${name}`, value: name, message: NAME_RULE }]);
    expect(problems({ ["a-b-1"]: OK, ["x".repeat(63)]: { ...OK, path: "/x" } })).toEqual([]);
  });

  test("hosts are lowercase DNS names, wildcard only as the whole leftmost label", () => {
    expect(one({ ...OK, host: "Shop.example.com" })).toEqual([
      { path: "routes.r.host", value: "Shop.example.com", message: 'must be a lowercase DNS name such as "app.example.com" or a wildcard "*.example.com"; label "Shop" is not valid' },
    ]);
    expect(one({ ...OK, host: "a.*.example.com" })).toEqual([
      { path: "routes.r.host", value: "a.*.example.com", message: 'must be a lowercase DNS name such as "app.example.com" or a wildcard "*.example.com"; "*" may only be the whole leftmost label' },
    ]);
    expect(one({ ...OK, host: "localhost" })).toEqual([
      { path: "routes.r.host", value: "localhost", message: 'must be a lowercase DNS name such as "app.example.com" or a wildcard "*.example.com" (at least two labels)' },
    ]);
    expect(one({ ...OK, host: "shop.example.com." })[0]?.message).toBe('must be a lowercase DNS name such as "app.example.com" or a wildcard "*.example.com", without a trailing dot');
  });

  test("behind GCP, every host is one of the environment's hostnames, exactly or by a one-label wildcard", () => {
    const ctx: RouteRuleContext = { ...NGINX_CTX, hostnames: ["example.com", "*.apps.example.com"] };
    for (const host of ["example.com", "shop.apps.example.com", "*.apps.example.com"]) expect(one({ ...OK, host }, ctx)).toEqual([]);
    for (const host of ["www.example.com", "a.b.apps.example.com", "apps.example.com", "*.example.com"])
      expect(one({ ...OK, host }, ctx)).toEqual([
        {
          path: "routes.r.host",
          value: host,
          message: "is not among the hostnames (example.com, *.apps.example.com), exactly or by a wildcard: Google's certificate map serves only those; add it to hostnames or use one of them",
        },
      ]);
    expect(one(OK, ctx)).toEqual([]); // no host: every host the load balancer sends
    expect(hostCovered("x.apps.example.com", ["*.apps.example.com"])).toBe(true);
    expect(hostCovered("x.apps.example.com", [])).toBe(false);
  });

  test("each host, path and pathType is routed once; the later route by name is reported", () => {
    const dup = problems({ b: { ...OK, host: "a.example.com", path: "/x" }, a: { backend: "shop/other:80", host: "a.example.com", path: "/x" } });
    expect(dup).toEqual([
      { path: "routes.b.path", value: "/x", message: 'host "a.example.com" with path "/x" (Prefix) is already routed by route "a"; each host, path and pathType can be routed once' },
    ]);
    expect(problems({ a: OK, b: OK })).toEqual([{ path: "routes.b.path", value: "/", message: 'every host with path "/" (Prefix) is already routed by route "a"; each host, path and pathType can be routed once' }]);
    // The defaults count: path "/" and pathType Prefix.
    expect(problems({ a: OK, b: { ...OK, path: "/", pathType: "Prefix" } })).toHaveLength(1);
    expect(problems({ a: OK, b: { ...OK, pathType: "Exact" } })).toEqual([]);
    expect(problems({ a: OK, b: { ...OK, host: "b.example.com" } })).toEqual([]);
  });

  test("paths start with '/', are plain (no regular expression) and have no dot segments", () => {
    expect(one({ ...OK, path: "api" })).toEqual([{ path: "routes.r.path", value: "api", message: 'must start with "/"' }]);
    expect(one({ ...OK, path: "/v[0-9]+" })).toEqual([{ path: "routes.r.path", value: "/v[0-9]+", message: PLAIN_PATH("Prefix") }]);
    expect(one({ ...OK, path: "/a.*", pathType: "Exact" })).toEqual([{ path: "routes.r.path", value: "/a.*", message: PLAIN_PATH("Exact") }]);
    for (const path of ["/a%2Fb", "/a b", "/a?b", "/a#b", "/(x)"]) expect(one({ ...OK, path })).toEqual([{ path: "routes.r.path", value: path, message: PLAIN_PATH("Prefix") }]);
    for (const path of ["/a//b", "/a/./b", "/a/../b", "/a/.", "/a/.."]) expect(one({ ...OK, path })).toEqual([{ path: "routes.r.path", value: path, message: DOT_SEGMENTS }]);
    const long = `/${"a".repeat(1024)}`;
    expect(one({ ...OK, path: long })).toEqual([{ path: "routes.r.path", value: long, message: "must be at most 1024 characters" }]);
    expect(one({ ...OK, path: "/a.b/c_d-e/" })).toEqual([]);
  });

  test("a pathType other than Prefix or Exact is refused", () => {
    expect(one({ ...OK, pathType: "ImplementationSpecific" as "Prefix" })).toEqual([{ path: "routes.r.pathType", value: "ImplementationSpecific", message: 'must be "Prefix" or "Exact"' }]);
  });

  test("exactly one of backend and backends", () => {
    const message = 'give exactly one of backend and backends: one Service as "namespace/service:port", or weighted Services';
    expect(one({})).toEqual([{ path: "routes.r", message }]);
    expect(one({ backend: "shop/web:80", backends: [{ backend: "shop/web:80", weight: 100 }] })).toEqual([{ path: "routes.r", message }]);
    expect(one({ backends: [] })).toEqual([{ path: "routes.r.backends", value: [], message: "must list at least one backend" }]);
  });

  test("backends are namespace/service:port with DNS labels and a port 1-65535", () => {
    for (const backend of ["web", "shop/web", "web:80", "Shop/web:80", "shop/Web:80", "shop/1web:80", "shop/web:0", "shop/web:65536", "shop/web:080", "shop/web:http", "a/b/c:80", "shop/web-:80", `${"n".repeat(64)}/web:80`])
      expect(one({ backend })).toEqual([{ path: "routes.r.backend", value: backend, message: BACKEND_FORMAT }]);
    expect(one({ backends: [{ backend: "shop/web:80", weight: 50 }, { backend: "nope", weight: 50 }] })).toEqual([{ path: "routes.r.backends.1.backend", value: "nope", message: BACKEND_FORMAT }]);
    expect(parseBackend("shop/web:65535")).toEqual({ namespace: "shop", service: "web", port: 65535 });
    expect(parseBackend("1shop/w-1:1")).toEqual({ namespace: "1shop", service: "w-1", port: 1 });
  });

  test("weights are whole numbers 0-100 adding up to 100", () => {
    const w = (a: number, b: number): RouteInput => ({ backends: [{ backend: "shop/v1:80", weight: a }, { backend: "shop/v2:80", weight: b }] });
    expect(one(w(100, 0))).toEqual([]);
    expect(one(w(80, 10))).toEqual([{ path: "routes.r.backends", value: [80, 10], message: "weights must add up to 100 (they add up to 90)" }]);
    const weight = "must be a whole number from 0 to 100 (a percentage of the route's requests)";
    expect(one(w(99.5, 0.5))).toEqual([
      { path: "routes.r.backends.0.weight", value: 99.5, message: weight },
      { path: "routes.r.backends.1.weight", value: 0.5, message: weight },
    ]);
    expect(one(w(101, -1))).toEqual([
      { path: "routes.r.backends.0.weight", value: 101, message: weight },
      { path: "routes.r.backends.1.weight", value: -1, message: weight },
    ]);
    expect(one({ backends: [{ backend: "shop/v1:80", weight: 100 }] })).toEqual([]);
  });

  test("a Service is listed once, and a route's backends share one namespace", () => {
    expect(one({ backends: [{ backend: "shop/v1:80", weight: 50 }, { backend: "shop/v1:80", weight: 50 }] })).toEqual([
      { path: "routes.r.backends.1.backend", value: "shop/v1:80", message: "is listed twice; list each Service once" },
    ]);
    expect(one({ backends: [{ backend: "shop/v1:80", weight: 50 }, { backend: "beta/v2:80", weight: 50 }] })).toEqual([
      { path: "routes.r.backends", value: ["shop", "beta"], message: "must all be in one namespace: a route's objects live in its Services' namespace" },
    ]);
  });

  test("timeouts are whole seconds 1-3600; retries 1-10 attempts with a per-try timeout within the timeout", () => {
    const seconds = "must be a whole number of seconds from 1 to 3600";
    for (const timeout of [0, 3601, 1.5, Number.NaN]) expect(one({ ...OK, timeout })).toEqual([{ path: "routes.r.timeout", value: timeout, message: seconds }]);
    for (const attempts of [0, 11, 2.5])
      expect(one({ ...OK, retries: { attempts } })).toEqual([{ path: "routes.r.retries.attempts", value: attempts, message: "must be a whole number of retries from 1 to 10" }]);
    expect(one({ ...OK, retries: { attempts: 1, perTryTimeout: 0 } })).toEqual([{ path: "routes.r.retries.perTryTimeout", value: 0, message: seconds }]);
    expect(one({ ...OK, timeout: 10, retries: { attempts: 3, perTryTimeout: 11 } })).toEqual([
      { path: "routes.r.retries.perTryTimeout", value: 11, message: "must not exceed the route's timeout (10 s), which covers every try" },
    ]);
    expect(one({ ...OK, timeout: 3600, retries: { attempts: 10, perTryTimeout: 3600 } })).toEqual([]);
  });

  test("ingress-nginx carries out one canary backend: a third backend is refused", () => {
    const three: RouteInput = { backends: [{ backend: "shop/a:80", weight: 50 }, { backend: "shop/b:80", weight: 25 }, { backend: "shop/c:80", weight: 25 }] };
    expect(one(three)).toEqual([
      {
        path: "routes.r.backends",
        value: 3,
        message: "ingress-nginx carries out only one canary backend beside the primary (one canary Ingress per host and path): give at most 2 backends",
      },
    ]);
    expect(one(three, GATEWAY_CTX)).toEqual([]);
    expect(one(three, { controller: "x", features: { ...GATEWAY_CTX.features, maxBackends: 2 } })).toHaveLength(1);
    expect(one(three, { controller: "x", features: { ...GATEWAY_CTX.features, maxBackends: 1 } })[0]?.message).toBe("x takes at most 1 backends per route");
  });

  test("features the controller cannot carry out are refused by name", () => {
    const none: RouteRuleContext = { controller: "plain", features: { weights: false, timeouts: false, retries: false } };
    expect(one({ backends: [{ backend: "shop/a:80", weight: 50 }, { backend: "shop/b:80", weight: 50 }] }, none)).toEqual([
      { path: "routes.r.backends", value: 2, message: "plain cannot split a route between weighted backends; give one backend" },
    ]);
    expect(one({ ...OK, timeout: 5 }, none)).toEqual([{ path: "routes.r.timeout", value: 5, message: "plain cannot set a timeout on a route; remove it" }]);
    expect(one({ ...OK, retries: { attempts: 2 } }, GATEWAY_CTX)).toEqual([
      {
        path: "routes.r.retries",
        value: { attempts: 2 },
        message: "nginx-gateway-fabric cannot retry requests through its routes (for Gateway API controllers: HTTPRoute retries are not in the standard channel); remove it",
      },
    ]);
    // One weighted backend is no split.
    expect(one({ backends: [{ backend: "shop/a:80", weight: 100 }] }, none)).toEqual([]);
  });

  test("the ingress-nginx identity's route features accept a canary, timeouts and retries", () => {
    const features = ingressNginxIdentity("ingress-nginx").routeFeatures;
    expect(one({ backends: [{ backend: "shop/a:80", weight: 90 }, { backend: "shop/b:80", weight: 10 }], timeout: 30, retries: { attempts: 2 } }, { controller: "ingress-nginx", features })).toEqual([]);
  });

  test("Terraform template sequences in a host, path or backend are refused", () => {
    expect(one({ ...OK, host: "${var.x}.example.com" }).map((p) => p.path)).toEqual(["routes.r.host"]);
    expect(one({ ...OK, path: "/a${var.x}" }).map((p) => p.path)).toEqual(["routes.r.path"]);
    expect(one({ ...OK, path: "/a%{if x}" }).map((p) => p.path)).toEqual(["routes.r.path"]);
    expect(one({ backend: "shop/${var.x}:80" }).map((p) => p.path)).toEqual(["routes.r.backend"]);
  });
});

// ---------------------------------------------------------------------------------------------
// Routes that match the same requests, generated from the class: every pair of paths per match
// type, and every pair of hosts, judged by an oracle that matches requests the way both APIs
// define it (Ingress `Prefix`/`Exact`, Gateway API `PathPrefix`/`Exact`), not by the rule's own
// normalization.

/** The path elements of a path: split at "/", a trailing "/" ignored (what Prefix matching compares). */
const elements = (p: string) => p.replace(/\/+$/, "").split("/").slice(1);
/** Whether a route path of this type matches a request path, as both APIs define it. */
function pathMatches(type: "Prefix" | "Exact", route: string, request: string): boolean {
  if (type === "Exact") return route === request;
  const r = elements(route);
  const q = elements(request);
  return r.length <= q.length && r.every((e, i) => e === q[i]);
}
/** Whether a route host matches a request host: DNS names ignore case and a trailing dot; "*" is one label. */
function hostMatches(route: string | undefined, request: string): boolean {
  if (route === undefined) return true;
  const norm = (h: string) => h.toLowerCase().replace(/\.$/, "");
  const r = norm(route);
  if (!r.startsWith("*.")) return r === request;
  return request.endsWith(r.slice(1)) && !request.slice(0, -r.length + 1).includes(".") && request.length > r.length - 1;
}

const BASE_PATHS = ["/", "/api", "/api/v1", "/API", "/apis", "/ap", "/a.b/c_d-e", "/api/v1.2"];
/** Route paths: each base path with and without a trailing "/". */
const ROUTE_PATHS = [...new Set(BASE_PATHS.flatMap((p) => [p, p === "/" ? p : `${p}/`]))];
/** Requests: every route path, one below and one beside it. */
const REQUESTS = [...new Set(ROUTE_PATHS.flatMap((p) => [p, `${p.replace(/\/$/, "")}/x`, `${p}x`, p.replace(/\/$/, "")].filter((x) => x.startsWith("/"))))];
const HOSTS = [undefined, "shop.example.com", "SHOP.Example.com", "shop.example.com.", "*.example.com", "*.EXAMPLE.com.", "example.com", "a.shop.example.com"];
const REQUEST_HOSTS = ["shop.example.com", "x.example.com", "example.com", "a.shop.example.com", "other.org"];
const samePaths = (type: "Prefix" | "Exact", a: string, b: string) => REQUESTS.every((q) => pathMatches(type, a, q) === pathMatches(type, b, q));
/** Two hosts claim the same requests when they match the same request hosts (an exact host and a wildcard never do). */
const sameHosts = (a: string | undefined, b: string | undefined) => (a === undefined) === (b === undefined) && REQUEST_HOSTS.every((q) => hostMatches(a, q) === hostMatches(b, q));
/** The collision problem of route "b" against route "a", if any. */
const collision = (a: RouteInput, b: RouteInput) => problems({ a: { ...OK, ...a }, b: { ...OK, ...b } }).filter((p) => p.path === "routes.b.path" && /route "a"/.test(p.message));

describe("routes that match the same requests", () => {
  const pathPairs = (["Prefix", "Exact"] as const).flatMap((type) => ROUTE_PATHS.flatMap((a) => ROUTE_PATHS.map((b) => [type, a, b, samePaths(type, a, b)] as const)));

  test("the generated pairs hold both classes for both match types", () => {
    const count = (type: string, same: boolean) => pathPairs.filter(([t, a, b, s]) => t === type && a !== b && s === same).length;
    expect([count("Prefix", true), count("Exact", true)]).toEqual([2 * (BASE_PATHS.length - 1), 0]);
    expect(count("Prefix", false)).toBeGreaterThan(100);
  });

  test.each(pathPairs)("%s %j and %j: refused exactly when they match the same requests (%s)", (type, a, b, same) => {
    expect(collision({ path: a, pathType: type }, { path: b, pathType: type })).toHaveLength(same ? 1 : 0);
  });

  test.each(ROUTE_PATHS.map((p) => [p] as const))("Prefix and Exact on %j are two routes: Exact takes that path, Prefix the rest", (p) => {
    expect(collision({ path: p, pathType: "Prefix" }, { path: p, pathType: "Exact" })).toEqual([]);
  });

  const hostPairs = HOSTS.flatMap((a) => HOSTS.map((b) => [a ?? "(every host)", b ?? "(every host)", a, b, sameHosts(a, b)] as const));
  test.each(hostPairs)("hosts %s and %s on one path: refused exactly when they match the same hosts", (_a, _b, a, b, same) => {
    expect(collision({ path: "/api", ...(a === undefined ? {} : { host: a }) }, { path: "/api/", ...(b === undefined ? {} : { host: b }) })).toHaveLength(same ? 1 : 0);
  });

  test("the message names both routes, their hosts and paths, and why they are one", () => {
    expect(collision({ host: "shop.example.com", path: "/api" }, { host: "shop.example.com", path: "/api/" })).toEqual([
      {
        path: "routes.b.path",
        value: "/api/",
        message:
          'host "shop.example.com" with path "/api/" (Prefix) matches the same requests as route "a", host "shop.example.com" with path "/api" (Prefix): a Prefix path ignores a trailing "/" (Ingress and Gateway API alike), so only one of the two would ever be used; keep one of them',
      },
    ]);
    expect(collision({ host: "shop.example.com", path: "/api" }, { host: "Shop.Example.com.", path: "/api" })[0]?.message).toBe(
      'host "Shop.Example.com." with path "/api" (Prefix) matches the same requests as route "a", host "shop.example.com" with path "/api" (Prefix): host names match whatever their letter case and with or without a trailing dot, so only one of the two would ever be used; keep one of them',
    );
    expect(collision({ path: "/a/b" }, { path: "/a//b/" })[0]?.message).toBe(
      'every host with path "/a//b/" (Prefix) matches the same requests as route "a", every host with path "/a/b" (Prefix): a Prefix path ignores a trailing "/" (Ingress and Gateway API alike); repeated "/" count as one, so only one of the two would ever be used; keep one of them',
    );
    expect(collision({ path: "/a/b", pathType: "Exact" }, { path: "/a//b", pathType: "Exact" })[0]?.message).toBe(
      'every host with path "/a//b" (Exact) matches the same requests as route "a", every host with path "/a/b" (Exact): repeated "/" count as one, so only one of the two would ever be used; keep one of them',
    );
  });

  test("routes the Routes construct is given directly are held to the same rule", () => {
    const r = (name: string, path: string) => route({ name, path });
    expect(() => routeManifests(INGRESS, [r("a", "/api"), r("b", "/api/")])).toThrow('routes.b.path (got "/api/"): every host with path "/api/" (Prefix) matches the same requests as route "a"');
    expect(() => routeManifests(GATEWAY, [r("a", "/api"), r("b", "/api/")])).toThrow(ConfigError);
    expect(routeManifests(GATEWAY, [r("a", "/api"), r("b", "/apis")])).toHaveLength(2);
  });
});

describe("a route collision in an environment file", () => {
  test("is reported with the environment, the file and line, the field and both routes, for the controller's routes and for aws.lattice.routes", () => {
    const dir = mkdtempSync(join(tmpdir(), "gatehouse-routes-"));
    try {
      const file = join(dir, "env.yaml");
      const lattice = parse(readFileSync(join(__dirname, "..", "envs", "examples", "lattice.yaml"), "utf8")) as Record<string, unknown>;
      const env: Record<string, unknown> = {
        ...lattice,
        name: "dup",
        routes: { api: { host: "shop.example.com", path: "/api", backend: "shop/api:80" }, "api-slash": { host: "shop.example.com", path: "/api/", backend: "shop/api:80" } },
      };
      const aws = env.aws as { lattice: { routes: Record<string, RouteInput> } };
      aws.lattice.routes = { ...aws.lattice.routes, "inventory-2": { ...aws.lattice.routes.inventory, path: "/inventory/" } };
      writeFileSync(file, stringify(env));
      let thrown: unknown;
      try {
        loadEnvironments({ builtins: [], files: [file] });
      } catch (e) {
        thrown = e;
      }
      expect(thrown).toBeInstanceOf(ConfigError);
      const found = (thrown as ConfigError).problems.filter((p) => /matches the same requests|already routed/.test(p.message));
      const text = readFileSync(file, "utf8").split("\n");
      /** The problem with its file:line replaced by the text of that line. */
      const shown = (p: { env: string; file?: string; path: string; message: string }) => [p.env, text[Number(/^.*:([0-9]+)$/.exec(p.file ?? "")?.[1]) - 1]?.trim(), p.path, p.message];
      expect(found.map(shown)).toEqual([
        [
          "dup",
          "path: /api/",
          "routes.api-slash.path",
          'host "shop.example.com" with path "/api/" (Prefix) matches the same requests as route "api", host "shop.example.com" with path "/api" (Prefix): a Prefix path ignores a trailing "/" (Ingress and Gateway API alike), so only one of the two would ever be used; keep one of them',
        ],
        [
          "dup",
          "path: /inventory/",
          "aws.lattice.routes.inventory-2.path",
          'every host with path "/inventory/" (Prefix) matches the same requests as route "inventory", every host with path "/inventory" (Prefix): a Prefix path ignores a trailing "/" (Ingress and Gateway API alike), so only one of the two would ever be used; keep one of them',
        ],
      ]);
      expect(found.every((p) => p.file?.startsWith(`${file}:`))).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("parseRoutes", () => {
  test("applies the defaults, sorts by name and is independent of the order written", () => {
    const input: Record<string, RouteInput> = {
      web: { host: "shop.example.com", backend: "shop/web:8080", timeout: 30 },
      api: { path: "/api", pathType: "Exact", backends: [{ backend: "api/v1:80", weight: 90 }, { backend: "api/v2:81", weight: 10 }], retries: { attempts: 2, perTryTimeout: 5 } },
      beta: { backend: "beta/x:80", retries: { attempts: 1 } },
    };
    const routes = parseRoutes(input);
    expect(routes).toEqual([
      {
        name: "api",
        path: "/api",
        pathType: "Exact",
        backends: [
          { namespace: "api", service: "v1", port: 80, weight: 90 },
          { namespace: "api", service: "v2", port: 81, weight: 10 },
        ],
        retries: { attempts: 2, perTryTimeoutSeconds: 5 },
      },
      { name: "beta", path: "/", pathType: "Prefix", backends: [{ namespace: "beta", service: "x", port: 80, weight: 100 }], retries: { attempts: 1 } },
      { name: "web", host: "shop.example.com", path: "/", pathType: "Prefix", backends: [{ namespace: "shop", service: "web", port: 8080, weight: 100 }], timeoutSeconds: 30 },
    ]);
    const reversed = Object.fromEntries(Object.entries(input).reverse());
    expect(JSON.stringify(parseRoutes(reversed))).toBe(JSON.stringify(routes));
  });

  test("a malformed backend throws: routes are checked first", () => {
    expect(() => parseRoutes({ r: { backend: "nope" } })).toThrow('routes.r: backend "nope" is not "namespace/service:port"');
  });
});

// ---------------------------------------------------------------------------------------------
// Rendering

const route = (over: Partial<Route> & Pick<Route, "name">): Route => ({ path: "/", pathType: "Prefix", backends: [{ namespace: "shop", service: "web", port: 8080, weight: 100 }], ...over });
const CANARY: Route = route({
  name: "checkout",
  host: "shop.example.com",
  path: "/checkout",
  backends: [
    { namespace: "shop", service: "checkout-v1", port: 80, weight: 90 },
    { namespace: "shop", service: "checkout-v2", port: 80, weight: 10 },
  ],
  timeoutSeconds: 30,
  retries: { attempts: 2, perTryTimeoutSeconds: 10 },
});
const ROUTES: readonly Route[] = [
  CANARY,
  route({ name: "docs", host: "*.apps.example.com", path: "/docs", pathType: "Exact", backends: [{ namespace: "docs", service: "site", port: 8080, weight: 100 }], timeoutSeconds: 60 }),
  route({ name: "web" }),
];
const spec = (o: KubeManifest | KubeObject) => o.spec as Json;

describe("routeObjectName", () => {
  test("keeps names up to 63 characters; longer ones keep a prefix and end in --<hash>, never colliding", () => {
    expect(routeObjectName("web")).toBe("web");
    expect(routeObjectName("a".repeat(63))).toBe("a".repeat(63));
    const long1 = routeObjectName(`${"a".repeat(60)}-one`);
    const long2 = routeObjectName(`${"a".repeat(60)}-two`);
    expect(long1).toMatch(/^a{53}--[0-9a-f]{8}$/);
    expect(long1).not.toBe(long2);
    expect(routeObjectName(`${"a".repeat(60)}--canary`)).toHaveLength(63);
    // A prefix ending in hyphens loses them, so the result stays a DNS label.
    expect(routeObjectName(`${"a".repeat(52)}-${"b".repeat(20)}`)).toMatch(/^a{52}--[0-9a-f]{8}$/);
  });
});

describe("routeManifests: ingress-nginx", () => {
  const objects = routeManifests(INGRESS, ROUTES);

  test("one Ingress per route in its backend's namespace, plus a canary Ingress; grouped by namespace", () => {
    expect(objects.map((o) => `${o.apiVersion}/${o.kind} ${o.metadata.namespace}/${o.metadata.name}`)).toEqual([
      "networking.k8s.io/v1/Ingress docs/docs",
      "networking.k8s.io/v1/Ingress shop/checkout",
      "networking.k8s.io/v1/Ingress shop/checkout--canary",
      "networking.k8s.io/v1/Ingress shop/web",
    ]);
    for (const o of objects) expect(spec(o).ingressClassName).toBe("nginx");
  });

  test("the primary takes the first backend with the timeouts and retries; the canary the second, same host and path", () => {
    const [primary, canary] = objects.filter((o) => o.metadata.name.startsWith("checkout")) as [KubeManifest, KubeManifest];
    const rule = { host: "shop.example.com", http: { paths: [{ path: "/checkout", pathType: "Prefix", backend: { service: { name: "checkout-v1", port: { number: 80 } } } }] } };
    expect(spec(primary).rules).toEqual([rule]);
    expect(primary.metadata.annotations).toEqual({
      "nginx.ingress.kubernetes.io/proxy-read-timeout": "10",
      "nginx.ingress.kubernetes.io/proxy-send-timeout": "10",
      "nginx.ingress.kubernetes.io/proxy-next-upstream": "error timeout http_502 http_503 http_504",
      "nginx.ingress.kubernetes.io/proxy-next-upstream-tries": "3",
      "nginx.ingress.kubernetes.io/proxy-next-upstream-timeout": "30",
    });
    expect(NGINX_RETRY_ON).toBe("error timeout http_502 http_503 http_504");
    expect(spec(canary).rules).toEqual([{ ...rule, http: { paths: [{ ...rule.http.paths[0], backend: { service: { name: "checkout-v2", port: { number: 80 } } } }] } }]);
    expect(canary.metadata.annotations).toEqual({ "nginx.ingress.kubernetes.io/canary": "true", "nginx.ingress.kubernetes.io/canary-weight": "10" });
  });

  test("a timeout alone sets the read and send timeouts; a route without host matches every host", () => {
    const docs = objects.find((o) => o.metadata.name === "docs") as KubeManifest;
    expect(docs.metadata.annotations).toEqual({ "nginx.ingress.kubernetes.io/proxy-read-timeout": "60", "nginx.ingress.kubernetes.io/proxy-send-timeout": "60" });
    expect(spec(docs).rules).toEqual([{ host: "*.apps.example.com", http: { paths: [{ path: "/docs", pathType: "Exact", backend: { service: { name: "site", port: { number: 8080 } } } }] } }]);
    const web = objects.find((o) => o.metadata.name === "web") as KubeManifest;
    expect(web.metadata.annotations).toBeUndefined();
    expect(spec(web).rules).toEqual([{ http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: "web", port: { number: 8080 } } } }] } }]);
  });

  test("the same routes in any order give the same objects", () => {
    expect(JSON.stringify(routeManifests(INGRESS, [...ROUTES].reverse()))).toBe(JSON.stringify(objects));
  });

  test("more than one canary, a repeated name or an invalid name is refused", () => {
    const three = route({ name: "x", backends: ["a", "b", "c"].map((service) => ({ namespace: "shop", service, port: 80, weight: service === "a" ? 50 : 25 })) });
    expect(() => routeManifests(INGRESS, [three])).toThrow("routes.x.backends (got 3): an Ingress route takes at most 2 backends: the primary and one canary");
    expect(() => routeManifests(INGRESS, [route({ name: "a" }), route({ name: "a", path: "/x" })])).toThrow("routes.a (got \"a\"): is given twice");
    expect(() => routeManifests(INGRESS, [route({ name: "a--canary" })])).toThrow(ConfigError);
    expect(() => routeManifests(INGRESS, [route({ name: "x", backends: [] })])).toThrow("routes.x.backends (got []): must list at least one backend");
  });
});

describe("routeManifests: Gateway API", () => {
  const objects = routeManifests(GATEWAY, ROUTES.map((r) => (r.retries ? { ...r, retries: undefined } : r)));

  test("one HTTPRoute per route in its backends' namespace, attached to the Gateway across namespaces", () => {
    expect(objects.map((o) => `${o.apiVersion}/${o.kind} ${o.metadata.namespace}/${o.metadata.name}`)).toEqual([
      "gateway.networking.k8s.io/v1/HTTPRoute docs/docs",
      "gateway.networking.k8s.io/v1/HTTPRoute shop/checkout",
      "gateway.networking.k8s.io/v1/HTTPRoute shop/web",
    ]);
    for (const o of objects) expect(spec(o).parentRefs).toEqual([{ name: "gatehouse", namespace: "gateway-system" }]);
  });

  test("hostnames, path matches, weighted backendRefs and the request timeout", () => {
    const byName = (n: string) => spec(objects.find((o) => o.metadata.name === n) as KubeManifest);
    expect(byName("checkout")).toMatchObject({
      hostnames: ["shop.example.com"],
      rules: [
        {
          matches: [{ path: { type: "PathPrefix", value: "/checkout" } }],
          backendRefs: [
            { name: "checkout-v1", port: 80, weight: 90 },
            { name: "checkout-v2", port: 80, weight: 10 },
          ],
          timeouts: { request: "30s" },
        },
      ],
    });
    expect(byName("docs").rules).toEqual([{ matches: [{ path: { type: "Exact", value: "/docs" } }], backendRefs: [{ name: "site", port: 8080 }], timeouts: { request: "60s" } }]);
    expect(byName("web")).toEqual({ parentRefs: [{ name: "gatehouse", namespace: "gateway-system" }], rules: [{ matches: [{ path: { type: "PathPrefix", value: "/" } }], backendRefs: [{ name: "web", port: 8080 }] }] });
  });

  test("retries (HTTPRoute's experimental retry field) where the controller or the channel cannot carry them, and backends in several namespaces, are refused", () => {
    expect(() => routeManifests(GATEWAY, [CANARY], "experimental")).toThrow("routes.checkout.retries (got {\"attempts\":2,\"perTryTimeoutSeconds\":10}): the controller does not carry out HTTPRoute's retry field; remove it");
    const retrying: RouteAttachment = { api: "gateway", gateway: { name: "gatehouse", namespace: "gateway-system" }, httpRouteRetry: true };
    expect(() => routeManifests(retrying, [CANARY])).toThrow(
      "routes.checkout.retries (got {\"attempts\":2,\"perTryTimeoutSeconds\":10}): HTTPRoute's retry field is in the Gateway API's experimental channel only, and the cluster's CRDs are the standard channel, which drops it: use the experimental channel's CRDs or remove it",
    );
    expect(() => routeManifests(retrying, [CANARY], "experimental")).not.toThrow();
    const split = route({ name: "x", backends: [{ namespace: "a", service: "s", port: 80, weight: 50 }, { namespace: "b", service: "s", port: 80, weight: 50 }] });
    expect(() => routeManifests(GATEWAY, [split])).toThrow("routes.x.backends (got [\"a\",\"b\"]): must all be in one namespace: the HTTPRoute lives with its Services");
  });
});

// ---------------------------------------------------------------------------------------------
// The construct, its helm_release rendered by helm, and the objects validated.

const CHART_DIR = localChartDir("gatehouse-manifests");

function release(props: RoutesProps): { json: Json; values: string } {
  const json = only(
    synthConstruct((scope) => new Routes(scope, "routes", props)),
    "helm_release",
  );
  const values = json.values as string[];
  expect(values).toHaveLength(1);
  return { json, values: values[0] as string };
}

function rendered(props: RoutesProps): KubeObject[] {
  const { json, values } = release(props);
  return renderChart({ release: String(json.name), namespace: String(json.namespace), values: terraformStringValue(values), chartDir: CHART_DIR });
}

/** Kubernetes object names (DNS-1123 subdomains), which neither the model nor the CRD schema checks. */
const OBJECT_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

describe("Routes, rendered by helm through the gatehouse-manifests chart", () => {
  test("the release applies the Ingresses, which are valid Kubernetes objects", () => {
    const { json } = release({ attachment: INGRESS, routes: ROUTES, releaseName: "gatehouse-routes", namespace: "ingress-nginx" });
    expect(json).toMatchObject({ name: "gatehouse-routes", namespace: "ingress-nginx", atomic: true });
    const objects = rendered({ attachment: INGRESS, routes: ROUTES, releaseName: "gatehouse-routes", namespace: "ingress-nginx" });
    expect(objects).toEqual(routeManifests(INGRESS, ROUTES));
    for (const o of objects) {
      expect(`${o.apiVersion}/${o.kind}`).toBe("networking.k8s.io/v1/Ingress");
      expect(o.metadata.name).toMatch(OBJECT_NAME);
      expect(() => new Ingress(o as unknown as ConstructorParameters<typeof Ingress>[0]).validate()).not.toThrow();
    }
  });

  test("the release applies the HTTPRoutes, valid against the Gateway API v1.5.1 standard-channel CRD", () => {
    const routes = ROUTES.map((r) => (r.retries ? { ...r, retries: undefined } : r));
    const objects = rendered({ attachment: GATEWAY, routes, releaseName: "gatehouse-routes", namespace: "gateway-system" });
    expect(objects).toEqual(routeManifests(GATEWAY, routes));
    expect(objects).toHaveLength(3);
    for (const o of objects) {
      expect(o.metadata.name).toMatch(OBJECT_NAME);
      expect(crdProblems(o)).toEqual([]);
    }
  });

  test("HTTPRoutes with header, query parameter and cookie matches are valid against the CRD, its CEL rules evaluated", () => {
    const dark = parseRoutes({
      web: { host: "shop.example.com", backends: [{ backend: "shop/web:80", weight: 90 }, { backend: "shop/web-next:80", weight: 10 }], timeout: 30 },
      preview: {
        host: "shop.example.com",
        match: { headers: [{ name: "x-preview", value: "true" }, { name: "user-agent", value: ".*Mobile.*", type: "RegularExpression" }], queryParams: [{ name: "v", value: "2" }], cookie: "beta" },
        backend: "shop/web-next:80",
      },
    });
    const objects = rendered({ attachment: GATEWAY, routes: dark, releaseName: "gatehouse-routes", namespace: "gateway-system" });
    expect(objects).toEqual(routeManifests(GATEWAY, dark));
    const matches = ((spec(objects.find((o) => o.metadata.name === "preview") as KubeObject).rules as Json[])[0] as Json).matches as Json[];
    expect((matches[0] as Json).headers).toHaveLength(3);
    for (const o of objects) expect(crdProblems(o)).toEqual([]);
    // The CRD takes at most 16 headers per match, names of HTTP token characters.
    const [o] = routeManifests(GATEWAY, [dark[0] as Route]) as [KubeManifest];
    const rule = (spec(o).rules as Json[])[0] as Json;
    const withHeaders = (headers: Json[]) => ({ ...o, spec: { ...spec(o), rules: [{ ...rule, matches: [{ path: { type: "PathPrefix", value: "/" }, headers }] }] } });
    expect(crdProblems(withHeaders(Array.from({ length: 17 }, (_, i) => ({ name: `x-${i}`, value: "1" }))))).toEqual([expect.stringContaining("must NOT have more than 16 items")]);
    expect(crdProblems(withHeaders([{ name: "x preview", value: "1" }]))).toEqual([expect.stringContaining("must match pattern")]);
  });

  test("the CRD check catches what the API server would refuse", () => {
    const [o] = routeManifests(GATEWAY, [route({ name: "x", timeoutSeconds: 10 })]) as [KubeManifest];
    const rule = (spec(o).rules as Json[])[0] as Json;
    const bad = (change: Json): Json => ({ ...o, spec: { ...spec(o), rules: [{ ...rule, ...change }] } });
    expect(crdProblems(bad({ retry: { attempts: 2 } }))).toEqual([expect.stringContaining("must NOT have additional properties")]);
    expect(crdProblems(bad({ timeouts: { request: "10" } }))).toEqual([expect.stringContaining("must match pattern")]);
    expect(crdProblems(bad({ backendRefs: [{ name: "web" }] }))).toEqual(["/spec/rules/0/backendRefs/0: Must have port for Service reference"]);
    expect(crdProblems(bad({ matches: [{ path: { type: "PathPrefix", value: "/a//b" } }] }))).toEqual(["/spec/rules/0/matches/0/path: must not contain '//' when type one of ['Exact', 'PathPrefix']"]);
    expect(crdProblems(bad({ timeouts: { request: "10s", backendRequest: "1m" } }))).toEqual(["/spec/rules/0/timeouts: backendRequest timeout cannot be longer than request timeout"]);
    // Filters are nothing gatehouse writes: their CEL rules have no equivalent here, and say so.
    expect(crdProblems(bad({ filters: [{ type: "RequestHeaderModifier", requestHeaderModifier: { set: [{ name: "a", value: "b" }] } }] }))).toContainEqual(
      expect.stringMatching(/^\/spec\/rules\/0\/filters: CEL rule not evaluated by this test: /),
    );
  });

  test("a ${ or %{ in a route field reaches Helm literally, never as a Terraform template", () => {
    // Checked routes cannot hold these; the construct escapes whatever it is given all the same.
    const sneaky = route({ name: "x", path: "/a${var.secret}%{if true}b", host: "${x}" });
    const { json, values } = release({ attachment: INGRESS, routes: [sneaky], releaseName: "r", namespace: "ns" });
    expect(values).toContain("/a$${var.secret}%%{if true}b");
    // Every string of the release: terraformStringValue throws on an unescaped ${ or %{.
    const strings = (v: unknown): string[] => (typeof v === "string" ? [v] : Array.isArray(v) ? v.flatMap(strings) : v && typeof v === "object" ? Object.values(v).flatMap(strings) : []);
    for (const s of strings(json)) expect(() => terraformStringValue(s)).not.toThrow();
    const [o] = rendered({ attachment: INGRESS, routes: [sneaky], releaseName: "r", namespace: "ns" }) as [KubeObject];
    expect(spec(o).rules).toEqual([{ host: "${x}", http: { paths: [{ path: "/a${var.secret}%{if true}b", pathType: "Prefix", backend: { service: { name: "web", port: { number: 8080 } } } }] } }]);
  });

  test("the release waits for what it is given; no routes make an empty release", () => {
    const json = synthConstruct((scope) => {
      const controller = new Release(scope, "controller", { name: "ingress-nginx", chart: "ingress-nginx" });
      new Routes(scope, "routes", { attachment: INGRESS, routes: [], releaseName: "routes", namespace: "ingress-nginx", dependsOn: [controller] });
    });
    const releases = Object.values(resources(json, "helm_release"));
    const routes = releases.find((r) => r.name === "routes") as Json;
    expect(routes.values).toEqual(["objects: []\n"]);
    expect(routes.depends_on).toEqual([expect.stringMatching(/^helm_release\.controller/)]);
  });

  test("a bad release name or namespace is refused with its field", () => {
    const build = () => synthConstruct((scope) => new Routes(scope, "routes", { attachment: INGRESS, routes: [], releaseName: "r".repeat(54), namespace: "Bad_ns" }));
    expect(build).toThrow(ConfigError);
    expect(build).toThrow(/releaseName \(got "r{54}"\): Helm release names are at most 53 characters/);
    expect(build).toThrow(/namespace \(got "Bad_ns"\): must be a DNS-1123 label/);
  });
});
