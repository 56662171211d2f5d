/**
 * Environment → resolved plan: the one place an environment is interpreted.
 *
 * A validated environment (modules/config/schema.ts) becomes, per cluster, the port contract (entry points
 * with their TLS choice and target kind), every derived name, the controller (plug-in, settings
 * and identity) and every plan-level problem. The schema's cross-field check reports the problems
 * (`planProblems`); the stack builder takes the plan (`planEnvironment`), never the raw
 * environment, so what is validated is what is built. Pure: no constructs, no I/O.
 */
import type { AwsEnv, Env, GcpEnv, GkeCluster } from "../config/schema";
import { buildContract, contractProblems, DEFAULT_IDLE_TIMEOUT, negEntryPoints, type ContractInput, type PortContract, type TargetKind } from "../model/contract";
import { ConfigError, type Problem } from "../core/errors";
import type { ApiGatewayProps } from "../aws/api-gateway";
import * as gw from "../aws/api-gateway-rules";
import { latticeControllerRoleName, latticeNetworkProblems, type LatticeNetworkProps } from "../aws/lattice";
import type { NlbEntrySettings, TlsAtLoadBalancer } from "../aws/nlb-edge";
import { AWS_GATEWAY_CONTROLLER_NAME, AWS_GATEWAY_CONTROLLER_ROUTE_FEATURES, awsGatewayControllerProblems, type AwsGatewayControllerProps } from "../k8s/aws-gateway-controller";
import type { ControllerIdentity, ControllerPlugin, ControllerSettings, EnvProblem, Exposure } from "../k8s/controllers/plugin";
import { controllerPlugin } from "../k8s/controllers";
import { awsElbName, derivedName, gcpChildName, gcpName, hostKey, stackNames } from "../core/naming";
import { parseRoutes, routeProblems } from "../model/routes";
import type { Route } from "../model/route-types";
import * as rules from "../core/rules";
import { authorizationDomains } from "../gcp/cert-map";
import { AWS_GATEWAY_CONTROLLER_DEFAULTS } from "../k8s/aws-gateway-controller";
import type { ControllerKind } from "../k8s/controllers/plugin";
import { GATEWAY_API_CRDS_DEFAULTS } from "../k8s/gateway-api";
import { ISTIO_GATEWAY_CLASS, ISTIO_SYSTEM_NAMESPACE } from "../k8s/controllers/istio";
import { NGF_GATEWAY_CLASS } from "../k8s/controllers/nginx-gateway-fabric-identity";
import { companionReleaseName } from "../k8s/release-defaults";
import { routeObjectName } from "../k8s/route-objects";
import { LATTICE_CONTROLLER } from "../model/lattice";

export interface ControllerPlan {
  readonly plugin: ControllerPlugin;
  readonly settings: ControllerSettings;
  readonly identity: ControllerIdentity;
}

/** One Kubernetes cluster behind a load balancer. */
export interface ClusterPlan {
  /** The cluster's name (EKS or GKE). */
  readonly name: string;
  /** The stack holding the controller. */
  readonly stack: string;
  readonly contract: PortContract;
  readonly exposure: Exposure;
  readonly controller: ControllerPlan;
}

/** API Gateway in front of the NLB (its own stack, after the edge). */
export interface ApiPlan {
  readonly stack: string;
  readonly props: Omit<ApiGatewayProps, "nlbSecurityGroupId">;
  /** The NLB's security group: created by the edge stack (found by name), or given ids. */
  readonly nlbSecurityGroup?: { readonly created: string } | { readonly ids: readonly string[] };
}

/** VPC Lattice: the AWS side in its own stack, the controller and its objects in the cluster stack. */
export interface LatticePlan {
  readonly stack: string;
  readonly network: LatticeNetworkProps;
  /** The controller's props but what only the cluster stack knows (account, role ARN, Kubernetes version). */
  readonly controller: Omit<AwsGatewayControllerProps, "awsAccountId" | "identity" | "kubernetesVersion">;
  /** The controller role's name (IRSA: the cluster stack reads its ARN by name). */
  readonly roleName: string;
}

export interface AwsPlan {
  readonly aws: AwsEnv;
  readonly api?: ApiPlan;
  readonly lattice?: LatticePlan;
  readonly cluster: ClusterPlan;
  /** Nodes at NodePorts (discovered or static IPs), or pods (TargetGroupBinding). */
  readonly targetKind: TargetKind;
  readonly names: { readonly lb: string; readonly targetGroups: Readonly<Record<string, string>>; readonly securityGroup: string };
  /** The TLS listeners' certificate and policies, when an entry point ends TLS at the NLB. */
  readonly tls?: TlsAtLoadBalancer;
  /** Listener and target group settings per entry point and service name. */
  readonly entrySettings: Readonly<Record<string, EntrySettings>>;
  readonly edgeStack: string;
}

/** An entry point's NLB settings (the contract keeps ports and TLS; these are AWS-only). */
export type EntrySettings = NlbEntrySettings;

export interface GkePlan extends ClusterPlan {
  readonly gke: GkeCluster;
}

export interface GcpPlan {
  readonly gcp: GcpEnv;
  /** Every GCP name of the environment starts with this. */
  readonly prefix: string;
  /** The global addresses (reserved in the address stack, read by name elsewhere). */
  readonly address: { readonly name: string; readonly ipv6: boolean; readonly project: string };
  readonly clusters: readonly GkePlan[];
  readonly addressStack: string;
  readonly edgeStack: string;
}

export interface EnvPlan {
  readonly env: Env;
  /** The routes, sorted by name, for every cluster's controller. */
  readonly routes: readonly Route[];
  readonly aws?: AwsPlan;
  readonly gcp?: GcpPlan;
}

export interface Resolution {
  /** Set when there are no problems. */
  readonly plan?: EnvPlan;
  /** Every plan-level problem, with paths relative to the environment. */
  readonly problems: readonly EnvProblem[];
}

/** The environment's controller settings, each default from the plug-in. */
function controllerPlan(env: Env): ControllerPlan {
  const plugin = controllerPlugin(env.controller.kind);
  const c = env.controller;
  const settings: ControllerSettings = {
    releaseName: c.releaseName ?? plugin.defaults.releaseName,
    namespace: c.namespace ?? plugin.defaults.namespace,
    chartVersion: c.chartVersion,
    replicas: c.replicas,
    resources: c.resources,
    config: c.config,
  };
  return { plugin, settings, identity: plugin.identity(settings, env.ports.https.tls) };
}

/** The contract input of one cluster: the env's ports, the controller's identity. */
export function contractInputFor(env: Env, cluster: string, controller: ControllerPlan): ContractInput {
  const id = controller.identity;
  const p = env.ports;
  return {
    env: env.name,
    cluster,
    namespace: controller.settings.namespace,
    serviceName: id.serviceName,
    podSelector: id.podSelector,
    http: p.http,
    https: p.https,
    tcp: Object.fromEntries(Object.entries(p.tcp).map(([name, t]) => [name, { listenerPort: t.listenerPort, nodePort: t.nodePort, backend: t.backend, tls: t.tls, idleTimeout: t.idleTimeout, connectionTermination: t.connectionTermination }])),
    services: Object.fromEntries(
      Object.entries(p.services).map(([name, s]) => [
        name,
        { listenerPort: s.listenerPort, nodePort: s.nodePort, namespace: s.namespace, serviceName: serviceEntryName(name), selector: s.selector, existingService: s.existingService, targetPort: s.targetPort, healthCheck: s.healthCheck },
      ]),
    ),
    health: { nodePort: p.health.nodePort, path: p.health.path ?? id.health.path, podPort: id.health.podPort, serviceName: id.healthServiceName },
    nodePortRange: p.nodePortRange,
    proxyProtocol: p.proxyProtocol,
    containerPorts: id.containerPorts,
    reservedPodPorts: id.reservedPodPorts,
  };
}

/** The Terraform variable of `<env>-gcp-edge` that carries the IAP OAuth client secret. */
export const IAP_SECRET_VARIABLE = "iap_oauth2_client_secret";

/** The NodePort Service gatehouse makes for a service entry. */
export function serviceEntryName(entry: string): string {
  return `${entry}-nodeport`;
}

/** Resolves an environment; the plan is set exactly when there are no problems. */
export function resolve(env: Env): Resolution {
  const problems: EnvProblem[] = [];
  if (!env.aws && !env.gcp) problems.push({ path: "aws", message: "an environment needs an aws section, a gcp section, or both" });
  const controller = controllerPlan(env);
  // Port rules do not depend on the cluster: checked once.
  const portProblems = contractProblems(contractInputFor(env, "", controller));
  problems.push(...portProblems);

  const aws = env.aws ? resolveAws(env, env.aws, controller, problems, portProblems.length === 0) : undefined;
  const gcp = env.gcp ? resolveGcp(env, env.gcp, controller, problems, portProblems.length === 0) : undefined;
  problems.push(...routeProblems(env.routes, { hostnames: env.gcp?.hostnames, features: controller.identity.routeFeatures, controller: controller.plugin.kind }));
  if (problems.length) return { problems };
  return { plan: { env, aws, gcp, routes: parseRoutes(env.routes) }, problems };
}

/** Plan-level problems of an environment, for the schema's cross-field check. */
export function planProblems(env: Env): readonly EnvProblem[] {
  return resolve(env).problems;
}

/** The plan of an environment; throws a ConfigError naming every problem. */
export function planEnvironment(env: Env): EnvPlan {
  const r = resolve(env);
  if (!r.plan) throw new ConfigError(r.problems.map((p) => ({ ...p, env: env.name })));
  return r.plan;
}

function cluster(env: Env, name: string, stack: string, exposure: Exposure, controller: ControllerPlan, problems: EnvProblem[], extra: { loadBalancerAddresses?: readonly string[] } = {}): ClusterPlan {
  const contract = buildContract(contractInputFor(env, name, controller));
  for (const p of controller.plugin.problems({ contract, exposure, settings: controller.settings, ...extra }))
    if (!problems.some((q) => q.path === p.path && q.message === p.message)) problems.push(p);
  return { name, stack, contract, exposure, controller };
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
 * The tags gatehouse puts on AWS resources besides the environment's, by the resource that
 * carries each set: the provider's default tags on everything (modules/stacks/aws.ts), the
 * Kubernetes ownership tags on the NLB, the entry point on target groups (modules/aws/nlb-edge.ts)
 * and Name on security groups. A test compares it with what the stacks write.
 */
export function gatehouseAwsTags(clusterName: string): ReadonlyArray<{ readonly where: string; readonly keys: readonly string[] }> {
  const everywhere = ["gatehouse:env", "gatehouse:managed-by"];
  return [
    { where: "the NLB", keys: [...everywhere, `kubernetes.io/cluster/${clusterName}`, "kubernetes.io/service-name"] },
    { where: "each target group", keys: [...everywhere, "gatehouse/entry-point"] },
    { where: "each security group", keys: [...everywhere, "Name"] },
  ];
}

/** The labels gatehouse puts on every GCP resource besides the environment's tags (modules/stacks/gcp.ts). */
export function gatehouseGcpLabels(envName: string): Readonly<Record<string, string>> {
  return { "gatehouse-env": envName, "managed-by": "gatehouse" };
}

/** Security groups gatehouse names beside the NLB's: the API Gateway VPC link's and the Lattice association's. */
export const vpcLinkSecurityGroupName = (apiName: string): string => `${apiName}-vpc-link`;
export const latticeClientsSecurityGroupName = (serviceNetworkName: string): string => `${serviceNetworkName}-lattice-clients`;

/** Every security group name an environment's AWS stacks give, as `[env field the name starts with, name]`. */
export function awsSecurityGroupNames(plan: EnvPlan): Array<[string, string]> {
  const a = plan.aws;
  if (!a) return [];
  const out: Array<[string, string]> = [];
  if (a.aws.nlb.securityGroup.mode === "create") out.push(["name", a.names.securityGroup]);
  if (a.api) out.push(["name", vpcLinkSecurityGroupName(a.api.props.name)]);
  if (a.lattice) out.push([a.aws.lattice?.serviceNetworkName !== undefined ? "aws.lattice.serviceNetworkName" : "name", latticeClientsSecurityGroupName(a.lattice.network.serviceNetworkName)]);
  return out;
}

/**
 * What AWS refuses at apply in values the environment gives (tags, lists whose items become rules,
 * certificates, workspace names), checked before anything is built. Each rule is in rules.ts.
 */
function awsInputProblems(env: Env, aws: AwsEnv, add: Add): void {
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
}


function resolveAws(env: Env, aws: AwsEnv, controller: ControllerPlan, problems: EnvProblem[], portsValid: boolean): AwsPlan | undefined {
  const add = (path: string, value: unknown, message: string | undefined) => {
    if (message) problems.push({ path, value, message });
  };
  awsInputProblems(env, aws, add);
  const nlb = aws.nlb;
  if (nlb.tls.mode !== undefined)
    add("aws.nlb.tls.mode", nlb.tls.mode, 'was removed: choose where TLS ends per entry point with ports.https.tls (and ports.tcp.<name>.tls): "passthrough" or "terminate"; aws.nlb.tls keeps the certificate and policies');
  const ending = terminating(env);
  if (ending.length && nlb.tls.certificateArn === undefined)
    add("aws.nlb.tls.certificateArn", undefined, `is required: ${ending.map(([p]) => p).join(", ")} ${ending.length === 1 ? "ends" : "end"} TLS at the load balancer, which needs an ACM certificate on the NLB`);
  if (!ending.length && nlb.tls.certificateArn !== undefined)
    add("aws.nlb.tls.certificateArn", nlb.tls.certificateArn, 'is unused: no entry point ends TLS at the load balancer; set ports.https.tls (or ports.tcp.<name>.tls) to "terminate", or remove the certificate');
  if (!ending.length && nlb.tls.alpnPolicy !== undefined) add("aws.nlb.tls.alpnPolicy", nlb.tls.alpnPolicy, "is unused: ALPN applies to TLS listeners and no entry point ends TLS at the load balancer");
  if (nlb.accessLogs) add("aws.nlb.accessLogs", nlb.accessLogs, rules.nlbAccessLogs(nlb.accessLogs.enabled, ending.length > 0));
  for (const [path, entry] of [
    ["ports.http", env.ports.http],
    ["ports.https", env.ports.https],
    ...Object.entries(env.ports.services).map(([k, v]): [string, typeof v] => [`ports.services.${k}`, v]),
  ] as const)
    if (entry.idleTimeout !== undefined) add(`${path}.idleTimeout`, entry.idleTimeout, rules.tcpIdleTimeout(entry.idleTimeout));
  const unhealthy = aws.targetGroups.unhealthyTargets;
  if (unhealthy) add("aws.targetGroups.unhealthyTargets.drainingInterval", unhealthy.drainingInterval, rules.unhealthyTargets(unhealthy));
  for (const [path, entry] of ending)
    if (entry.idleTimeout !== undefined && entry.idleTimeout !== DEFAULT_IDLE_TIMEOUT)
      add(path.replace(/tls$/, "idleTimeout"), entry.idleTimeout, `must be ${DEFAULT_IDLE_TIMEOUT} when TLS ends at the load balancer: AWS fixes the idle timeout of NLB TLS listeners at ${DEFAULT_IDLE_TIMEOUT} s (use tls: passthrough for a longer one)`);
  if (nlb.securityGroup.mode === "none" && !aws.vpc.allowPublicCidrs)
    aws.vpc.cidrs.forEach((c, i) => {
      if (!rules.cidrV4(c) && !rules.isPrivateCidr(c))
        add(`aws.vpc.cidrs.${i}`, c, `is not a private range (${rules.PRIVATE_RANGES.join(", ")}); the VPC CIDRs are admitted to the worker NodePorts, so this would open them to the internet. Set aws.vpc.allowPublicCidrs: true if the VPC really uses this address space`);
    });
  add("aws.nlb.subnets", nlb.subnets, rules.exactlyOneOf(nlb.subnets, nlb.subnetMappings, "aws.nlb.subnets", "aws.nlb.subnetMappings"));
  nlb.subnetMappings?.forEach((m, i) => {
    if (m.allocationId && !nlb.internetFacing) add(`aws.nlb.subnetMappings.${i}.allocationId`, m.allocationId, "Elastic IPs only apply to an internet-facing NLB");
    if (m.privateIpv4Address && nlb.internetFacing) add(`aws.nlb.subnetMappings.${i}.privateIpv4Address`, m.privateIpv4Address, "fixed private addresses only apply to an internal NLB (internetFacing: false)");
  });
  const lb = nlb.name ?? awsElbName([env.name, aws.cluster.name]);
  add("aws.nlb.name", nlb.name, rules.awsElbName(lb, "load balancer"));
  for (const p of rules.nlbHealthCheck({ protocol: "HTTP", ...aws.targetGroups.healthCheck })) add(`aws.targetGroups.healthCheck.${p.field}`, p.value, p.message);
  add("aws.targetGroups.deregistrationDelay", aws.targetGroups.deregistrationDelay, rules.deregistrationDelay(aws.targetGroups.deregistrationDelay));
  for (const [name, s] of Object.entries(env.ports.services)) {
    add(`ports.services.${name}.selector`, s.selector, rules.exactlyOneOf(s.selector, s.existingService, `ports.services.${name}.selector`, `ports.services.${name}.existingService`));
  }
  if (aws.targets.mode === "static") {
    const ips = aws.targets.ips;
    ips.forEach((ip, i) => add(`aws.targets.ips.${i}`, ip, rules.ipTarget(ip, aws.vpc.cidrs)));
    for (const i of rules.repeatedIndexes(ips)) add(`aws.targets.ips.${i}`, ips[i], "is listed twice");
  }
  if (!portsValid) return undefined;

  const c = cluster(env, aws.cluster.name, stackNames.awsCluster(env.name), "node-ports", controller, problems);
  const listeners = c.contract.entryPoints.length + c.contract.services.length;
  add("aws.nlb", listeners, rules.nlbListenerCount(listeners));
  // Every target is registered in every target group (one per listener).
  if (nlb.crossZone && aws.targets.mode === "static") add("aws.targets.ips", aws.targets.ips.length, rules.nlbCrossZoneTargets(aws.targets.ips.length, listeners));
  const tls = c.contract.terminatesTls && nlb.tls.certificateArn !== undefined ? { certificateArn: nlb.tls.certificateArn, sslPolicy: nlb.tls.sslPolicy, alpnPolicy: nlb.tls.alpnPolicy } : undefined;
  const names = {
    lb,
    targetGroups: Object.fromEntries([...c.contract.entryPoints, ...c.contract.services].map((e) => [e.name, awsElbName([env.name, aws.cluster.name, e.name])])),
    securityGroup: `${awsElbName([env.name, aws.cluster.name])}-nlb`,
  };
  if (nlb.securityGroup.mode === "create") add("name", env.name, rules.securityGroupName(names.securityGroup));
  const p = env.ports;
  const entrySettings: Record<string, EntrySettings> = {
    http: { connectionTermination: p.http.connectionTermination, idleTimeout: p.http.idleTimeout },
    https: { connectionTermination: p.https.connectionTermination, idleTimeout: p.https.idleTimeout },
    ...Object.fromEntries(Object.entries(p.tcp).map(([k, t]) => [k, { connectionTermination: t.connectionTermination, idleTimeout: t.idleTimeout }])),
    ...Object.fromEntries(Object.entries(p.services).map(([k, s]) => [k, { connectionTermination: s.connectionTermination, idleTimeout: s.idleTimeout }])),
  };
  const lattice = resolveLattice(env, aws, problems);
  if (lattice)
    add(
      aws.lattice?.serviceNetworkName !== undefined ? "aws.lattice.serviceNetworkName" : "name",
      aws.lattice?.serviceNetworkName ?? env.name,
      rules.securityGroupName(latticeClientsSecurityGroupName(lattice.network.serviceNetworkName)),
    );
  return {
    aws,
    api: resolveApi(env, aws, c.contract, names, add),
    lattice,
    cluster: c,
    targetKind: aws.targets.mode === "controller" ? "pod" : "node",
    names,
    tls,
    entrySettings,
    edgeStack: stackNames.awsEdge(env.name),
  };
}

function resolveApi(env: Env, aws: AwsEnv, contract: PortContract, names: { readonly lb: string; readonly securityGroup: string }, add: (path: string, value: unknown, message: string | undefined) => void): ApiPlan | undefined {
  const api = aws.apiGateway;
  if (!api) return undefined;
  if (aws.nlb.internetFacing && !api.allowDirectClients)
    add("aws.nlb.internetFacing", true, "must be false with aws.apiGateway: an internet-facing NLB lets clients skip API Gateway's throttling and authorization; make it internal, or set aws.apiGateway.allowDirectClients: true on purpose");
  const entries = new Map([...contract.entryPoints, ...contract.services].map((e) => [e.name, e]));
  const targets: Record<string, { port: number; tls?: { serverName: string } }> = {};
  for (const [key, target] of Object.entries(api.routes)) {
    add(`aws.apiGateway.routes.${key}`, key, api.type === "http" ? gw.httpRouteKey(key) : gw.restRouteKey(key));
    const e = entries.get(target);
    if (!e) {
      add(`aws.apiGateway.routes.${key}`, target, `names no entry point or service; known: ${[...entries.keys()].join(", ")}`);
      continue;
    }
    // API Gateway speaks HTTPS where TLS reaches the listener: a TLS listener, or https passed through.
    const speaksTls = e.tls === "terminate" || (e.kind === "https" && e.tls === "passthrough");
    if (speaksTls && api.tlsServerName === undefined)
      add("aws.apiGateway.tlsServerName", undefined, `is required: route "${key}" goes to ${target}, where API Gateway speaks HTTPS and must verify the certificate against a name`);
    targets[target] = { port: e.listenerPort, tls: speaksTls && api.tlsServerName ? { serverName: api.tlsServerName } : undefined };
  }
  const subnetIds = api.vpcLinkSubnets ?? aws.nlb.subnets ?? (aws.nlb.subnetMappings ?? []).map((m) => m.subnetId);
  const sg = aws.nlb.securityGroup;
  const name = derivedName([env.name, "gatehouse", "api"], 100);
  add("name", env.name, rules.securityGroupName(vpcLinkSecurityGroupName(name)));
  // The construct's own checks of the custom domain, at the environment's fields: a Regional
  // domain takes a certificate from the API's Region only.
  if (api.domain) {
    add("aws.apiGateway.domain.name", api.domain.name, gw.customDomainName(api.domain.name));
    add("aws.apiGateway.domain.certificateArn", api.domain.certificateArn, gw.regionalCertificateArn(api.domain.certificateArn, aws.region));
  }
  return {
    stack: stackNames.awsApi(env.name),
    props: {
      name,
      type: api.type,
      lbName: names.lb,
      targets,
      routes: api.routes,
      vpcLink: { subnetIds, vpcId: aws.vpc.id, cidrs: aws.vpc.cidrs },
      stage: api.stage,
      domain: api.domain,
      region: aws.region,
    },
    nlbSecurityGroup: sg.mode === "create" ? { created: names.securityGroup } : sg.mode === "existing" ? { ids: sg.ids } : undefined,
  };
}

function resolveLattice(env: Env, aws: AwsEnv, problems: EnvProblem[]): LatticePlan | undefined {
  const l = aws.lattice;
  if (!l) return undefined;
  const serviceNetworkName = l.serviceNetworkName ?? `${env.name}-gatehouse`;
  const listenerPorts = l.https ? [80, 443] : [80];
  const roleName = latticeControllerRoleName({ env: env.name, region: aws.region, cluster: aws.cluster.name });
  const network: LatticeNetworkProps = {
    roleName,
    region: aws.region,
    serviceNetworkName,
    authType: l.authType,
    authPolicy: l.authPolicy,
    clusterName: aws.cluster.name,
    vpcId: aws.vpc.id,
    associationSecurityGroups: { create: { clientCidrs: l.clientCidrs ?? aws.vpc.cidrs, listenerPorts } },
    podPorts: l.podPorts,
    // The deploy guide opens the nodes' security groups: the workers' as well as the cluster's.
    nodeSecurityGroupIds: aws.workerSecurityGroupIds,
    identity: l.identity === "irsa" ? { mode: "irsa" } : { mode: "pod-identity", installAgent: l.installPodIdentityAgent },
  };
  // The constructs' own checks, reported at the environment's field paths.
  const at = (prefix: string) => (p: EnvProblem) => ({ ...p, path: `${prefix}.${p.path}` });
  // Props the plan fills from outside aws.lattice, by their env fields.
  const networkPaths: Readonly<Record<string, string>> = {
    nodeSecurityGroupIds: "aws.workerSecurityGroupIds",
    "associationSecurityGroups.create.clientCidrs": l.clientCidrs ? "aws.lattice.clientCidrs" : "aws.vpc.cidrs",
  };
  const atEnvField = (p: EnvProblem): EnvProblem => {
    const prop = Object.keys(networkPaths).find((k) => p.path === k || p.path.startsWith(`${k}.`));
    return prop === undefined ? at("aws.lattice")(p) : { ...p, path: `${networkPaths[prop]}${p.path.slice(prop.length)}` };
  };
  problems.push(...latticeNetworkProblems(network).map(atEnvField));
  problems.push(...routeProblems(l.routes, { features: AWS_GATEWAY_CONTROLLER_ROUTE_FEATURES, controller: AWS_GATEWAY_CONTROLLER_NAME }).map(at("aws.lattice")));
  const controller = {
    clusterName: aws.cluster.name,
    clusterVpcId: aws.vpc.id,
    awsRegion: aws.region,
    serviceNetworkName,
    https: l.https,
    routes: parseRoutes(l.routes),
    serviceExports: l.serviceExports,
    serviceImports: l.serviceImports,
  };
  // The controller's own checks include the route features for direct users of the construct:
  // the same rule gives the same problem, reported once.
  for (const p of awsGatewayControllerProblems(controller).map(at("aws.lattice")))
    if (!problems.some((q) => q.path === p.path && q.message === p.message)) problems.push(p);
  return { stack: stackNames.awsLattice(env.name), network, controller, roleName };
}

function resolveGcp(env: Env, gcp: GcpEnv, controller: ControllerPlan, problems: EnvProblem[], portsValid: boolean): GcpPlan | undefined {
  const add = (path: string, value: unknown, message: string | undefined) => {
    if (message) problems.push({ path, value, message });
  };
  if (Object.keys(env.ports.services).length)
    add("ports.services", Object.keys(env.ports.services), "services are reached through the AWS NLB only (API Gateway's VPC link); an environment with a gcp section cannot have them");
  if (env.ports.proxyProtocol)
    add("ports.proxyProtocol", true, "must be false with a gcp section: the Application Load Balancer never sends PROXY headers, so the controller would reject every request");
  // Every tag becomes a label on every GCP resource, next to gatehouse's own.
  for (const p of rules.gcpLabelProblems(env.tags, gatehouseGcpLabels(env.name))) add(p.key === undefined ? "tags" : `tags.${p.key}`, p.key ?? Object.keys(env.tags).length, p.message);
  if (env.state.type === "cloud")
    add("state.workspacePrefix", env.state.workspacePrefix, rules.tfcWorkspaces(env.state.workspacePrefix, [stackNames.gcpAddress(env.name), stackNames.gcpEdge(env.name), ...gcp.clusters.map((c) => stackNames.gkeCluster(env.name, c.name))]));
  const names = new Set<string>();
  gcp.clusters.forEach((c, i) => {
    if (names.has(c.name)) add(`gcp.clusters.${i}.name`, c.name, "is used by another cluster of this environment; NEG and stack names would collide");
    names.add(c.name);
    const region = /^[a-z]+-[a-z]+[0-9]+/.exec(c.location)?.[0] ?? "";
    const loc = rules.gcpRegion(region) ?? (c.location === region ? undefined : rules.gcpZoneInRegion(c.location, region));
    if (loc) add(`gcp.clusters.${i}.location`, c.location, 'must be a GCP region ("europe-west1") or zone ("europe-west1-b")');
    c.zones.forEach((z, j) => {
      add(`gcp.clusters.${i}.zones.${j}`, z, rules.gcpZoneInRegion(z, region));
      if (c.location !== region && z !== c.location) add(`gcp.clusters.${i}.zones.${j}`, z, `a zonal cluster in ${c.location} has nodes only in that zone`);
    });
    for (const j of rules.repeatedIndexes(c.zones)) add(`gcp.clusters.${i}.zones.${j}`, c.zones[j], "is listed twice");
  });
  if (gcp.clusters.every((c) => c.capacity === 0))
    add("gcp.clusters", gcp.clusters.map((c) => c.capacity), "every cluster has capacity 0: the load balancer would have nowhere to send traffic; keep at least one above 0");
  gcp.hostnames.forEach((h, i) => {
    if (!rules.isWithinDomain(h, gcp.dns.domain)) add(`gcp.hostnames.${i}`, h, `is not inside the managed zone's domain ${gcp.dns.domain}`);
  });
  if (new Set(gcp.hostnames).size !== gcp.hostnames.length) add("gcp.hostnames", gcp.hostnames, "lists a hostname twice");
  else {
    // Hostnames become parts of resource names and logical ids; two must not map to one.
    const keys = new Map<string, string>();
    const reported = new Set<number>();
    gcp.hostnames.forEach((h, i) => {
      const other = keys.get(hostKey(h));
      if (other !== undefined) {
        add(`gcp.hostnames.${i}`, h, `maps to the same resource names as "${other}"; rename one of them`);
        reported.add(i);
      }
      keys.set(hostKey(h), h);
    });
    // So do the domains their DNS authorizations are for (a wildcard's is the name below it):
    // `*.x-y.example.com` and `x.y.example.com` need authorizations of one name.
    const domains = new Map<string, string>();
    gcp.hostnames.forEach((h, i) => {
      const domain = authorizationDomains([h])[0] ?? h;
      const key = hostKey(domain);
      const other = domains.get(key);
      if (other !== undefined && other !== domain && !reported.has(i))
        add(`gcp.hostnames.${i}`, h, `is authorized as "${domain}", whose DNS authorization maps to the same resource names as that of "${other}"; rename one of them`);
      if (other === undefined) domains.set(key, domain);
    });
  }
  const b = gcp.backends;
  for (const p of rules.gcpBackendProblems(b)) add(`gcp.backends.${p.field}`, p.value, p.message);
  if (b.iap?.oauth2ClientSecret !== undefined)
    add(
      "gcp.backends.iap.oauth2ClientSecret",
      "(hidden)",
      `must not be written in the environment: a secret in a config file ends up in version control and in the synthesized JSON. Set the Terraform variable ${IAP_SECRET_VARIABLE} of ${stackNames.gcpEdge(env.name)} instead (TF_VAR_${IAP_SECRET_VARIABLE}, or a sensitive workspace variable)`,
    );
  if (!portsValid) return undefined;

  const prefix = gcpName([env.name, "gatehouse"], 40);
  const address = { name: gcpChildName(prefix, ["ip"]), ipv6: gcp.ipv6, project: gcp.project };
  const clusters = gcp.clusters.map((g): GkePlan => ({ ...cluster(env, g.name, stackNames.gkeCluster(env.name, g.name), "gke-neg", controller, problems), gke: g }));
  return { gcp, prefix, address, clusters, addressStack: stackNames.gcpAddress(env.name), edgeStack: stackNames.gcpEdge(env.name) };
}

// ------------------------------------------------------------------ one cloud name, one owner

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

/** The release gatehouse's routes are applied with, in the controller's namespace (stacks/routes.ts). */
export const ROUTES_RELEASE_NAME = "gatehouse-routes";

/** What one cluster holds for an environment. */
function clusterClaims(plan: EnvPlan, c: ClusterPlan, where: string, opts: { account?: string; targetKind?: TargetKind; lattice?: boolean }): NameClaim[] {
  const env = plan.env;
  const { settings, identity, plugin } = c.controller;
  const ns = settings.namespace;
  const account = opts.account;
  const claims: NameClaim[] = [];
  const claim = (what: string, name: string, by: string, path: string, value: unknown, fix: string) => claims.push({ where, what, name, by, path, value, fix, ...(account ? { account } : {}) });
  const byNamespace = `${SHARED_CLUSTER} controller.namespace (or controller.releaseName)`;

  // Names gatehouse fixes come first: when one of the environment's own names equals one of
  // them, the problem is reported at the field that can change.
  if (plan.routes.length) claim("Helm release", `${ns}/${ROUTES_RELEASE_NAME}`, "the routes", "controller.namespace", settings.namespace, `gatehouse applies the routes as release ${ROUTES_RELEASE_NAME} in the controller's namespace: ${SHARED_CLUSTER} controller.namespace`);
  const crds = identity.routes.api === "gateway" || opts.lattice;
  if (crds && env.controller.gatewayApiCrds === "install")
    claim("Helm release", `${GATEWAY_API_CRDS_DEFAULTS.namespace}/${GATEWAY_API_CRDS_DEFAULTS.releaseName}`, "the Gateway API CRDs", "controller.gatewayApiCrds", "install", 'the Gateway API CRDs are cluster-wide: let one environment install them and set controller.gatewayApiCrds: "cluster-managed" in the others');
  if (opts.lattice) {
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
  if (opts.targetKind === "node") claim("Service", `${ns}/${identity.healthServiceName}`, "the health check", "controller.releaseName", settings.releaseName, byNamespace);
  if (c.exposure === "node-ports") {
    const ports: Array<[string, number, string]> = [
      ...c.contract.entryPoints.map((e): [string, number, string] => [`ports.${e.kind === "tcp" ? `tcp.${e.name}` : e.name}.nodePort`, e.nodePort, `entry point ${e.name}`]),
      ...c.contract.services.map((e): [string, number, string] => [`ports.services.${e.name}.nodePort`, e.nodePort, `service ${e.name}`]),
      ...(opts.targetKind === "node" ? [["ports.health.nodePort", c.contract.health.nodePort, "the health check"] as [string, number, string]] : []),
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
export function nameClaims(plan: EnvPlan): NameClaim[] {
  const claims: NameClaim[] = [];
  const a = plan.aws;
  if (a) {
    const aws = a.aws;
    const account = awsAccountOf(aws);
    const inAccount = account ? { account } : {};
    const region = `AWS region ${aws.region}`;
    claims.push({
      where: region,
      what: "load balancer",
      name: a.names.lb,
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
      claims.push({ where: "AWS account (IAM)", what: "IAM role", name: lattice.roleName, by: "VPC Lattice", path: "aws.lattice", fix: iam, ...inAccount });
      claims.push({ where: "AWS account (IAM)", what: "IAM policy", name: lattice.roleName, by: "VPC Lattice", path: "aws.lattice", fix: iam, ...inAccount });
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
    const where = `cluster ${aws.cluster.name} in ${region}`;
    claims.push(...clusterClaims(plan, a.cluster, where, { account, targetKind: a.targetKind, lattice: lattice !== undefined }));
  }
  const g = plan.gcp;
  if (g) {
    const gcp = g.gcp;
    const zone = `Cloud DNS zone ${gcp.dns.zone} of project ${gcp.project}`;
    const hostFix = "one environment owns a hostname's records in a zone: serve it from one environment only (remove it from the other's gcp.hostnames)";
    gcp.hostnames.forEach((h, i) => claims.push({ where: zone, what: gcp.ipv6 ? "A/AAAA records" : "A record", name: h.toLowerCase(), by: "the global address", path: `gcp.hostnames.${i}`, value: h, fix: hostFix }));
    for (const domain of authorizationDomains(gcp.hostnames)) {
      const i = gcp.hostnames.findIndex((h) => h.replace(/^\*\./, "") === domain);
      claims.push({
        where: zone,
        what: "DNS authorization record",
        name: `_acme-challenge.${domain.toLowerCase()}`,
        by: "the certificates",
        path: `gcp.hostnames.${i}`,
        value: gcp.hostnames[i],
        fix: `${domain} and *.${domain} share Certificate Manager's authorization record in the zone: serve both from one environment`,
      });
    }
    g.clusters.forEach((c, i) => {
      for (const entry of negEntryPoints(c.contract))
        for (const zoneName of c.gke.zones)
          claims.push({ where: `GCP project ${gcp.project}, zone ${zoneName}`, what: "NEG", name: entry.negName, by: `cluster ${c.name}`, path: `gcp.clusters.${i}.name`, value: c.name, fix: "GKE gives a NEG to one Service only: rename one cluster" });
      claims.push(...clusterClaims(plan, c, `GKE cluster ${c.name} in ${c.gke.location} of project ${gcp.project}`, {}));
    });
  }
  return claims;
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
  return [...groups.values()].map(({ env, claim, owner, names }) => {
    const whose = owner.env === env ? `this environment's (${owner.claim.by})` : `environment ${owner.env}'s (${owner.claim.by})`;
    return { env, path: claim.path, value: claim.value, message: `${listed(names)} in ${claim.where} ${names.length === 1 ? "is" : "are"} also ${whose}: ${claim.fix}` };
  });
}
