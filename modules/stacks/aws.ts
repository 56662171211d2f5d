/**
 * The AWS stacks of an environment, wiring only: each takes its part of the plan, makes the
 * constructs with the props the plan built, and passes between them what only exists once a
 * construct does (a security group's id, a target group's ARN).
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
import { DnsValidatedCertificate } from "../aws/acm";
import { NlbEdge } from "../aws/nlb-edge";
import { HostedZone, NlbAliasRecords } from "../aws/route53";
import { NlbSecurityGroup } from "../aws/nlb-security-group";
import { NodeAccessRules } from "../aws/node-access";
import { TargetRegistration } from "../aws/targets";
import { AwsGatewayController } from "../k8s/aws-gateway-controller";
import { ClusterAccess } from "../k8s/cluster-access";
import type { Controller } from "../k8s/controllers/plugin";
import { GatewayApiCrds } from "../k8s/gateway-api";
import { HealthCheckService } from "../k8s/healthcheck-service";
import { Routes } from "../k8s/route-objects";
import { ServiceEntries } from "../k8s/service-entries";
import { TargetGroupBindings } from "../k8s/target-group-binding";
import type { AwsClusterPlan, AwsEdgePlan, AwsStackSettings } from "../plan";
import { configureState } from "./state";

/** An AWS stack's provider (the env's region, its tags on everything) and state backend. */
export function awsStackBase(stack: TerraformStack, id: string, settings: AwsStackSettings): AwsProvider {
  const provider = awsProvider(stack, settings);
  configureState(stack, id, settings.state);
  return provider;
}

/** The AWS provider of an environment (its Region, its tags on everything), in a stack of either cloud. */
export function awsProvider(stack: TerraformStack, settings: AwsStackSettings): AwsProvider {
  return new AwsProvider(stack, "aws", { region: settings.region, defaultTags: [{ tags: { ...settings.defaultTags } }] });
}

export class AwsEdgeStack extends TerraformStack {
  public readonly edge: NlbEdge;
  public readonly certificate?: DnsValidatedCertificate;
  public readonly records?: NlbAliasRecords;

  constructor(scope: Construct, id: string, plan: AwsEdgePlan) {
    super(scope, id);
    awsStackBase(this, id, plan.settings);

    // Keyed by a name from the configuration: the created group's id is a reference, and
    // construct ids (Terraform addresses) must never be derived from one.
    let lbSecurityGroups: Record<string, string> | undefined;
    const sg = plan.securityGroup;
    if (sg && "create" in sg) lbSecurityGroups = { nlb: new NlbSecurityGroup(this, "nlb-sg", sg.create).securityGroup.id };
    else if (sg) lbSecurityGroups = Object.fromEntries(sg.ids.map((sgId) => [sgId, sgId]));

    // The hostnames' zone, and the ACM certificate validated through it.
    const zone = plan.zone && new HostedZone(this, "zone", plan.zone);
    if (plan.certificate && zone) this.certificate = new DnsValidatedCertificate(this, "certificate", { ...plan.certificate, zoneId: zone.zoneId });
    const certificateArn = plan.nlb.tls?.certificateArn ?? this.certificate?.certificateArn;
    if (plan.nlb.tls && certificateArn === undefined) throw new Error(`${id}: the plan gives the TLS listeners neither a certificate ARN nor a certificate to request`);
    const tls = plan.nlb.tls && certificateArn !== undefined ? { ...plan.nlb.tls, certificateArn } : undefined;
    this.edge = new NlbEdge(this, "edge", { ...plan.nlb, tls, securityGroupIds: lbSecurityGroups ? Object.values(lbSecurityGroups) : undefined });
    if (plan.records && zone) this.records = new NlbAliasRecords(this, "dns", { ...plan.records, zoneId: zone.zoneId, target: { dnsName: this.edge.lb.dnsName, zoneId: this.edge.lb.zoneId } });

    if (plan.targets) {
      const groups: Record<string, { arn: string; port: number }> = {};
      for (const t of this.edge.targetPorts) {
        const tg = this.edge.targetGroups[t.entry.name];
        if (!tg) throw new Error(`${id}: no target group for entry point ${t.entry.name}`);
        groups[t.entry.name] = { arn: tg.arn, port: t.trafficPort };
      }
      new TargetRegistration(this, "targets", { ...plan.targets, targetGroups: groups });
    }

    new NodeAccessRules(this, "node-access", {
      targetPorts: this.edge.targetPorts,
      targetSecurityGroups: plan.nodeAccess.targetSecurityGroups,
      from: lbSecurityGroups ? { securityGroups: lbSecurityGroups } : { cidrs: plan.nodeAccess.vpcCidrs },
    });

    new TerraformOutput(this, "nlb_dns_name", { value: this.edge.lb.dnsName, description: "DNS name of the NLB: point your records here." });
    new TerraformOutput(this, "nlb_arn", { value: this.edge.lb.arn });
    new TerraformOutput(this, "target_group_arns", {
      value: Object.fromEntries(Object.entries(this.edge.targetGroups).map(([k, tg]) => [k, tg.arn])),
      description: "Target group ARN per entry point.",
    });
  }
}

export interface AwsClusterStackProps {
  readonly plan: AwsClusterPlan;
  readonly edgeStack: AwsEdgeStack;
  readonly latticeStack?: TerraformStack;
}

export class AwsClusterStack extends TerraformStack {
  public readonly controller: Controller;
  public readonly healthCheck?: HealthCheckService;
  public readonly bindings?: TargetGroupBindings;
  public readonly routes?: Routes;
  public readonly services?: ServiceEntries;
  public readonly lattice?: AwsGatewayController;

  constructor(scope: Construct, id: string, props: AwsClusterStackProps) {
    super(scope, id);
    const plan = props.plan;
    const contract = plan.contract;
    awsStackBase(this, id, plan.settings);
    this.addDependency(props.edgeStack);
    const access = new ClusterAccess(this, "cluster", plan.access);
    // Before the controllers, which only ask for the CRDs: whether they are installed is the
    // environment's choice, checked against this cluster (EKS: its version; else the API server's).
    GatewayApiCrds.configure(this, { source: plan.gatewayApiCrds, channel: plan.gatewayApiChannel, cluster: { description: access.description, kubernetesVersion: access.eks?.version } });

    const controller = plan.controller;
    // The construct id is the kind: Terraform addresses stay put across releases of a controller.
    this.controller = controller.plugin.create(this, controller.plugin.kind, { contract, exposure: plan.exposure, settings: controller.settings });
    const dependsOn = [...this.controller.dependables];
    if (contract.services.length) this.services = new ServiceEntries(this, "services", { contract });
    if (plan.healthCheck) this.healthCheck = new HealthCheckService(this, "healthcheck", { contract, dependsOn });
    if (plan.bindings) {
      const arns: Record<string, string> = {};
      for (const [entry, name] of Object.entries(plan.bindings.targetGroupNames)) arns[entry] = new DataAwsLbTargetGroup(this, `tg-${entry}`, { name }).arn;
      // A service entry's binding names the NodePort Service gatehouse makes for it.
      const services = Object.values(this.services?.services ?? {});
      this.bindings = new TargetGroupBindings(this, "bindings", { contract, targetGroupArns: arns, dependsOn: [...dependsOn, ...services], podReadinessGate: plan.bindings.podReadinessGate });
    }
    if (plan.routes) this.routes = new Routes(this, "routes", { ...plan.routes, dependsOn });
    const lattice = plan.lattice;
    if (lattice && props.latticeStack) {
      this.addDependency(props.latticeStack);
      // What only the cluster's account knows, read here rather than passed between states.
      const account = new DataAwsCallerIdentity(this, "account");
      const eks = new DataAwsEksCluster(this, "lattice-eks", { name: lattice.clusterName });
      const identity = lattice.irsaRoleName !== undefined ? { mode: "irsa" as const, roleArn: new DataAwsIamRole(this, "lattice-role", { name: lattice.irsaRoleName }).arn } : { mode: "pod-identity" as const };
      this.lattice = new AwsGatewayController(this, "lattice-controller", { ...lattice.controller, awsAccountId: account.accountId, identity, kubernetesVersion: eks.version });
    }
  }
}
