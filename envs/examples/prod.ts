import type { EnvInput } from "../../modules/config/schema";

/**
 * prod: the reference design on AWS (internet-facing NLB, TLS passthrough to the controller,
 * IP targets at NodePorts 30080/30443, HTTP health check on 30200 /healthz, deregistration
 * delay 5, deletion protection on, workers discovered by their Name tag, node rules from the
 * VPC 10.0.0.0/16), plus two GKE clusters in two regions behind one global IP, and an MQTT over
 * TLS entry point on both clouds whose TLS ends at the load balancers (the broker speaks plain
 * MQTT on 1883). State lives in HCP Terraform: set the organization to yours.
 */
export const prod = {
  name: "prod",
  description: "Production: the reference design on AWS, two GKE regions on GCP.",
  state: { type: "cloud", organization: "acme-platform", project: "edge", workspacePrefix: "gatehouse" },
  tags: { team: "platform", environment: "prod" },
  ports: {
    http: { listenerPort: 80, nodePort: 30080 },
    https: { listenerPort: 443, nodePort: 30443 },
    tcp: { mqtts: { listenerPort: 8883, nodePort: 30883, backend: "messaging/mqtt-broker:1883", tls: "terminate" } },
    health: { nodePort: 30200, path: "/healthz" },
  },
  controller: { replicas: 3, resources: { cpu: "500m", memory: "512Mi" } },
  aws: {
    region: "eu-west-1",
    cluster: { name: "prod-eks" },
    vpc: { id: "vpc-0123456789abcdef0", cidrs: ["10.0.0.0/16"] },
    nlb: {
      internetFacing: true,
      subnetMappings: [
        { subnetId: "subnet-0123456789abcdef1", allocationId: "eipalloc-0123456789abcdef1" },
        { subnetId: "subnet-0123456789abcdef2", allocationId: "eipalloc-0123456789abcdef2" },
        { subnetId: "subnet-0123456789abcdef3", allocationId: "eipalloc-0123456789abcdef3" },
      ],
      deletionProtection: true,
      // The MQTT listener's certificate (mqtt.example.com).
      tls: { certificateArn: "arn:aws:acm:eu-west-1:123456789012:certificate/6a7b8c9d-0e1f-4a2b-8c3d-4e5f6a7b8c9d" },
    },
    targetGroups: { deregistrationDelay: 5 },
    targets: { mode: "discover", tagKey: "Name", tagValues: ["prod-eks-node"] },
    workerSecurityGroupIds: ["sg-0123456789abcdef0"],
  },
  hostnames: ["example.com", "www.example.com", "*.apps.example.com", "mqtt.example.com"],
  gcp: {
    project: "acme-prod-edge",
    dns: { zone: "example-com", domain: "example.com" },
    ipv6: true,
    nodeTargets: { tags: ["gke-prod-node"] },
    clusters: [
      { name: "prod-euw1", location: "europe-west1", zones: ["europe-west1-b", "europe-west1-c", "europe-west1-d"] },
      { name: "prod-use1", location: "us-east1", zones: ["us-east1-b", "us-east1-c", "us-east1-d"], capacity: 1 },
    ],
    backends: { maxRatePerEndpoint: 500, maxConnectionsPerEndpoint: 1000 },
  },
} satisfies EnvInput;
