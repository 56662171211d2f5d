/**
 * Environment → stacks. The only place that turns a validated environment into port contracts
 * and stacks; main.ts calls it once per environment.
 */
import type { Construct } from "constructs";
import type { TerraformStack } from "../cdktf";
import { buildContract, negEntryPoints, type PortContract } from "../contract";
import { ConfigError, type Problem } from "../errors";
import { stackNames } from "../naming";
import type { Env } from "../../envs/schema";
import { AwsClusterStack, AwsEdgeStack } from "./aws";
import { contractInputFor } from "./contract-input";
import { GcpAddressStack, GcpEdgeStack, GkeClusterStack } from "./gcp";

export { stackNames };

/** The port contract of one cluster of an environment. */
export function contractFor(env: Env, cluster: string): PortContract {
  return buildContract(contractInputFor(env, cluster));
}

export function buildEnvironment(app: Construct, env: Env): TerraformStack[] {
  const stacks: TerraformStack[] = [];
  if (env.aws) {
    const contract = contractFor(env, env.aws.cluster.name);
    const edge = new AwsEdgeStack(app, stackNames.awsEdge(env.name), { env, aws: env.aws, contract });
    stacks.push(edge, new AwsClusterStack(app, stackNames.awsCluster(env.name), { env, aws: env.aws, contract, edgeStack: edge }));
  }
  if (env.gcp) {
    const gcp = env.gcp;
    const address = new GcpAddressStack(app, stackNames.gcpAddress(env.name), { env, gcp });
    const clusters = gcp.clusters.map((cluster) => {
      const contract = contractFor(env, cluster.name);
      return new GkeClusterStack(app, stackNames.gkeCluster(env.name, cluster.name), { env, gcp, cluster, contract, addressStack: address });
    });
    stacks.push(address, ...clusters, new GcpEdgeStack(app, stackNames.gcpEdge(env.name), { env, gcp, addressStack: address, clusterStacks: clusters }));
  }
  assertStableIds(stacks);
  return stacks;
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
 * NEG names must be unique per project and zone across everything gatehouse makes: GKE refuses
 * to adopt a NEG another cluster's Service already owns. Derived names can still collide across
 * environments (env "a-b" + cluster "c" vs env "a" + cluster "b-c").
 */
export function crossEnvProblems(envs: readonly Env[]): Problem[] {
  const owners = new Map<string, string>();
  const problems: Problem[] = [];
  for (const env of envs) {
    env.gcp?.clusters.forEach((cluster, i) => {
      const contract = contractFor(env, cluster.name);
      for (const entry of negEntryPoints(contract)) {
        for (const zone of cluster.zones) {
          const key = `${env.gcp?.project}/${zone}/${entry.negName}`;
          const owner = `${env.name}/${cluster.name}`;
          const prev = owners.get(key);
          if (prev !== undefined && prev !== owner)
            problems.push({ env: env.name, path: `gcp.clusters.${i}.name`, value: cluster.name, message: `its NEG "${entry.negName}" in ${zone} collides with cluster ${prev}; rename one cluster` });
          owners.set(key, owner);
        }
      }
    });
  }
  return problems;
}

/**
 * Builds every environment's stacks; throws one ConfigError listing all problems found. A
 * construct's problem is reported like a schema problem: under its environment's name, with the
 * construct path (below the stack) in front of the field.
 */
export function buildAll(app: Construct, envs: readonly Env[]): TerraformStack[] {
  const problems: Problem[] = [...crossEnvProblems(envs)];
  const stacks: TerraformStack[] = [];
  for (const env of envs) {
    try {
      stacks.push(...buildEnvironment(app, env));
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      problems.push(...e.problems.map((p) => (p.env === env.name ? p : { ...p, env: env.name, path: `${p.env.split("/").slice(1).join("/") || p.env}: ${p.path}` })));
    }
  }
  if (problems.length) throw new ConfigError(problems);
  return stacks;
}
