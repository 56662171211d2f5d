/**
 * The GCP side of an environment's plan: the props of every construct of `<env>-gcp-address`, each
 * `<env>-gcp-cluster-<cluster>` and `<env>-gcp-edge`, built from the environment, and every
 * construct's own check run on them, each problem at the environment field it came from.
 */
import type { FieldProblem } from "../core/errors";
import { gcpChildName, gcpName, stackNames } from "../core/naming";
import * as rules from "../core/rules";
import { addressRecordsProblems, globalAddressesProblems, globalAddressNames, type AddressRecordsProps, type GlobalAddressesProps } from "../gcp/address-dns";
import type { CertMapProps } from "../gcp/cert-map";
import { frontEndFirewallProblems, type FrontEndFirewallProps } from "../gcp/firewall";
import type { GlobalFrontendsProps } from "../gcp/frontends";
import { negBackendsProblems, type NegBackendsProps } from "../gcp/neg-backends";
import type { ClusterAccessProps } from "../k8s/cluster-access";
import type { RoutesProps } from "../k8s/route-objects";
import type { GatewayApiChannel, GatewayApiCrdSource } from "../model/defaults";
import type { Env, GcpEnv } from "../model/env";
import { clusterPlan, controllerProblems, gatewayApiCrdsEnvProblems, type ClusterPlan, type ControllerPlan } from "./controller";
import { atEnvFields, type PathTable } from "./paths";
import { routesPlan } from "./routes";
import type { HostedZoneRef } from "../aws/route53";
import { publication } from "./dns";
import { awsStackSettings, gatehouseGcpLabels, gcpStackSettings, type AwsStackSettings, type GcpStackSettings } from "./settings";

export { gatehouseGcpLabels };

/** The Terraform variable of `<env>-gcp-edge` that carries the IAP OAuth client secret. */
export const IAP_SECRET_VARIABLE = "iap_oauth2_client_secret";

/** `<env>-gcp-address`: the global addresses, reserved first (the other stacks read them by name). */
export interface GcpAddressPlan {
  readonly stack: string;
  readonly settings: GcpStackSettings;
  readonly addresses: GlobalAddressesProps;
}

/** `<env>-gcp-cluster-<cluster>`. */
export interface GkeClusterPlan extends ClusterPlan {
  readonly settings: GcpStackSettings;
  readonly access: Extract<ClusterAccessProps, { type: "gke" }>;
  /** Who owns the Gateway API CRDs; the stack adds what it reads of the cluster. */
  readonly gatewayApiCrds: GatewayApiCrdSource;
  /** Their release channel: the one installed, or the one the cluster's HTTPRoute CRD must be of. */
  readonly gatewayApiChannel: GatewayApiChannel;
  /** The global addresses, read by name: the controller trusts them as the last X-Forwarded-For hop. */
  readonly addresses: GlobalAddressesProps;
  readonly routes?: Omit<RoutesProps, "dependsOn">;
}

/** `<env>-gcp-edge`. */
export interface GcpEdgePlan {
  readonly stack: string;
  readonly settings: GcpStackSettings;
  /** The global addresses, read by name. */
  readonly addresses: GlobalAddressesProps;
  /** The A/AAAA records in Cloud DNS, when Google's edge publishes the hostnames; the stack adds the addresses. */
  readonly records?: Omit<AddressRecordsProps, "addresses">;
  /** The certificate map; with `zone` its DNS authorizations' records go into Cloud DNS. */
  readonly certMap: CertMapProps;
  /** Else they go into this Route 53 zone, through the AWS provider in the environment's Region. */
  readonly route53?: { readonly zone: HostedZoneRef; readonly settings: AwsStackSettings };
  /** The backends; the IAP client secret, when an OAuth client is named, comes from a sensitive variable the stack declares. */
  readonly backends: Omit<NegBackendsProps, "iap">;
  readonly iap?: { readonly oauth2ClientId?: string };
  /** The frontends; the stack adds the addresses, the certificate map and the backends. */
  readonly frontends: Omit<GlobalFrontendsProps, "addresses" | "certificateMap" | "backends">;
  readonly firewall: FrontEndFirewallProps;
}

export interface GcpPlan {
  readonly address: GcpAddressPlan;
  readonly clusters: readonly GkeClusterPlan[];
  readonly edge: GcpEdgePlan;
}


type Add = (path: string, value: unknown, message: string | undefined) => void;

/** Rules that exist only for environments: what the clusters, hostnames and zones say of each other. */
/** The environment's own GCP rules; true when a cluster or a zone is given twice. */
function gcpEnvProblems(env: Env, gcp: GcpEnv, add: Add): boolean {
  if (Object.keys(env.ports.services).length)
    add("ports.services", Object.keys(env.ports.services), "services are reached through the AWS NLB only (API Gateway's VPC link); an environment with a gcp section cannot have them");
  // Every tag becomes a label on every GCP resource, next to gatehouse's own.
  for (const p of rules.gcpLabelProblems(env.tags, gatehouseGcpLabels(env.name))) add(p.key === undefined ? "tags" : `tags.${p.key}`, p.key ?? Object.keys(env.tags).length, p.message);
  if (env.state.type === "cloud")
    add("state.workspacePrefix", env.state.workspacePrefix, rules.tfcWorkspaces(env.state.workspacePrefix, [stackNames.gcpAddress(env.name), stackNames.gcpEdge(env.name), ...gcp.clusters.map((c) => stackNames.gkeCluster(env.name, c.name))]));
  const names = new Set<string>();
  // A cluster or zone given twice would also give two NEGs one name: the NEG backends' own check
  // waits until the lists are right, so the user reads the cause once.
  let repeats = false;
  gcp.clusters.forEach((c, i) => {
    if (names.has(c.name)) repeats = true;
    if (names.has(c.name)) add(`gcp.clusters.${i}.name`, c.name, "is used by another cluster of this environment; NEG and stack names would collide");
    names.add(c.name);
    const region = /^[a-z]+-[a-z]+[0-9]+/.exec(c.location)?.[0] ?? "";
    const loc = rules.gcpRegion(region) ?? (c.location === region ? undefined : rules.gcpZoneInRegion(c.location, region));
    if (loc) add(`gcp.clusters.${i}.location`, c.location, 'must be a GCP region ("europe-west1") or zone ("europe-west1-b")');
    c.zones.forEach((z, j) => {
      add(`gcp.clusters.${i}.zones.${j}`, z, rules.gcpZoneInRegion(z, region));
      if (c.location !== region && z !== c.location) add(`gcp.clusters.${i}.zones.${j}`, z, `a zonal cluster in ${c.location} has nodes only in that zone`);
    });
    for (const j of rules.repeatedIndexes(c.zones)) {
      repeats = true;
      add(`gcp.clusters.${i}.zones.${j}`, c.zones[j], "is listed twice");
    }
  });
  if (gcp.clusters.every((c) => c.capacity === 0))
    add("gcp.clusters", gcp.clusters.map((c) => c.capacity), "every cluster has capacity 0: the load balancer would have nowhere to send traffic; keep at least one above 0");
  if (gcp.backends.iap?.oauth2ClientSecret !== undefined)
    add(
      "gcp.backends.iap.oauth2ClientSecret",
      "(hidden)",
      `must not be written in the environment: a secret in a config file ends up in version control and in the synthesized JSON. Set the Terraform variable ${IAP_SECRET_VARIABLE} of ${stackNames.gcpEdge(env.name)} instead (TF_VAR_${IAP_SECRET_VARIABLE}, or a sensitive workspace variable)`,
    );
  return repeats;
}

export function resolveGcp(env: Env, gcp: GcpEnv, controller: ControllerPlan, problems: FieldProblem[], portsValid: boolean): GcpPlan | undefined {
  const add: Add = (path, value, message) => {
    if (message) problems.push({ path, value, message });
  };
  const repeats = gcpEnvProblems(env, gcp, add);
  if (!portsValid) return undefined;

  const settings = gcpStackSettings(env, gcp);
  const prefix = gcpName([env.name, "gatehouse"], 40);
  const addresses: GlobalAddressesProps = { name: gcpChildName(prefix, ["ip"]), ipv6: gcp.ipv6, project: gcp.project };
  // The addresses' names start with the environment's.
  problems.push(...atEnvFields("the global addresses", [["name", () => "name"]], globalAddressesProblems(addresses)));

  const clusters = gcp.clusters.map((g): GkeClusterPlan => {
    const c = clusterPlan(env, g.name, stackNames.gkeCluster(env.name, g.name), "gke-neg", controller);
    return {
      ...c,
      settings,
      access: { type: "gke", clusterName: g.name, location: g.location, project: gcp.project },
      gatewayApiCrds: env.controller.gatewayApiCrds,
      gatewayApiChannel: env.controller.gatewayApiChannel,
      addresses,
      routes: routesPlan(env, c, []),
    };
  });
  const first = clusters[0];
  if (first) {
    // The clusters differ only in names: the controller's and the routes' checks run once.
    problems.push(...controllerProblems(first, { loadBalancerAddresses: Object.values(globalAddressNames(addresses)) }));
    routesPlan(env, first, problems);
  }
  problems.push(...gatewayApiCrdsEnvProblems(env));

  const b = gcp.backends;
  const backends: GcpEdgePlan["backends"] = {
    namePrefix: prefix,
    project: gcp.project,
    clusters: clusters.map((c, i) => ({ name: c.name, location: gcp.clusters[i]?.location ?? "", zones: gcp.clusters[i]?.zones ?? [], capacity: gcp.clusters[i]?.capacity ?? 1, contract: c.contract })),
    maxRatePerEndpoint: b.maxRatePerEndpoint,
    maxConnectionsPerEndpoint: b.maxConnectionsPerEndpoint,
    timeoutSec: b.timeoutSec,
    logSampleRate: b.logSampleRate,
    securityPolicy: b.securityPolicy,
    edgeSecurityPolicy: b.edgeSecurityPolicy,
    connectionDrainingTimeoutSec: b.connectionDrainingTimeoutSec,
    customRequestHeaders: b.customRequestHeaders,
    customResponseHeaders: b.customResponseHeaders,
    sessionAffinity: b.sessionAffinity,
    affinityCookieTtlSec: b.affinityCookieTtlSec,
    outlierDetection: b.outlierDetection,
    cdn: b.cdn,
  };
  const clusterField = (rest: string) => {
    const name = rest.split(".")[0] ?? "";
    const i = gcp.clusters.findIndex((c) => c.name === name);
    return i < 0 ? "gcp.clusters" : `gcp.clusters.${i}.name`;
  };
  const backendsTable: PathTable = [
    ["", "gcp.backends"],
    ["clusters", (rest) => (rest ? clusterField(rest) : "gcp.clusters")],
  ];
  // The IAP client secret is a variable the stack declares; the check sees IAP without it.
  if (!repeats) problems.push(...atEnvFields("the NEG backends", backendsTable, negBackendsProblems({ ...backends, iap: b.iap ? {} : undefined })));

  const hostnames = env.hostnames ?? [];
  const where = publication(env);
  const records = where.by === "gcp" ? { zone: where.zone.cloudDns, hostnames } : undefined;
  if (records) problems.push(...atEnvFields("the DNS records", [["hostnames", "hostnames"]], addressRecordsProblems(records)));
  const contract = first?.contract;
  const firewall: FrontEndFirewallProps | undefined = contract && {
    name: gcpChildName(prefix, ["allow-gfe"]),
    network: gcp.network,
    project: gcp.project,
    contract,
    targets: gcp.nodeTargets.serviceAccounts ? { serviceAccounts: gcp.nodeTargets.serviceAccounts } : { tags: gcp.nodeTargets.tags ?? [] },
  };
  if (firewall) problems.push(...atEnvFields("the firewall", [["targets", "gcp.nodeTargets"]], frontEndFirewallProblems(firewall)));
  if (!contract || !firewall) return undefined;
  return {
    address: { stack: stackNames.gcpAddress(env.name), settings, addresses },
    clusters,
    edge: {
      stack: stackNames.gcpEdge(env.name),
      settings,
      addresses,
      records,
      certMap: { namePrefix: prefix, hostnames, zone: gcp.dns?.zone },
      route53: where.by === "steering" && env.aws ? { zone: where.zone, settings: awsStackSettings(env, env.aws) } : undefined,
      backends,
      iap: b.iap ? { oauth2ClientId: b.iap.oauth2ClientId } : undefined,
      frontends: { namePrefix: prefix, contract, sslPolicy: gcp.sslPolicy },
      firewall,
    },
  };
}
