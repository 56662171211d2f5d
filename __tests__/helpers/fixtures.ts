/** Small valid environments for tests; each test changes one thing. */
import type { EnvInput } from "../../envs/schema";

export function awsEnv(overrides: Partial<EnvInput> = {}): EnvInput {
  return {
    name: "t",
    aws: {
      region: "eu-west-1",
      cluster: { name: "eks" },
      vpc: { id: "vpc-0123456789abcdef0", cidrs: ["10.0.0.0/16"] },
      nlb: { subnets: ["subnet-0123456789abcdef1", "subnet-0123456789abcdef2"] },
      targets: { mode: "discover", tagValues: ["eks-node"] },
      workerSecurityGroupIds: ["sg-0123456789abcdef0"],
    },
    ...overrides,
  };
}

export function gcpEnv(overrides: Partial<EnvInput> = {}): EnvInput {
  return {
    name: "g",
    gcp: {
      project: "acme-test-edge",
      dns: { zone: "example-com", domain: "example.com" },
      hostnames: ["example.com", "*.example.com"],
      nodeTargets: { tags: ["gke-node"] },
      clusters: [{ name: "c1", location: "europe-west1", zones: ["europe-west1-b", "europe-west1-c"] }],
    },
    ...overrides,
  };
}

/** Deep-merges a patch into a fixture (objects merge, everything else replaces). */
export function patch<T>(base: T, change: unknown): T {
  if (typeof base !== "object" || base === null || Array.isArray(base) || typeof change !== "object" || change === null || Array.isArray(change)) return change as T;
  const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  for (const [k, v] of Object.entries(change)) out[k] = v === undefined ? undefined : patch(out[k], v);
  return out as T;
}
