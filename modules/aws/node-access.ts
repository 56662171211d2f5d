/**
 * Worker security-group rules that let the NLB reach the ports it targets: every traffic port
 * and the health-check port, from the NLB's own security group when it has one, else from the
 * VPC CIDR(s). Nothing wider: with IP targets the NLB does not preserve the client address, so
 * client IPs never need to be admitted on the nodes.
 */
import { Construct } from "constructs";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import { isToken } from "../core/cdktf";
import type { TargetPorts } from "../model/contract";
import type { FieldProblem } from "../core/errors";
import { failIfAny } from "../core/errors";
import * as rules from "../core/rules";

export type NodeAccessSource =
  /** The NLB's security groups (tightest), keyed by a stable name: `{ nlb: sg.id }`. */
  | { readonly securityGroups: Readonly<Record<string, string>> }
  /** The VPC CIDR block(s) the NLB's nodes live in (literals). */
  | { readonly cidrs: readonly string[] };

export interface NodeAccessRulesProps {
  /** The ports the load balancer targets (NlbEdge.targetPorts). */
  readonly targetPorts: readonly TargetPorts[];
  /**
   * Security groups of the targets (worker nodes, or pods with security groups for pods), keyed
   * by a stable name. Keys become part of Terraform addresses; ids may be references.
   */
  readonly targetSecurityGroups: Readonly<Record<string, string>>;
  readonly from: NodeAccessSource;
  readonly tags?: Readonly<Record<string, string>>;
}

const KEY = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/;

export class NodeAccessRules extends Construct {
  /** Rules keyed `<target key>/<port>/<source key>`. */
  public readonly rules: Readonly<Record<string, VpcSecurityGroupIngressRule>>;
  /** Distinct ports opened, ascending. */
  public readonly ports: readonly number[];

  constructor(scope: Construct, id: string, props: NodeAccessRulesProps) {
    super(scope, id);
    failIfAny(this.node.path, nodeAccessRulesProblems(props));
    const sources = sourcesOf(props.from);
    const targets = Object.entries(props.targetSecurityGroups);
    const purposes = portPurposes(props.targetPorts);
    this.ports = [...purposes.keys()].sort((a, b) => a - b);

    const made: Record<string, VpcSecurityGroupIngressRule> = {};
    for (const [targetKey, target] of targets) {
      for (const port of this.ports) {
        for (const s of sources) {
          const key = `${targetKey}/${port}/${s.key}`;
          made[key] = new VpcSecurityGroupIngressRule(this, ruleIdPart(key), {
            securityGroupId: target,
            ipProtocol: "tcp",
            fromPort: port,
            toPort: port,
            cidrIpv4: s.cidr,
            referencedSecurityGroupId: s.sg,
            description: `gatehouse: NLB to ${(purposes.get(port) ?? []).join(", ")}`,
            tags: props.tags ? { ...props.tags } : undefined,
          });
        }
      }
    }
    this.rules = made;
  }
}

/** A rule key as a construct id part. */
/** The sources as rules take them, each CIDR once (a repeated one would be a second rule of one construct id). */
function sourcesOf(from: NodeAccessSource): Array<{ key: string; cidr?: string; sg?: string }> {
  return "cidrs" in from ? [...new Set(from.cidrs)].map((cidr) => ({ key: cidr, cidr })) : Object.entries(from.securityGroups).map(([key, sg]) => ({ key, sg }));
}

/**
 * Ports with their purpose, de-duplicated: with TLS at the NLB and pod targets, http and https
 * share one pod port, and every entry point shares the health port.
 */
function portPurposes(targetPorts: readonly TargetPorts[]): Map<number, string[]> {
  const purposes = new Map<number, string[]>();
  const note = (p: number, why: string) => purposes.set(p, [...(purposes.get(p) ?? []), why]);
  for (const t of targetPorts) note(t.trafficPort, `${t.entry.name} traffic`);
  for (const t of targetPorts) if (!purposes.get(t.healthPort)?.includes("health check")) note(t.healthPort, "health check");
  return purposes;
}

/** What is wrong with these props, at their prop paths; empty when nothing is. */
export function nodeAccessRulesProblems(props: NodeAccessRulesProps): FieldProblem[] {
  const sources = sourcesOf(props.from);
  const problems: FieldProblem[] = [];
  const targets = Object.entries(props.targetSecurityGroups);
  if (targets.length === 0) problems.push({ path: "targetSecurityGroups", value: {}, message: "at least one worker security group is needed" });
  if (sources.length === 0) problems.push({ path: "from", value: props.from, message: "at least one source (NLB security group or VPC CIDR) is needed" });
  for (const s of sources) {
    if (s.cidr !== undefined) {
      const m = isToken(s.cidr) ? "must be a literal CIDR: it names the rule's Terraform address (pass references as securityGroups with a stable key)" : rules.cidrV4(s.cidr);
      if (m) problems.push({ path: "from.cidrs", value: s.cidr, message: m });
    } else if (!KEY.test(s.key)) problems.push({ path: `from.securityGroups.${s.key}`, value: s.key, message: "keys name Terraform addresses: 1-63 letters, digits, '.', '_' or '-'" });
  }
  for (const [key] of targets)
    if (!KEY.test(key)) problems.push({ path: `targetSecurityGroups.${key}`, value: key, message: "keys name Terraform addresses: 1-63 letters, digits, '.', '_' or '-'" });
  // A rule's construct id is `<target key>/<port>/<source key>` with ".", "_" and "/" all read as
  // "_": keys holding "_" or "." could make two rules meet in one id.
  const ports = [...portPurposes(props.targetPorts).keys()].sort((a, b) => a - b);
  const keys = targets.flatMap(([t]) => ports.flatMap((port) => sources.map((x) => `${t}/${port}/${x.key}`)));
  for (const r of rules.repeats(keys, ruleIdPart))
    problems.push({ path: "targetSecurityGroups", value: keys[r.index], message: `rule "${keys[r.index]}" would have the Terraform address of rule "${keys[r.first]}" ("_", "." and "/" read alike there); rename a key` });
  return problems;
}

function ruleIdPart(key: string): string {
  return key.replace(/[^A-Za-z0-9-]/g, "_");
}
