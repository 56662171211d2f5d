/**
 * Target registration for the NLB's IP target groups.
 *
 * - `discover`: worker instances found by tag (`data "aws_instances"`), every private IP
 *   attached to every target group with `for_each`, so adding a node adds its attachments and
 *   nothing is renumbered (the reference design hard-coded indexes 0 and 1).
 * - `static`: a fixed list of IPs; an IP outside the VPC gets `availability_zone = "all"` as
 *   RegisterTargets requires (and must be private: RFC 1918 or 100.64.0.0/10).
 * - controller-managed targets need no construct here: the cluster stack emits a
 *   TargetGroupBinding and the AWS Load Balancer Controller keeps the targets current.
 */
import { Construct } from "constructs";
import { DataAwsInstances } from "@cdktf/provider-aws/lib/data-aws-instances";
import { LbTargetGroupAttachment } from "@cdktf/provider-aws/lib/lb-target-group-attachment";
import { TerraformIterator } from "../core/cdktf";
import type { FieldProblem } from "../core/errors";
import { failIfAny } from "../core/errors";
import * as rules from "../core/rules";

export interface TargetGroupRef {
  readonly arn: string;
  /** Port the target listens on for this group (the NodePort). */
  readonly port: number;
}

export type TargetSource =
  | {
      readonly mode: "discover";
      /** Tag that marks the worker instances, e.g. Name. */
      readonly tagKey: string;
      /** Accepted tag values (wildcards allowed, as in EC2 filters). */
      readonly tagValues: readonly string[];
      /** Only instances in this VPC: tag lookups are region-wide. */
      readonly vpcId: string;
    }
  | {
      readonly mode: "static";
      readonly ips: readonly string[];
    };

export interface TargetRegistrationProps {
  /** Target groups keyed by entry point name. */
  readonly targetGroups: Readonly<Record<string, TargetGroupRef>>;
  readonly source: TargetSource;
  /** VPC CIDRs: static IPs outside them are registered for all AZs. */
  readonly vpcCidrs: readonly string[];
  /**
   * The NLB balances across zones: it then takes at most 500 targets, a target counting once per
   * target group. Static IPs are checked at synth, discovered workers by a postcondition on the
   * lookup at plan time. @default false (the quota applies per zone, which synth cannot see)
   */
  readonly crossZone?: boolean;
}

/**
 * What is wrong with these props, at their prop paths; empty when nothing is. `groups` is the
 * number of target groups every target is registered in (each counts against the NLB's quota).
 */
export function targetRegistrationProblems(props: Omit<TargetRegistrationProps, "targetGroups">, groups: number): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const src = props.source;
  if (src.mode === "discover") {
    if (src.tagKey.trim() === "") problems.push({ path: "source.tagKey", value: src.tagKey, message: "must name the tag that marks worker instances" });
    if (src.tagValues.length === 0) problems.push({ path: "source.tagValues", value: [], message: "needs at least one tag value" });
    return problems;
  }
  if (src.ips.length === 0) problems.push({ path: "source.ips", value: [], message: "needs at least one IP" });
  src.ips.forEach((ip, i) => {
    const bad = rules.ipTarget(ip, props.vpcCidrs);
    if (bad) problems.push({ path: `source.ips.${i}`, value: ip, message: bad });
  });
  for (const i of rules.repeatedIndexes(src.ips)) problems.push({ path: `source.ips.${i}`, value: src.ips[i], message: "is listed twice" });
  const tooMany = props.crossZone ? rules.nlbCrossZoneTargets(src.ips.length, groups) : undefined;
  if (tooMany) problems.push({ path: "source.ips", value: src.ips.length, message: tooMany });
  return problems;
}

export class TargetRegistration extends Construct {
  /** The worker lookup, in discover mode. */
  public readonly workers?: DataAwsInstances;
  /** Attachments keyed `<entry>` (discover: one for_each resource each) or `<entry>/<ip>`. */
  public readonly attachments: Readonly<Record<string, LbTargetGroupAttachment>>;

  constructor(scope: Construct, id: string, props: TargetRegistrationProps) {
    super(scope, id);
    const made: Record<string, LbTargetGroupAttachment> = {};
    const src = props.source;
    if (src.mode === "discover") {
      failIfAny(this.node.path, targetRegistrationProblems(props, Object.keys(props.targetGroups).length));
      // Tags are not unique across VPCs: a same-named instance elsewhere in the region must
      // never become a target, so the lookup is also bound to the VPC, and to running instances.
      this.workers = new DataAwsInstances(this, "workers", {
        filter: [
          { name: `tag:${src.tagKey}`, values: [...src.tagValues] },
          { name: "vpc-id", values: [src.vpcId] },
        ],
        instanceStateNames: ["running"],
        lifecycle: props.crossZone ? { postcondition: [crossZoneTargetCheck(Object.keys(props.targetGroups).length)] } : undefined,
      });
      for (const [entry, tg] of Object.entries(props.targetGroups)) {
        const ips = TerraformIterator.fromList(this.workers.privateIps);
        made[entry] = new LbTargetGroupAttachment(this, `${entry}-workers`, {
          forEach: ips,
          targetGroupArn: tg.arn,
          targetId: ips.value,
          port: tg.port,
        });
      }
    } else {
      failIfAny(this.node.path, targetRegistrationProblems(props, Object.keys(props.targetGroups).length));
      for (const [entry, tg] of Object.entries(props.targetGroups)) {
        for (const ip of src.ips) {
          const inVpc = props.vpcCidrs.some((c) => rules.cidrContains(c, ip));
          made[`${entry}/${ip}`] = new LbTargetGroupAttachment(this, `${entry}-${ip.replace(/\./g, "-")}`, {
            targetGroupArn: tg.arn,
            targetId: ip,
            port: tg.port,
            availabilityZone: inVpc ? undefined : "all",
          });
        }
      }
    }
    this.attachments = made;
  }
}

/** The cross-zone target quota over the discovered workers, known only at plan time. */
function crossZoneTargetCheck(groups: number): { condition: string; errorMessage: string } {
  const limit = rules.NLB_CROSS_ZONE_TARGET_LIMIT;
  return {
    condition: `\${length(self.private_ips) * ${groups} <= ${limit}}`,
    errorMessage: `The worker lookup found more instances than the NLB can take: with cross-zone load balancing an NLB takes at most ${limit} targets, and each worker counts once in each of the ${groups} target groups (at most ${Math.floor(limit / groups)} workers). Narrow aws.targets.tagValues, use fewer entry points, or turn aws.nlb.crossZone off.`,
  };
}
