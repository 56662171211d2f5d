/**
 * The published JSON Schema states the limits gatehouse enforces: for every bounded whole-number
 * field of an environment, a value just outside its limit fails both the JSON Schema (what an
 * editor checks, envs/gatehouse.schema.json compiled with ajv) and the loader (what synth checks),
 * and the value at the limit passes both. The limits come from the constants the rules read, so
 * the two cannot drift apart unnoticed.
 */
import Ajv2020, { type ErrorObject } from "ajv/dist/2020";
import { readFileSync } from "node:fs";
import type { EnvInput } from "../modules/config/schema";
import * as rules from "../modules/core/rules";
import { ACCOUNT_THROTTLE_QUOTA, CONTROLLER_LIMITS, LOG_RETENTION_DAYS, ROUTE_LIMITS } from "../modules/model/defaults";
import { SCHEMA_FILE } from "../scripts/write-schema";
import { awsEnv, gcpEnv, patch } from "./helpers/fixtures";
import { loadProblems } from "./helpers/problems";

type Limits = { readonly min: number; readonly max: number };

interface Field {
  /** The field's environment path, as problems name it. */
  readonly path: string;
  readonly limits: Limits;
  /** An environment with the field set to `value`, valid when the value is. */
  readonly env: (value: number) => EnvInput;
  /** Where the loader reports it, when not at the field itself (a list reported as a whole). @default path */
  readonly reportedAt?: string;
  /** A side whose limit only the JSON Schema states (no rule sets it, e.g. at least 1 with no maximum). */
  readonly only?: "min";
  /**
   * The limit a value at the edge meets besides its own range, when another rule narrows it: the
   * loader then refuses it with this message at this path, and never with the range.
   */
  readonly narrowed?: { readonly min?: readonly [string, string]; readonly max?: readonly [string, string] };
}

const WIDE_NODE_PORTS = { ports: { nodePortRange: { min: rules.PORT_LIMITS.min, max: rules.PORT_LIMITS.max } } };
const TCP = { listenerPort: 8883, nodePort: 30883, backend: "messaging/broker:1883" };
const SERVICE = { listenerPort: 8080, nodePort: 30500, namespace: "shop", selector: { app: "api" }, targetPort: 8080 };
const ISTIO = { controller: { kind: "istio" as const, config: { httpsCertificateSecret: "edge-tls" } } };
const ROUTE = { backend: "shop/web:8080" };
const aws = (change: unknown) => patch(awsEnv(), change);
/** An HTTP API through a VPC link to the internal NLB's https listener. */
const api = (change: unknown) => aws({ aws: { nlb: { internetFacing: false }, apiGateway: patch({ routes: { "ANY /{proxy+}": "https" }, tlsServerName: "api.example.com" }, change) } });
const gcp = (change: unknown) => patch(gcpEnv(), change);

const FIELDS: readonly Field[] = [
  // Ports: every entry point, the health check and the range NodePorts must lie in.
  ...(["http", "https"] as const).flatMap((e): Field[] => [
    { path: `ports.${e}.listenerPort`, limits: rules.PORT_LIMITS, env: (v) => aws({ ports: { [e]: { listenerPort: v, nodePort: e === "http" ? 30080 : 30443 } } }) },
    { path: `ports.${e}.nodePort`, limits: rules.PORT_LIMITS, env: (v) => aws(patch(WIDE_NODE_PORTS, { ports: { [e]: { listenerPort: e === "http" ? 80 : 443, nodePort: v } } })) },
    { path: `ports.${e}.idleTimeout`, limits: rules.TCP_IDLE_TIMEOUT_LIMITS, env: (v) => aws({ ports: { [e]: { listenerPort: e === "http" ? 80 : 443, nodePort: e === "http" ? 30080 : 30443, idleTimeout: v } } }) },
  ]),
  { path: "ports.tcp.mq.listenerPort", limits: rules.PORT_LIMITS, env: (v) => aws({ ports: { tcp: { mq: { ...TCP, listenerPort: v } } } }) },
  { path: "ports.tcp.mq.nodePort", limits: rules.PORT_LIMITS, env: (v) => aws(patch(WIDE_NODE_PORTS, { ports: { tcp: { mq: { ...TCP, nodePort: v } } } })) },
  { path: "ports.tcp.mq.idleTimeout", limits: rules.TCP_IDLE_TIMEOUT_LIMITS, env: (v) => aws({ ports: { tcp: { mq: { ...TCP, idleTimeout: v } } } }) },
  { path: "ports.services.api.listenerPort", limits: rules.PORT_LIMITS, env: (v) => aws({ ports: { services: { api: { ...SERVICE, listenerPort: v } } } }) },
  { path: "ports.services.api.nodePort", limits: rules.PORT_LIMITS, env: (v) => aws(patch(WIDE_NODE_PORTS, { ports: { services: { api: { ...SERVICE, nodePort: v } } } })) },
  { path: "ports.services.api.targetPort", limits: rules.PORT_LIMITS, env: (v) => aws({ ports: { services: { api: { ...SERVICE, targetPort: v } } } }) },
  { path: "ports.services.api.idleTimeout", limits: rules.TCP_IDLE_TIMEOUT_LIMITS, env: (v) => aws({ ports: { services: { api: { ...SERVICE, idleTimeout: v } } } }) },
  { path: "ports.health.nodePort", limits: rules.PORT_LIMITS, env: (v) => aws(patch(WIDE_NODE_PORTS, { ports: { health: { nodePort: v } } })) },
  {
    path: "ports.nodePortRange.min",
    limits: rules.PORT_LIMITS,
    env: (v) => aws({ ports: { nodePortRange: { min: v, max: rules.PORT_LIMITS.max } } }),
    // min < max: the highest port cannot open a range.
    narrowed: { max: ["ports.nodePortRange", "must be whole numbers with 1 <= min < max <= 65535"] },
  },
  {
    path: "ports.nodePortRange.max",
    limits: rules.PORT_LIMITS,
    env: (v) => aws({ ports: { nodePortRange: { min: rules.PORT_LIMITS.min, max: v } } }),
    narrowed: { min: ["ports.nodePortRange", "must be whole numbers with 1 <= min < max <= 65535"] },
  },
  { path: "controller.replicas", limits: CONTROLLER_LIMITS.replicas, env: (v) => aws({ controller: { replicas: v } }) },

  // Routes (ingress-nginx for retries, Istio for the per-Service policies).
  {
    path: "routes.r.backends.0.weight",
    limits: ROUTE_LIMITS.weight,
    env: (v) => aws({ routes: { r: { backends: [{ backend: "shop/a:80", weight: v }, { backend: "shop/b:80", weight: ROUTE_LIMITS.weight.max - v }] } } }),
  },
  { path: "routes.r.timeout", limits: ROUTE_LIMITS.timeoutSeconds, env: (v) => aws({ routes: { r: { ...ROUTE, timeout: v } } }) },
  { path: "routes.r.retries.attempts", limits: ROUTE_LIMITS.retryAttempts, env: (v) => aws({ routes: { r: { ...ROUTE, retries: { attempts: v } } } }) },
  { path: "routes.r.retries.perTryTimeout", limits: ROUTE_LIMITS.timeoutSeconds, env: (v) => aws({ routes: { r: { ...ROUTE, retries: { attempts: 1, perTryTimeout: v } } } }) },
  {
    path: "routes.r.retries.retryOn.0",
    limits: ROUTE_LIMITS.retryStatusCode,
    env: (v) => aws({ routes: { r: { ...ROUTE, retries: { attempts: 1, retryOn: [v] } } } }),
    // Any status code is a retry condition; nginx retries on a few of them only.
    narrowed: {
      min: ["routes.r.retries.retryOn.0", "ingress-nginx cannot retry on 400; it retries on connect-failure, reset, gateway-error, 403, 404, 429, 500, 502, 503, 504"],
      max: ["routes.r.retries.retryOn.0", "ingress-nginx cannot retry on 599; it retries on connect-failure, reset, gateway-error, 403, 404, 429, 500, 502, 503, 504"],
    },
  },
  ...(
    [
      ["consecutive5xxErrors", ROUTE_LIMITS.consecutive5xxErrors],
      ["interval", ROUTE_LIMITS.ejectionSeconds],
      ["baseEjectionTime", ROUTE_LIMITS.ejectionSeconds],
      ["maxEjectionPercent", ROUTE_LIMITS.maxEjectionPercent],
    ] as const
  ).map(([f, limits]): Field => ({ path: `routes.r.circuitBreaker.${f}`, limits, env: (v) => aws({ ...ISTIO, routes: { r: { ...ROUTE, circuitBreaker: { [f]: v } } } }) })),
  ...(["maxConnections", "maxPendingRequests", "maxRequests", "maxRequestsPerConnection"] as const).map(
    (f): Field => ({ path: `routes.r.connectionPool.${f}`, limits: ROUTE_LIMITS.connections, env: (v) => aws({ ...ISTIO, routes: { r: { ...ROUTE, connectionPool: { [f]: v } } } }) }),
  ),

  // The NLB's target groups.
  { path: "aws.targetGroups.deregistrationDelay", limits: rules.DEREGISTRATION_DELAY_LIMITS, env: (v) => aws({ aws: { targetGroups: { deregistrationDelay: v } } }) },
  {
    path: "aws.targetGroups.unhealthyTargets.drainingInterval",
    limits: rules.UNHEALTHY_DRAINING_INTERVAL_LIMITS,
    env: (v) => aws({ aws: { targetGroups: { unhealthyTargets: { connectionTermination: false, drainingInterval: v } } } }),
  },
  // The timeout must not exceed the interval: the other one is set where the edge needs it.
  { path: "aws.targetGroups.healthCheck.interval", limits: rules.NLB_HEALTH_CHECK_LIMITS.interval, env: (v) => aws({ aws: { targetGroups: { healthCheck: { interval: v, timeout: 2 } } } }) },
  { path: "aws.targetGroups.healthCheck.timeout", limits: rules.NLB_HEALTH_CHECK_LIMITS.timeout, env: (v) => aws({ aws: { targetGroups: { healthCheck: { interval: 300, timeout: v } } } }) },
  { path: "aws.targetGroups.healthCheck.healthyThreshold", limits: rules.NLB_HEALTH_CHECK_LIMITS.threshold, env: (v) => aws({ aws: { targetGroups: { healthCheck: { healthyThreshold: v } } } }) },
  { path: "aws.targetGroups.healthCheck.unhealthyThreshold", limits: rules.NLB_HEALTH_CHECK_LIMITS.threshold, env: (v) => aws({ aws: { targetGroups: { healthCheck: { unhealthyThreshold: v } } } }) },

  // API Gateway's stage: the account's throttle quota, CloudWatch Logs' longest retention.
  { path: "aws.apiGateway.stage.throttling.burstLimit", limits: { min: 0, max: ACCOUNT_THROTTLE_QUOTA.burstLimit }, env: (v) => api({ stage: { throttling: { burstLimit: v } } }) },
  {
    path: "aws.apiGateway.stage.accessLogRetentionDays",
    limits: { min: LOG_RETENTION_DAYS[0], max: LOG_RETENTION_DAYS[LOG_RETENTION_DAYS.length - 1] as number },
    env: (v) => api({ stage: { accessLogRetentionDays: v } }),
  },

  // VPC Lattice (its routes share the route schema; Lattice takes weights of them).
  { path: "aws.lattice.podPorts.0", reportedAt: "aws.lattice.podPorts", limits: rules.PORT_LIMITS, env: (v) => aws({ aws: { lattice: { podPorts: [v] } } }) },
  { path: "aws.lattice.serviceExports.0.ports.0.port", limits: rules.PORT_LIMITS, env: (v) => aws({ aws: { lattice: { serviceExports: [{ namespace: "shop", service: "web", ports: [{ port: v }] }] } } }) },
  { path: "aws.lattice.serviceImports.0.ports.0", limits: rules.PORT_LIMITS, env: (v) => aws({ aws: { lattice: { serviceImports: [{ namespace: "shop", name: "web", ports: [v] }] } } }) },
  {
    path: "aws.lattice.routes.r.backends.0.weight",
    limits: ROUTE_LIMITS.weight,
    env: (v) => aws({ aws: { lattice: { routes: { r: { backends: [{ backend: "shop/a:80", weight: v }, { backend: "shop/b:80", weight: ROUTE_LIMITS.weight.max - v }] } } } } }),
  },

  // Google's backend services.
  { path: "gcp.backends.timeoutSec", limits: { min: 1, max: 86400 }, env: (v) => gcp({ gcp: { backends: { timeoutSec: v } } }) },
  { path: "gcp.backends.connectionDrainingTimeoutSec", limits: rules.CONNECTION_DRAINING_LIMITS, env: (v) => gcp({ gcp: { backends: { connectionDrainingTimeoutSec: v } } }) },
  {
    path: "gcp.backends.affinityCookieTtlSec",
    limits: rules.GCP_BACKEND_LIMITS.affinityCookieTtlSec,
    env: (v) => gcp({ gcp: { backends: { sessionAffinity: "GENERATED_COOKIE", affinityCookieTtlSec: v } } }),
  },
  ...(["consecutiveErrors", "intervalSec", "baseEjectionTimeSec"] as const).map(
    (f): Field => ({ path: `gcp.backends.outlierDetection.${f}`, limits: rules.GCP_BACKEND_LIMITS.outlierCount, only: "min", env: (v) => gcp({ gcp: { backends: { outlierDetection: { [f]: v } } } }) }),
  ),
  { path: "gcp.backends.outlierDetection.maxEjectionPercent", limits: rules.GCP_BACKEND_LIMITS.maxEjectionPercent, env: (v) => gcp({ gcp: { backends: { outlierDetection: { maxEjectionPercent: v } } } }) },
  ...(["defaultTtl", "maxTtl", "clientTtl"] as const).map((f): Field => ({ path: `gcp.backends.cdn.${f}`, limits: rules.CDN_TTL_LIMITS, env: (v) => gcp({ gcp: { backends: { cdn: { [f]: v } } } }) })),
];

const schema = JSON.parse(readFileSync(SCHEMA_FILE, "utf8")) as Record<string, unknown>;
const validate = new Ajv2020({ strict: false, allErrors: true, validateFormats: false }).compile(schema);

/** The JSON Schema's errors at the field (its instance path is the field's, as a JSON pointer). */
function schemaErrors(env: EnvInput, path: string): ErrorObject[] {
  if (validate(JSON.parse(JSON.stringify(env)))) return [];
  const pointer = `/${path.split(".").join("/")}`;
  return (validate.errors ?? []).filter((e) => e.instancePath === pointer);
}


/** The numbers the published schema states for a field (its `anyOf` branch for a number in a list of choices). */
function statedLimits(path: string): { minimum?: number; maximum?: number } {
  let node: Record<string, unknown> | undefined = schema;
  for (const k of path.split(".")) {
    if (!node) break;
    const props = node.properties as Record<string, Record<string, unknown>> | undefined;
    const items = node.items as Record<string, unknown> | undefined;
    const extra = node.additionalProperties as Record<string, unknown> | undefined;
    node = props?.[k] ?? (/^[0-9]+$/.test(k) ? items : undefined) ?? (k === "r" || k === "mq" || k === "api" ? extra : undefined);
    const branch = (node?.anyOf as Array<Record<string, unknown>> | undefined)?.find((b) => b.type === "integer" || b.type === "array");
    if (node && branch) node = branch.type === "array" && /^[0-9]+$/.test(k) ? node : branch;
  }
  const leaf = node?.anyOf ? (node.anyOf as Array<Record<string, unknown>>).find((b) => b.type === "integer") : node;
  return { minimum: leaf?.minimum as number | undefined, maximum: leaf?.maximum as number | undefined };
}

describe.each(FIELDS.map((f) => [f.path, f] as const))("%s", (path, f) => {
  const sides = f.only === "min" ? (["min"] as const) : (["min", "max"] as const);

  it("the published schema states the rule's limits", () => {
    expect(statedLimits(path)).toEqual({ minimum: f.limits.min, maximum: f.limits.max });
  });

  it.each(sides.map((s) => [s] as const))("just outside the %s: the JSON Schema and the loader both refuse it, at this field", (side) => {
    const value = side === "min" ? f.limits.min - 1 : f.limits.max + 1;
    const env = f.env(value);
    // (A number in a list of choices also fails the other choices: the union's errors come with it.)
    expect(schemaErrors(env, path).map((e) => e.keyword)).toContain(side === "min" ? "minimum" : "maximum");
    expect(loadProblems(env).filter((p) => p.startsWith(`${f.reportedAt ?? path}: `))).not.toEqual([]);
  });

  it.each(sides.map((s) => [s] as const))("at the %s: the JSON Schema and the loader both take it", (side) => {
    const value = side === "min" ? f.limits.min : f.limits.max;
    const env = f.env(value);
    expect(validate(JSON.parse(JSON.stringify(env))) ? [] : validate.errors).toEqual([]);
    const narrowed = f.narrowed?.[side];
    if (narrowed) expect(loadProblems(env)).toEqual(expect.arrayContaining([`${narrowed[0]}: ${narrowed[1]}`]));
    else expect(loadProblems(env)).toEqual([]);
    expect(loadProblems(env).filter((p) => p.startsWith(`${f.reportedAt ?? path}: must be a whole number`))).toEqual([]);
  });
});

it("no bounded whole number of an environment is left at JavaScript's safe-integer limits, except those with no documented limit", () => {
  const unbounded: string[] = [];
  const walk = (node: unknown, path: string): void => {
    if (Array.isArray(node)) node.forEach((n, i) => walk(n, `${path}[${i}]`));
    else if (node && typeof node === "object") {
      const o = node as Record<string, unknown>;
      if (o.type === "integer" && (o.maximum === Number.MAX_SAFE_INTEGER || o.minimum === Number.MIN_SAFE_INTEGER)) unbounded.push(path);
      for (const [k, v] of Object.entries(o)) walk(v, `${path}.${k}`);
    }
  };
  walk(schema, "");
  const fields = unbounded.map((p) => p.replace(/\.properties\./g, ".").replace(/\.additionalProperties/g, ".*").replace(/^\./, "").replace(/^properties\./, ""));
  // Route 53 steering, or no limit at all (counts with only a minimum).
  const known = [
    /^dns\./,
    /^gcp\.backends\.maxConnectionsPerEndpoint$/,
    /^gcp\.backends\.outlierDetection\.(consecutiveErrors|intervalSec|baseEjectionTimeSec)$/,
  ];
  expect(fields.filter((p) => !known.some((k) => k.test(p)))).toEqual([]);
});

describe("the API Gateway stage's other limits", () => {
  it.each([2, 31, 366])("a retention of %i days, between CloudWatch Logs' periods, fails the JSON Schema's list and the loader alike", (days) => {
    const env = api({ stage: { accessLogRetentionDays: days } });
    expect(schemaErrors(env, "aws.apiGateway.stage.accessLogRetentionDays").map((e) => e.keyword)).toEqual(["enum"]);
    expect(loadProblems(env)).toEqual([`aws.apiGateway.stage.accessLogRetentionDays: must be one of CloudWatch Logs' retention periods: ${LOG_RETENTION_DAYS.join(", ")} days`]);
  });

  it.each([
    [-0.5, "minimum"],
    [ACCOUNT_THROTTLE_QUOTA.rateLimit + 0.5, "maximum"],
  ] as const)("a rate limit of %d requests per second fails the JSON Schema (%s) and the loader alike", (rate, keyword) => {
    const env = api({ stage: { throttling: { rateLimit: rate } } });
    expect(schemaErrors(env, "aws.apiGateway.stage.throttling.rateLimit").map((e) => e.keyword)).toEqual([keyword]);
    expect(loadProblems(env).filter((p) => p.startsWith("aws.apiGateway.stage.throttling.rateLimit: "))).not.toEqual([]);
  });

  it("the quota itself passes both", () => {
    const env = api({ stage: { throttling: { rateLimit: ACCOUNT_THROTTLE_QUOTA.rateLimit, burstLimit: ACCOUNT_THROTTLE_QUOTA.burstLimit } } });
    expect(validate(JSON.parse(JSON.stringify(env))) ? [] : validate.errors).toEqual([]);
    expect(loadProblems(env)).toEqual([]);
  });
});
