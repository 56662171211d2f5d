/**
 * Route 53 for the AWS edge: the hosted zone (by id, or looked up by name), alias records that
 * point hostnames at the NLB, and steered records that share each hostname between the AWS and
 * GCP edges, each edge behind one health check.
 *
 * A steered hostname has two A records of one name, told apart by `set_identifier` ("aws",
 * "gcp"): the NLB alias and Google's global address. Route 53 answers with the healthy ones by
 * the policy (failover: the primary while it is healthy; weighted: in proportion to the weights).
 * Everything that names a resource is fixed (ids, set identifiers), so a change of weight or of
 * primary changes only the routing block of the records.
 */
import { Construct } from "constructs";
import { DataAwsRoute53Zone } from "@cdktf/provider-aws/lib/data-aws-route53-zone";
import { Route53HealthCheck } from "@cdktf/provider-aws/lib/route53-health-check";
import { Route53Record } from "@cdktf/provider-aws/lib/route53-record";
import { isToken } from "../core/cdktf";
import { failIfAny, type Check, type FieldProblem } from "../core/errors";
import { hostKey } from "../core/naming";
import * as rules from "../core/rules";
import { EDGES, ROUTE53_DEFAULTS, ROUTE53_LIMITS } from "../model/defaults";

/** A hosted zone by its id, or by its name (looked up at plan time). */
export type HostedZoneRef = { readonly zoneId: string } | { readonly zoneName: string };

export interface HostedZoneProps {
  readonly zone: HostedZoneRef;
}

/** The NLB an alias record points at: its `dns_name` and `zone_id` (usually references). */
export interface AliasTarget {
  readonly dnsName: string;
  readonly zoneId: string;
}

export interface NlbAliasRecordsProps {
  /** The hosted zone the records go into (a literal id or a reference). */
  readonly zoneId: string;
  /** Names that resolve to the NLB; wildcards ("*.example.com") allowed. */
  readonly hostnames: readonly string[];
  readonly target: AliasTarget;
}

/** The two edges a steered hostname resolves to. */
export type Edge = (typeof EDGES)[number];

export type SteeringPolicy =
  /** The primary edge answers while its health check passes, the other one after that. */
  | { readonly type: "failover"; readonly primary: Edge }
  /** Each edge answers in proportion to its weight (0-255); 0 drains an edge, which still answers when the other is unhealthy. */
  | { readonly type: "weighted"; readonly weights: { readonly aws: number; readonly gcp: number } };

export interface SteeredHealthCheck {
  /** HTTPS checks the TLS path through the load balancer too; Route 53 does not validate the certificate. */
  readonly protocol: "HTTPS" | "HTTP";
  /** Path on the edge that answers 2xx/3xx while the controller behind it is up, e.g. "/healthz". */
  readonly path: string;
  /** The edge's listener port for that protocol (443 or 80 normally). */
  readonly port: number;
  /** Seconds between checks from each checker: 10 or 30. @default ROUTE53_DEFAULTS.requestInterval (10) */
  readonly requestInterval?: 10 | 30;
  /** Consecutive failures before an edge counts as unhealthy, 1-10. @default ROUTE53_DEFAULTS.failureThreshold (3) */
  readonly failureThreshold?: number;
}

export interface SteeredRecordsProps {
  /** The hosted zone the records go into (a literal id or a reference). */
  readonly zoneId: string;
  /** Names steered between the edges; wildcards allowed. */
  readonly hostnames: readonly string[];
  readonly policy: SteeringPolicy;
  /** The NLB (alias target). */
  readonly aws: AliasTarget;
  /** Google's global IPv4 address. */
  readonly gcp: { readonly address: string };
  /** One check per edge, shared by every hostname. */
  readonly healthCheck: SteeredHealthCheck;
  /** TTL of the GCP A records, seconds (the alias records take the NLB's 60 s). @default ROUTE53_DEFAULTS.ttl (60) */
  readonly ttl?: number;
  /** Tags of the health checks (records take none). */
  readonly tags?: Readonly<Record<string, string>>;
  /** Names the health checks in their Name tags ("<name> aws edge"), e.g. the environment. @default "gatehouse" */
  readonly name?: string;
}

const LITERAL_HOSTNAME = "must be a literal hostname, not a Terraform reference: record names and resource ids are made from it";

function problem(path: string, value: unknown, message: Check): FieldProblem[] {
  return message === undefined ? [] : [{ path, value, message }];
}

/** A whole number inside the range; references pass. */
function wholeNumber(value: number, range: { readonly min: number; readonly max: number }): Check {
  if (isToken(value)) return undefined;
  return Number.isInteger(value) && value >= range.min && value <= range.max ? undefined : `must be a whole number from ${range.min} to ${range.max}`;
}

/**
 * A hosted zone name for `data aws_route53_zone`: a lowercase DNS name, written without the
 * trailing dot as every name in gatehouse is (the data source compares names either way).
 */
function zoneName(value: string): Check {
  return rules.hostname(value, false);
}

/** What is wrong with these props, at their prop paths; empty when nothing is. */
export function hostedZoneProblems(props: HostedZoneProps): FieldProblem[] {
  // Both or neither can come from untyped input (YAML, JavaScript).
  const zone = props.zone as { readonly zoneId?: string; readonly zoneName?: string };
  const one = rules.exactlyOneOf(zone.zoneId, zone.zoneName, "zoneId", "zoneName");
  if (one) return [{ path: "zone", value: props.zone, message: one }];
  return zone.zoneId !== undefined ? problem("zone.zoneId", zone.zoneId, rules.route53ZoneId(zone.zoneId)) : problem("zone.zoneName", zone.zoneName, zoneName(zone.zoneName ?? ""));
}

/**
 * The hostnames of a set of records: at least one, each a literal DNS name (wildcards allowed),
 * each once (DNS compares names case-insensitively, and Route 53 holds one record set per name,
 * type and set identifier), and no two with the same resource id.
 */
export function recordHostnamesProblems(hostnames: readonly string[]): FieldProblem[] {
  if (hostnames.length === 0) return [{ path: "hostnames", value: [], message: "needs at least one hostname" }];
  const out: FieldProblem[] = hostnames.flatMap((h, i) => problem(`hostnames.${i}`, h, isToken(h) ? LITERAL_HOSTNAME : rules.hostname(h, true)));
  const repeated = rules.repeats(hostnames, (h) => h.toLowerCase());
  for (const { index, first } of repeated)
    out.push({ path: `hostnames.${index}`, value: hostnames[index], message: `repeats hostnames.${first} (DNS names compare case-insensitively): give each hostname once` });
  const already = new Set(repeated.map((r) => r.index));
  for (const { index, first } of rules.repeats(hostnames, hostKey).filter((r) => !already.has(r.index)))
    out.push({
      path: `hostnames.${index}`,
      value: hostnames[index],
      message: `maps to the same resource id ("${hostKey(hostnames[index] ?? "")}") as hostnames.${first} ("${hostnames[first] ?? ""}"); rename one of them`,
    });
  return out;
}

/** What is wrong with these props, at their prop paths; empty when nothing is. */
export function nlbAliasRecordsProblems(props: NlbAliasRecordsProps): FieldProblem[] {
  return [
    ...problem("zoneId", props.zoneId, rules.route53ZoneId(props.zoneId)),
    ...recordHostnamesProblems(props.hostnames),
    ...problem("target.zoneId", props.target.zoneId, rules.route53ZoneId(props.target.zoneId)),
  ];
}

/**
 * Route 53 weights are 0-255; when every record of a name has weight 0, Route 53 answers with all
 * of them in equal proportion (API_ResourceRecordSet, Weight), the opposite of draining both.
 * https://docs.aws.amazon.com/Route53/latest/APIReference/API_ResourceRecordSet.html
 */
function policyProblems(policy: SteeringPolicy): FieldProblem[] {
  const given = policy as { readonly type?: unknown; readonly primary?: unknown; readonly weights?: { readonly aws?: unknown; readonly gcp?: unknown } };
  if (given.type === "failover")
    return (EDGES as readonly unknown[]).includes(given.primary) ? [] : [{ path: "policy.primary", value: given.primary, message: 'must be "aws" or "gcp"' }];
  if (given.type !== "weighted") return [{ path: "policy.type", value: given.type, message: 'must be "failover" or "weighted"' }];
  const weights = given.weights ?? {};
  const out = EDGES.flatMap((edge) => {
    const w = weights[edge];
    return problem(`policy.weights.${edge}`, w, typeof w === "number" ? wholeNumber(w, ROUTE53_LIMITS.weight) : `must be a whole number from ${ROUTE53_LIMITS.weight.min} to ${ROUTE53_LIMITS.weight.max}`);
  });
  if (out.length === 0 && weights.aws === 0 && weights.gcp === 0)
    out.push({
      path: "policy.weights",
      value: weights,
      message: "must not both be 0: Route 53 then answers with both edges in equal proportion instead of draining them; give the edge that should serve a weight above 0",
    });
  return out;
}

/**
 * Route 53 health checks (API_HealthCheckConfig; the provider's schema checks the same): request
 * interval 10 or 30 seconds, failure threshold 1-10, resource path at most 255 characters.
 * https://docs.aws.amazon.com/Route53/latest/APIReference/API_HealthCheckConfig.html
 */
function healthCheckProblems(hc: SteeredHealthCheck): FieldProblem[] {
  const interval = hc.requestInterval;
  const threshold = hc.failureThreshold;
  const pathOk = isToken(hc.path) || (hc.path.startsWith("/") && hc.path.length <= ROUTE53_LIMITS.resourcePathLength);
  return [
    ...problem("healthCheck.protocol", hc.protocol, hc.protocol === "HTTPS" || hc.protocol === "HTTP" ? undefined : 'must be "HTTPS" or "HTTP"'),
    ...problem("healthCheck.path", hc.path, pathOk ? undefined : `must start with "/" and be at most ${ROUTE53_LIMITS.resourcePathLength} characters (Route 53's limit on a health check's resource path)`),
    ...problem("healthCheck.port", hc.port, rules.port(hc.port)),
    ...(interval === undefined || isToken(interval) || (ROUTE53_LIMITS.requestIntervals as readonly number[]).includes(interval)
      ? []
      : problem("healthCheck.requestInterval", interval, "must be 10 or 30 (seconds): the only intervals Route 53 health checks take")),
    ...(threshold === undefined ? [] : problem("healthCheck.failureThreshold", threshold, wholeNumber(threshold, ROUTE53_LIMITS.failureThreshold))),
  ];
}

/**
 * Route 53 health checkers cannot check an address in the local, private, non-routable or
 * multicast ranges (API_HealthCheckConfig, IPAddress): private and shared space, "this network",
 * loopback, link-local, multicast and the reserved 240.0.0.0/4. The documentation ranges
 * (203.0.113.0/24 and its kin) pass: examples and tests use them.
 * https://docs.aws.amazon.com/Route53/latest/APIReference/API_HealthCheckConfig.html
 */
const UNCHECKABLE_RANGES = [...rules.PRIVATE_RANGES, "0.0.0.0/8", "127.0.0.0/8", "169.254.0.0/16", "224.0.0.0/3"];

function checkableAddress(value: string): Check {
  const bad = rules.ipv4(value);
  if (bad || isToken(value)) return bad;
  return UNCHECKABLE_RANGES.some((r) => rules.cidrContains(r, value))
    ? "must be a public address: Route 53 health checkers cannot check local, private, non-routable or multicast addresses"
    : undefined;
}

/** What is wrong with these props, at their prop paths; empty when nothing is. */
export function steeredRecordsProblems(props: SteeredRecordsProps): FieldProblem[] {
  return [
    ...problem("zoneId", props.zoneId, rules.route53ZoneId(props.zoneId)),
    ...recordHostnamesProblems(props.hostnames),
    ...policyProblems(props.policy),
    ...problem("aws.zoneId", props.aws.zoneId, rules.route53ZoneId(props.aws.zoneId)),
    ...problem("gcp.address", props.gcp.address, checkableAddress(props.gcp.address)),
    ...healthCheckProblems(props.healthCheck),
    ...(props.ttl === undefined ? [] : problem("ttl", props.ttl, wholeNumber(props.ttl, ROUTE53_LIMITS.ttl))),
  ];
}

/** The zone's id: as given, or from `data aws_route53_zone` for a public zone of that name. */
export class HostedZone extends Construct {
  public readonly zoneId: string;
  /** The lookup, when the zone was given by name. */
  public readonly lookup?: DataAwsRoute53Zone;

  constructor(scope: Construct, id: string, props: HostedZoneProps) {
    super(scope, id);
    failIfAny(this.node.path, hostedZoneProblems(props));
    if ("zoneId" in props.zone) {
      this.zoneId = props.zone.zoneId;
    } else {
      // Public only: a private zone of the same name answers inside its VPCs, not to clients.
      this.lookup = new DataAwsRoute53Zone(this, "zone", { name: props.zone.zoneName, privateZone: false });
      this.zoneId = this.lookup.zoneId;
    }
  }
}

/** An alias A record per hostname to the NLB; Route 53 answers only while the NLB has healthy targets. */
export class NlbAliasRecords extends Construct {
  /** Keyed by hostname. */
  public readonly records: Readonly<Record<string, Route53Record>>;

  constructor(scope: Construct, id: string, props: NlbAliasRecordsProps) {
    super(scope, id);
    failIfAny(this.node.path, nlbAliasRecordsProblems(props));
    const records: Record<string, Route53Record> = {};
    for (const host of props.hostnames) {
      records[host] = new Route53Record(this, `a-${hostKey(host)}`, {
        zoneId: props.zoneId,
        name: host,
        type: "A",
        alias: { name: props.target.dnsName, zoneId: props.target.zoneId, evaluateTargetHealth: true },
      });
    }
    this.records = records;
  }
}

/**
 * Steered A records for every hostname, one per edge, and one health check per edge. Both edges'
 * checks go through the load balancer to the health path, so an edge fails when the controller
 * behind it is down, not only when the load balancer is. The GCP check has an address and no host
 * name: it sends no SNI, and Google's certificate map answers such clients with its primary
 * certificate.
 */
export class SteeredRecords extends Construct {
  public readonly healthChecks: { readonly aws: Route53HealthCheck; readonly gcp: Route53HealthCheck };
  /** Keyed `${host}/aws` and `${host}/gcp`. */
  public readonly records: Readonly<Record<string, Route53Record>>;

  constructor(scope: Construct, id: string, props: SteeredRecordsProps) {
    super(scope, id);
    failIfAny(this.node.path, steeredRecordsProblems(props));
    const hc = props.healthCheck;
    const check = {
      type: hc.protocol,
      port: hc.port,
      resourcePath: hc.path,
      requestInterval: hc.requestInterval ?? ROUTE53_DEFAULTS.requestInterval,
      failureThreshold: hc.failureThreshold ?? ROUTE53_DEFAULTS.failureThreshold,
    };
    const name = props.name ?? "gatehouse";
    this.healthChecks = {
      aws: new Route53HealthCheck(this, "hc-aws", { ...check, fqdn: props.aws.dnsName, tags: { ...props.tags, Name: `${name} aws edge` } }),
      gcp: new Route53HealthCheck(this, "hc-gcp", { ...check, ipAddress: props.gcp.address, tags: { ...props.tags, Name: `${name} gcp edge` } }),
    };

    const policy = props.policy;
    const routing = (edge: Edge) =>
      policy.type === "failover" ? { failoverRoutingPolicy: { type: policy.primary === edge ? "PRIMARY" : "SECONDARY" } } : { weightedRoutingPolicy: { weight: policy.weights[edge] } };
    const answer = {
      aws: { alias: { name: props.aws.dnsName, zoneId: props.aws.zoneId, evaluateTargetHealth: true } },
      gcp: { records: [props.gcp.address], ttl: props.ttl ?? ROUTE53_DEFAULTS.ttl },
    };
    const records: Record<string, Route53Record> = {};
    for (const host of props.hostnames) {
      for (const edge of EDGES) {
        records[`${host}/${edge}`] = new Route53Record(this, `${edge}-${hostKey(host)}`, {
          zoneId: props.zoneId,
          name: host,
          type: "A",
          setIdentifier: edge,
          healthCheckId: this.healthChecks[edge].id,
          ...answer[edge],
          ...routing(edge),
        });
      }
    }
    this.records = records;
  }
}
