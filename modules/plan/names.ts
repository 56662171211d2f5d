/**
 * One cloud name, one owner: the names an environment claims in namespaces wider than its own
 * stacks, and the problems when two environments (or two parts of one) claim the same name.
 */
import type { Problem } from "../core/errors";
import { authorizationDomains } from "../gcp/cert-map";
import { AWS_GATEWAY_CONTROLLER_DEFAULTS } from "../k8s/aws-gateway-controller";
import { ISTIO_GATEWAY_CLASS, ISTIO_SYSTEM_NAMESPACE } from "../k8s/controllers/istio";
import { NGF_GATEWAY_CLASS } from "../k8s/controllers/nginx-gateway-fabric-identity";
import type { ControllerIdentity, ControllerSettings } from "../k8s/controllers/plugin";
import { companionReleaseName } from "../k8s/release-defaults";
import { routeObjectName } from "../k8s/route-objects";
import { negEntryPoints, type TargetKind } from "../model/contract";
import { GATEWAY_API_CRDS_DEFAULTS, type ControllerKind } from "../model/defaults";
import type { AwsEnv, Env } from "../model/env";
import { LATTICE_CONTROLLER } from "../model/lattice";
import type { ClusterPlan } from "./controller";
import { publication } from "./dns";
import { serviceEntryName } from "./controller";
import type { EnvPlan } from "./types";
import { ROUTES_RELEASE_NAME } from "./routes";


/**
 * A name only one owner may hold, in a namespace wider than one environment's stacks: an AWS
 * account or one of its regions, a DNS zone, a zone of a GCP project, a Kubernetes cluster.
 *
 * Names derived from the environment name cannot collide (environment names are unique, and
 * derived names keep their parts apart; naming.ts). What can: names an environment gives
 * (aws.nlb.name, aws.lattice.serviceNetworkName, hostnames, domain names), and what two
 * environments put on one cluster (Helm releases, Services, NodePorts, cluster-wide classes, the
 * Gateway API CRDs). Derived names are claimed as well, as a second line behind the naming rules.
 */
export interface NameClaim {
  /** The namespace, as a message names it: `cluster shared in AWS region eu-west-1`. */
  readonly where: string;
  /** What is named: `Helm release`, `NodePort`. */
  readonly what: string;
  readonly name: string;
  /** Which part of the environment makes it, for messages: `the controller`, `route shop`. */
  readonly by: string;
  /** The env field that decides the name, and its value. */
  readonly path: string;
  readonly value?: unknown;
  /** What to change when two owners claim the name. */
  readonly fix: string;
  /** Set for names in an AWS account when the environment shows its account (awsAccountOf). */
  readonly account?: string;
}

/**
 * The AWS account an environment is in, when it shows it: the account of an ACM certificate it
 * uses (a certificate serves only load balancers and APIs of its own account). Otherwise the
 * account is known only at plan time (`data "aws_caller_identity"`).
 *
 * Names in an account's namespace are compared as if two environments shared the account, unless
 * both show their accounts and these differ. That is the safe side: a refusal that was not needed
 * costs a rename, or a certificate ARN that tells the accounts apart; a collision that was not
 * caught costs an apply that fails halfway, or two stacks taking turns to rewrite one object.
 */
export function awsAccountOf(aws: AwsEnv): string | undefined {
  if (aws.accountId !== undefined) return aws.accountId;
  for (const arn of [aws.nlb.tls.certificateArn, aws.apiGateway?.domain?.certificateArn, aws.lattice?.https?.certificateArn]) {
    const account = /^arn:aws[a-z-]*:acm:[a-z0-9-]+:(\d{12}):/.exec(arn ?? "")?.[1];
    if (account !== undefined) return account;
  }
  return undefined;
}

const UNLESS_ACCOUNTS =
  "unless the two are in different AWS accounts, which gatehouse sees in aws.accountId, or else in the account of the certificate ARNs each uses (aws.nlb.tls.certificateArn, aws.apiGateway.domain.certificateArn, aws.lattice.https.certificateArn)";
const SHARED_CLUSTER = "environments that share a cluster need their own";

/**
 * What a controller kind installs besides its own release (modules/k8s/<kind>.ts), and the
 * cluster-wide class its chart makes (one controller of a kind per cluster);
 * __tests__/cross-env.test.ts checks the claimed releases against the synthesized stacks.
 */
const KIND_EXTRAS: Readonly<Record<ControllerKind, (s: ControllerSettings, id: ControllerIdentity) => { releases: ReadonlyArray<{ namespace: string; name: string }>; classes: readonly string[] }>> = {
  "ingress-nginx": (_s, id) => ({ releases: [], classes: id.routes.api === "ingress" ? [`IngressClass ${id.routes.ingressClassName}`] : [] }),
  "nginx-gateway-fabric": (s) => ({ releases: [{ namespace: s.namespace, name: companionReleaseName(s.releaseName, "gateway") }], classes: [`GatewayClass ${NGF_GATEWAY_CLASS}`] }),
  istio: (s) => ({
    releases: [
      { namespace: s.namespace, name: companionReleaseName(s.releaseName, "routing") },
      { namespace: ISTIO_SYSTEM_NAMESPACE, name: "istio-base" },
      { namespace: ISTIO_SYSTEM_NAMESPACE, name: "istiod" },
    ],
    classes: [`GatewayClass ${ISTIO_GATEWAY_CLASS}`],
  }),
};

/** What one cluster holds for an environment. */
function clusterClaims(plan: EnvPlan, place: ClusterPlace, targetKind?: TargetKind): NameClaim[] {
  const env = plan.env;
  const { where, account, cluster: c } = place;
  const { settings, identity, plugin } = c.controller;
  const ns = settings.namespace;
  const claims: NameClaim[] = [];
  const claim = (what: string, name: string, by: string, path: string, value: unknown, fix: string) => claims.push({ where, what, name, by, path, value, fix, ...(account ? { account } : {}) });
  const byNamespace = `${SHARED_CLUSTER} controller.namespace (or controller.releaseName)`;

  // Names gatehouse fixes come first: when one of the environment's own names equals one of
  // them, the problem is reported at the field that can change.
  if (Object.keys(env.routes).length) claim("Helm release", `${ns}/${ROUTES_RELEASE_NAME}`, "the routes", "controller.namespace", settings.namespace, `gatehouse applies the routes as release ${ROUTES_RELEASE_NAME} in the controller's namespace: ${SHARED_CLUSTER} controller.namespace`);
  if (usesGatewayApi(place) && env.controller.gatewayApiCrds === "install")
    claim("Helm release", `${GATEWAY_API_CRDS_DEFAULTS.namespace}/${GATEWAY_API_CRDS_DEFAULTS.releaseName}`, "the Gateway API CRDs", "controller.gatewayApiCrds", "install", 'the Gateway API CRDs are cluster-wide: let one environment install them and set controller.gatewayApiCrds: "cluster-managed" in the others');
  if (place.lattice) {
    const fix = "one AWS Gateway API controller serves a cluster: only one environment on a cluster can have aws.lattice";
    const release = AWS_GATEWAY_CONTROLLER_DEFAULTS.releaseName;
    for (const name of [release, companionReleaseName(release, "objects")]) claim("Helm release", `${LATTICE_CONTROLLER.namespace}/${name}`, "VPC Lattice", "aws.lattice", undefined, fix);
    claim("cluster-wide", `GatewayClass ${LATTICE_CONTROLLER.gatewayClass}`, "VPC Lattice", "aws.lattice", undefined, fix);
  }
  claim("Helm release", `${ns}/${settings.releaseName}`, "the controller", "controller.releaseName", settings.releaseName, byNamespace);
  const extras = KIND_EXTRAS[plugin.kind](settings, identity);
  for (const r of extras.releases)
    if (r.namespace === ns) claim("Helm release", `${r.namespace}/${r.name}`, "the controller", "controller.releaseName", settings.releaseName, byNamespace);
    else claim("Helm release", `${r.namespace}/${r.name}`, `the ${plugin.kind} control plane`, "controller.kind", plugin.kind, `${plugin.kind} installs it once per cluster: environments that share a cluster need different controller kinds`);
  for (const cls of extras.classes) claim("cluster-wide", cls, "the controller", "controller.kind", plugin.kind, `${plugin.kind}'s chart makes it, once per cluster: environments that share a cluster need different controller kinds`);
  claim("Service", `${ns}/${identity.serviceName}`, "the controller", "controller.releaseName", settings.releaseName, byNamespace);
  if (targetKind === "node") claim("Service", `${ns}/${identity.healthServiceName}`, "the health check", "controller.releaseName", settings.releaseName, byNamespace);
  if (c.exposure === "node-ports") {
    const ports: Array<[string, number, string]> = [
      ...c.contract.entryPoints.map((e): [string, number, string] => [`ports.${e.kind === "tcp" ? `tcp.${e.name}` : e.name}.nodePort`, e.nodePort, `entry point ${e.name}`]),
      ...c.contract.services.map((e): [string, number, string] => [`ports.services.${e.name}.nodePort`, e.nodePort, `service ${e.name}`]),
      ...(targetKind === "node" ? [["ports.health.nodePort", c.contract.health.nodePort, "the health check"] as [string, number, string]] : []),
    ];
    for (const [path, port, by] of ports) claim("NodePort", String(port), by, path, port, `NodePorts are cluster-wide: ${SHARED_CLUSTER} ${path}`);
  }
  for (const [name, s] of Object.entries(env.ports.services))
    claim("Service", `${s.namespace}/${serviceEntryName(name)}`, `service ${name}`, `ports.services.${name}`, undefined, `${SHARED_CLUSTER} service names (ports.services) or namespaces`);
  const kind = identity.routes.api === "ingress" ? "Ingress" : "HTTPRoute";
  for (const r of plan.routes) {
    const backend = r.backends[0];
    if (backend) claim(kind, `${backend.namespace}/${routeObjectName(r.name)}`, `route ${r.name}`, `routes.${r.name}`, undefined, `a route's name names its ${kind} in the backend's namespace: ${SHARED_CLUSTER} route names`);
  }
  return claims;
}

/** Every name of an environment's plan that one owner must hold (see NameClaim). */
/** The zone an environment's records go to, as claims name it. */
function zoneOf(env: Env): string | undefined {
  if (env.gcp?.dns) return `Cloud DNS zone ${env.gcp.dns.zone} of project ${env.gcp.project}`;
  const r53 = env.aws?.dns;
  if (r53) return r53.zoneId !== undefined ? `Route 53 hosted zone ${r53.zoneId}` : `Route 53 hosted zone ${r53.zoneName ?? ""}`;
  return undefined;
}

/** The hostnames' records, in the zone of whichever edge (or steering) publishes them, and ACM's validation records. */
function recordClaims(env: Env): NameClaim[] {
  const zone = zoneOf(env);
  const where = publication(env);
  const hostnames = env.hostnames ?? [];
  const out: NameClaim[] = [];
  if (!zone) return out;
  const fix = "one environment owns a hostname's records in a zone: serve it from one environment only (remove it from the other's hostnames)";
  if (where.by !== "nobody") {
    const what = where.by === "gcp" && env.gcp?.ipv6 ? "A/AAAA records" : "A record";
    const by = where.by === "gcp" ? "the global address" : where.by === "aws" ? "the NLB" : "steering";
    hostnames.forEach((h, i) => out.push({ where: zone, what, name: h.toLowerCase(), by, path: `hostnames.${i}`, value: h, fix }));
  }
  // ACM validates a name through one record per account; two environments writing it would each delete it on destroy.
  if (env.aws?.certificate)
    for (const domain of [...new Set(hostnames.map((h) => h.replace(/^\*\./, "").toLowerCase()))]) {
      const i = hostnames.findIndex((h) => h.replace(/^\*\./, "").toLowerCase() === domain);
      out.push({ where: zone, what: "ACM validation record", name: domain, by: "aws.certificate", path: `hostnames.${i}`, value: hostnames[i], fix: `${domain} and *.${domain} share ACM's validation record in the zone: certify them in one environment` });
    }
  return out;
}

/** A cluster an environment puts things on, named as claims name it. */
interface ClusterPlace {
  readonly cloud: "aws" | "gcp";
  readonly where: string;
  readonly cluster: ClusterPlan;
  /** The AWS account, when the environment shows it (awsAccountOf). */
  readonly account?: string;
  /** The AWS Gateway API controller (aws.lattice) is on it too. */
  readonly lattice: boolean;
}

function clusterPlaces(plan: EnvPlan): ClusterPlace[] {
  const places: ClusterPlace[] = [];
  const aws = plan.env.aws;
  if (plan.aws && aws) {
    const account = awsAccountOf(aws);
    places.push({ cloud: "aws", where: `cluster ${aws.cluster.name} in AWS region ${aws.region}`, cluster: plan.aws.cluster, ...(account ? { account } : {}), lattice: plan.aws.lattice !== undefined });
  }
  const gcp = plan.env.gcp;
  if (plan.gcp && gcp) for (const c of plan.gcp.clusters) places.push({ cloud: "gcp", where: `GKE cluster ${c.name} in ${c.access.location} of project ${gcp.project}`, cluster: c, lattice: false });
  return places;
}

/** The cluster uses the Gateway API CRDs: a Gateway API controller, or the AWS Gateway API controller. */
function usesGatewayApi(place: ClusterPlace): boolean {
  return place.cluster.controller.identity.routes.api === "gateway" || place.lattice;
}

export function nameClaims(plan: EnvPlan): NameClaim[] {
  const claims: NameClaim[] = [];
  const a = plan.aws;
  const aws = plan.env.aws;
  if (a && aws) {
    const account = awsAccountOf(aws);
    const inAccount = account ? { account } : {};
    const region = `AWS region ${aws.region}`;
    claims.push({
      where: region,
      what: "load balancer",
      name: a.edge.nlb.name,
      by: "the NLB",
      path: "aws.nlb.name",
      value: aws.nlb.name,
      fix: `load balancer names are unique in an account's region: give each environment its own aws.nlb.name (a new name replaces the NLB), ${UNLESS_ACCOUNTS}`,
      ...inAccount,
    });
    const lattice = a.lattice;
    if (lattice) {
      claims.push({
        where: region,
        what: "VPC Lattice service network",
        name: lattice.network.serviceNetworkName,
        by: "VPC Lattice",
        path: "aws.lattice.serviceNetworkName",
        value: aws.lattice?.serviceNetworkName,
        fix: `service network names are unique in an account's region: give each environment its own aws.lattice.serviceNetworkName, ${UNLESS_ACCOUNTS}`,
        ...inAccount,
      });
      // VPC ids name one VPC whatever the account.
      claims.push({ where: region, what: "VPC Lattice association of VPC", name: aws.vpc.id, by: "VPC Lattice", path: "aws.lattice", fix: "a VPC joins one service network through an association: only one environment per VPC can have aws.lattice" });
      const iam = `IAM names are global to an account; gatehouse names the role after the environment, region and cluster, so this takes two environments of the same name in one account, ${UNLESS_ACCOUNTS}`;
      claims.push({ where: "AWS account (IAM)", what: "IAM role", name: lattice.network.roleName ?? "", by: "VPC Lattice", path: "aws.lattice", fix: iam, ...inAccount });
      claims.push({ where: "AWS account (IAM)", what: "IAM policy", name: lattice.network.roleName ?? "", by: "VPC Lattice", path: "aws.lattice", fix: iam, ...inAccount });
    }
    const domain = aws.apiGateway?.domain;
    if (domain) {
      claims.push({
        where: region,
        what: "API Gateway custom domain",
        name: domain.name.toLowerCase(),
        by: "API Gateway",
        path: "aws.apiGateway.domain.name",
        value: domain.name,
        fix: `a custom domain name exists once in an account's region: serve it from one environment, ${UNLESS_ACCOUNTS}`,
        ...inAccount,
      });
      // Hosted zone ids are unique across accounts: the zone is the same whoever writes to it.
      if (domain.route53ZoneId !== undefined)
        claims.push({ where: `Route 53 hosted zone ${domain.route53ZoneId}`, what: "DNS record", name: domain.name.toLowerCase(), by: "API Gateway", path: "aws.apiGateway.domain.name", value: domain.name, fix: "one environment owns a name's record in a zone: serve it from one environment" });
    }
    const [place] = clusterPlaces(plan);
    if (place) claims.push(...clusterClaims(plan, place, a.cluster.healthCheck ? "node" : "pod"));
  }
  claims.push(...recordClaims(plan.env));
  const g = plan.gcp;
  const gcp = plan.env.gcp;
  if (g && gcp) {
    // Google's DNS authorizations live in the hostnames' zone, whichever cloud keeps it.
    const zone = zoneOf(plan.env);
    if (zone) {
      const hostnames = plan.env.hostnames ?? [];
      for (const domain of authorizationDomains(hostnames)) {
        const i = hostnames.findIndex((h) => h.replace(/^\*\./, "") === domain);
        claims.push({
          where: zone,
          what: "DNS authorization record",
          name: `_acme-challenge.${domain.toLowerCase()}`,
          by: "the certificates",
          path: `hostnames.${i}`,
          value: hostnames[i],
          fix: `${domain} and *.${domain} share Certificate Manager's authorization record in the zone: serve both from one environment`,
        });
      }
    }
    g.clusters.forEach((c, i) => {
      for (const entry of negEntryPoints(c.contract))
        for (const zoneName of gcp.clusters[i]?.zones ?? [])
          claims.push({ where: `GCP project ${gcp.project}, zone ${zoneName}`, what: "NEG", name: entry.negName, by: `cluster ${c.name}`, path: `gcp.clusters.${i}.name`, value: c.name, fix: "GKE gives a NEG to one Service only: rename one cluster" });
    });
    for (const place of clusterPlaces(plan).filter((p) => p.cloud === "gcp")) claims.push(...clusterClaims(plan, place));
  }
  return claims;
}

/**
 * The Gateway API channel of a shared cluster, among the environments of one run: where one
 * environment installs the standard channel (controller.gatewayApiCrds: install), another on the
 * cluster that needs the experimental one (cluster-managed, gatewayApiChannel: experimental) would
 * fail its plan (the cluster's HTTPRoute CRD drops retries). Reported on whichever of the two is
 * built (both when both are), at its controller.gatewayApiChannel; environments loaded but not
 * built count as in crossEnvProblems.
 */
export function gatewayApiChannelProblems(plans: readonly EnvPlan[], others: readonly EnvPlan[] = []): Problem[] {
  const built = new Set(plans.map((p) => p.env.name));
  const uses = [...others.filter((o) => !built.has(o.env.name)), ...plans].flatMap((plan) =>
    clusterPlaces(plan)
      .filter(usesGatewayApi)
      .map((place) => ({ env: plan.env.name, place, source: plan.env.controller.gatewayApiCrds, channel: plan.env.controller.gatewayApiChannel })),
  );
  const sameCluster = (a: ClusterPlace, b: ClusterPlace) => a.where === b.where && (a.account === undefined || b.account === undefined || a.account === b.account);
  const out: Problem[] = [];
  for (const installer of uses.filter((u) => u.source === "install" && u.channel === "standard"))
    for (const needer of uses.filter((u) => u.env !== installer.env && u.source === "cluster-managed" && u.channel === "experimental" && sameCluster(u.place, installer.place))) {
      const where = installer.place.where;
      if (built.has(needer.env))
        out.push({
          env: needer.env,
          path: "controller.gatewayApiChannel",
          value: "experimental",
          message: `needs the Gateway API's experimental channel on ${where}, where environment ${installer.env} installs the standard one (controller.gatewayApiCrds: install, gatewayApiChannel: standard), whose HTTPRoute CRD drops retries: set ${installer.env}'s controller.gatewayApiChannel to experimental, or this one's to standard`,
        });
      if (built.has(installer.env))
        out.push({
          env: installer.env,
          path: "controller.gatewayApiChannel",
          value: "standard",
          message: `installs the Gateway API's standard channel on ${where}, where environment ${needer.env} needs the experimental one (controller.gatewayApiCrds: cluster-managed, gatewayApiChannel: experimental): set this one's controller.gatewayApiChannel to experimental, or ${needer.env}'s to standard`,
        });
    }
  return out;
}

/** "a", "a and b", "a, b and c" */
function listed(items: readonly string[]): string {
  return items.length <= 1 ? (items[0] ?? "") : `${items.slice(0, -1).join(", ")} and ${items[items.length - 1]}`;
}

/**
 * Names that two owners would hold (NameClaim), among the environments of one run: one problem
 * per environment, field and other owner, on the later environment (`plans` in order). `others`
 * are environments that are loaded but not built in this run: a name they hold is taken all the
 * same (its stacks were, or will be, applied), so they are compared first and never reported on.
 * A shared cluster's Gateway API channel is compared as well (gatewayApiChannelProblems).
 */
export function crossEnvProblems(plans: readonly EnvPlan[], others: readonly EnvPlan[] = []): Problem[] {
  const built = new Set(plans.map((p) => p.env.name));
  const holders = new Map<string, Array<{ env: string; claim: NameClaim }>>();
  const groups = new Map<string, { env: string; claim: NameClaim; owner: { env: string; claim: NameClaim }; names: string[] }>();
  for (const plan of [...others.filter((o) => !built.has(o.env.name)), ...plans]) {
    const env = plan.env.name;
    for (const claim of nameClaims(plan)) {
      const key = `${claim.where}\0${claim.what}\0${claim.name}`;
      const held = holders.get(key) ?? [];
      const owner = held.find((h) => h.claim.account === undefined || claim.account === undefined || h.claim.account === claim.account);
      held.push({ env, claim });
      holders.set(key, held);
      if (!owner || !built.has(env)) continue;
      const group = `${env}\0${claim.path}\0${owner.env}\0${claim.where}`;
      const thing = `${claim.what} ${claim.name}`;
      const found = groups.get(group);
      if (found) found.names.push(thing);
      else groups.set(group, { env, claim, owner, names: [thing] });
    }
  }
  const named = [...groups.values()].map(({ env, claim, owner, names }): Problem => {
    const whose = owner.env === env ? `this environment's (${owner.claim.by})` : `environment ${owner.env}'s (${owner.claim.by})`;
    return { env, path: claim.path, value: claim.value, message: `${listed(names)} in ${claim.where} ${names.length === 1 ? "is" : "are"} also ${whose}: ${claim.fix}` };
  });
  return [...named, ...gatewayApiChannelProblems(plans, others)];
}
