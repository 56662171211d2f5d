import type { EnvInput } from "../../modules/config/schema";

/**
 * staging: TLS ends on the NLB (ACM certificate), the NLB has its own security group, and the
 * AWS Load Balancer Controller keeps the targets current (TargetGroupBinding); one GKE cluster
 * behind the global load balancer.
 */
export const staging = {
  name: "staging",
  description: "Staging: both clouds, TLS at the NLB, controller-managed targets.",
  tags: { team: "platform", environment: "staging" },
  ports: { https: { listenerPort: 443, nodePort: 30443, tls: "terminate" } },
  controller: { replicas: 2 },
  aws: {
    region: "eu-west-1",
    cluster: { name: "staging-eks" },
    vpc: { id: "vpc-05e6f7a8b9c0d1e2f", cidrs: ["10.20.0.0/16"] },
    nlb: {
      subnets: ["subnet-05e6f7a8b9c0d1e21", "subnet-05e6f7a8b9c0d1e22", "subnet-05e6f7a8b9c0d1e23"],
      securityGroup: { mode: "create", clientCidrs: ["0.0.0.0/0"] },
      tls: { certificateArn: "arn:aws:acm:eu-west-1:123456789012:certificate/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b", alpnPolicy: "HTTP2Preferred" },
    },
    targets: { mode: "controller" },
    workerSecurityGroupIds: ["sg-05e6f7a8b9c0d1e30"],
  },
  hostnames: ["staging.example.com", "*.staging.example.com"],
  gcp: {
    project: "acme-staging-edge",
    dns: { zone: "staging-example-com", domain: "staging.example.com" },
    nodeTargets: { tags: ["gke-staging-node"] },
    clusters: [{ name: "stg-euw1", location: "europe-west1", zones: ["europe-west1-b", "europe-west1-c", "europe-west1-d"] }],
  },
} satisfies EnvInput;
