/** Small valid environments and contracts for tests; each test changes one thing. */
import type { EnvInput } from "../../modules/config/schema";
import { buildContract, type ContractInput, type PortContract } from "../../modules/model/contract";
import type { ControllerIdentity } from "../../modules/k8s/controllers/plugin";
import { ingressNginxIdentity } from "../../modules/k8s/controllers/ingress-nginx-identity";

/** The reference contract input (env "prod", cluster "c1", no tcp entries); override any field. */
export function contractInput(change: Partial<ContractInput> = {}): ContractInput {
  return {
    env: "prod",
    cluster: "c1",
    ...identityInput(ingressNginxIdentity("ingress-nginx"), "ingress-nginx"),
    http: { listenerPort: 80, nodePort: 30080 },
    https: { listenerPort: 443, nodePort: 30443, tls: "passthrough" },
    tcp: {},
    nodePortRange: { min: 30000, max: 32767 },
    proxyProtocol: false,
    ...change,
  };
}

/** What a controller's identity gives a contract, as the resolved plan takes it (health NodePort 30200). */
function identityInput(id: ControllerIdentity, namespace: string): Pick<ContractInput, "namespace" | "serviceName" | "podSelector" | "health" | "containerPorts" | "reservedPodPorts"> {
  return {
    namespace,
    serviceName: id.serviceName,
    podSelector: id.podSelector,
    health: { nodePort: 30200, path: id.health.path, podPort: id.health.podPort, serviceName: id.healthServiceName },
    containerPorts: id.containerPorts,
    reservedPodPorts: id.reservedPodPorts,
  };
}

/** The reference contract built with another controller's identity, in its namespace; override any field. */
export const identityContract = (id: ControllerIdentity, namespace: string, change: Partial<ContractInput> = {}): PortContract =>
  contract({ ...identityInput(id, namespace), ...change });

/** The https entry point with TLS ended at the load balancer, as a contract change. */
export const TLS_AT_LB = { https: { listenerPort: 443, nodePort: 30443, tls: "terminate" as const } };

export const contract = (change: Partial<ContractInput> = {}): PortContract => buildContract(contractInput(change));

/** One extra TCP entry point, MQTT over TLS (passed through to the broker). */
export const MQTTS = { mqtts: { listenerPort: 8883, nodePort: 30883, backend: "messaging/broker:1883", tls: "passthrough" as const, idleTimeout: 350, connectionTermination: true } };

/** The contract with TLS ended at the load balancer for https (and any tcp entries given). */
export const tlsAtLb = (change: Partial<ContractInput> = {}): PortContract => contract({ ...TLS_AT_LB, ...change });

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
    hostnames: ["example.com", "*.example.com"],
    gcp: {
      project: "acme-test-edge",
      dns: { zone: "example-com", domain: "example.com" },
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
