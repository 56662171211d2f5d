/**
 * Environment → stacks. The only place that turns a validated environment into port contracts
 * and stacks; main.ts calls it once per environment.
 */
import type { Construct } from "constructs";
import type { TerraformStack } from "../cdktf";
import { buildContract, negEntryPoints, type PortContract } from "../contract";
import { ConfigError, type Problem } from "../errors";
import type { Env } from "../../envs/schema";
import { AwsClusterStack, AwsEdgeStack } from "./aws";
import { contractInputFor } from "./contract-input";
import { GcpEdgeStack, GkeClusterStack } from "./gcp";

/** The port contract of one cluster of an environment. */
export function contractFor(env: Env, cluster: string, edge: { readonly tlsAtLoadBalancer: boolean }): PortContract {
  return buildContract(contractInputFor(env, cluster, edge));
}

/** Stack names all start with the environment name. */
export const stackNames = {
  awsEdge: (env: string) => `${env}-aws-edge`,
  awsCluster: (env: string) => `${env}-aws-cluster`,
  gkeCluster: (env: string, cluster: string) => `${env}-gcp-cluster-${cluster}`,
  gcpEdge: (env: string) => `${env}-gcp-edge`,
};

export function buildEnvironment(app: Construct, env: Env): TerraformStack[] {
  const stacks: TerraformStack[] = [];
  if (env.aws) {
    const contract = contractFor(env, env.aws.cluster.name, { tlsAtLoadBalancer: env.aws.nlb.tls.mode === "terminate" });
    const edge = new AwsEdgeStack(app, stackNames.awsEdge(env.name), { env, aws: env.aws, contract });
    stacks.push(edge, new AwsClusterStack(app, stackNames.awsCluster(env.name), { env, aws: env.aws, contract, edgeStack: edge }));
  }
  if (env.gcp) {
    const gcp = env.gcp;
    const clusters = gcp.clusters.map((cluster) => {
      // Google's front end ends TLS and re-encrypts to the controller's https port.
      const contract = contractFor(env, cluster.name, { tlsAtLoadBalancer: false });
      return new GkeClusterStack(app, stackNames.gkeCluster(env.name, cluster.name), { env, gcp, cluster, contract });
    });
    stacks.push(...clusters, new GcpEdgeStack(app, stackNames.gcpEdge(env.name), { env, gcp, clusterStacks: clusters }));
  }
  return stacks;
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
      const contract = contractFor(env, cluster.name, { tlsAtLoadBalancer: false });
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

/** Builds every environment's stacks; throws one ConfigError listing all problems found. */
export function buildAll(app: Construct, envs: readonly Env[]): TerraformStack[] {
  const problems: Problem[] = [...crossEnvProblems(envs)];
  const stacks: TerraformStack[] = [];
  for (const env of envs) {
    try {
      stacks.push(...buildEnvironment(app, env));
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      problems.push(...e.problems);
    }
  }
  if (problems.length) throw new ConfigError(problems);
  return stacks;
}
