/**
 * Warnings for changes that Terraform will carry out by replacing a resource. AWS attaches
 * security groups to an NLB only at creation: adding the first one (or removing the last) makes
 * the provider replace the NLB, with a new DNS name and a gap in service. The previous synth
 * output is the only state synthesis can see, so the new config is compared with it.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Env } from "../modules/config/schema";
import { stackNames } from "../modules/core/naming";

type StackJson = { resource?: { aws_lb?: Record<string, { security_groups?: unknown }> } };

export function nlbSecurityGroupWarnings(outdir: string, envs: readonly Env[]): string[] {
  const warnings: string[] = [];
  for (const env of envs) {
    if (!env.aws) continue;
    const stack = stackNames.awsEdge(env.name);
    const file = join(outdir, "stacks", stack, "cdk.tf.json");
    if (!existsSync(file)) continue;
    let previous: StackJson;
    try {
      previous = JSON.parse(readFileSync(file, "utf8")) as StackJson;
    } catch {
      continue;
    }
    const lbs = Object.values(previous.resource?.aws_lb ?? {});
    if (lbs.length === 0) continue;
    const had = lbs.some((lb) => Array.isArray(lb.security_groups) && lb.security_groups.length > 0);
    const has = env.aws.nlb.securityGroup.mode !== "none";
    if (had !== has)
      warnings.push(
        `gatehouse: warning: ${env.name}: aws.nlb.securityGroup ${has ? "adds a security group to an NLB that has none" : "removes the NLB's security groups"}; ` +
          `AWS cannot change this on an existing NLB, so terraform will REPLACE ${stack}'s NLB (new DNS name, downtime). ` +
          "Create a new environment instead, or accept the replacement.",
      );
  }
  return warnings;
}
