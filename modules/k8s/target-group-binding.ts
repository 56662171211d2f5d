/**
 * TargetGroupBindings for controller-managed targets: the AWS Load Balancer Controller
 * (installed separately, with its CRDs) registers the controller's pod IPs in the NLB's target
 * groups and keeps them current as pods come and go. Terraform manages no attachments then.
 *
 * `kubernetes_manifest` needs the CRD at plan time: install the AWS Load Balancer Controller
 * before planning this stack.
 */
import { Construct } from "constructs";
import type { ITerraformDependable } from "../cdktf";
import { Manifest } from "@cdktf/provider-kubernetes/lib/manifest";
import type { PortContract } from "../contract";

export interface TargetGroupBindingsProps {
  readonly contract: PortContract;
  /** Target group ARN per entry point name. */
  readonly targetGroupArns: Readonly<Record<string, string>>;
  readonly dependsOn?: readonly ITerraformDependable[];
}

export class TargetGroupBindings extends Construct {
  public readonly bindings: Readonly<Record<string, Manifest>>;

  constructor(scope: Construct, id: string, props: TargetGroupBindingsProps) {
    super(scope, id);
    const c = props.contract;
    const made: Record<string, Manifest> = {};
    // A service entry binds to the NodePort Service gatehouse makes for it, in its own namespace.
    for (const e of [...c.entryPoints, ...c.services]) {
      const arn = props.targetGroupArns[e.name];
      if (arn === undefined) throw new Error(`no target group ARN for entry point ${e.name}`);
      const service = e.service ? { name: e.service.serviceName, namespace: e.service.namespace } : { name: c.serviceName, namespace: c.namespace };
      made[e.name] = new Manifest(this, e.name, {
        manifest: {
          apiVersion: "elbv2.k8s.aws/v1beta1",
          kind: "TargetGroupBinding",
          metadata: { name: `${service.name}-${e.name}`.slice(0, 63).replace(/-+$/, ""), namespace: service.namespace },
          spec: {
            targetGroupARN: arn,
            // ip: pod IP + container port, matching the target group's ip target type.
            targetType: "ip",
            serviceRef: { name: service.name, port: e.servicePort },
          },
        },
        dependsOn: props.dependsOn ? [...props.dependsOn] : undefined,
      });
    }
    this.bindings = made;
  }
}
