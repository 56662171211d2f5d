/**
 * The path API Gateway sends a private integration's backend for a client request, read from the
 * synthesized Terraform the way AWS documents it, so tests can state backend paths rather than
 * the configuration that produces them.
 *
 * - HTTP APIs: the route matching the request, then its integration. Private integrations put the
 *   stage in front of the request path unless parameter mapping overwrites the path, and
 *   `$request.path` is the request path without the stage (AWS, "Create private integrations for
 *   HTTP APIs": "For private integrations, API Gateway includes the stage portion of the API
 *   endpoint in the request to your backend resources ... use parameter mapping to overwrite the
 *   request path to $request.path").
 * - REST APIs: the resource and method matching the request, then the method's integration. An
 *   HTTP proxy integration sends the path of its `uri`, each `{name}` in it filled with what its
 *   `integration.request.path.<name>` mapping reads ("HTTP integrations for REST APIs": a
 *   `/parent/{proxy+}` resource integrated with `…/petstore/{proxy}`). Mapping templates are a
 *   non-proxy feature, so a path that depends on one (`$context.requestOverride.path.<name>`) is
 *   refused here rather than guessed at.
 *
 * Matching prefers literal segments to `{name}` to `{name+}` and an exact method to ANY; the
 * tests give requests only one route can match best.
 */
import { resources, type TfJson } from "./synth";

/** A client request: its method and its path after the stage (or after a custom domain). */
export interface ClientRequest {
  readonly method: string;
  readonly path: string;
}

/** The path the backend receives for `request`, through the HTTP or REST API in `json`. */
export function sentPath(json: TfJson, request: ClientRequest): string {
  if (Object.keys(resources(json, "aws_apigatewayv2_api")).length > 0) return httpSentPath(json, request);
  if (Object.keys(resources(json, "aws_api_gateway_rest_api")).length > 0) return restSentPath(json, request);
  throw new Error("no API Gateway API in the stack");
}

function httpSentPath(json: TfJson, request: ClientRequest): string {
  const routes = Object.values(resources(json, "aws_apigatewayv2_route")).map((r) => ({ key: String(r.route_key), target: String(r.target) }));
  type Candidate = { readonly target: string; readonly method: string; readonly template: string | undefined };
  const candidates = routes.flatMap((r): Candidate[] => {
    if (r.key === "$default") return [{ target: r.target, method: "ANY", template: undefined }];
    const [method, template] = r.key.split(" ");
    return method !== undefined && template !== undefined && matchPath(template, request.path) && (method === "ANY" || method === request.method) ? [{ target: r.target, method, template }] : [];
  });
  const route = best(candidates, request.method);
  if (!route) throw new Error(`no HTTP API route matches ${request.method} ${request.path}`);
  const integration = byRef(json, "aws_apigatewayv2_integration", route.target.replace(/^integrations\//, ""), "id");
  expectPrivateProxy(integration.integration_type, integration.connection_type);
  const stages = Object.values(resources(json, "aws_apigatewayv2_stage")).map((s) => String(s.name));
  if (stages.length !== 1) throw new Error(`expected one stage, found ${stages.length}`);
  const stage = stages[0] as string;
  const overwrite = (integration.request_parameters as Record<string, string> | undefined)?.["overwrite:path"];
  if (overwrite === "$request.path") return request.path;
  if (overwrite !== undefined) throw new Error(`overwrite:path ${overwrite} is not modelled`);
  return stage === "$default" ? request.path : `/${stage}${request.path}`;
}

function restSentPath(json: TfJson, request: ClientRequest): string {
  const [restId] = Object.keys(resources(json, "aws_api_gateway_rest_api"));
  const rootRef = `\${aws_api_gateway_rest_api.${restId}.root_resource_id}`;
  const res = resources(json, "aws_api_gateway_resource");
  const pathOf = (ref: string): string => {
    if (ref === rootRef) return "/";
    const id = /^\$\{aws_api_gateway_resource\.([^.]+)\.id\}$/.exec(ref)?.[1];
    const r = id === undefined ? undefined : res[id];
    if (!r) throw new Error(`unknown resource ${ref}`);
    const parent = pathOf(String(r.parent_id));
    return `${parent === "/" ? "" : parent}/${String(r.path_part)}`;
  };
  const candidates = Object.entries(resources(json, "aws_api_gateway_method")).flatMap(([id, m]) => {
    const template = pathOf(String(m.resource_id));
    const method = String(m.http_method);
    return matchPath(template, request.path) && (method === "ANY" || method === request.method) ? [{ id, method, template, declared: (m.request_parameters ?? {}) as Record<string, boolean> }] : [];
  });
  const method = best(candidates, request.method);
  if (!method) throw new Error(`no REST method matches ${request.method} ${request.path}`);
  const integration = Object.values(resources(json, "aws_api_gateway_integration")).find((i) => i.http_method === `\${aws_api_gateway_method.${method.id}.http_method}`);
  if (!integration) throw new Error(`method ${method.template} has no integration`);
  expectPrivateProxy(integration.type, integration.connection_type);
  if (integration.request_templates !== undefined) throw new Error("mapping templates apply to non-proxy integrations only; an HTTP_PROXY integration's path cannot rely on one");
  const uriPath = /^https?:\/\/[^/]+(\/.*)?$/.exec(String(integration.uri))?.[1] ?? "/";
  const captured = matchPath(method.template, request.path) ?? {};
  const mappings = (integration.request_parameters ?? {}) as Record<string, string>;
  return uriPath.replace(/\{([^}]+)\}/g, (_, name: string) => {
    const source = mappings[`integration.request.path.${name}`];
    const variable = /^method\.request\.path\.(.+)$/.exec(source ?? "")?.[1];
    if (variable === undefined || method.declared[`method.request.path.${variable}`] !== true || captured[variable] === undefined)
      throw new Error(`{${name}} in ${String(integration.uri)} is not mapped from a path variable of ${method.template}`);
    return captured[variable];
  });
}

function expectPrivateProxy(type: unknown, connection: unknown): void {
  if (type !== "HTTP_PROXY" || connection !== "VPC_LINK") throw new Error(`not an HTTP_PROXY integration through a VPC link (${String(type)}, ${String(connection)})`);
}

/** The resource of `type` whose `${type.<id>.<attr>}` is `ref`. */
function byRef(json: TfJson, type: string, ref: string, attr: string): Record<string, unknown> {
  const id = new RegExp(`^\\$\\{${type}\\.([^.]+)\\.${attr}\\}$`).exec(ref)?.[1];
  const r = id === undefined ? undefined : resources(json, type)[id];
  if (!r) throw new Error(`no ${type} for ${ref}`);
  return r;
}

/** `/orders/{proxy+}` against `/orders/a/b` → `{ proxy: "a/b" }`; undefined when it does not match. */
function matchPath(template: string, path: string): Record<string, string> | undefined {
  const want = template === "/" ? [] : template.slice(1).split("/");
  const got = path === "/" ? [] : path.slice(1).split("/");
  const out: Record<string, string> = {};
  for (const [i, part] of want.entries()) {
    const greedy = /^\{(.+)\+\}$/.exec(part);
    if (greedy) {
      const rest = got.slice(i);
      if (rest.length === 0 || i !== want.length - 1) return undefined;
      out[greedy[1] as string] = rest.join("/");
      return out;
    }
    const seg = got[i];
    if (seg === undefined || seg === "") return undefined;
    const variable = /^\{(.+)\}$/.exec(part);
    if (variable) out[variable[1] as string] = seg;
    else if (part !== seg) return undefined;
  }
  return got.length === want.length ? out : undefined;
}

/** The most specific candidate: literal over `{x}` over `{x+}` segment by segment, then the exact method over ANY; `$default` last. */
function best<T extends { readonly method: string; readonly template: string | undefined }>(candidates: readonly T[], method: string): T | undefined {
  const rank = (c: T): number[] => [
    ...(c.template === undefined ? [-1] : (c.template === "/" ? [] : c.template.slice(1).split("/")).map((p) => (/^\{.+\+\}$/.test(p) ? 1 : /^\{.+\}$/.test(p) ? 2 : 3))),
    c.method === method ? 1 : 0,
  ];
  const compare = (a: number[], b: number[]): number => {
    for (let i = 0; i < Math.max(a.length, b.length); i++) if ((a[i] ?? 0) !== (b[i] ?? 0)) return (b[i] ?? 0) - (a[i] ?? 0);
    return 0;
  };
  return [...candidates].sort((a, b) => compare(rank(a), rank(b)))[0];
}
