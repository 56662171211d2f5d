/**
 * Environment → port contract input for one cluster. The schema's cross-field rules and the
 * stack builder both use it, so the ports validated at load are the ports that get built.
 */
import type { ContractInput } from "../contract";
import { ingressNginxIdentity } from "../k8s/ingress-nginx-identity";
import type { Env } from "../../envs/schema";

export function contractInputFor(env: Env, cluster: string): ContractInput {
  const id = ingressNginxIdentity(env.controller.releaseName);
  return {
    env: env.name,
    cluster,
    namespace: env.controller.namespace,
    serviceName: id.serviceName,
    podSelector: id.podSelector,
    http: env.ports.http,
    https: env.ports.https,
    tcp: Object.fromEntries(Object.entries(env.ports.tcp).map(([name, t]) => [name, { listenerPort: t.listenerPort, nodePort: t.nodePort, backend: t.backend, tls: t.tls, idleTimeout: t.idleTimeout, connectionTermination: t.connectionTermination }])),
    health: { nodePort: env.ports.health.nodePort, path: env.ports.health.path, podPort: id.healthPodPort, serviceName: id.healthServiceName },
    nodePortRange: env.ports.nodePortRange,
    proxyProtocol: env.ports.proxyProtocol,
    containerPorts: id.containerPorts,
    reservedPodPorts: id.reservedPodPorts,
  };
}
