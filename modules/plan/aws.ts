/**
 * The AWS side of an environment's plan: the props of every construct of `<env>-aws-edge` and
 * `<env>-aws-cluster`, built from the environment, and every construct's own check run on them,
 * each problem at the environment field it came from (paths.ts). What the stacks still wire is
 * what only exists once a construct does: a security group's id, a target group's ARN.
 */
import type { FieldProblem } from "../core/errors";
import { awsElbName, stackNames } from "../core/naming";
import * as rules from "../core/rules";
import { referenceStandIn } from "../core/cdktf";
import { dnsValidatedCertificateProblems, type DnsValidatedCertificateProps } from "../aws/acm";
import { nlbEdgeProblems, type NlbEdgeProps, type TlsAtLoadBalancer } from "../aws/nlb-edge";
import { nlbAliasRecordsProblems, type HostedZoneProps, type NlbAliasRecordsProps } from "../aws/route53";
import { nlbSecurityGroupProblems, type NlbSecurityGroupProps } from "../aws/nlb-security-group";
import { nodeAccessRulesProblems } from "../aws/node-access";
import { targetRegistrationProblems, type TargetRegistrationProps } from "../aws/targets";
import type { ClusterAccessProps } from "../k8s/cluster-access";
import type { RoutesProps } from "../k8s/route-objects";
import type { TargetKind } from "../model/contract";
import type { GatewayApiChannel, GatewayApiCrdSource } from "../model/defaults";
import type { AwsEnv, Env } from "../model/env";
import { resolveApi, type ApiPlan } from "./api";
import { clusterPlan, controllerProblems, gatewayApiCrdsEnvProblems, type ClusterPlan, type ControllerPlan } from "./controller";
import { hostnamesReported, publication } from "./dns";
import { latticeControllerPlan, resolveLattice, type LatticeControllerPlan, type LatticePlan } from "./lattice";
import { atEnvFields, entryField, type PathTable } from "./paths";
import { awsStackSettings, gatehouseDefaultTags, type AwsStackSettings } from "./settings";
import { routesPlan } from "./routes";

/** `<env>-aws-edge`. */
export interface AwsEdgePlan {
  readonly stack: string;
  readonly settings: AwsStackSettings;
  /**
   * The NLB, its listeners and target groups; the stack adds the security group ids, and with
   * `certificate` the certificate's ARN to the TLS settings.
   */
  readonly nlb: Omit<NlbEdgeProps, "securityGroupIds" | "tls"> & { readonly tls?: Omit<TlsAtLoadBalancer, "certificateArn"> & { readonly certificateArn?: string } };
  /** The Route 53 zone of the hostnames (aws.dns), when this stack writes records or a certificate there. */
  readonly zone?: HostedZoneProps;
  /** Alias records of the hostnames to the NLB, when the AWS edge publishes them; the stack adds the zone id and the NLB. */
  readonly records?: Omit<NlbAliasRecordsProps, "zoneId" | "target">;
  /** The ACM certificate of the TLS listeners (aws.certificate); the stack adds the zone id. */
  readonly certificate?: Omit<DnsValidatedCertificateProps, "zoneId">;
  /** The NLB's security group: one to make, or the ids of existing ones; none when unset. */
  readonly securityGroup?: { readonly create: NlbSecurityGroupProps } | { readonly ids: readonly string[] };
  /** Worker registration (discovered or static IPs); none when the AWS Load Balancer Controller registers pods. */
  readonly targets?: Omit<TargetRegistrationProps, "targetGroups">;
  /** The worker security groups, keyed by id, and the VPC CIDRs they admit when the NLB has no security group. */
  readonly nodeAccess: { readonly targetSecurityGroups: Readonly<Record<string, string>>; readonly vpcCidrs: readonly string[] };
}

/** `<env>-aws-cluster`. */
export interface AwsClusterPlan extends ClusterPlan {
  readonly settings: AwsStackSettings;
  readonly access: ClusterAccessProps;
  /** Who owns the Gateway API CRDs; the stack adds what it reads of the cluster. */
  readonly gatewayApiCrds: GatewayApiCrdSource;
  /** Their release channel: the one installed, or the one the cluster's HTTPRoute CRD must be of. */
  readonly gatewayApiChannel: GatewayApiChannel;
  /** The health-check NodePort Service (node targets). */
  readonly healthCheck: boolean;
  /** TargetGroupBindings (pod targets): the target groups to look up by name, and the readiness gate. */
  readonly bindings?: { readonly targetGroupNames: Readonly<Record<string, string>>; readonly podReadinessGate: boolean };
  readonly routes?: Omit<RoutesProps, "dependsOn">;
  /** The AWS Gateway API controller for VPC Lattice. */
  readonly lattice?: LatticeControllerPlan;
}

export interface AwsPlan {
  readonly edge: AwsEdgePlan;
  readonly cluster: AwsClusterPlan;
  readonly api?: ApiPlan;
  readonly lattice?: LatticePlan;
}

/**
 * The tags gatehouse puts on AWS resources besides the environment's, by the resource that
 * carries each set: the provider's default tags on everything, the Kubernetes ownership tags on
 * the NLB, the entry point on target groups (modules/aws/nlb-edge.ts) and Name on security
 * groups. A test compares it with what the stacks write.
 */
export function gatehouseAwsTags(clusterName: string): ReadonlyArray<{ readonly where: string; readonly keys: readonly string[] }> {
  const everywhere = Object.keys(gatehouseDefaultTags(""));
  return [
    { where: "the NLB", keys: [...everywhere, `kubernetes.io/cluster/${clusterName}`, "kubernetes.io/service-name"] },
    { where: "each target group", keys: [...everywhere, "gatehouse/entry-point"] },
    { where: "each security group", keys: [...everywhere, "Name"] },
  ];
}


/** The name of the NLB's security group, when gatehouse makes one. */
export function nlbSecurityGroupName(env: Env, aws: AwsEnv): string {
  return `${awsElbName([env.name, aws.cluster.name])}-nlb`;
}

/** Entry points that end TLS at the load balancer, as `[field path, entry]`. */
function terminating(env: Env): Array<[string, { readonly tls: string; readonly idleTimeout?: number }]> {
  const all: Array<[string, { readonly tls: string; readonly idleTimeout?: number }]> = [
    ["ports.https.tls", env.ports.https],
    ...Object.entries(env.ports.tcp).map(([k, v]): [string, typeof v] => [`ports.tcp.${k}.tls`, v]),
  ];
  return all.filter(([, e]) => e.tls === "terminate");
}

type Add = (path: string, value: unknown, message: string | undefined) => void;

/**
 * Rules that exist only for environments: values no construct sees as such (tags on every
 * resource, lists whose items must each be given once, certificates against the environment's
 * Region, workspace names, removed fields, public ranges on the NodePorts).
 */
function awsEnvProblems(env: Env, aws: AwsEnv, add: Add): void {
  // Tags: the provider's default tags carry them to every resource, the NLB and target groups too.
  for (const [key, value] of Object.entries(env.tags)) {
    add(`tags.${key}`, key, rules.awsTagKey(key));
    add(`tags.${key}`, value, rules.awsTagValue(value));
  }
  const clusterTag = `kubernetes.io/cluster/${aws.cluster.name}`;
  const clusterTagBad = rules.awsTagKey(clusterTag);
  if (clusterTagBad) add("aws.cluster.name", aws.cluster.name, `names the NLB's tag "${clusterTag}": ${clusterTagBad}`);
  const counts = gatehouseAwsTags(aws.cluster.name).map((r) => rules.awsTagCount(Object.keys(env.tags), r.keys, r.where));
  add("tags", Object.keys(env.tags).length, counts.find((m) => m !== undefined));

  // Lists whose items become security group rules (and construct ids): each value once.
  const once = (path: string, items: readonly string[], key: (item: string) => string = (i) => i) => {
    for (const r of rules.repeats(items, key)) add(`${path}.${r.index}`, items[r.index], `is ${path}.${r.first} again${items[r.first] === items[r.index] ? "" : ` (${JSON.stringify(items[r.first])}, the same block)`}; list each value once`);
  };
  once("aws.vpc.cidrs", aws.vpc.cidrs, rules.canonicalCidr);
  if (aws.nlb.securityGroup.mode === "create") once("aws.nlb.securityGroup.clientCidrs", aws.nlb.securityGroup.clientCidrs, rules.canonicalCidr);
  if (aws.lattice?.clientCidrs) once("aws.lattice.clientCidrs", aws.lattice.clientCidrs, rules.canonicalCidr);
  // AWS takes one subnet per Availability Zone; a repeated one is refused at apply.
  if (aws.nlb.subnets) once("aws.nlb.subnets", aws.nlb.subnets);
  if (aws.nlb.subnetMappings) {
    const ids = aws.nlb.subnetMappings.map((m) => m.subnetId);
    for (const r of rules.repeats(ids)) add(`aws.nlb.subnetMappings.${r.index}.subnetId`, ids[r.index], `is aws.nlb.subnetMappings.${r.first}.subnetId again; list each subnet once`);
  }
  if (aws.apiGateway?.vpcLinkSubnets) once("aws.apiGateway.vpcLinkSubnets", aws.apiGateway.vpcLinkSubnets);

  // ACM certificates are regional.
  if (aws.nlb.tls.certificateArn !== undefined) add("aws.nlb.tls.certificateArn", aws.nlb.tls.certificateArn, rules.certificateInRegion(aws.nlb.tls.certificateArn, aws.region));
  const latticeCert = aws.lattice?.https?.certificateArn;
  if (latticeCert !== undefined) add("aws.lattice.https.certificateArn", latticeCert, rules.certificateInRegion(latticeCert, aws.region));

  if (env.state.type === "cloud") {
    const stacks = [stackNames.awsEdge(env.name), stackNames.awsCluster(env.name), ...(aws.apiGateway ? [stackNames.awsApi(env.name)] : []), ...(aws.lattice ? [stackNames.awsLattice(env.name)] : [])];
    add("state.workspacePrefix", env.state.workspacePrefix, rules.tfcWorkspaces(env.state.workspacePrefix, stacks));
  }

  const nlb = aws.nlb;
  if (nlb.tls.mode !== undefined)
    add("aws.nlb.tls.mode", nlb.tls.mode, 'was removed: choose where TLS ends per entry point with ports.https.tls (and ports.tcp.<name>.tls): "passthrough" or "terminate"; aws.nlb.tls keeps the certificate and policies');
  // Without a certificate the NLB gets no TLS settings at all: an ALPN policy alone would be lost.
  if (nlb.tls.certificateArn === undefined && nlb.tls.alpnPolicy !== undefined && !terminating(env).length)
    add("aws.nlb.tls.alpnPolicy", nlb.tls.alpnPolicy, "is unused: ALPN applies to TLS listeners and no entry point ends TLS at the load balancer");
  if (nlb.securityGroup.mode === "none" && !aws.vpc.allowPublicCidrs)
    aws.vpc.cidrs.forEach((c, i) => {
      if (!rules.cidrV4(c) && !rules.isPrivateCidr(c))
        add(`aws.vpc.cidrs.${i}`, c, `is not a private range (${rules.PRIVATE_RANGES.join(", ")}); the VPC CIDRs are admitted to the worker NodePorts, so this would open them to the internet. Set aws.vpc.allowPublicCidrs: true if the VPC really uses this address space`);
    });
  for (const [name, s] of Object.entries(env.ports.services))
    add(`ports.services.${name}.selector`, s.selector, rules.exactlyOneOf(s.selector, s.existingService, `ports.services.${name}.selector`, `ports.services.${name}.existingService`));
}

export function resolveAws(env: Env, aws: AwsEnv, controller: ControllerPlan, problems: FieldProblem[], portsValid: boolean): AwsPlan | undefined {
  const add: Add = (path, value, message) => {
    if (message) problems.push({ path, value, message });
  };
  awsEnvProblems(env, aws, add);
  if (!portsValid) return undefined;

  const settings = awsStackSettings(env, aws);
  const cluster = clusterPlan(env, aws.cluster.name, stackNames.awsCluster(env.name), "node-ports", controller);
  problems.push(...controllerProblems(cluster));
  const contract = cluster.contract;
  const targetKind: TargetKind = aws.targets.mode === "controller" ? "pod" : "node";
  const entries = [...contract.entryPoints, ...contract.services];
  const kinds = { tcp: contract.entryPoints.filter((e) => e.kind === "tcp").map((e) => e.name), services: contract.services.map((e) => e.name) };
  const entryTable = (rest: string) => {
    const [name = "", ...field] = rest.split(".");
    return [entryField(kinds, name), ...field].join(".");
  };

  const nlb = aws.nlb;
  const p = env.ports;
  const nlbProps: AwsEdgePlan["nlb"] = {
    contract,
    targetKind,
    name: nlb.name ?? awsElbName([env.name, aws.cluster.name]),
    targetGroupNames: Object.fromEntries(entries.map((e) => [e.name, awsElbName([env.name, aws.cluster.name, e.name])])),
    vpcId: aws.vpc.id,
    internetFacing: nlb.internetFacing,
    subnets: nlb.subnets,
    subnetMappings: nlb.subnetMappings,
    deletionProtection: nlb.deletionProtection,
    crossZone: nlb.crossZone,
    tls: nlb.tls.certificateArn !== undefined || aws.certificate ? { certificateArn: nlb.tls.certificateArn, sslPolicy: nlb.tls.sslPolicy, alpnPolicy: nlb.tls.alpnPolicy } : undefined,
    clusterTag: nlb.clusterTag,
    deregistrationDelay: aws.targetGroups.deregistrationDelay,
    healthCheck: aws.targetGroups.healthCheck,
    entrySettings: {
      http: { connectionTermination: p.http.connectionTermination, idleTimeout: p.http.idleTimeout },
      https: { connectionTermination: p.https.connectionTermination, idleTimeout: p.https.idleTimeout },
      ...Object.fromEntries(Object.entries(p.tcp).map(([k, t]) => [k, { connectionTermination: t.connectionTermination, idleTimeout: t.idleTimeout }])),
      ...Object.fromEntries(Object.entries(p.services).map(([k, s]) => [k, { connectionTermination: s.connectionTermination, idleTimeout: s.idleTimeout }])),
    },
    unhealthyTargets: aws.targetGroups.unhealthyTargets,
    accessLogs: nlb.accessLogs,
    dnsClientRoutingPolicy: nlb.dnsClientRoutingPolicy,
    zonalShift: nlb.zonalShift,
  };
  const nlbTable: PathTable = [
    ["name", "aws.nlb.name"],
    ["contract", (rest) => (rest ? entryTable(rest) : "aws.nlb")],
    ["targetGroupNames", "aws.cluster.name"],
    ["subnets", "aws.nlb.subnets"],
    ["subnetMappings", "aws.nlb.subnetMappings"],
    ["deregistrationDelay", "aws.targetGroups.deregistrationDelay"],
    ["healthCheck", "aws.targetGroups.healthCheck"],
    // With aws.certificate the listeners take the ACM certificate gatehouse requests.
    ["tls", (rest) => (aws.certificate && (rest === "" || rest === "certificateArn") ? "aws.certificate" : rest ? `aws.nlb.tls.${rest}` : "aws.nlb.tls")],
    ["entrySettings", entryTable],
    ["unhealthyTargets", "aws.targetGroups.unhealthyTargets"],
    ["accessLogs", "aws.nlb.accessLogs"],
  ];
  // The certificate's ARN exists once the stack requests it: the check sees a stand-in for it.
  const certificateArn = nlbProps.tls && (nlbProps.tls.certificateArn ?? referenceStandIn("the ACM certificate's ARN"));
  problems.push(...atEnvFields("the NLB", nlbTable, nlbEdgeProblems({ ...nlbProps, tls: nlbProps.tls && certificateArn !== undefined ? { ...nlbProps.tls, certificateArn } : undefined })));

  // The hostnames' zone, their alias records (when the AWS edge publishes them) and the certificate.
  const where = publication(env);
  const zone: HostedZoneProps | undefined = aws.dns ? { zone: aws.dns.zoneId !== undefined ? { zoneId: aws.dns.zoneId } : { zoneName: aws.dns.zoneName ?? "" } } : undefined;
  const hostnames = env.hostnames ?? [];
  const records = where.by === "aws" ? { hostnames } : undefined;
  const hostnamesOk = !hostnamesReported(problems);
  if (records && hostnamesOk) problems.push(...atEnvFields("the alias records", [["hostnames", "hostnames"]], nlbAliasRecordsProblems({ ...records, zoneId: referenceStandIn("the zone's id"), target: { dnsName: referenceStandIn("the NLB's DNS name"), zoneId: referenceStandIn("the NLB's zone") } })));
  const certificate = aws.certificate && aws.dns ? { hostnames, keyAlgorithm: aws.certificate.keyAlgorithm } : undefined;
  if (certificate && hostnamesOk)
    problems.push(...atEnvFields("the ACM certificate", [["hostnames", "hostnames"], ["keyAlgorithm", "aws.certificate.keyAlgorithm"]], dnsValidatedCertificateProblems({ ...certificate, zoneId: referenceStandIn("the zone's id") })));

  let securityGroup: AwsEdgePlan["securityGroup"];
  const sg = nlb.securityGroup;
  if (sg.mode === "create") {
    const create: NlbSecurityGroupProps = { name: nlbSecurityGroupName(env, aws), vpcId: aws.vpc.id, clientCidrs: sg.clientCidrs, vpcCidrs: aws.vpc.cidrs, targetPorts: contract.targets(targetKind) };
    // The group's name starts with the environment's.
    problems.push(...atEnvFields("the NLB security group", [["name", () => "name", { value: env.name }], ["clientCidrs", "aws.nlb.securityGroup.clientCidrs"]], nlbSecurityGroupProblems(create)));
    securityGroup = { create };
  } else if (sg.mode === "existing") securityGroup = { ids: sg.ids };

  let targets: AwsEdgePlan["targets"];
  if (aws.targets.mode !== "controller") {
    targets = {
      vpcCidrs: aws.vpc.cidrs,
      crossZone: nlb.crossZone,
      source: aws.targets.mode === "discover" ? { mode: "discover", tagKey: aws.targets.tagKey, tagValues: aws.targets.tagValues, vpcId: aws.vpc.id } : { mode: "static", ips: aws.targets.ips },
    };
    // Every target is registered in every target group (one per listener).
    problems.push(...atEnvFields("the target registration", [["source", "aws.targets"]], targetRegistrationProblems(targets, entries.length)));
  }

  const nodeAccess = { targetSecurityGroups: Object.fromEntries(aws.workerSecurityGroupIds.map((id) => [id, id])), vpcCidrs: aws.vpc.cidrs };
  // The NLB's own group, when it has one, is the source of the worker rules: keyed "nlb" when made here.
  const from = sg.mode === "create" ? { securityGroups: { nlb: "(the NLB's security group)" } } : sg.mode === "existing" ? { securityGroups: Object.fromEntries(sg.ids.map((id) => [id, id])) } : { cidrs: aws.vpc.cidrs };
  problems.push(
    ...atEnvFields(
      "the worker security-group rules",
      [
        // Keyed by the group id: a key's field is the id's place in the list.
        ["targetSecurityGroups", (key) => (key ? `aws.workerSecurityGroupIds.${aws.workerSecurityGroupIds.indexOf(key)}` : "aws.workerSecurityGroupIds")],
        ["from", "aws.vpc.cidrs"],
        ["from.cidrs", "aws.vpc.cidrs"],
        ["from.securityGroups", (key) => (sg.mode === "existing" && key ? `aws.nlb.securityGroup.ids.${sg.ids.indexOf(key)}` : "aws.nlb.securityGroup")],
      ],
      nodeAccessRulesProblems({ targetPorts: contract.targets(targetKind), targetSecurityGroups: nodeAccess.targetSecurityGroups, from }),
    ),
  );

  const access: ClusterAccessProps = aws.cluster.access.type === "eks" ? { type: "eks", clusterName: aws.cluster.name } : { type: "kubeconfig", path: aws.cluster.access.path, context: aws.cluster.access.context };
  problems.push(...gatewayApiCrdsEnvProblems(env));
  const routes = routesPlan(env, cluster, problems);
  const lattice = resolveLattice(env, aws, problems);

  const edge: AwsEdgePlan = { stack: stackNames.awsEdge(env.name), settings, nlb: nlbProps, zone: records || certificate ? zone : undefined, records, certificate, securityGroup, targets, nodeAccess };
  return {
    edge,
    cluster: {
      ...cluster,
      settings,
      access,
      gatewayApiCrds: env.controller.gatewayApiCrds,
      gatewayApiChannel: env.controller.gatewayApiChannel,
      healthCheck: targetKind === "node",
      bindings: targetKind === "pod" ? { targetGroupNames: nlbProps.targetGroupNames, podReadinessGate: aws.targets.mode === "controller" && aws.targets.podReadinessGate } : undefined,
      routes,
      lattice: lattice ? latticeControllerPlan(aws, lattice) : undefined,
    },
    api: resolveApi(env, aws, { contract, lbName: nlbProps.name, createdSecurityGroup: securityGroup && "create" in securityGroup ? securityGroup.create.name : undefined }, settings, add, problems),
    lattice: lattice ? { stack: lattice.stack, settings, network: lattice.network } : undefined,
  };
}
