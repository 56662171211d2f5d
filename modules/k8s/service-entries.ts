/**
 * NodePort Services for the services a load balancer reaches directly (API Gateway through a VPC
 * link to the NLB, the design of one fixed NodePort per service): each selects the service's pods
 * and exposes its pod port on the contract's fixed NodePort, with `externalTrafficPolicy: Local`
 * so a node only passes the NLB's health check while it runs one of those pods.
 *
 * A service named by an existing Service (no selector in the environment) gets that Service's
 * selector, read at plan time.
 */
import { Construct } from "constructs";
import { DataKubernetesServiceV1 } from "@cdktf/provider-kubernetes/lib/data-kubernetes-service-v1";
import { ServiceV1 } from "@cdktf/provider-kubernetes/lib/service-v1";
import type { PortContract } from "../model/contract";

export interface ServiceEntriesProps {
  readonly contract: PortContract;
}

export class ServiceEntries extends Construct {
  /** NodePort Service per service entry name. */
  public readonly services: Readonly<Record<string, ServiceV1>>;

  constructor(scope: Construct, id: string, props: ServiceEntriesProps) {
    super(scope, id);
    const made: Record<string, ServiceV1> = {};
    for (const e of props.contract.services) {
      const s = e.service;
      if (!s) throw new Error(`service entry ${e.name} has no service`);
      let selector: Record<string, string> | undefined = s.selector ? { ...s.selector } : undefined;
      if (!selector && s.existingService) {
        const found = new DataKubernetesServiceV1(this, `${e.name}-existing`, { metadata: { name: s.existingService, namespace: s.namespace } });
        selector = found.spec.get(0).selector as unknown as Record<string, string>;
      }
      if (!selector) throw new Error(`service entry ${e.name} needs a selector or an existing Service`);
      made[e.name] = new ServiceV1(this, e.name, {
        metadata: {
          name: s.serviceName,
          namespace: s.namespace,
          labels: { "app.kubernetes.io/managed-by": "gatehouse", "gatehouse/entry-point": e.name },
        },
        spec: {
          type: "NodePort",
          externalTrafficPolicy: "Local",
          selector,
          port: [{ name: e.name, protocol: "TCP", port: e.servicePort, targetPort: String(e.containerPort), nodePort: e.nodePort }],
        },
      });
    }
    this.services = made;
  }
}
