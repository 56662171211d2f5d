/**
 * Dark launches and resilience on routes: match conditions (headers, query parameters, a cookie),
 * retry conditions, circuit breaking, connection limits and load balancing; what each controller
 * carries out (ingress-nginx, NGINX Gateway Fabric, Istio, the AWS Gateway API controller) and the
 * refusal, by name, of what it cannot; and the objects they become: ingress-nginx canary Ingresses
 * (validated with the Kubernetes schema), HTTPRoute matches, Istio DestinationRules and NGINX
 * Gateway Fabric UpstreamSettingsPolicies (validated against the controllers' own CRDs, vendored
 * from their charts, CEL rules evaluated), rendered for real by helm through the shipped chart.
 */
import { join } from "node:path";
import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { Ingress } from "kubernetes-models/networking.k8s.io/v1/Ingress";
import { loadEnvironments } from "../modules/config/loader";
import type { EnvInput } from "../modules/config/schema";
import { ConfigError } from "../modules/core/errors";
import { anchoredPattern, cookiePattern, matchPattern, parseRoutes, routeProblems, type RouteInput, type RouteRuleContext } from "../modules/model/routes";
import type { Route, RouteAttachment, RouteFeatures } from "../modules/model/route-types";
import { ROUTE_DEFAULTS, type GatewayApiChannel } from "../modules/model/defaults";
import { nginxRetryOn, NGINX_RETRY_ON, routeManifests, Routes } from "../modules/k8s/route-objects";
import { NGF_LOAD_BALANCER } from "../modules/k8s/backend-policies";
import { INGRESS_NGINX_ROUTE_FEATURES } from "../modules/k8s/controllers/ingress-nginx-identity";
import { NGF_ROUTE_FEATURES } from "../modules/k8s/controllers/nginx-gateway-fabric-identity";
import { ISTIO_ROUTE_FEATURES, ISTIO_VERSION, istioIdentity } from "../modules/k8s/controllers/istio";
import { AWS_GATEWAY_CONTROLLER_NAME, AWS_GATEWAY_CONTROLLER_ROUTE_FEATURES, awsGatewayControllerObjects } from "../modules/k8s/aws-gateway-controller";
import { localChartDir } from "../modules/k8s/local-chart";
import type { KubeManifest } from "../modules/k8s/manifests";
import { crdValidators, objectValidator } from "./helpers/crd";
import { httpRouteCrdProblems } from "./helpers/httproute-crd";
import { renderChart, terraformStringValue } from "./helpers/helm";
import { awsEnv, patch } from "./helpers/fixtures";
import { only, resources, synthConstruct, synthEnvs } from "./helpers/synth";

type Json = Record<string, unknown>;

const CONTROLLERS: Readonly<Record<string, RouteFeatures>> = {
  "ingress-nginx": INGRESS_NGINX_ROUTE_FEATURES,
  "nginx-gateway-fabric": NGF_ROUTE_FEATURES,
  istio: ISTIO_ROUTE_FEATURES,
  [AWS_GATEWAY_CONTROLLER_NAME]: AWS_GATEWAY_CONTROLLER_ROUTE_FEATURES,
};
const ctx = (controller: string, gatewayApiChannel?: GatewayApiChannel): RouteRuleContext => ({ controller, features: CONTROLLERS[controller] as RouteFeatures, gatewayApiChannel });
/** The problems of these routes on a controller, as "path: message". */
const problems = (routes: Record<string, RouteInput>, controller = "istio", gatewayApiChannel?: GatewayApiChannel) =>
  routeProblems(routes, ctx(controller, gatewayApiChannel)).map((p) => `${p.path}: ${p.message}`);

const MAIN: RouteInput = { host: "shop.example.com", backend: "shop/web:80" };
const PREVIEW: RouteInput = { host: "shop.example.com", match: { headers: [{ name: "x-preview", value: "true" }] }, backend: "shop/web-next:80" };

// ---------------------------------------------------------------------------------------------
// Match conditions

describe("match conditions", () => {
  test("a route with conditions beside one without, on the same host and path, is a dark launch, not a collision", () => {
    for (const c of Object.keys(CONTROLLERS).filter((k) => k !== AWS_GATEWAY_CONTROLLER_NAME)) expect(problems({ main: MAIN, preview: PREVIEW }, c)).toEqual([]);
  });

  test("the same conditions twice are one route, whatever the order of the conditions and the letter case of header names", () => {
    const a: RouteInput = { ...MAIN, match: { headers: [{ name: "X-A", value: "1" }, { name: "x-b", value: "2" }] } };
    const b: RouteInput = { ...MAIN, backend: "shop/other:80", match: { headers: [{ name: "x-b", value: "2" }, { name: "x-a", value: "1" }] } };
    expect(problems({ a, b })).toEqual([
      'routes.b.path: host "shop.example.com" with path "/" (Prefix) and header x-b = "2", header x-a = "1" matches the same requests as route "a", host "shop.example.com" with path "/" (Prefix) and header X-A = "1", header x-b = "2": header names match whatever their letter case, and the order of conditions does not count, so only one of the two would ever be used; keep one of them',
    ]);
    // Another value, another type or another query parameter name (they are case-sensitive) is another route.
    expect(problems({ a, b: { ...b, match: { headers: [{ name: "x-a", value: "1" }, { name: "x-b", value: "3" }] } } })).toEqual([]);
    expect(problems({ q1: { ...MAIN, match: { queryParams: [{ name: "v", value: "2" }] } }, q2: { ...MAIN, backend: "shop/x:80", match: { queryParams: [{ name: "V", value: "2" }] } } })).toEqual([]);
  });

  test("names are HTTP tokens of at most 256 characters, each named once; exact values have no surrounding spaces or control characters", () => {
    const one = (match: NonNullable<RouteInput["match"]>) => problems({ r: { ...MAIN, match } });
    const TOKEN = "must be an HTTP header name: 1-256 letters, digits and !#$%&'*+-.^_`|~";
    expect(one({ headers: [{ name: "x preview", value: "1" }] })).toEqual([`routes.r.match.headers.0.name: ${TOKEN}`]);
    expect(one({ headers: [{ name: "x".repeat(257), value: "1" }] })).toEqual([`routes.r.match.headers.0.name: ${TOKEN}`]);
    expect(one({ headers: [{ name: "X-A", value: "1" }, { name: "x-a", value: "2" }] })).toEqual([
      "routes.r.match.headers.1.name: is routes.r.match.headers.0 again (header names ignore letter case): each header may be matched once",
    ]);
    expect(one({ queryParams: [{ name: "a", value: "1" }, { name: "a", value: "2" }] })).toEqual(["routes.r.match.queryParams.1.name: is routes.r.match.queryParams.0 again: each query parameter may be matched once"]);
    expect(one({ headers: [{ name: "x-a", value: " 1" }] })).toEqual(["routes.r.match.headers.0.value: must be 1-4096 characters without leading or trailing spaces (a request's header value never has them)"]);
    expect(one({ queryParams: [{ name: "a", value: "x".repeat(1025) }] })).toEqual([
      "routes.r.match.queryParams.0.value: must be 1-1024 characters without leading or trailing spaces (a request's query parameter value never has them)",
    ]);
    expect(one({ headers: [{ name: "x-a", value: "a\u0001b" }] })).toEqual([
      "routes.r.match.headers.0.value: the value holds the control character U+0001: HTTP header values take visible characters, spaces and tabs only (RFC 9110 section 5.5)",
    ]);
    expect(one({ headers: [] })).toEqual(["routes.r.match.headers: must list at least one header, or be left out"]);
    expect(one({ headers: Array.from({ length: 17 }, (_, i) => ({ name: `x-${i}`, value: "1" })) })).toEqual(["routes.r.match.headers: takes at most 16 headers (HTTPRoute matches)"]);
    expect(one({})).toEqual(["routes.r.match: must name at least one header, query parameter or cookie; leave match out to take every request for the host and path"]);
    expect(one({ cookie: "a b" })).toEqual(["routes.r.match.cookie: must be a cookie name: 1-256 letters, digits and !#$%&'*+-.^_`|~"]);
    expect(one({ cookie: "beta", headers: [{ name: "Cookie", value: "x" }] })).toEqual(["routes.r.match.headers.0.name: matches the Cookie header, which match.cookie matches too; keep one of them"]);
  });

  test("regular expressions compile and use nothing Envoy's RE2 lacks; the anchored pattern must fit the field", () => {
    const re = (value: string) => problems({ r: { ...MAIN, match: { headers: [{ name: "user-agent", value, type: "RegularExpression" }] } } });
    expect(re(".*Mobile.*")).toEqual([]);
    expect(re("(a")).toEqual([expect.stringMatching(/^routes\.r\.match\.headers\.0\.value: is not a valid regular expression \(/)]);
    expect(re("a(?=b)")).toEqual(["routes.r.match.headers.0.value: uses lookaround, which Envoy's RE2 (Istio) does not have; write it without them"]);
    expect(re("(?<!a)b")).toEqual(["routes.r.match.headers.0.value: uses lookaround, which Envoy's RE2 (Istio) does not have; write it without them"]);
    expect(re("(a)\\1")).toEqual(["routes.r.match.headers.0.value: uses backreferences, which Envoy's RE2 (Istio) does not have; write it without them"]);
    expect(re("(?<v>a)")).toEqual(["routes.r.match.headers.0.value: uses named groups, which Envoy's RE2 (Istio) does not have; write it without them"]);
    expect(re("\\u0041")).toEqual(["routes.r.match.headers.0.value: uses \\u and \\c escapes, which Envoy's RE2 (Istio) does not have; write it without them"]);
    expect(re("a".repeat(4090))).toEqual([]);
    expect(re("a".repeat(4091))).toEqual(['routes.r.match.headers.0.value: must be at most 4090 characters (the controller gets it anchored, "^(?:…)$", in a field of at most 4096)']);
    expect(matchPattern("v[0-9]+")).toBeUndefined();
  });

  test("an anchored pattern matches the whole value where the controller searches (nginx, NGINX Gateway Fabric), as Envoy's RE2 does", () => {
    const searched = (pattern: string, value: string) => new RegExp(pattern).test(value);
    // Unanchored, a search finds "v2" in "v20"; the whole value is not "v2".
    expect(searched("v2", "v20")).toBe(true);
    expect(searched(anchoredPattern("v2"), "v20")).toBe(false);
    expect(searched(anchoredPattern("v2|v3"), "v3")).toBe(true);
    expect(searched(anchoredPattern("v2|v3"), "xv3")).toBe(false);
    // A cookie match finds name=always as one pair of the Cookie header, nowhere else.
    const cookie = (header: string) => searched(cookiePattern("preview"), header);
    expect([cookie("preview=always"), cookie("a=1; preview=always"), cookie("a=1;preview=always; b=2")]).toEqual([true, true, true]);
    expect([cookie("xpreview=always"), cookie("preview=alwaysx"), cookie("preview=never"), cookie("a=preview=always")]).toEqual([false, false, false, false]);
    expect(cookiePattern("a.b")).toBe("^(?:(.*;\\s*)?a\\.b=always(;.*)?)$");
  });
});

// ---------------------------------------------------------------------------------------------
// What each controller carries out

describe("what each controller carries out, and the refusal by name of what it cannot", () => {
  const header = (type: "Exact" | "RegularExpression"): RouteInput => ({ ...PREVIEW, match: { headers: [{ name: "x-preview", value: "true", type }] } });
  const query: RouteInput = { ...PREVIEW, match: { queryParams: [{ name: "preview", value: "1" }] } };
  const cookie: RouteInput = { ...PREVIEW, match: { cookie: "preview" } };
  const lattice = AWS_GATEWAY_CONTROLLER_NAME;

  test("header matches: Exact everywhere, RegularExpression except on Lattice, at most 5 on Lattice", () => {
    for (const c of ["nginx-gateway-fabric", "istio", "ingress-nginx"]) for (const t of ["Exact", "RegularExpression"] as const) expect(problems({ main: MAIN, preview: header(t) }, c)).toEqual([]);
    expect(problems({ preview: header("Exact") }, lattice)).toEqual([]);
    expect(problems({ preview: header("RegularExpression") }, lattice)).toEqual([
      "routes.preview.match.headers.0.type: the AWS Gateway API controller compares headers only by Exact (Lattice compares header values exactly, at most 5 per rule); use type Exact",
    ]);
    const six = { ...PREVIEW, match: { headers: Array.from({ length: 6 }, (_, i) => ({ name: `x-${i}`, value: "1" })) } };
    expect(problems({ preview: six }, lattice)).toEqual(["routes.preview.match.headers: the AWS Gateway API controller matches at most 5 headers per route"]);
  });

  test("query parameters on the Gateway API controllers that have them; a cookie where a pattern can find it", () => {
    for (const c of ["nginx-gateway-fabric", "istio"]) expect([problems({ main: MAIN, preview: query }, c), problems({ main: MAIN, preview: cookie }, c)]).toEqual([[], []]);
    expect(problems({ main: MAIN, preview: query }, "ingress-nginx")).toEqual([
      'routes.preview.match.queryParams: ingress-nginx cannot match query parameters (a canary Ingress is picked by a header, a cookie or a weight only); remove them',
    ]);
    expect(problems({ main: MAIN, preview: cookie }, "ingress-nginx")).toEqual([]);
    expect(problems({ preview: query }, lattice)).toEqual(["routes.preview.match.queryParams: the AWS Gateway API controller cannot match query parameters (Lattice has no query parameter match); remove them"]);
    expect(problems({ preview: cookie }, lattice)).toEqual([
      "routes.preview.match.cookie: the AWS Gateway API controller cannot match cookies (Lattice has no regular expression to find a cookie in the Cookie header); remove it",
    ]);
  });

  test("retries: ingress-nginx, and Istio on the experimental channel, each with the conditions it can express; the refusals say why", () => {
    const retries = (retryOn?: RouteInput["retries"] extends infer R ? (R extends { retryOn?: infer O } ? O : never) : never): RouteInput => ({ ...MAIN, retries: { attempts: 2, ...(retryOn ? { retryOn } : {}) } });
    expect(problems({ r: retries() }, "ingress-nginx")).toEqual([]);
    expect(problems({ r: retries(["connect-failure", "reset", "gateway-error", 429]) }, "ingress-nginx")).toEqual([]);
    expect(problems({ r: retries(["5xx", 501]) }, "ingress-nginx")).toEqual([
      "routes.r.retries.retryOn.0: ingress-nginx cannot retry on 5xx; it retries on connect-failure, reset, gateway-error, 403, 404, 429, 500, 502, 503, 504",
      "routes.r.retries.retryOn.1: ingress-nginx cannot retry on 501; it retries on connect-failure, reset, gateway-error, 403, 404, 429, 500, 502, 503, 504",
    ]);
    expect(problems({ r: retries(["connect-failure", "gateway-error"]) }, "ingress-nginx")).toEqual([
      "routes.r.retries.retryOn: ingress-nginx retries on connect-failure and reset together or on neither (one setting of its covers them all); list reset too, or leave connect-failure out",
    ]);
    const onStandard =
      "routes.r.retries: istio retries a route through HTTPRoute's retry field, which the Gateway API has in its experimental channel only: the standard channel's CRD drops it. Set controller.gatewayApiChannel: experimental (gatehouse then installs, or with gatewayApiCrds: cluster-managed requires, the experimental CRDs), or remove it";
    expect(problems({ r: retries() }, "istio")).toEqual([onStandard]);
    expect(problems({ r: retries() }, "istio", "standard")).toEqual([onStandard]);
    expect(problems({ r: retries() }, "istio", "experimental")).toEqual([]);
    expect(problems({ r: retries(["connect-failure", "gateway-error", "5xx", 429]) }, "istio", "experimental")).toEqual([]);
    const istio = "(Istio turns HTTPRoute's retry into retries on connect-failure, refused-stream, unavailable and cancelled, plus the listed status codes)";
    expect(problems({ r: retries(["connect-failure", "reset"]) }, "istio", "experimental")).toEqual([`routes.r.retries.retryOn.1: istio cannot retry on reset; it retries on connect-failure, gateway-error, 5xx, status codes 400-599 ${istio}`]);
    expect(problems({ r: retries(["gateway-error", 500]) }, "istio", "experimental")).toEqual([`routes.r.retries.retryOn: istio retries on connect-failure whenever a route retries ${istio}; list it too`]);
    for (const channel of ["standard", "experimental"] as const)
      expect(problems({ r: retries() }, "nginx-gateway-fabric", channel)).toEqual([
        "routes.r.retries: nginx-gateway-fabric cannot retry requests through its routes (NGINX Gateway Fabric 2.6 refuses an HTTPRoute rule with retry, which is not in the Gateway API standard channel either); remove it",
      ]);
    // The conditions themselves: known names or status codes 400-599, each once.
    expect(problems({ r: { ...MAIN, retries: { attempts: 1, retryOn: ["sometimes" as "5xx", 399, "reset", "reset"] } } }, "ingress-nginx")).toEqual([
      "routes.r.retries.retryOn.0: must be one of connect-failure, reset, gateway-error, 5xx, or a status code 400-599",
      "routes.r.retries.retryOn.1: must be a whole number (an HTTP status code) from 400 to 599",
      "routes.r.retries.retryOn.3: is listed twice; list each condition once",
    ]);
  });

  test("circuit breaking and connection limits: Istio; the others refuse with the reason", () => {
    const cb: RouteInput = { ...MAIN, circuitBreaker: { consecutive5xxErrors: 3 } };
    const pool: RouteInput = { ...MAIN, connectionPool: { maxConnections: 100 } };
    expect([problems({ cb }, "istio"), problems({ pool }, "istio")]).toEqual([[], []]);
    expect(problems({ cb }, "ingress-nginx")).toEqual(["routes.cb.circuitBreaker: ingress-nginx cannot eject failing pods of a backend (its Lua balancer never takes a failing pod out (nginx max_fails is not used with it)); remove it"]);
    expect(problems({ cb }, "nginx-gateway-fabric")).toEqual(["routes.cb.circuitBreaker: nginx-gateway-fabric cannot eject failing pods of a backend (its UpstreamSettingsPolicy has no outlier detection); remove it"]);
    expect(problems({ pool }, "nginx-gateway-fabric")).toEqual([
      "routes.pool.connectionPool: nginx-gateway-fabric cannot limit the connections or requests to a backend (its UpstreamSettingsPolicy has no connection or request limit (keepAlive only caches idle connections)); remove it",
    ]);
    expect(problems({ cb }, lattice)).toEqual(["routes.cb.circuitBreaker: the AWS Gateway API controller cannot eject failing pods of a backend; remove it"]);
    expect(problems({ r: { ...MAIN, connectionPool: {} } })).toEqual(["routes.r.connectionPool: must set at least one of maxConnections, maxPendingRequests, maxRequests, maxRequestsPerConnection, or be left out"]);
  });

  test("load balancing: what each controller has under the same name", () => {
    const lb = (loadBalancer: NonNullable<RouteInput["loadBalancer"]>): Record<string, RouteInput> => ({ r: { ...MAIN, loadBalancer } });
    for (const p of ["round-robin", "least-request", "random"] as const) expect([problems(lb(p), "istio"), problems(lb(p), "nginx-gateway-fabric")]).toEqual([[], []]);
    expect(problems(lb("round-robin"), "ingress-nginx")).toEqual([]);
    expect(problems(lb("least-request"), "ingress-nginx")).toEqual([
      'routes.r.loadBalancer: ingress-nginx balances only "round-robin" (its other method, ewma, balances by latency); use it or leave loadBalancer out',
    ]);
    expect(problems(lb("random"), lattice)).toEqual(["routes.r.loadBalancer: the AWS Gateway API controller cannot choose how pods are balanced; remove it"]);
  });

  test("circuit breaking, connection limits and load balancing apply to a Service: every route to one Service states the same", () => {
    const cb = { consecutive5xxErrors: 3 };
    expect(problems({ a: { ...MAIN, circuitBreaker: cb }, b: { ...MAIN, path: "/b", circuitBreaker: cb } })).toEqual([]);
    expect(problems({ a: { ...MAIN, circuitBreaker: cb }, b: { ...MAIN, path: "/b" } })).toEqual([
      'routes.b.circuitBreaker: differs from route "a", which sends to Service shop/web too: circuit breaking, connection limits and load balancing apply to a Service, not to a route; give both routes the same circuitBreaker (or leave it out of both)',
    ]);
    // The defaults count: leaving a field out is its default.
    expect(problems({ a: { ...MAIN, circuitBreaker: cb }, b: { ...MAIN, path: "/b", circuitBreaker: { ...cb, interval: 10 } } })).toEqual([]);
    expect(problems({ a: { ...MAIN, loadBalancer: "random" }, b: { host: MAIN.host, path: "/b", backends: [{ backend: "shop/web:81", weight: 50 }, { backend: "shop/x:80", weight: 50 }], loadBalancer: "least-request" } })).toEqual([
      'routes.b.loadBalancer: differs from route "a", which sends to Service shop/web too: circuit breaking, connection limits and load balancing apply to a Service, not to a route; give both routes the same loadBalancer (or leave it out of both)',
    ]);
  });

  test("ingress-nginx: a route with conditions is the canary of the route with the same host and path, one per host and path", () => {
    const n = (routes: Record<string, RouteInput>) => problems(routes, "ingress-nginx");
    expect(n({ preview: PREVIEW })).toEqual([
      'routes.preview.match: ingress-nginx carries out match conditions only as the canary of a route with the same host, path and pathType and no conditions, which takes the other requests; add that route',
    ]);
    expect(n({ main: MAIN, preview: PREVIEW, "preview-2": { ...PREVIEW, match: { cookie: "beta" } } })).toEqual([
      'routes.preview-2.match: ingress-nginx takes one canary per host and path, and route "preview" already is the canary of route "main"; merge the two',
    ]);
    const weighted: RouteInput = { host: "shop.example.com", backends: [{ backend: "shop/web:80", weight: 90 }, { backend: "shop/web-next:80", weight: 10 }] };
    expect(n({ main: weighted, preview: PREVIEW })).toEqual([]);
    expect(n({ main: weighted, preview: { ...PREVIEW, backend: "shop/other:80" } })).toEqual([
      'routes.preview.backend: ingress-nginx takes one canary per host and path, and route "main" already sends 10% to its canary shop/web-next:80; send this route there too (the canary then takes the matching requests and its share of the others)',
    ]);
    expect(n({ main: MAIN, preview: { ...PREVIEW, match: { headers: [{ name: "x-a", value: "1" }], cookie: "beta" } } })).toEqual([
      'routes.preview.match: ingress-nginx picks a canary by a header or by a cookie, not by both together; keep one of them',
    ]);
    expect(n({ main: MAIN, preview: { ...PREVIEW, match: { headers: [{ name: "x_preview", value: "1" }] } } })).toEqual([
      'routes.preview.match.headers.0.name: ingress-nginx drops request headers with "_" in their names (nginx ignore_invalid_headers) and reads this one as "x-preview"; name the header with "-"',
    ]);
    expect(n({ main: MAIN, preview: { ...PREVIEW, timeout: 5 } })).toEqual(['routes.preview.timeout: ingress-nginx gives a canary the timeout and retries of its main route "main" and ignores its own; set them there']);
    expect(n({ main: MAIN, preview: { ...PREVIEW, match: { headers: [{ name: "a", value: "1" }, { name: "b", value: "2" }] } } })).toEqual(["routes.preview.match.headers: ingress-nginx matches at most 1 headers per route"]);
  });

  test("a refusal reaches the user with the environment, the field and what is accepted", () => {
    let thrown: unknown;
    try {
      loadEnvironments({ builtins: [awsEnv({ name: "shop", routes: { web: { host: "shop.example.com", backend: "shop/web:80", loadBalancer: "random" } } })] });
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    expect((thrown as ConfigError).problems.map((p) => [p.env, p.path, p.value, p.message])).toEqual([
      ["shop", "routes.web.loadBalancer", "random", 'ingress-nginx balances only "round-robin" (its other method, ewma, balances by latency); use it or leave loadBalancer out'],
    ]);
    // And on Lattice, at its own routes.
    let lattice: unknown;
    try {
      loadEnvironments({ builtins: [patch(awsEnv({ name: "net" }), { aws: { lattice: { routes: { web: { backend: "shop/web:80", match: { queryParams: [{ name: "a", value: "1" }] } } } } } })] });
    } catch (e) {
      lattice = e;
    }
    expect((lattice as ConfigError).problems.map((p) => `${p.env}: ${p.path}`)).toEqual(["net: aws.lattice.routes.web.match.queryParams"]);
  });
});

// ---------------------------------------------------------------------------------------------
// Rendering

const INGRESS: RouteAttachment = { api: "ingress", ingressClassName: "nginx" };
const ISTIO_ID = istioIdentity({ releaseName: "istio-ingress", namespace: "istio-ingress" });
const ISTIO: RouteAttachment = ISTIO_ID.routes;
const NGF: RouteAttachment = { api: "gateway", gateway: { name: "nginx-gateway", namespace: "nginx-gateway" }, policies: { kind: "nginx-gateway-fabric" } };
const routesOf = (input: Record<string, RouteInput>): Route[] => parseRoutes(input);
const byName = (objects: readonly KubeManifest[], kind: string, name: string) => objects.find((o) => o.kind === kind && o.metadata.name === name) as KubeManifest;
const spec = (o: KubeManifest) => o.spec as Json;

describe("ingress-nginx: canary Ingresses", () => {
  test("retry conditions become proxy_next_upstream's; the default is what ingress-nginx got before conditions could be chosen", () => {
    expect(NGINX_RETRY_ON).toBe("error timeout http_502 http_503 http_504");
    expect(nginxRetryOn(["gateway-error", 429, "connect-failure", "reset"])).toBe("error timeout http_502 http_503 http_504 http_429");
    const [o] = routeManifests(INGRESS, routesOf({ r: { ...MAIN, timeout: 20, retries: { attempts: 3, perTryTimeout: 5, retryOn: [503, "connect-failure", "reset"] } } })) as [KubeManifest];
    expect(o.metadata.annotations).toEqual({
      "nginx.ingress.kubernetes.io/proxy-read-timeout": "5",
      "nginx.ingress.kubernetes.io/proxy-send-timeout": "5",
      "nginx.ingress.kubernetes.io/proxy-next-upstream": "error timeout http_503",
      "nginx.ingress.kubernetes.io/proxy-next-upstream-tries": "4",
      "nginx.ingress.kubernetes.io/proxy-next-upstream-timeout": "20",
    });
  });

  test("a header match is a canary by header (a value, or an anchored pattern), a cookie a canary by cookie, on the main route's host and path", () => {
    const objects = routeManifests(INGRESS, routesOf({ main: MAIN, preview: PREVIEW, "re-main": { ...MAIN, path: "/m" }, "re-preview": { ...PREVIEW, path: "/m", match: { headers: [{ name: "user-agent", value: ".*Mobile.*", type: "RegularExpression" }] } }, "c-main": { ...MAIN, path: "/c" }, "c-preview": { ...PREVIEW, path: "/c", match: { cookie: "beta" } } }));
    expect(objects.map((o) => `${o.metadata.namespace}/${o.metadata.name}`).sort()).toEqual(["shop/c-main", "shop/c-preview", "shop/main", "shop/preview", "shop/re-main", "shop/re-preview"]);
    const preview = byName(objects, "Ingress", "preview");
    expect(preview.metadata.annotations).toEqual({ "nginx.ingress.kubernetes.io/canary": "true", "nginx.ingress.kubernetes.io/canary-by-header": "x-preview", "nginx.ingress.kubernetes.io/canary-by-header-value": "true" });
    expect(spec(preview).rules).toEqual([{ host: "shop.example.com", http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: "web-next", port: { number: 80 } } } }] } }]);
    expect(byName(objects, "Ingress", "re-preview").metadata.annotations).toEqual({
      "nginx.ingress.kubernetes.io/canary": "true",
      "nginx.ingress.kubernetes.io/canary-by-header": "user-agent",
      "nginx.ingress.kubernetes.io/canary-by-header-pattern": "^(?:.*Mobile.*)$",
    });
    expect(byName(objects, "Ingress", "c-preview").metadata.annotations).toEqual({ "nginx.ingress.kubernetes.io/canary": "true", "nginx.ingress.kubernetes.io/canary-by-cookie": "beta" });
    expect(byName(objects, "Ingress", "main").metadata.annotations).toBeUndefined();
    for (const o of objects) expect(() => new Ingress(o as unknown as ConstructorParameters<typeof Ingress>[0]).validate()).not.toThrow();
  });

  test("a main route split by weight and a dark launch to its canary backend share the one canary Ingress: header, then weight", () => {
    const objects = routeManifests(
      INGRESS,
      routesOf({ main: { host: "shop.example.com", backends: [{ backend: "shop/web:80", weight: 90 }, { backend: "shop/web-next:80", weight: 10 }], loadBalancer: "round-robin" }, preview: { ...PREVIEW, loadBalancer: "round-robin" } }),
    );
    expect(objects.map((o) => o.metadata.name)).toEqual(["main", "main--canary"]);
    expect(byName(objects, "Ingress", "main--canary").metadata.annotations).toEqual({
      "nginx.ingress.kubernetes.io/canary": "true",
      "nginx.ingress.kubernetes.io/canary-weight": "10",
      "nginx.ingress.kubernetes.io/canary-by-header": "x-preview",
      "nginx.ingress.kubernetes.io/canary-by-header-value": "true",
      "nginx.ingress.kubernetes.io/load-balance": "round_robin",
    });
    expect(byName(objects, "Ingress", "main").metadata.annotations).toEqual({ "nginx.ingress.kubernetes.io/load-balance": "round_robin" });
  });

  test("what an Ingress cannot carry is refused when the routes come to the construct directly", () => {
    expect(() => routeManifests(INGRESS, routesOf({ preview: PREVIEW }))).toThrow("routes.preview.match (got \"preview\"): an Ingress canary needs the route with the same host, path and pathType and no match conditions");
    expect(() => routeManifests(INGRESS, routesOf({ r: { ...MAIN, circuitBreaker: {} } }))).toThrow("routes.r.circuitBreaker");
    expect(() => routeManifests(INGRESS, routesOf({ main: MAIN, preview: { ...PREVIEW, match: { queryParams: [{ name: "a", value: "1" }] } } }))).toThrow("an Ingress canary cannot match query parameters");
  });
});

describe("Gateway API: HTTPRoute matches and per-Service policies", () => {
  const DARK = routesOf({
    web: { host: "shop.example.com", backends: [{ backend: "shop/web:80", weight: 95 }, { backend: "shop/web-canary:80", weight: 5 }], circuitBreaker: { consecutive5xxErrors: 7, maxEjectionPercent: 50 }, connectionPool: { maxConnections: 200, maxPendingRequests: 20, maxRequests: 300, maxRequestsPerConnection: 10 }, loadBalancer: "least-request" },
    preview: { ...PREVIEW, match: { headers: [{ name: "x-preview", value: "true" }, { name: "user-agent", value: ".*Mobile.*", type: "RegularExpression" }], queryParams: [{ name: "v", value: "2" }], cookie: "beta" }, loadBalancer: "random" },
  });

  test("headers, query parameters and a cookie become the rule's match; regular expressions anchored", () => {
    const preview = byName(routeManifests(ISTIO, DARK), "HTTPRoute", "preview");
    expect((spec(preview).rules as Json[])[0]?.matches).toEqual([
      {
        path: { type: "PathPrefix", value: "/" },
        headers: [
          { type: "Exact", name: "x-preview", value: "true" },
          { type: "RegularExpression", name: "user-agent", value: "^(?:.*Mobile.*)$" },
          { type: "RegularExpression", name: "cookie", value: "^(?:(.*;\\s*)?beta=always(;.*)?)$" },
        ],
        queryParams: [{ type: "Exact", name: "v", value: "2" }],
      },
    ]);
  });

  test("Istio: a DestinationRule per Service, for the gateway's pods only, named after the first route to it", () => {
    const objects = routeManifests(ISTIO, DARK);
    const rules = objects.filter((o) => o.kind === "DestinationRule");
    expect(rules.map((o) => `${o.metadata.namespace}/${o.metadata.name}`)).toEqual(["istio-ingress/preview--web-next", "istio-ingress/web--web", "istio-ingress/web--web-canary"]);
    expect(byName(objects, "DestinationRule", "web--web")).toEqual({
      apiVersion: "networking.istio.io/v1",
      kind: "DestinationRule",
      metadata: { name: "web--web", namespace: "istio-ingress", labels: { "app.kubernetes.io/part-of": "gatehouse" } },
      spec: {
        host: "web.shop.svc.cluster.local",
        exportTo: ["."],
        workloadSelector: { matchLabels: ISTIO_ID.podSelector },
        trafficPolicy: {
          loadBalancer: { simple: "LEAST_REQUEST" },
          connectionPool: { tcp: { maxConnections: 200 }, http: { http1MaxPendingRequests: 20, http2MaxRequests: 300, maxRequestsPerConnection: 10 } },
          // Unset fields take gatehouse's stated defaults (Envoy's own).
          outlierDetection: { consecutive5xxErrors: 7, interval: "10s", baseEjectionTime: "30s", maxEjectionPercent: 50 },
        },
      },
    });
    expect(spec(byName(objects, "DestinationRule", "preview--web-next")).trafficPolicy).toEqual({ loadBalancer: { simple: "RANDOM" } });
    // Routes without per-Service settings get none.
    expect(routeManifests(ISTIO, routesOf({ main: MAIN })).map((o) => o.kind)).toEqual(["HTTPRoute"]);
  });

  test("NGINX Gateway Fabric: an UpstreamSettingsPolicy per Service sets the load balancing method, in the Service's namespace", () => {
    const objects = routeManifests(NGF, routesOf({ web: { ...MAIN, loadBalancer: "least-request" }, preview: { ...PREVIEW, loadBalancer: "round-robin" } }));
    expect(objects.filter((o) => o.kind === "UpstreamSettingsPolicy")).toEqual([
      { apiVersion: "gateway.nginx.org/v1alpha1", kind: "UpstreamSettingsPolicy", metadata: { name: "preview--web-next", namespace: "shop", labels: { "app.kubernetes.io/part-of": "gatehouse" } }, spec: { targetRefs: [{ group: "core", kind: "Service", name: "web-next" }], loadBalancingMethod: "round_robin" } },
      { apiVersion: "gateway.nginx.org/v1alpha1", kind: "UpstreamSettingsPolicy", metadata: { name: "web--web", namespace: "shop", labels: { "app.kubernetes.io/part-of": "gatehouse" } }, spec: { targetRefs: [{ group: "core", kind: "Service", name: "web" }], loadBalancingMethod: "random two least_conn" } },
    ]);
    expect(NGF_LOAD_BALANCER).toEqual({ "round-robin": "round_robin", "least-request": "random two least_conn", random: "random" });
    expect(() => routeManifests(NGF, routesOf({ r: { ...MAIN, circuitBreaker: {} } }))).toThrow("routes.r.circuitBreaker (got {\"consecutive5xxErrors\":5,\"intervalSeconds\":10,\"baseEjectionTimeSeconds\":30,\"maxEjectionPercent\":10}): cannot be carried out: an UpstreamSettingsPolicy sets only the load balancing method");
  });

  test("VPC Lattice: header matches on the HTTPRoute the controller turns into a Lattice service; no per-Service policies", () => {
    const objects = awsGatewayControllerObjects({ clusterName: "c", clusterVpcId: "vpc-0123456789abcdef0", awsRegion: "eu-west-1", awsAccountId: "123456789012", serviceNetworkName: "net", identity: { mode: "pod-identity" }, routes: routesOf({ preview: PREVIEW }) });
    const route = objects.find((o) => o.kind === "HTTPRoute") as KubeManifest;
    expect((spec(route).rules as Json[])[0]?.matches).toEqual([{ path: { type: "PathPrefix", value: "/" }, headers: [{ type: "Exact", name: "x-preview", value: "true" }] }]);
    expect(objects.some((o) => o.kind === "DestinationRule" || o.kind === "UpstreamSettingsPolicy")).toBe(false);
  });
});

// ---------------------------------------------------------------------------------------------
// The objects against the controllers' own CRDs, rendered by helm

const FIXTURES = join(__dirname, "fixtures");
const ISTIO_CRDS = join(FIXTURES, "charts", `istio-${ISTIO_VERSION}`, "base", "files", "crd-all.gen.yaml");
const NGF_POLICY_CRD = join(FIXTURES, "charts", "nginx-gateway-fabric-2.6.7", "crds", "gateway.nginx.org_upstreamsettingspolicies.yaml");

type Cel = (self: unknown) => boolean;
/** Go durations (Istio's and the Gateway API's) in milliseconds. */
const millis = (d: string): number => [...d.matchAll(/([0-9.]+)(h|ms|m|s)/g)].reduce((sum, m) => sum + Number(m[1]) * { h: 3_600_000, m: 60_000, s: 1000, ms: 1 }[m[2] as "h" | "m" | "s" | "ms"], 0);
const refs = (self: unknown) => (Array.isArray(self) ? (self as Json[]) : []);
/** The CEL rules the objects reach, by message: Istio's DestinationRule and NGINX Gateway Fabric's policy. */
const CEL: Readonly<Record<string, Cel>> = {
  "must be a valid duration greater than 1ms": (self) => typeof self === "string" && /^([0-9.]+(h|m|s|ms))+$/.test(self) && millis(self) >= 1,
  "key must not be empty": (self) => Object.keys(self as Json).every((k) => k.length > 0),
  "wildcard not allowed in label key match": (self) => Object.keys(self as Json).every((k) => !k.includes("*")),
  "wildcard not allowed in label value match": (self) => typeof self === "string" && !self.includes("*"),
  "TargetRefs Kind must be: Service": (self) => refs(self).every((t) => t.kind === "Service"),
  "TargetRefs Group must be core": (self) => refs(self).some((t) => t.group === "" || t.group === "core"),
  "TargetRef Name must be unique": (self) => refs(self).every((a) => refs(self).filter((b) => a.name === b.name).length === 1),
  "hashMethodKey is required when loadBalancingMethod is 'hash' or 'hash consistent'": (self) => {
    const s = self as Json;
    return !(s.loadBalancingMethod === "hash" || s.loadBalancingMethod === "hash consistent") || s.hashMethodKey !== undefined;
  },
};
let celFailures: string[] = [];
const celKeyword = {
  schemaType: "array" as const,
  compile: (list: Array<{ rule: string; message?: string }>) =>
    function cel(data: unknown, cxt?: { instancePath: string }): boolean {
      let ok = true;
      for (const { rule, message } of list) {
        const check = message !== undefined ? CEL[message] : undefined;
        if (check && check(data)) continue;
        ok = false;
        celFailures.push(`${cxt?.instancePath || "/"}: ${check ? message : `CEL rule not evaluated by this test: ${rule}`}`);
      }
      return ok;
    },
};
const policyValidator = objectValidator<KubeManifest>(crdValidators([ISTIO_CRDS, NGF_POLICY_CRD], { cel: celKeyword }));
/** Against its CRD: an HTTPRoute against the channel's (CEL rules evaluated), a policy against its controller's. */
function crdProblems(o: KubeManifest, channel: GatewayApiChannel = "standard"): string[] {
  if (o.kind === "HTTPRoute") return httpRouteCrdProblems(o, channel).map((e) => `${o.apiVersion}/${o.kind} ${o.metadata.name}: ${e}`);
  celFailures = [];
  return [...policyValidator(o).filter((e) => !e.includes("x-kubernetes-validations")), ...celFailures];
}

function rendered(attachment: RouteAttachment, routes: readonly Route[], gatewayApiChannel?: GatewayApiChannel): KubeManifest[] {
  const json = only(
    synthConstruct((scope) => new Routes(scope, "routes", { attachment, routes, releaseName: "gatehouse-routes", namespace: "istio-ingress", gatewayApiChannel })),
    "helm_release",
  );
  return renderChart({ release: String(json.name), namespace: String(json.namespace), values: terraformStringValue((json.values as string[])[0] as string), chartDir: localChartDir("gatehouse-manifests") }) as unknown as KubeManifest[];
}

describe("rendered by helm and validated against the controllers' CRDs", () => {
  const routes = routesOf({
    web: { host: "shop.example.com", backends: [{ backend: "shop/web:80", weight: 95 }, { backend: "shop/web-canary:80", weight: 5 }], timeout: 30, circuitBreaker: { consecutive5xxErrors: 5, interval: 10, baseEjectionTime: 30, maxEjectionPercent: 50 }, connectionPool: { maxConnections: 200, maxPendingRequests: 100 }, loadBalancer: "least-request" },
    preview: { ...PREVIEW, match: { headers: [{ name: "x-preview", value: "true" }], queryParams: [{ name: "v", value: "^2$", type: "RegularExpression" }], cookie: "beta" }, circuitBreaker: { consecutive5xxErrors: 3 } },
  });

  test("Istio: the HTTPRoutes and DestinationRules helm applies are the construct's, valid against the Gateway API and Istio 1.30.3 CRDs", () => {
    const objects = rendered(ISTIO, routes);
    expect(objects).toEqual(JSON.parse(JSON.stringify(routeManifests(ISTIO, routes))));
    expect(objects.map((o) => o.kind).sort()).toEqual(["DestinationRule", "DestinationRule", "DestinationRule", "HTTPRoute", "HTTPRoute"]);
    expect(objects.flatMap((o) => crdProblems(o))).toEqual([]);
  });

  test("NGINX Gateway Fabric: the UpstreamSettingsPolicies, valid against its 2.6.7 CRD", () => {
    const ngf = routesOf({ web: { ...MAIN, loadBalancer: "least-request" }, preview: { ...PREVIEW, loadBalancer: "random" } });
    const objects = rendered(NGF, ngf);
    expect(objects.filter((o) => o.kind === "UpstreamSettingsPolicy")).toHaveLength(2);
    expect(objects.flatMap((o) => crdProblems(o))).toEqual([]);
  });

  test("Istio retries: HTTPRoute's retry and per-try timeout, valid against the experimental channel's CRD (CEL rules evaluated), refused by the standard one", () => {
    const retrying = routesOf({
      web: { ...MAIN, timeout: 30, retries: { attempts: 3, perTryTimeout: 10 } },
      api: { ...MAIN, path: "/api", retries: { attempts: 1, retryOn: ["connect-failure", "5xx", 429] } },
    });
    const objects = rendered(ISTIO, retrying, "experimental");
    expect(objects).toEqual(JSON.parse(JSON.stringify(routeManifests(ISTIO, retrying, "experimental"))));
    const rule = (name: string) => (spec(byName(objects, "HTTPRoute", name)).rules as Json[])[0] as Json;
    // No conditions named: connect-failure and gateway-error (Istio adds connection failures itself).
    expect(ROUTE_DEFAULTS.httpRouteRetryOn).toEqual(["connect-failure", "gateway-error"]);
    expect([rule("web").retry, rule("web").timeouts]).toEqual([{ attempts: 3, codes: [502, 503, 504] }, { request: "30s", backendRequest: "10s" }]);
    expect(rule("api").retry).toEqual({ attempts: 1, codes: [429, ...Array.from({ length: 100 }, (_, i) => 500 + i)] });
    expect(rule("api").timeouts).toBeUndefined();
    for (const o of objects) expect(httpRouteCrdProblems(o, "experimental")).toEqual([]);
    // The standard channel's CRD has no retry field: the API server would drop it (strict validation refuses it).
    expect(httpRouteCrdProblems(byName(objects, "HTTPRoute", "web"), "standard")).toEqual([expect.stringMatching(/^\/spec\/rules\/0 must NOT have additional properties \{"additionalProperty":"retry"\}$/)]);
    // The CRD's own rules hold the per-try timeout within the request's, as the route rules do.
    const web = byName(objects, "HTTPRoute", "web");
    expect(httpRouteCrdProblems({ ...web, spec: { ...spec(web), rules: [{ ...rule("web"), timeouts: { request: "5s", backendRequest: "10s" } }] } }, "experimental")).toEqual([
      "/spec/rules/0/timeouts: backendRequest timeout cannot be longer than request timeout",
    ]);
    expect(problems({ r: { ...MAIN, timeout: 5, retries: { attempts: 1, perTryTimeout: 10 } } }, "istio", "experimental")).toEqual([
      "routes.r.retries.perTryTimeout: must not exceed the route's timeout (5 s), which covers every try",
    ]);
    expect(httpRouteCrdProblems({ ...web, spec: { ...spec(web), rules: [{ ...rule("web"), retry: { attempts: 1, codes: [302] } }] } }, "experimental")).toEqual([expect.stringContaining("must be >= 400")]);
  });

  test("the Routes construct refuses a channel it does not know, and retries on the standard channel", () => {
    const retrying = routesOf({ web: { ...MAIN, retries: { attempts: 2 } } });
    const build = (gatewayApiChannel: string) => () => synthConstruct((scope) => new Routes(scope, "routes", { attachment: ISTIO, routes: retrying, releaseName: "r", namespace: "ns", gatewayApiChannel: gatewayApiChannel as GatewayApiChannel }));
    expect(build("beta")).toThrow('gatewayApiChannel (got "beta"): must be one of "standard", "experimental"');
    expect(build("standard")).toThrow(/routes\.web\.retries \(got \{"attempts":2\}\): HTTPRoute's retry field is in the Gateway API's experimental channel only/);
    expect(build("experimental")).not.toThrow();
  });

  test("a ${ or %{ in a match value reaches Helm literally, never as a Terraform template", () => {
    // Environments cannot hold them (the loader refuses); the construct escapes whatever it is given.
    const sneaky = routesOf({ r: { ...MAIN, match: { headers: [{ name: "x-a", value: "${var.secret}%{if x}" }] } } });
    const json = only(synthConstruct((scope) => new Routes(scope, "routes", { attachment: ISTIO, routes: sneaky, releaseName: "r", namespace: "ns" })), "helm_release");
    const values = (json.values as string[])[0] as string;
    expect(values).toContain("$${var.secret}%%{if x}");
    const [o] = rendered(ISTIO, sneaky);
    expect((((spec(o as KubeManifest).rules as Json[])[0]?.matches as Json[])[0] as Json).headers).toEqual([{ type: "Exact", name: "x-a", value: "${var.secret}%{if x}" }]);
  });

  test("the CRD checks catch what the API server would refuse", () => {
    const dr = byName(routeManifests(ISTIO, routes), "DestinationRule", "web--web");
    const tp = spec(dr).trafficPolicy as Json;
    expect(crdProblems({ ...dr, spec: { ...spec(dr), trafficPolicy: { ...tp, outlierDetection: { ...(tp.outlierDetection as Json), interval: "0s" } } } })).toEqual(["/spec/trafficPolicy/outlierDetection/interval: must be a valid duration greater than 1ms"]);
    expect(crdProblems({ ...dr, spec: { ...spec(dr), trafficPolicy: { ...tp, loadBalancer: { simple: "FASTEST" } } } })).toEqual([expect.stringContaining("must be equal to one of the allowed values")]);
    expect(crdProblems({ ...dr, spec: { ...spec(dr), trafficPolicy: { ...tp, connectionPool: { tcp: { maxConnection: 1 } } } } })).toEqual([expect.stringContaining("must NOT have additional properties")]);
    const usp = routeManifests(NGF, routesOf({ web: { ...MAIN, loadBalancer: "random" } })).find((o) => o.kind === "UpstreamSettingsPolicy") as KubeManifest;
    expect(crdProblems({ ...usp, spec: { ...spec(usp), targetRefs: [{ group: "apps", kind: "Deployment", name: "web" }] } })).toEqual([
      "/spec/targetRefs: TargetRefs Kind must be: Service",
      "/spec/targetRefs: TargetRefs Group must be core",
    ]);
    expect(crdProblems({ ...usp, spec: { ...spec(usp), loadBalancingMethod: "least_request" } })).toEqual([expect.stringContaining("must be equal to one of the allowed values")]);
  });
});

// ---------------------------------------------------------------------------------------------
// The example

describe("envs/examples/istio.yaml", () => {
  const input = parse(readFileSync(join(__dirname, "..", "envs", "examples", "istio.yaml"), "utf8")) as EnvInput;

  test("shows a canary by weight, a dark launch by header and by cookie, retries and a circuit breaker, all valid against the CRDs", () => {
    const stacks = synthEnvs([input]);
    const cluster = stacks["example-istio-aws-cluster"];
    expect(cluster).toBeDefined();
    const release = Object.values(resources(cluster ?? {}, "helm_release")).find((r) => r.name === "gatehouse-routes") as Json;
    const objects = (parse(terraformStringValue((release.values as string[])[0] as string)) as { objects: KubeManifest[] }).objects;
    const web = byName(objects, "HTTPRoute", "web");
    expect((spec(web).rules as Json[])[0]?.backendRefs).toEqual([
      { name: "frontend-stable", port: 80, weight: 95 },
      { name: "frontend-canary", port: 80, weight: 5 },
    ]);
    expect([(spec(web).rules as Json[])[0]?.retry, (spec(web).rules as Json[])[0]?.timeouts]).toEqual([{ attempts: 2, codes: [502, 503, 504] }, { request: "30s", backendRequest: "10s" }]);
    expect(((spec(byName(objects, "HTTPRoute", "web-preview")).rules as Json[])[0]?.matches as Json[])[0]?.headers).toEqual([{ type: "Exact", name: "x-preview", value: "true" }]);
    expect(((spec(byName(objects, "HTTPRoute", "web-preview-cookie")).rules as Json[])[0]?.matches as Json[])[0]?.headers).toEqual([{ type: "RegularExpression", name: "cookie", value: cookiePattern("preview") }]);
    const breakers = objects.filter((o) => o.kind === "DestinationRule").map((o) => [spec(o).host, (spec(o).trafficPolicy as Json).outlierDetection]);
    expect(breakers).toEqual([
      ["frontend-canary.web.svc.cluster.local", { consecutive5xxErrors: 5, interval: "10s", baseEjectionTime: "30s", maxEjectionPercent: 50 }],
      ["frontend-stable.web.svc.cluster.local", { consecutive5xxErrors: 5, interval: "10s", baseEjectionTime: "30s", maxEjectionPercent: 50 }],
      ["frontend-next.web.svc.cluster.local", { consecutive5xxErrors: 3, interval: "10s", baseEjectionTime: "60s", maxEjectionPercent: 100 }],
    ]);
    expect(objects.flatMap((o) => crdProblems(o, "experimental"))).toEqual([]);
  });

  test("on the standard channel, its retries are refused by name, with what would carry them out", () => {
    let thrown: unknown;
    try {
      loadEnvironments({ builtins: [patch(input, { controller: { gatewayApiChannel: "standard" } })] });
    } catch (e) {
      thrown = e;
    }
    expect((thrown as ConfigError).problems.map((p) => `${p.env}: ${p.path}: ${p.message}`)).toEqual([
      expect.stringMatching(/^example-istio: routes\.web\.retries: istio retries a route through HTTPRoute's retry field, which the Gateway API has in its experimental channel only: .* Set controller\.gatewayApiChannel: experimental /),
    ]);
  });
});
