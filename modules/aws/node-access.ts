/**
 * Worker security-group rules that let the NLB reach the ports it targets: every traffic port
 * and the health-check port, from the NLB's own security group when it has one, else from the
 * VPC CIDR(s). Nothing wider: with IP targets the NLB does not preserve the client address, so
 * client IPs never need to be admitted on the nodes.
 */
import { Construct } from "constructs";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import type { TargetPorts } from "../contract";
import { failIfAny } from "../errors";
import * as rules from "../rules";

export type NodeAccessSource =
  /** The NLB's security groups (tightest). */
  | { readonly securityGroupIds: readonly string[] }
  /** The VPC CIDR block(s) the NLB's nodes live in. */
  | { readonly cidrs: readonly string[] };

export interface NodeAccessRulesProps {
  /** The ports the load balancer targets (NlbEdge.targetPorts). */
  readonly targetPorts: readonly TargetPorts[];
  /** Security groups of the targets (worker nodes, or pods with security groups for pods). */
  readonly targetSecurityGroupIds: readonly string[];
  readonly from: NodeAccessSource;
  readonly tags?: Readonly<Record<string, string>>;
}

export class NodeAccessRules extends Construct {
  /** Rules keyed `<target sg>/<port>/<source>`. */
  public readonly rules: Readonly<Record<string, VpcSecurityGroupIngressRule>>;
  /** Distinct ports opened, ascending. */
  public readonly ports: readonly number[];

  constructor(scope: Construct, id: string, props: NodeAccessRulesProps) {
    super(scope, id);
    const sources = "cidrs" in props.from ? props.from.cidrs.map((cidr) => ({ cidr })) : props.from.securityGroupIds.map((sg) => ({ sg }));
    failIfAny(this.node.path, [
      ...(props.targetSecurityGroupIds.length === 0 ? [{ path: "targetSecurityGroupIds", value: [], message: "at least one worker security group is needed" }] : []),
      ...(sources.length === 0 ? [{ path: "from", value: props.from, message: "at least one source (NLB security group or VPC CIDR) is needed" }] : []),
      ...sources.flatMap((s) => {
        const m = "cidr" in s ? rules.cidrV4(s.cidr) : undefined;
        return m ? [{ path: "from.cidrs", value: "cidr" in s ? s.cidr : undefined, message: m }] : [];
      }),
    ]);

    // Ports with their purpose, de-duplicated: with TLS at the NLB and pod targets, http and
    // https share one pod port, and every entry point shares the health port.
    const purposes = new Map<number, string[]>();
    const note = (p: number, why: string) => purposes.set(p, [...(purposes.get(p) ?? []), why]);
    for (const t of props.targetPorts) note(t.trafficPort, `${t.entry.name} traffic`);
    for (const t of props.targetPorts) if (!purposes.get(t.healthPort)?.includes("health check")) note(t.healthPort, "health check");
    this.ports = [...purposes.keys()].sort((a, b) => a - b);

    const made: Record<string, VpcSecurityGroupIngressRule> = {};
    for (const target of props.targetSecurityGroupIds) {
      for (const port of this.ports) {
        for (const s of sources) {
          const sourceKey = "cidr" in s ? s.cidr : s.sg;
          const key = `${target}/${port}/${sourceKey}`;
          made[key] = new VpcSecurityGroupIngressRule(this, key.replace(/[^A-Za-z0-9-]/g, "_"), {
            securityGroupId: target,
            ipProtocol: "tcp",
            fromPort: port,
            toPort: port,
            cidrIpv4: "cidr" in s ? s.cidr : undefined,
            referencedSecurityGroupId: "sg" in s ? s.sg : undefined,
            description: `gatehouse: NLB to ${(purposes.get(port) ?? []).join(", ")}`,
            tags: props.tags ? { ...props.tags } : undefined,
          });
        }
      }
    }
    this.rules = made;
  }
}
