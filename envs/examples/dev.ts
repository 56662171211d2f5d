import type { EnvInput } from "../../modules/config/schema";

/** dev: one EKS cluster behind an NLB, TLS passthrough, workers found by tag, no deletion protection. */
export const dev = {
  name: "dev",
  description: "Development: AWS only, cheap to tear down.",
  tags: { team: "platform", environment: "dev" },
  aws: {
    region: "eu-west-1",
    cluster: { name: "dev-eks" },
    vpc: { id: "vpc-0d3f5a1b2c4e6a7b8", cidrs: ["10.10.0.0/16"] },
    nlb: {
      internetFacing: true,
      subnets: ["subnet-0a11b22c33d44e551", "subnet-0a11b22c33d44e552"],
      deletionProtection: false,
    },
    targets: { mode: "discover", tagKey: "Name", tagValues: ["dev-eks-node"] },
    workerSecurityGroupIds: ["sg-0d3f5a1b2c4e6a7b9"],
  },
} satisfies EnvInput;
