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
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { TerraformOutput, TerraformStack } from "../cdktf";
import type { PortContract, TargetKind } from "../contract";
import { NlbEdge } from "../aws/nlb-edge";
import { NlbSecurityGroup } from "../aws/nlb-security-group";
import { NodeAccessRules, type NodeAccessSource } from "../aws/node-access";
import { TargetRegistration } from "../aws/targets";
import { ClusterAccess } from "../k8s/cluster-access";
import { HealthCheckService } from "../k8s/healthcheck-service";
import { IngressNginx } from "../k8s/ingress-nginx";
import { TargetGroupBindings } from "../k8s/target-group-binding";
import { awsElbName } from "../naming";
import type { AwsEnv, Env } from "../../envs/schema";
import { configureState } from "./state";

export interface AwsStackProps {
  readonly env: Env;
  readonly aws: AwsEnv;
  readonly contract: PortContract;
}

/** Names both AWS stacks agree on. */
export function awsNames(props: AwsStackProps): { lb: string; targetGroups: Record<string, string>; securityGroup: string } {
  const { env, aws, contract } = props;
  return {
    lb: aws.nlb.name ?? awsElbName([env.name, aws.cluster.name]),
    targetGroups: Object.fromEntries(contract.entryPoints.map((e) => [e.name, awsElbName([env.name, aws.cluster.name, e.name])])),
    securityGroup: `${awsElbName([env.name, aws.cluster.name])}-nlb`,
  };
}

export function targetKindOf(aws: AwsEnv): TargetKind {
  return aws.targets.mode === "controller" ? "pod" : "node";
}

function awsProvider(stack: Construct, props: AwsStackProps): AwsProvider {
  return new AwsProvider(stack, "aws", {
    region: props.aws.region,
    defaultTags: [{ tags: { ...props.env.tags, "gatehouse:env": props.env.name, "gatehouse:managed-by": "gatehouse" } }],
  });
}

export class AwsEdgeStack extends TerraformStack {
  public readonly edge: NlbEdge;

  constructor(scope: Construct, id: string, props: AwsStackProps) {
    super(scope, id);
    const { aws, contract } = props;
    awsProvider(this, props);
    configureState(this, id, props.env.state);
    const names = awsNames(props);
    const targetKind = targetKindOf(aws);
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

    const tls = aws.nlb.tls;
    const lbTls = contract.terminatesTls && tls.certificateArn !== undefined ? { certificateArn: tls.certificateArn, sslPolicy: tls.sslPolicy, alpnPolicy: tls.alpnPolicy } : undefined;
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
      tls: lbTls,
      clusterTag: aws.nlb.clusterTag,
      deregistrationDelay: aws.targetGroups.deregistrationDelay,
      healthCheck: aws.targetGroups.healthCheck,
    });

    if (aws.targets.mode !== "controller") {
      const groups: Record<string, { arn: string; port: number }> = {};
      for (const t of this.edge.targetPorts) {
        const tg = this.edge.targetGroups[t.entry.name];
        if (tg) groups[t.entry.name] = { arn: tg.arn, port: t.trafficPort };
      }
      new TargetRegistration(this, "targets", {
        targetGroups: groups,
        vpcCidrs: aws.vpc.cidrs,
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
  public readonly controller: IngressNginx;
  public readonly healthCheck?: HealthCheckService;
  public readonly bindings?: TargetGroupBindings;

  constructor(scope: Construct, id: string, props: AwsStackProps & { readonly edgeStack: AwsEdgeStack }) {
    super(scope, id);
    const { env, aws, contract } = props;
    awsProvider(this, props);
    configureState(this, id, env.state);
    this.addDependency(props.edgeStack);
    const access = aws.cluster.access;
    new ClusterAccess(this, "cluster", access.type === "eks" ? { type: "eks", clusterName: aws.cluster.name } : { type: "kubeconfig", path: access.path, context: access.context });

    this.controller = new IngressNginx(this, "ingress-nginx", {
      contract,
      exposure: "node-ports",
      releaseName: env.controller.releaseName,
      chartVersion: env.controller.chartVersion,
      replicas: env.controller.replicas,
      resources: env.controller.resources,
      config: env.controller.config,
    });
    if (targetKindOf(aws) === "node") {
      this.healthCheck = new HealthCheckService(this, "healthcheck", { contract, dependsOn: [this.controller.release] });
    } else {
      const names = awsNames(props);
      const arns = Object.fromEntries(
        contract.entryPoints.map((e) => [e.name, new DataAwsLbTargetGroup(this, `tg-${e.name}`, { name: names.targetGroups[e.name] }).arn]),
      );
      this.bindings = new TargetGroupBindings(this, "bindings", { contract, targetGroupArns: arns, dependsOn: [this.controller.release] });
    }
  }
}
