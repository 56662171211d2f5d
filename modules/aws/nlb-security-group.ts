/**
 * A security group for the NLB itself: clients in on the listener ports, the NLB out to the
 * targets on the traffic and health ports only. With it, the worker rules can name this group
 * instead of the whole VPC CIDR.
 *
 * AWS attaches security groups to an NLB only at creation: adding this to an NLB that has none
 * replaces the NLB (and changes its DNS name). Decide it when the environment is created.
 */
import { Construct } from "constructs";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { VpcSecurityGroupEgressRule } from "@cdktf/provider-aws/lib/vpc-security-group-egress-rule";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import type { TargetPorts } from "../model/contract";
import { failIfAny, type FieldProblem } from "../core/errors";
import * as rules from "../core/rules";

export interface NlbSecurityGroupProps {
  readonly name: string;
  readonly vpcId: string;
  /** CIDRs allowed to reach the listeners, e.g. ["0.0.0.0/0"] for a public NLB. */
  readonly clientCidrs: readonly string[];
  /** VPC CIDRs the targets live in. */
  readonly vpcCidrs: readonly string[];
  readonly targetPorts: readonly TargetPorts[];
  readonly tags?: Readonly<Record<string, string>>;
}

/** What is wrong with these props, at their prop paths; empty when nothing is. */
export function nlbSecurityGroupProblems(props: NlbSecurityGroupProps): FieldProblem[] {
  return [
    ...(rules.securityGroupName(props.name) ? [{ path: "name", value: props.name, message: rules.securityGroupName(props.name) ?? "" }] : []),
    ...props.clientCidrs.flatMap((c, i) => {
      const m = rules.cidrV4(c);
      return m ? [{ path: `clientCidrs.${i}`, value: c, message: m }] : [];
    }),
    ...(props.clientCidrs.length === 0 ? [{ path: "clientCidrs", value: [], message: "needs at least one CIDR; an NLB security group with no ingress admits nobody" }] : []),
  ];
}

export class NlbSecurityGroup extends Construct {
  public readonly securityGroup: SecurityGroup;

  constructor(scope: Construct, id: string, props: NlbSecurityGroupProps) {
    super(scope, id);
    failIfAny(this.node.path, nlbSecurityGroupProblems(props));
    this.securityGroup = new SecurityGroup(this, "sg", {
      name: props.name,
      description: "gatehouse NLB: clients to listeners, NLB to targets",
      vpcId: props.vpcId,
      tags: { ...props.tags, Name: props.name },
    });
    const listenerPorts = [...new Set(props.targetPorts.map((t) => t.entry.listenerPort))].sort((a, b) => a - b);
    for (const port of listenerPorts) {
      // Each block once: a repeated one would be a second rule of one construct id (and AWS refuses equal rules).
      for (const cidr of new Set(props.clientCidrs)) {
        new VpcSecurityGroupIngressRule(this, `in-${port}-${cidr.replace(/[^0-9]/g, "_")}`, {
          securityGroupId: this.securityGroup.id,
          ipProtocol: "tcp",
          fromPort: port,
          toPort: port,
          cidrIpv4: cidr,
          description: `clients to listener ${port}`,
        });
      }
    }
    const targetPorts = [...new Set(props.targetPorts.flatMap((t) => [t.trafficPort, t.healthPort]))].sort((a, b) => a - b);
    for (const port of targetPorts) {
      for (const cidr of new Set(props.vpcCidrs)) {
        new VpcSecurityGroupEgressRule(this, `out-${port}-${cidr.replace(/[^0-9]/g, "_")}`, {
          securityGroupId: this.securityGroup.id,
          ipProtocol: "tcp",
          fromPort: port,
          toPort: port,
          cidrIpv4: cidr,
          description: `NLB to targets on ${port}`,
        });
      }
    }
  }
}
