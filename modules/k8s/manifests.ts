/**
 * Kubernetes objects applied through Helm: one `helm_release` of the chart shipped with gatehouse
 * (modules/k8s/charts/gatehouse-manifests, a template that writes each object as given). Helm
 * applies custom resources (Gateway, HTTPRoute, VirtualService) when their CRDs exist, whereas a
 * `kubernetes_manifest` needs the CRD at plan time, before the release that installs it has run.
 * The objects are built as typed data; every string of them reaches Helm literally.
 */
import { Construct } from "constructs";
import { Release } from "@cdktf/provider-helm/lib/release";
import { stringify } from "yaml";
import type { ITerraformDependable } from "../cdktf";
import { isToken } from "../cdktf";
import { escapeTerraform } from "../literal";
import { localChart } from "./local-chart";

/** A Kubernetes object as Helm takes it. */
export interface KubeManifest {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string; readonly labels?: Readonly<Record<string, string>>; readonly annotations?: Readonly<Record<string, string>> };
  readonly [field: string]: unknown;
}

export interface ManifestsProps {
  /** Helm release name (≤ 53 characters). */
  readonly releaseName: string;
  /** Namespace of the release (objects carry their own). */
  readonly namespace: string;
  readonly objects: readonly KubeManifest[];
  readonly dependsOn?: readonly ITerraformDependable[];
}

/** Every string of a value, escaped for Terraform; gatehouse's own references pass unchanged. */
export function terraformLiteral<T>(value: T): T {
  if (typeof value === "string") return (isToken(value) ? value : escapeTerraform(value)) as T;
  if (Array.isArray(value)) return value.map((v: unknown) => terraformLiteral(v)) as T;
  if (value !== null && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [escapeTerraform(k), terraformLiteral(v)])) as T;
  return value;
}

/** A values document for `helm_release.values`: sorted keys, no folding, escaped for Terraform. */
export function helmValues(values: unknown): string {
  return stringify(terraformLiteral(values), { sortMapEntries: true, lineWidth: 0 });
}

export class Manifests extends Construct {
  public readonly release: Release;

  constructor(scope: Construct, id: string, props: ManifestsProps) {
    super(scope, id);
    const chart = localChart(this, "chart", "gatehouse-manifests");
    this.release = new Release(this, "release", {
      name: props.releaseName,
      chart: chart.path,
      namespace: props.namespace,
      atomic: true,
      cleanupOnFail: true,
      maxHistory: 10,
      values: [helmValues({ objects: props.objects })],
      dependsOn: props.dependsOn ? [...props.dependsOn] : undefined,
    });
  }
}
