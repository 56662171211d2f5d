/**
 * API Gateway limits, checked at synth instead of at `terraform apply`. Pure: no constructs, no
 * I/O. Each rule returns `undefined` when the value is fine, else a message saying what is
 * accepted; the plan and the ApiGateway construct call the same rules. Terraform references
 * (tokens) are never checked as literals.
 *
 * Sources (AWS documentation unless noted):
 * - Routes: "Create routes for HTTP APIs in API Gateway" (http-api-develop-routes): a route is an
 *   HTTP method and a resource path, or `$default`; `ANY` matches every method; a greedy path
 *   variable `{proxy+}` must be at the end of the resource path.
 * - REST resources: "HTTP integrations for REST APIs" (setup-http-integrations): a proxy resource
 *   ends in a greedy parameter (`/parent/{proxy+}`), integrated on `ANY`; endpoint ports 80, 443
 *   and 1024-65535 only. API Gateway refuses two variable path parts under one parent ("only one
 *   is allowed").
 * - Names: provider aws 6.x schema (`aws_apigatewayv2_api.name`, `aws_apigatewayv2_vpc_link.name`,
 *   `aws_apigatewayv2_stage.name`: 1-128 characters); API_CreateStage / API_Stage `stageName`:
 *   "Stage names can only contain alphanumeric characters, hyphens, and underscores. Maximum
 *   length is 128 characters."; HTTP APIs also take the `$default` stage (http-api-stages).
 *   EC2 CreateSecurityGroup: group names up to 255 characters, not starting with `sg-`;
 *   CloudWatch Logs CreateLogGroup: names `[.\-_/#A-Za-z0-9]+`, up to 512 characters.
 * - Throttling: "Amazon API Gateway quotas" (limits): 10,000 requests per second per account and
 *   Region with a token bucket of 5,000 requests (burst); stage and route limits cannot usefully
 *   exceed the account's. API_ThrottleSettings: burstLimit is an integer, rateLimit a double.
 * - Log retention: CloudWatch Logs API_PutRetentionPolicy `retentionInDays` possible values.
 * - Custom domains: "Custom domain names for REST APIs / HTTP APIs": a Regional custom domain name
 *   takes an ACM certificate requested or imported in the same Region as the API.
 */
import type { Check } from "../core/errors";
import { isToken } from "../core/cdktf";
import * as rules from "../core/rules";
import { ACCOUNT_THROTTLE_QUOTA, LOG_RETENTION_DAYS } from "../model/defaults";

/** Methods a route or REST method can name (`ANY` matches every method). */
export const HTTP_METHODS = ["ANY", "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

/** The catch-all route key of HTTP APIs. */
export const DEFAULT_ROUTE_KEY = "$default";

// The quota and the retention periods live with the environment's model, whose published schema states them.
export { ACCOUNT_THROTTLE_QUOTA, LOG_RETENTION_DAYS };

/** Ports a REST API HTTP integration can reach (setup-http-integrations). */
export const REST_INTEGRATION_PORTS = "80, 443 or 1024-65535";

export const API_GATEWAY_LIMITS = { nameLength: 128, stageNameLength: 128, namePrefixLength: 100 } as const;

export type PathSegment =
  | { readonly kind: "literal"; readonly text: string }
  | { readonly kind: "variable"; readonly name: string; readonly greedy: boolean };

export type RouteKey =
  | { readonly kind: "default" }
  | { readonly kind: "route"; readonly method: HttpMethod; readonly path: string; readonly segments: readonly PathSegment[] };

/**
 * Literal path segments: RFC 3986 unreserved characters. Narrower than what API Gateway takes,
 * on purpose: no `$`, `%`, `{` or `}` in a literal, so no route key can hold a Terraform template
 * sequence (`${`, `%{`), and every `{` opens a whole-segment path variable.
 */
const LITERAL = /^[A-Za-z0-9._~-]+$/;
/** Path variable names: they become `method.request.path.<name>` in REST parameter mappings. */
const VARIABLE = /^\{([A-Za-z0-9_]+)(\+?)\}$/;

const PATH_FORMAT =
  'must be "/" or "/" followed by segments joined by "/": each segment letters, digits, ".", "_", "~" or "-", or a whole-segment path variable "{name}" (name: letters, digits, "_"), or a greedy "{name+}" as the last segment';

/** `/orders/{proxy+}` → its segments; undefined when malformed. */
export function parsePath(path: string): PathSegment[] | undefined {
  if (path === "/") return [];
  if (!path.startsWith("/")) return undefined;
  const segments: PathSegment[] = [];
  for (const part of path.slice(1).split("/")) {
    const v = VARIABLE.exec(part);
    if (v) segments.push({ kind: "variable", name: v[1] ?? "", greedy: v[2] === "+" });
    else if (LITERAL.test(part)) segments.push({ kind: "literal", text: part });
    else return undefined;
  }
  return segments;
}

/** A resource path (REST resources, and the path of an HTTP API route key). */
export function resourcePath(path: string): Check {
  const segments = parsePath(path);
  if (!segments) return PATH_FORMAT;
  const greedy = segments.findIndex((s) => s.kind === "variable" && s.greedy);
  if (greedy !== -1 && greedy !== segments.length - 1) return `a greedy path variable ("{name+}") must be the last segment of the path; ${PATH_FORMAT}`;
  const names = segments.flatMap((s) => (s.kind === "variable" ? [s.name] : []));
  const twice = names.find((n, i) => names.indexOf(n) !== i);
  if (twice !== undefined) return `path variable "${twice}" appears twice; the variables of one path need distinct names`;
  return undefined;
}

const ROUTE_KEY_FORMAT = `must be "$default" or "<METHOD> <path>" with METHOD one of ${HTTP_METHODS.join(", ")}, e.g. "ANY /orders/{proxy+}" or "GET /"`;

/** `ANY /orders/{proxy+}` → method and path; undefined when malformed. */
export function parseRouteKey(key: string): RouteKey | undefined {
  if (key === DEFAULT_ROUTE_KEY) return { kind: "default" };
  const m = /^([A-Z]+) (\/\S*)$/.exec(key);
  if (!m) return undefined;
  const method = HTTP_METHODS.find((x) => x === m[1]);
  const path = m[2] ?? "";
  const segments = parsePath(path);
  if (!method || !segments || resourcePath(path) !== undefined) return undefined;
  return { kind: "route", method, path, segments };
}

/** An HTTP API route key: `$default` or `<METHOD> <path>`. */
export function httpRouteKey(key: string): Check {
  if (key === DEFAULT_ROUTE_KEY) return undefined;
  const m = /^([A-Z]+) (\/\S*)$/.exec(key);
  if (!m) return ROUTE_KEY_FORMAT;
  if (!HTTP_METHODS.some((x) => x === m[1])) return `method "${m[1]}" is not one of ${HTTP_METHODS.join(", ")}`;
  const path = resourcePath(m[2] ?? "");
  return path === undefined ? undefined : `path ${path}`;
}

/** A REST API route: `<METHOD> <resource path>`; REST APIs have no `$default` route. */
export function restRouteKey(key: string): Check {
  if (key === DEFAULT_ROUTE_KEY)
    return 'REST APIs have no "$default" route; use "ANY /{proxy+}" (and "ANY /" for the root) to send every request to one target';
  return httpRouteKey(key);
}

/**
 * API Gateway refuses a second variable path part under one parent ("A sibling ({id}) of this
 * resource already has a variable path part -- only one is allowed"): `/a/{id}` and `/a/{name}`,
 * or `/a/{id}` and `/a/{proxy+}`, cannot both be REST resources. Returns one message per route key
 * that introduces a conflicting sibling (keys in the order given).
 */
export function restVariableSiblings(keys: readonly string[]): Array<{ readonly key: string; readonly message: string }> {
  const variableUnder = new Map<string, string>();
  const out: Array<{ key: string; message: string }> = [];
  for (const key of keys) {
    const parsed = parseRouteKey(key);
    if (parsed?.kind !== "route") continue;
    let parent = "";
    for (const s of parsed.segments) {
      const part = s.kind === "literal" ? s.text : `{${s.name}${s.greedy ? "+" : ""}}`;
      if (s.kind === "variable") {
        const seen = variableUnder.get(parent);
        if (seen === undefined) variableUnder.set(parent, part);
        else if (seen !== part) {
          out.push({ key, message: `resource ${parent || "/"} would get a second variable path part ${part} besides ${seen}; REST APIs allow only one variable path part per parent resource` });
          break;
        }
      }
      parent = `${parent}/${part}`;
    }
  }
  return out;
}

/** API and VPC link names: 1-128 characters (aws provider `name` validation). */
export function apiGatewayName(value: string): Check {
  if (isToken(value)) return undefined;
  return value.length >= 1 && value.length <= API_GATEWAY_LIMITS.nameLength ? undefined : `API Gateway API and VPC link names are 1-${API_GATEWAY_LIMITS.nameLength} characters`;
}

/** The security group gatehouse makes for an API's VPC link. */
export const vpcLinkSecurityGroupName = (apiName: string): string => `${apiName}-vpc-link`;

/**
 * The `name` the ApiGateway construct derives its names from: the API and VPC link name (≤ 128),
 * the VPC link's security group `<name>-vpc-link` (EC2: ≤ 255, not starting with `sg-`) and the
 * access log group `/aws/apigateway/<name>/<stage>` (CloudWatch Logs: `[.\-_/#A-Za-z0-9]+`).
 */
export function apiNamePrefix(value: string): Check {
  if (isToken(value)) return undefined;
  const accepted = `must be 1-${API_GATEWAY_LIMITS.namePrefixLength} letters, digits, ".", "_" or "-", starting with a letter or digit`;
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(value) || value.length > API_GATEWAY_LIMITS.namePrefixLength) return accepted;
  return rules.securityGroupName(vpcLinkSecurityGroupName(value));
}

/** Stage names: `[A-Za-z0-9_-]{1,128}`; HTTP APIs also take `$default`, REST APIs do not. */
export function stageName(value: string, type: "http" | "rest"): Check {
  if (isToken(value)) return undefined;
  if (value === "$default")
    return type === "http" ? undefined : 'REST API stages cannot be named "$default"; use letters, digits, "-" and "_" (1-128 characters)';
  if (/^[A-Za-z0-9_-]{1,128}$/.test(value)) return undefined;
  return type === "http"
    ? 'must be "$default" or 1-128 letters, digits, "-" and "_"'
    : 'must be 1-128 letters, digits, "-" and "_"';
}

export interface Throttling {
  readonly burstLimit: number;
  readonly rateLimit: number;
}

/**
 * Stage throttling within the account's quota: burst a whole number of requests from 0 to the
 * account's bucket (5,000 by default), rate from 0 to the account's rate (10,000 requests per
 * second by default). Give `quota` when the account's quota was raised.
 */
export function throttling(t: Throttling, quota: Throttling = ACCOUNT_THROTTLE_QUOTA): Array<{ readonly field: keyof Throttling; readonly value: number; readonly message: string }> {
  const out: Array<{ field: keyof Throttling; value: number; message: string }> = [];
  if (!isToken(t.burstLimit) && !(Number.isInteger(t.burstLimit) && t.burstLimit >= 0 && t.burstLimit <= quota.burstLimit))
    out.push({ field: "burstLimit", value: t.burstLimit, message: `must be a whole number of requests from 0 to ${quota.burstLimit} (the account's burst quota per Region)` });
  if (!isToken(t.rateLimit) && !(Number.isFinite(t.rateLimit) && t.rateLimit >= 0 && t.rateLimit <= quota.rateLimit))
    out.push({ field: "rateLimit", value: t.rateLimit, message: `must be from 0 to ${quota.rateLimit} requests per second (the account's throttle quota per Region)` });
  return out;
}

/** Log group retention: one of CloudWatch Logs' retention periods. */
export function logRetentionDays(value: number): Check {
  if (isToken(value)) return undefined;
  return (LOG_RETENTION_DAYS as readonly number[]).includes(value) ? undefined : `must be one of CloudWatch Logs' retention periods: ${LOG_RETENTION_DAYS.join(", ")} days`;
}

/** A custom domain name: a lowercase DNS name, no wildcard. */
export function customDomainName(value: string): Check {
  return rules.hostname(value, false);
}

/**
 * The ACM certificate of a Regional custom domain name: an ACM certificate ARN, in the API's
 * Region when the Region is known.
 */
export function regionalCertificateArn(value: string, region?: string): Check {
  if (isToken(value)) return undefined;
  const m = /^arn:aws[a-z-]*:acm:([a-z0-9-]+):[0-9]{12}:certificate\/[A-Za-z0-9-]+$/.exec(value);
  if (!m) return "must be an ACM certificate ARN (arn:aws:acm:<region>:<account>:certificate/<id>)";
  if (region !== undefined && !isToken(region) && m[1] !== region)
    return `is in ${m[1]}, but a Regional custom domain name needs an ACM certificate in the API's Region (${region})`;
  return undefined;
}

/** The listener port a REST API integration reaches: 80, 443 or 1024-65535. */
export function restIntegrationPort(value: number): Check {
  if (isToken(value)) return undefined;
  const bad = rules.port(value);
  if (bad) return bad;
  return value === 80 || value === 443 || value >= 1024 ? undefined : `REST API integrations reach ports ${REST_INTEGRATION_PORTS} only`;
}

/** Target (entry point) names: they become construct ids and resource names. */
export function targetName(value: string): Check {
  return /^[A-Za-z0-9_-]{1,63}$/.test(value) ? undefined : 'must be 1-63 letters, digits, "-" or "_"';
}
