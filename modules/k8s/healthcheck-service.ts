/**
 * The health-check Service: a NodePort Service with `externalTrafficPolicy: Local` that selects
 * the controller pods and forwards the contract's health NodePort to the controller's health
 * endpoint. With Local, a node answers only when a controller pod runs on it, so the NLB sends
 * traffic only to nodes that can serve it.
 *
 * The target port is the number, not a name: the ingress-nginx chart declares no container port
 * named `healthz` (the health endpoint is the `--healthz-port` flag, 10254).
 */
import { Construct } from "constructs";
import type { ITerraformDependable } from "../core/cdktf";
import { ServiceV1 } from "@cdktf/provider-kubernetes/lib/service-v1";
import type { PortContract } from "../model/contract";

export interface HealthCheckServiceProps {
  readonly contract: PortContract;
  /** The controller release; the namespace exists once it is installed. */
  readonly dependsOn?: readonly ITerraformDependable[];
}

export class HealthCheckService extends Construct {
  public readonly service: ServiceV1;

  constructor(scope: Construct, id: string, props: HealthCheckServiceProps) {
    super(scope, id);
    const c = props.contract;
    this.service = new ServiceV1(this, "service", {
      metadata: {
        name: c.health.serviceName,
        namespace: c.namespace,
        labels: { "app.kubernetes.io/managed-by": "gatehouse", "app.kubernetes.io/component": "healthcheck" },
      },
      spec: {
        type: "NodePort",
        externalTrafficPolicy: "Local",
        selector: { ...c.podSelector },
        port: [{ name: "healthz", protocol: "TCP", port: c.health.podPort, targetPort: String(c.health.podPort), nodePort: c.health.nodePort }],
      },
      dependsOn: props.dependsOn ? [...props.dependsOn] : undefined,
    });
  }
}
