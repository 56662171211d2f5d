/**
 * TargetGroupBindings for controller-managed targets: the AWS Load Balancer Controller
 * (installed separately, with its CRDs) registers the controller's pod IPs in the NLB's target
 * groups and keeps them current as pods come and go. Terraform manages no attachments then.
 *
 * `kubernetes_manifest` needs the CRD at plan time: install the AWS Load Balancer Controller
 * before planning this stack.
 *
 * Pod readiness gates: the AWS Load Balancer Controller's webhook gives a pod a readiness gate
 * (`target-health.elbv2.k8s.aws/…`) when it is created in a namespace labelled
 * `elbv2.k8s.aws/pod-readiness-gate-inject: enabled` and a Service with a TargetGroupBinding
 * selects it; the pod turns Ready only once its target is healthy, so a rolling update never
 * leaves a target group with only initial or draining targets. The controller's namespace is
 * created by its Helm release (`create_namespace`), so the label is added to the existing
 * namespace with `kubernetes_labels` (server-side apply of that one label) after the release: a
 * `kubernetes_namespace_v1` would have to own the namespace before the release and could not
 * adopt the one the release already made. The gate reaches pods created after the label, i.e.
 * from the next rollout on.
 */
import { Construct } from "constructs";
import type { ITerraformDependable } from "../core/cdktf";
import { Labels } from "@cdktf/provider-kubernetes/lib/labels";
import { Manifest } from "@cdktf/provider-kubernetes/lib/manifest";
import type { PortContract } from "../model/contract";

export interface TargetGroupBindingsProps {
  readonly contract: PortContract;
  /** Target group ARN per entry point name. */
  readonly targetGroupArns: Readonly<Record<string, string>>;
  readonly dependsOn?: readonly ITerraformDependable[];
  /**
   * Label the controller's namespace for the AWS Load Balancer Controller's pod readiness gates.
   * @default false
   */
  readonly podReadinessGate?: boolean;
}

/** The namespace label that turns on the AWS Load Balancer Controller's readiness-gate injection. */
export const READINESS_GATE_LABEL = { "elbv2.k8s.aws/pod-readiness-gate-inject": "enabled" } as const;

export class TargetGroupBindings extends Construct {
  public readonly bindings: Readonly<Record<string, Manifest>>;
  /** The readiness-gate label on the controller's namespace, when asked for. */
  public readonly readinessGateLabel?: Labels;

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
    if (props.podReadinessGate)
      this.readinessGateLabel = new Labels(this, "readiness-gate", {
        apiVersion: "v1",
        kind: "Namespace",
        metadata: { name: c.namespace },
        labels: { ...READINESS_GATE_LABEL },
        // After the release that creates the namespace.
        dependsOn: props.dependsOn ? [...props.dependsOn] : undefined,
      });
  }
}
