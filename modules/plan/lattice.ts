/**
 * VPC Lattice: `<env>-aws-lattice` (the service network, its VPC association, the rules that let
 * Lattice reach the nodes, the controller's IAM identity) and the AWS Gateway API controller in
 * the cluster stack, with both constructs' checks run on the props built here.
 */
import type { FieldProblem } from "../core/errors";
import { stackNames } from "../core/naming";
import { latticeControllerRoleName, latticeNetworkProblems, type LatticeNetworkProps } from "../aws/lattice";
import { AWS_GATEWAY_CONTROLLER_NAME, AWS_GATEWAY_CONTROLLER_ROUTE_FEATURES, awsGatewayControllerProblems, type AwsGatewayControllerProps } from "../k8s/aws-gateway-controller";
import type { AwsEnv, Env } from "../model/env";
import { parseRoutes, routeProblems } from "../model/routes";
import type { AwsStackSettings } from "./settings";
import { atEnvFields, type PathTable } from "./paths";

/** The AWS side of VPC Lattice, `<env>-aws-lattice`. */
export interface LatticePlan {
  readonly stack: string;
  readonly settings: AwsStackSettings;
  readonly network: LatticeNetworkProps;
}

/** The AWS Gateway API controller in the cluster stack. */
export interface LatticeControllerPlan {
  /** Its props but what the stack reads of the account and the cluster (account id, role ARN, Kubernetes version). */
  readonly controller: Omit<AwsGatewayControllerProps, "awsAccountId" | "identity" | "kubernetesVersion">;
  /** The EKS cluster the stack reads the Kubernetes version of. */
  readonly clusterName: string;
  /** With IRSA, the role whose ARN the stack reads by name; with Pod Identity none. */
  readonly irsaRoleName?: string;
}


/** Both Lattice plans of an environment, before its stack settings are added. */
export interface ResolvedLattice {
  readonly stack: string;
  readonly network: LatticeNetworkProps;
  readonly controller: LatticeControllerPlan["controller"];
}

export function resolveLattice(env: Env, aws: AwsEnv, problems: FieldProblem[]): ResolvedLattice | undefined {
  const l = aws.lattice;
  if (!l) return undefined;
  const serviceNetworkName = l.serviceNetworkName ?? `${env.name}-gatehouse`;
  const network: LatticeNetworkProps = {
    roleName: latticeControllerRoleName({ env: env.name, region: aws.region, cluster: aws.cluster.name }),
    region: aws.region,
    serviceNetworkName,
    authType: l.authType,
    authPolicy: l.authPolicy,
    clusterName: aws.cluster.name,
    vpcId: aws.vpc.id,
    associationSecurityGroups: { create: { clientCidrs: l.clientCidrs ?? aws.vpc.cidrs, listenerPorts: l.https ? [80, 443] : [80] } },
    podPorts: l.podPorts,
    // The deploy guide opens the nodes' security groups: the workers' as well as the cluster's.
    nodeSecurityGroupIds: aws.workerSecurityGroupIds,
    identity: l.identity === "irsa" ? { mode: "irsa" } : { mode: "pod-identity", installAgent: l.installPodIdentityAgent },
  };
  const networkTable: PathTable = [
    ["", "aws.lattice"],
    ["roleName", "aws.cluster.name"],
    // Without one given, the service network is named after the environment.
    l.serviceNetworkName !== undefined ? ["serviceNetworkName", "aws.lattice.serviceNetworkName"] : ["serviceNetworkName", () => "name", { value: env.name }],
    ["region", "aws.region"],
    ["clusterName", "aws.cluster.name"],
    ["vpcId", "aws.vpc.id"],
    ["nodeSecurityGroupIds", "aws.workerSecurityGroupIds"],
    ["associationSecurityGroups.create.clientCidrs", l.clientCidrs ? "aws.lattice.clientCidrs" : "aws.vpc.cidrs"],
  ];
  problems.push(...atEnvFields("the Lattice service network", networkTable, latticeNetworkProblems(network)));

  // The route data first; the controller's checks of parsed routes only when it is right, so a
  // rule both stages state is reported once.
  const routeData = routeProblems(l.routes, { features: AWS_GATEWAY_CONTROLLER_ROUTE_FEATURES, controller: AWS_GATEWAY_CONTROLLER_NAME });
  problems.push(...atEnvFields("the Lattice routes", [["routes", "aws.lattice.routes"]], routeData));
  const controller: LatticeControllerPlan["controller"] = {
    clusterName: aws.cluster.name,
    clusterVpcId: aws.vpc.id,
    awsRegion: aws.region,
    serviceNetworkName,
    https: l.https,
    routes: routeData.length ? [] : parseRoutes(l.routes),
    serviceExports: l.serviceExports,
    serviceImports: l.serviceImports,
  };
  const controllerTable: PathTable = [
    ["", "aws.lattice"],
    ["clusterName", "aws.cluster.name"],
    ["clusterVpcId", "aws.vpc.id"],
    ["awsRegion", "aws.region"],
  ];
  problems.push(...atEnvFields("the AWS Gateway API controller", controllerTable, awsGatewayControllerProblems(controller)));
  return { stack: stackNames.awsLattice(env.name), network, controller };
}

/** The cluster stack's part of Lattice: the controller, and what the stack reads for it. */
export function latticeControllerPlan(aws: AwsEnv, lattice: ResolvedLattice): LatticeControllerPlan {
  return { controller: lattice.controller, clusterName: aws.cluster.name, irsaRoleName: aws.lattice?.identity === "irsa" ? lattice.network.roleName : undefined };
}

