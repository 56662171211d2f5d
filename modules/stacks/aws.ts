/**
 * The AWS stacks of an environment:
 * - `<env>-aws-edge`: the NLB, listeners, target groups, target registration and the worker
 *   security-group rules;
 * - `<env>-aws-cluster`: the ingress controller release, the health-check Service and, for
 *   controller-managed targets, the TargetGroupBindings. It looks the target groups up by name,
 *   so it depends on the edge stack (declared, so deploy order and run triggers follow it).
 */
import type { Construct } from "constructs";
import { DataAwsLbTargetGroup } from "@cdktf/provider-aws/lib/data-aws-lb-target-group";
import { DataAwsCallerIdentity } from "@cdktf/provider-aws/lib/data-aws-caller-identity";
import { DataAwsEksCluster } from "@cdktf/provider-aws/lib/data-aws-eks-cluster";
import { DataAwsIamRole } from "@cdktf/provider-aws/lib/data-aws-iam-role";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { TerraformOutput, TerraformStack } from "../core/cdktf";
import { NlbEdge } from "../aws/nlb-edge";
import { NlbSecurityGroup } from "../aws/nlb-security-group";
import { NodeAccessRules, type NodeAccessSource } from "../aws/node-access";
import { TargetRegistration } from "../aws/targets";
import { AwsGatewayController } from "../k8s/aws-gateway-controller";
import { ClusterAccess } from "../k8s/cluster-access";
import type { Controller } from "../k8s/controllers/plugin";
import { GatewayApiCrds } from "../k8s/gateway-api";
import { HealthCheckService } from "../k8s/healthcheck-service";
import { Routes } from "../k8s/route-objects";
import { ServiceEntries } from "../k8s/service-entries";
import { TargetGroupBindings } from "../k8s/target-group-binding";
import type { AwsPlan, EnvPlan } from "../plan";
import { routesProps } from "./routes";
import { configureState } from "./state";

export interface AwsStackProps {
  readonly plan: EnvPlan;
  readonly aws: AwsPlan;
}

/** An AWS stack's provider (the env's region, its tags on everything) and state backend. */
export function awsStackBase(stack: TerraformStack, id: string, props: AwsStackProps): AwsProvider {
  const env = props.plan.env;
  const provider = new AwsProvider(stack, "aws", {
    region: props.aws.aws.region,
    defaultTags: [{ tags: { ...env.tags, "gatehouse:env": env.name, "gatehouse:managed-by": "gatehouse" } }],
  });
  configureState(stack, id, env.state);
  return provider;
}

export class AwsEdgeStack extends TerraformStack {
  public readonly edge: NlbEdge;

  constructor(scope: Construct, id: string, props: AwsStackProps) {
    super(scope, id);
    const { aws, names, targetKind } = props.aws;
    const contract = props.aws.cluster.contract;
    awsStackBase(this, id, props);
    const targets = contract.targets(targetKind);

    // Keyed by a name from the configuration: the created group's id is a reference, and
    // construct ids (Terraform addresses) must never be derived from one.
    let lbSecurityGroups: Record<string, string> | undefined;
    if (aws.nlb.securityGroup.mode === "create") {
      const sg = new NlbSecurityGroup(this, "nlb-sg", { name: names.securityGroup, vpcId: aws.vpc.id, clientCidrs: aws.nlb.securityGroup.clientCidrs, vpcCidrs: aws.vpc.cidrs, targetPorts: targets });
      lbSecurityGroups = { nlb: sg.securityGroup.id };
    } else if (aws.nlb.securityGroup.mode === "existing") {
      lbSecurityGroups = Object.fromEntries(aws.nlb.securityGroup.ids.map((id) => [id, id]));
    }

    this.edge = new NlbEdge(this, "edge", {
      contract,
      targetKind,
      name: names.lb,
      targetGroupNames: names.targetGroups,
      vpcId: aws.vpc.id,
      internetFacing: aws.nlb.internetFacing,
      subnets: aws.nlb.subnets,
      subnetMappings: aws.nlb.subnetMappings,
      deletionProtection: aws.nlb.deletionProtection,
      crossZone: aws.nlb.crossZone,
      securityGroupIds: lbSecurityGroups ? Object.values(lbSecurityGroups) : undefined,
      tls: props.aws.tls,
      clusterTag: aws.nlb.clusterTag,
      deregistrationDelay: aws.targetGroups.deregistrationDelay,
      healthCheck: aws.targetGroups.healthCheck,
      entrySettings: props.aws.entrySettings,
      unhealthyTargets: aws.targetGroups.unhealthyTargets,
      accessLogs: aws.nlb.accessLogs,
      dnsClientRoutingPolicy: aws.nlb.dnsClientRoutingPolicy,
      zonalShift: aws.nlb.zonalShift,
    });

    if (aws.targets.mode !== "controller") {
      const groups: Record<string, { arn: string; port: number }> = {};
      for (const t of this.edge.targetPorts) {
        const tg = this.edge.targetGroups[t.entry.name];
        if (!tg) throw new Error(`${id}: no target group for entry point ${t.entry.name}`);
        groups[t.entry.name] = { arn: tg.arn, port: t.trafficPort };
      }
      new TargetRegistration(this, "targets", {
        targetGroups: groups,
        vpcCidrs: aws.vpc.cidrs,
        crossZone: aws.nlb.crossZone,
        source: aws.targets.mode === "discover" ? { mode: "discover", tagKey: aws.targets.tagKey, tagValues: aws.targets.tagValues, vpcId: aws.vpc.id } : { mode: "static", ips: aws.targets.ips },
      });
    }

    const from: NodeAccessSource = lbSecurityGroups ? { securityGroups: lbSecurityGroups } : { cidrs: aws.vpc.cidrs };
    new NodeAccessRules(this, "node-access", { targetPorts: this.edge.targetPorts, targetSecurityGroups: Object.fromEntries(aws.workerSecurityGroupIds.map((id) => [id, id])), from });

    new TerraformOutput(this, "nlb_dns_name", { value: this.edge.lb.dnsName, description: "DNS name of the NLB: point your records here." });
    new TerraformOutput(this, "nlb_arn", { value: this.edge.lb.arn });
    new TerraformOutput(this, "target_group_arns", {
      value: Object.fromEntries(Object.entries(this.edge.targetGroups).map(([k, tg]) => [k, tg.arn])),
      description: "Target group ARN per entry point.",
    });
  }
}

export class AwsClusterStack extends TerraformStack {
  public readonly controller: Controller;
  public readonly healthCheck?: HealthCheckService;
  public readonly bindings?: TargetGroupBindings;
  public readonly routes?: Routes;
  public readonly services?: ServiceEntries;
  public readonly lattice?: AwsGatewayController;

  constructor(scope: Construct, id: string, props: AwsStackProps & { readonly edgeStack: AwsEdgeStack; readonly latticeStack?: TerraformStack }) {
    super(scope, id);
    const { aws, names, targetKind, cluster } = props.aws;
    const contract = cluster.contract;
    awsStackBase(this, id, props);
    this.addDependency(props.edgeStack);
    const access = aws.cluster.access;
    const clusterAccess = new ClusterAccess(this, "cluster", access.type === "eks" ? { type: "eks", clusterName: aws.cluster.name } : { type: "kubeconfig", path: access.path, context: access.context });
    // Before the controllers, which only ask for the CRDs: whether they are installed is the
    // environment's choice, checked against this cluster (EKS: its version; else the API server's).
    GatewayApiCrds.configure(this, { source: props.plan.env.controller.gatewayApiCrds, cluster: { description: clusterAccess.description, kubernetesVersion: clusterAccess.eks?.version } });

    const controller = cluster.controller;
    // The construct id is the kind: Terraform addresses stay put across releases of a controller.
    this.controller = controller.plugin.create(this, controller.plugin.kind, { contract, exposure: cluster.exposure, settings: controller.settings });
    const dependsOn = [...this.controller.dependables];
    if (contract.services.length) this.services = new ServiceEntries(this, "services", { contract });
    if (targetKind === "node") {
      this.healthCheck = new HealthCheckService(this, "healthcheck", { contract, dependsOn });
    } else {
      const arns: Record<string, string> = {};
      for (const e of [...contract.entryPoints, ...contract.services]) {
        const name = names.targetGroups[e.name];
        if (name === undefined) throw new Error(`${id}: no target group name for entry point ${e.name}`);
        arns[e.name] = new DataAwsLbTargetGroup(this, `tg-${e.name}`, { name }).arn;
      }
      // A service entry's binding names the NodePort Service gatehouse makes for it.
      const services = Object.values(this.services?.services ?? {});
      this.bindings = new TargetGroupBindings(this, "bindings", {
        contract,
        targetGroupArns: arns,
        dependsOn: [...dependsOn, ...services],
        podReadinessGate: aws.targets.mode === "controller" && aws.targets.podReadinessGate,
      });
    }
    if (props.plan.routes.length) this.routes = new Routes(this, "routes", routesProps(props.plan, cluster, dependsOn));
    const lattice = props.aws.lattice;
    if (lattice && props.latticeStack) {
      this.addDependency(props.latticeStack);
      // What only the cluster's account knows, read here rather than passed between states.
      const account = new DataAwsCallerIdentity(this, "account");
      const eks = new DataAwsEksCluster(this, "lattice-eks", { name: aws.cluster.name });
      const identity = aws.lattice?.identity === "irsa" ? { mode: "irsa" as const, roleArn: new DataAwsIamRole(this, "lattice-role", { name: lattice.roleName }).arn } : { mode: "pod-identity" as const };
      this.lattice = new AwsGatewayController(this, "lattice-controller", { ...lattice.controller, awsAccountId: account.accountId, identity, kubernetesVersion: eks.version });
    }
  }
}
