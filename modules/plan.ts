/**
 * Environment → resolved plan: the one place an environment is interpreted.
 *
 * A validated environment (envs/schema.ts) becomes, per cluster, the port contract (entry points
 * with their TLS choice and target kind), every derived name, the controller (plug-in, settings
 * and identity) and every plan-level problem. The schema's cross-field check reports the problems
 * (`planProblems`); the stack builder takes the plan (`planEnvironment`), never the raw
 * environment, so what is validated is what is built. Pure: no constructs, no I/O.
 */
import type { AwsEnv, Env, GcpEnv, GkeCluster } from "../envs/schema";
import { buildContract, contractProblems, DEFAULT_IDLE_TIMEOUT, negEntryPoints, type ContractInput, type PortContract, type TargetKind } from "./contract";
import { ConfigError, type Problem } from "./errors";
import type { ApiGatewayProps } from "./aws/api-gateway";
import * as gw from "./aws/api-gateway-rules";
import { latticeControllerRoleName, latticeNetworkProblems, type LatticeNetworkProps } from "./aws/lattice";
import type { NlbEntrySettings, TlsAtLoadBalancer } from "./aws/nlb-edge";
import { AWS_GATEWAY_CONTROLLER_NAME, AWS_GATEWAY_CONTROLLER_ROUTE_FEATURES, awsGatewayControllerProblems, type AwsGatewayControllerProps } from "./k8s/aws-gateway-controller";
import type { ControllerIdentity, ControllerPlugin, ControllerSettings, EnvProblem, Exposure } from "./k8s/controller";
import { controllerPlugin } from "./k8s/controllers";
import { awsElbName, derivedName, gcpChildName, gcpName, hostKey, stackNames } from "./naming";
import { parseRoutes, routeProblems } from "./route-rules";
import type { Route } from "./routes";
import * as rules from "./rules";

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


function resolveAws(env: Env, aws: AwsEnv, controller: ControllerPlan, problems: EnvProblem[], portsValid: boolean): AwsPlan | undefined {
  const add = (path: string, value: unknown, message: string | undefined) => {
    if (message) problems.push({ path, value, message });
  };
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
  const p = env.ports;
  const entrySettings: Record<string, EntrySettings> = {
    http: { connectionTermination: p.http.connectionTermination, idleTimeout: p.http.idleTimeout },
    https: { connectionTermination: p.https.connectionTermination, idleTimeout: p.https.idleTimeout },
    ...Object.fromEntries(Object.entries(p.tcp).map(([k, t]) => [k, { connectionTermination: t.connectionTermination, idleTimeout: t.idleTimeout }])),
    ...Object.fromEntries(Object.entries(p.services).map(([k, s]) => [k, { connectionTermination: s.connectionTermination, idleTimeout: s.idleTimeout }])),
  };
  return {
    aws,
    api: resolveApi(env, aws, c.contract, names, add),
    lattice: resolveLattice(env, aws, problems),
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
  return {
    stack: stackNames.awsApi(env.name),
    props: {
      name: derivedName([env.name, "gatehouse", "api"], 100),
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
  const roleName = latticeControllerRoleName(aws.cluster.name);
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
  const networkPaths: Readonly<Record<string, string>> = { nodeSecurityGroupIds: "aws.workerSecurityGroupIds" };
  const atEnvField = (p: EnvProblem): EnvProblem => {
    const [head = "", ...rest] = p.path.split(".");
    const field = networkPaths[head];
    return field === undefined ? at("aws.lattice")(p) : { ...p, path: [field, ...rest].join(".") };
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
    gcp.hostnames.forEach((h, i) => {
      const other = keys.get(hostKey(h));
      if (other !== undefined) add(`gcp.hostnames.${i}`, h, `maps to the same resource names as "${other}"; rename one of them`);
      keys.set(hostKey(h), h);
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

/**
 * NEG names must be unique per project and zone across everything gatehouse makes: GKE refuses
 * to adopt a NEG another cluster's Service already owns. Derived names cannot collide (see
 * naming.ts); this second line catches what a hand-made change could still break.
 */
export function crossEnvProblems(plans: readonly EnvPlan[]): Problem[] {
  const owners = new Map<string, string>();
  const problems: Problem[] = [];
  for (const plan of plans) {
    plan.gcp?.clusters.forEach((c, i) => {
      for (const entry of negEntryPoints(c.contract)) {
        for (const zone of c.gke.zones) {
          const key = `${plan.gcp?.gcp.project}/${zone}/${entry.negName}`;
          const owner = `${plan.env.name}/${c.name}`;
          const prev = owners.get(key);
          if (prev !== undefined && prev !== owner)
            problems.push({ env: plan.env.name, path: `gcp.clusters.${i}.name`, value: c.name, message: `its NEG "${entry.negName}" in ${zone} collides with cluster ${prev}; rename one cluster` });
          owners.set(key, owner);
        }
      }
    });
  }
  return problems;
}
