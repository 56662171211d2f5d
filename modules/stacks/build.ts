/**
 * Resolved plans → stacks. main.ts resolves every environment (modules/plan/index.ts) and builds its
 * stacks here; stacks take the plan, never the raw environment.
 */
import type { Construct } from "constructs";
import { skipCrossStackPreparation, type TerraformStack } from "../core/cdktf";
import { ConfigError, type Problem } from "../core/errors";
import { stackNames } from "../core/naming";
import { crossEnvProblems, planEnvironment, resolve, type EnvPlan } from "../plan";
import type { Env } from "../model/env";
import { AwsApiStack } from "./api";
import { AwsClusterStack, AwsEdgeStack } from "./aws";
import { DnsStack } from "./dns";
import { AwsLatticeStack } from "./lattice";
import { GcpAddressStack, GcpEdgeStack, GkeClusterStack } from "./gcp";

export { stackNames };

/** The stacks of one environment's plan, in apply order. */
export function buildPlan(app: Construct, plan: EnvPlan): TerraformStack[] {
  const stacks: TerraformStack[] = [];
  const aws = plan.aws;
  let awsEdge: AwsEdgeStack | undefined;
  let gcpEdge: GcpEdgeStack | undefined;
  if (aws) {
    const edge = new AwsEdgeStack(app, aws.edge.stack, aws.edge);
    awsEdge = edge;
    const lattice = aws.lattice ? new AwsLatticeStack(app, aws.lattice.stack, aws.lattice) : undefined;
    stacks.push(edge, ...(lattice ? [lattice] : []), new AwsClusterStack(app, aws.cluster.stack, { plan: aws.cluster, edgeStack: edge, latticeStack: lattice }));
    if (aws.api) stacks.push(new AwsApiStack(app, aws.api.stack, { plan: aws.api, edgeStack: edge }));
  }
  const gcp = plan.gcp;
  if (gcp) {
    const address = new GcpAddressStack(app, gcp.address.stack, gcp.address);
    const clusters = gcp.clusters.map((cluster) => new GkeClusterStack(app, cluster.stack, { plan: cluster, addressStack: address }));
    gcpEdge = new GcpEdgeStack(app, gcp.edge.stack, { plan: gcp.edge, addressStack: address, clusterStacks: clusters });
    stacks.push(address, ...clusters, gcpEdge);
  }
  if (plan.dns && awsEdge && gcpEdge) stacks.push(new DnsStack(app, plan.dns.stack, { plan: plan.dns, after: [awsEdge, gcpEdge] }));
  assertStableIds(stacks);
  for (const s of stacks) skipCrossStackPreparation(s);
  return stacks;
}

/** Plans and builds one environment. */
export function buildEnvironment(app: Construct, env: Env): TerraformStack[] {
  return buildPlan(app, planEnvironment(env));
}

/**
 * Logical ids become Terraform addresses: they must come from names in the configuration, never
 * from a value that can be a reference (a token's text changes with what else was synthesized,
 * so the address would too, and Terraform would replace the resource).
 */
function assertStableIds(stacks: readonly TerraformStack[]): void {
  for (const stack of stacks)
    for (const c of stack.node.findAll())
      if (/TfToken|\$\{|[#&]\{/.test(c.node.id)) throw new Error(`gatehouse: construct id "${c.node.id}" at ${c.node.path} holds a Terraform reference; ids must come from configuration names`);
}

/**
 * Plans every environment and builds its stacks; throws one ConfigError listing all problems
 * found. A construct's problem is reported like a schema problem: under its environment's name,
 * with the construct path (below the stack) in front of the field.
 *
 * A cloud name has one owner (crossEnvProblems): the environments are compared with each other
 * and with `others`, the environments that are loaded but not selected for this run (their
 * stacks exist, or will, whichever environments a run synthesizes). `others` are planned for
 * that comparison only: nothing is built for them and their own problems are not this run's.
 */
export function buildAll(app: Construct, envs: readonly Env[], others: readonly Env[] = []): TerraformStack[] {
  const problems: Problem[] = [];
  const plans: EnvPlan[] = [];
  for (const env of envs) {
    try {
      plans.push(planEnvironment(env));
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      problems.push(...e.problems);
    }
  }
  const otherPlans = others.flatMap((env) => {
    const r = resolve(env);
    return r.plan ? [r.plan] : [];
  });
  problems.push(...crossEnvProblems(plans, otherPlans));
  const stacks: TerraformStack[] = [];
  for (const plan of plans) {
    try {
      stacks.push(...buildPlan(app, plan));
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      const name = plan.env.name;
      problems.push(...e.problems.map((p) => (p.env === name ? p : { ...p, env: name, path: `${p.env.split("/").slice(1).join("/") || p.env}: ${p.path}` })));
    }
  }
  if (problems.length) throw new ConfigError(problems);
  return stacks;
}

export { crossEnvProblems };
