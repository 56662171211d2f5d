/**
 * Where an environment's hostnames are published, and steering between its edges.
 *
 * The hostnames are the environment's, shared by both clouds, and live in one zone:
 * - `gcp.dns` (Cloud DNS): Google's edge writes the A/AAAA records of its address and its
 *   certificate's DNS authorizations there (the AWS edge publishes nothing);
 * - `aws.dns` (Route 53): with one edge, that edge writes its records there (alias records to
 *   the NLB, or the GCP address); ACM's validation records and Google's DNS authorizations go
 *   there too. With both edges, `dns.steering` chooses how clients are shared: `failover` or
 *   `weighted` records in `<env>-dns`, each edge behind a Route 53 health check. `single` would
 *   publish each hostname twice in one zone, so it is refused there.
 */
import { referenceStandIn } from "../core/cdktf";
import { hostKey, stackNames } from "../core/naming";
import type { FieldProblem } from "../core/errors";
import * as rules from "../core/rules";
import { hostedZoneProblems, steeredRecordsProblems, type HostedZoneRef, type SteeredRecordsProps } from "../aws/route53";
import { authorizationDomains } from "../gcp/cert-map";
import type { GlobalAddressesProps } from "../gcp/address-dns";
import { DNS_STEERING_DEFAULTS } from "../model/defaults";
import type { Env } from "../model/env";
import { answersWithoutHost, parseRoutes } from "../model/routes";
import { atEnvFields, type PathTable } from "./paths";
import type { AwsStackSettings, GcpStackSettings } from "./settings";

/** Who publishes the hostnames' records, and in which zone. */
export type Publication =
  | { readonly by: "nobody" }
  | { readonly by: "gcp"; readonly zone: { readonly cloudDns: string } }
  | { readonly by: "aws"; readonly zone: HostedZoneRef }
  | { readonly by: "steering"; readonly zone: HostedZoneRef };

/** `<env>-dns`: the steered records and the health checks of both edges. */
export interface DnsPlan {
  readonly stack: string;
  /** Route 53's provider (the environment's AWS Region and tags). */
  readonly aws: AwsStackSettings;
  /** Google's provider, to read the global address by name. */
  readonly gcp: GcpStackSettings;
  readonly zone: HostedZoneRef;
  /** The NLB, read by name for its DNS name and zone. */
  readonly nlbName: string;
  /** The global addresses, read by name. */
  readonly addresses: GlobalAddressesProps;
  /** The steered records; the stack adds the zone id and both edges' addresses. */
  readonly records: Omit<SteeredRecordsProps, "zoneId" | "aws" | "gcp">;
}

/** The zone an environment's records go to, and who writes them. */
export function publication(env: Env): Publication {
  const route53 = env.aws?.dns ? zoneRef(env.aws.dns) : undefined;
  if (env.aws && env.gcp) {
    if (route53 && env.dns.steering !== "single") return { by: "steering", zone: route53 };
    if (env.gcp.dns) return { by: "gcp", zone: { cloudDns: env.gcp.dns.zone } };
    return route53 ? { by: "steering", zone: route53 } : { by: "nobody" };
  }
  if (env.gcp) return env.gcp.dns ? { by: "gcp", zone: { cloudDns: env.gcp.dns.zone } } : { by: "nobody" };
  return route53 ? { by: "aws", zone: route53 } : { by: "nobody" };
}

function zoneRef(dns: { readonly zoneId?: string; readonly zoneName?: string }): HostedZoneRef {
  return dns.zoneId !== undefined ? { zoneId: dns.zoneId } : { zoneName: dns.zoneName ?? "" };
}

/** The path clients' health goes by through each load balancer: one the controller answers on its traffic listeners. */
const HEALTH_THROUGH_LB: Readonly<Record<string, string>> = {
  // The controller's catch-all server answers /healthz on every listener (nginx.tmpl, `location /healthz`).
  "ingress-nginx": "/healthz",
};

/** Whether a route without a host answers a path (Route 53 sends the load balancer's name or address as Host). */
function answeredWithoutHost(env: Env, path: string): boolean {
  return parseRoutes(env.routes).some((r) => answersWithoutHost(r, path));
}

type Add = (path: string, value: unknown, message: string | undefined) => void;

/** The hostnames' own rules: given once, names that stay distinct in resource names and ids, inside the zone. */
function hostnameProblems(env: Env, hostnames: readonly string[], add: Add): void {
  const zoneDomain = env.gcp?.dns?.domain ?? env.aws?.dns?.zoneName;
  const field = env.gcp?.dns ? "gcp.dns.domain" : "aws.dns.zoneName";
  if (zoneDomain !== undefined)
    hostnames.forEach((h, i) => {
      if (!rules.isWithinDomain(h, zoneDomain)) add(`hostnames.${i}`, h, `is not inside the zone's domain ${zoneDomain} (${field})`);
    });
  if (new Set(hostnames).size !== hostnames.length) {
    add("hostnames", hostnames, "lists a hostname twice");
    return;
  }
  // Hostnames become parts of resource names and logical ids; two must not map to one.
  const keys = new Map<string, string>();
  const reported = new Set<number>();
  hostnames.forEach((h, i) => {
    const other = keys.get(hostKey(h));
    if (other !== undefined) {
      add(`hostnames.${i}`, h, `maps to the same resource names as "${other}"; rename one of them`);
      reported.add(i);
    }
    keys.set(hostKey(h), h);
  });
  // So do the domains Google's DNS authorizations are for (a wildcard's is the name below it):
  // `*.x-y.example.com` and `x.y.example.com` need authorizations of one name.
  if (env.gcp) {
    const domains = new Map<string, string>();
    hostnames.forEach((h, i) => {
      const domain = authorizationDomains([h])[0] ?? h;
      const key = hostKey(domain);
      const other = domains.get(key);
      if (other !== undefined && other !== domain && !reported.has(i))
        add(`hostnames.${i}`, h, `is authorized as "${domain}", whose DNS authorization maps to the same resource names as that of "${other}"; rename one of them`);
      if (other === undefined) domains.set(key, domain);
    });
  }
}

/**
 * Rules that exist only for environments: where the hostnames live and what steering needs of
 * both edges. The steered records' own rules are SteeredRecords'; the plan runs them on the props
 * it builds (`dnsPlan`).
 */
export function dnsEnvProblems(env: Env, add: Add): void {
  const aws = env.aws;
  const gcp = env.gcp;
  if (gcp?.hostnames !== undefined)
    add("gcp.hostnames", gcp.hostnames, `has moved: the hostnames are the environment's, shared by both clouds; write them at the top level (hostnames: ${JSON.stringify(gcp.hostnames)})`);
  const hostnames = env.hostnames ?? [];
  const needs = [gcp ? "a gcp section (Google's certificate and records)" : undefined, aws?.dns ? "aws.dns (its records)" : undefined, aws?.certificate ? "aws.certificate (its names)" : undefined].filter((n) => n !== undefined);
  if (env.hostnames === undefined && needs.length) add("hostnames", undefined, `is required with ${needs.join(", ")}: list the names clients use`);
  else if (env.hostnames !== undefined && hostnames.length === 0 && needs.length) add("hostnames", [], `needs at least one hostname with ${needs.join(", ")}`);
  else if (env.hostnames !== undefined && !needs.length)
    add("hostnames", env.hostnames, "is unused: nothing publishes or certifies them; add aws.dns (Route 53), aws.certificate, or a gcp section");
  hostnameProblems(env, hostnames, add);

  if (aws?.dns) {
    const table: PathTable = [["zone", "aws.dns"]];
    for (const p of atEnvFields("the Route 53 zone", table, hostedZoneProblems({ zone: zoneRef(aws.dns) }))) add(p.path, p.value, p.message);
    add("aws.dns", aws.dns, rules.exactlyOneOf(aws.dns.zoneId, aws.dns.zoneName, "aws.dns.zoneId", "aws.dns.zoneName"));
  }
  if (aws?.certificate) {
    if (!aws.dns) add("aws.certificate", aws.certificate, "needs aws.dns: ACM validates the certificate through DNS records gatehouse writes in that Route 53 zone");
    if (aws.nlb.tls.certificateArn !== undefined)
      add("aws.nlb.tls.certificateArn", aws.nlb.tls.certificateArn, "is given with aws.certificate: the TLS listeners take one certificate; keep aws.certificate (issued for the hostnames) or this ARN, not both");
  }
  if (aws?.dns && gcp?.dns)
    add("gcp.dns", gcp.dns.zone, "is given with aws.dns: the hostnames live in one zone; keep aws.dns (Route 53, which can steer between the edges) or gcp.dns (Cloud DNS)");
  if (gcp && !gcp.dns && !aws?.dns)
    add("gcp.dns", undefined, "is required: Google authorizes its certificate through DNS records in the hostnames' zone; give gcp.dns (Cloud DNS) or, with an aws section, aws.dns (Route 53)");

  const dns = env.dns;
  const steering = dns.steering;
  if (steering === "single") {
    if (aws && gcp && aws.dns)
      add("dns.steering", steering, "is single, which would publish every hostname twice in the Route 53 zone of aws.dns (once per edge): choose failover or weighted, or move the hostnames to gcp.dns");
  } else {
    if (!aws || !gcp) add("dns.steering", steering, `needs both edges (an aws and a gcp section) to steer between; single is the only choice with ${aws ? "AWS" : "GCP"} alone`);
    else if (!aws.dns)
      add(
        "dns.steering",
        steering,
        "needs the hostnames in Route 53 (aws.dns): steering runs on Route 53 health checks and routing policies. Cloud DNS routing policies answer with IP addresses, and an NLB's addresses are not fixed",
      );
    if (gcp?.ipv6)
      add("gcp.ipv6", gcp.ipv6, "must be false with steering: the NLB answers IPv4 only, so IPv6 clients would always reach Google's edge whatever the steering says");
    if (aws && (env.ports.https.tls !== "terminate" || !aws.certificate))
      add(
        env.ports.https.tls !== "terminate" ? "ports.https.tls" : "aws.certificate",
        env.ports.https.tls !== "terminate" ? env.ports.https.tls : undefined,
        "must be terminate with aws.certificate when steering: clients of every hostname may reach either edge, so each must serve a certificate for all of them; Google's certificate map does, and on AWS gatehouse can make sure of it only with the ACM certificate it requests for the hostnames at the NLB",
      );
  }
  if (steering !== "single" && env.state.type === "cloud") add("state.workspacePrefix", env.state.workspacePrefix, rules.tfcWorkspaces(env.state.workspacePrefix, [stackNames.dns(env.name)]));
  if (dns.primary !== undefined && steering !== "failover") add("dns.primary", dns.primary, `is unused: only failover has a primary (dns.steering is ${steering})`);
  if (dns.weights !== undefined && steering !== "weighted") add("dns.weights", dns.weights, `is unused: only weighted steering has weights (dns.steering is ${steering})`);
  if (dns.healthCheck !== undefined && steering === "single") add("dns.healthCheck", dns.healthCheck, "is unused: the health checks are steering's (dns.steering is single)");
  if (steering !== "single") {
    const kind = env.controller.kind;
    const path = dns.healthCheck?.path ?? HEALTH_THROUGH_LB[kind];
    if (path === undefined)
      add(
        "dns.healthCheck.path",
        undefined,
        `is required with ${kind}: Route 53 checks each edge through its load balancer, and ${kind} answers its own health on a separate port; give a path that a route without a host answers (Route 53 sends the load balancer's name or address as Host)`,
      );
    else if (dns.healthCheck?.path !== undefined && HEALTH_THROUGH_LB[kind] !== path && !answeredWithoutHost(env, path))
      add("dns.healthCheck.path", path, "is answered by no route without a host: Route 53 sends the load balancer's name or address as Host, so only such a route (or the controller itself) can answer it");
  }
}

/**
 * Whether the hostnames' own problems are already reported: the records' and the certificate's
 * checks repeat some of them (a name given twice), so they run on hostnames that passed.
 */
export function hostnamesReported(problems: readonly FieldProblem[]): boolean {
  return problems.some((p) => p.path === "hostnames" || p.path.startsWith("hostnames."));
}

/** `<env>-dns`, when the environment steers between its edges. */
export function dnsPlan(
  env: Env,
  edges: { readonly aws: { readonly settings: AwsStackSettings; readonly nlbName: string; readonly httpsPort: number }; readonly gcp: { readonly settings: GcpStackSettings; readonly addresses: GlobalAddressesProps } },
  problems: FieldProblem[],
): DnsPlan | undefined {
  const where = publication(env);
  if (where.by !== "steering") return undefined;
  const dns = env.dns;
  const hc = dns.healthCheck;
  const records: DnsPlan["records"] = {
    hostnames: env.hostnames ?? [],
    name: env.name,
    policy: dns.steering === "weighted" ? { type: "weighted", weights: dns.weights ?? DNS_STEERING_DEFAULTS.weights } : { type: "failover", primary: dns.primary ?? DNS_STEERING_DEFAULTS.primary },
    // Both edges listen for HTTPS on the https entry point's port (Google's on 443).
    healthCheck: { protocol: "HTTPS", path: hc?.path ?? HEALTH_THROUGH_LB[env.controller.kind] ?? "/", port: edges.aws.httpsPort, requestInterval: hc?.interval, failureThreshold: hc?.failureThreshold },
  };
  const table: PathTable = [
    ["hostnames", "hostnames"],
    ["policy.weights", "dns.weights"],
    ["policy.primary", "dns.primary"],
    ["policy", "dns.steering"],
    ["healthCheck.path", "dns.healthCheck.path"],
    ["healthCheck.port", "ports.https.listenerPort"],
    ["healthCheck.requestInterval", "dns.healthCheck.interval"],
    ["healthCheck.failureThreshold", "dns.healthCheck.failureThreshold"],
    ["healthCheck", "dns.healthCheck"],
  ];
  // The zone id and both edges' addresses are references the stack reads.
  const read = { zoneId: referenceStandIn("the hosted zone's id"), aws: { dnsName: referenceStandIn("the NLB's DNS name"), zoneId: referenceStandIn("the NLB's zone") }, gcp: { address: referenceStandIn("Google's address") } };
  const checked = atEnvFields("the steered records", table, steeredRecordsProblems({ ...records, ...read }));
  problems.push(...(hostnamesReported(problems) ? checked.filter((p) => !p.path.startsWith("hostnames")) : checked));
  return {
    stack: stackNames.dns(env.name),
    aws: edges.aws.settings,
    gcp: edges.gcp.settings,
    zone: where.zone,
    nlbName: edges.aws.nlbName,
    addresses: edges.gcp.addresses,
    records,
  };
}
