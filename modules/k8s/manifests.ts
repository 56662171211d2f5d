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
import type { ITerraformDependable } from "../core/cdktf";
import { isToken } from "../core/cdktf";
import { randomBytes } from "node:crypto";
import { cdktfTokenMarker, escapeTerraform, hclQuoted } from "../core/literal";
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

/**
 * A values document for `helm_release.values` (and the objects of a shipped chart): sorted keys,
 * no folding, every literal escaped for Terraform.
 *
 * Values Terraform fills in are data. Terraform substitutes a reference into the text first and
 * the helm provider parses the YAML afterwards (at plan), so a bare `${…}` becomes whatever YAML
 * makes of the cloud's text: `2600:1901:0:5aa8::` ends in a mapping indicator (the plan fails),
 * `012345678901` is a number that loses its zero (and Helm prints big ones as floats), `yes` and
 * `null` change type. So every string holding a reference is written as one scalar,
 * `${jsonencode("<its text, references inside>")}`: Terraform produces a JSON string, which YAML
 * reads as a double-quoted scalar, so exactly the string Terraform made comes out of the YAML,
 * whatever the cloud returns. (yamlencode would give a block needing re-indentation; jsonencode's
 * output is one line, and every JSON string escape is also a YAML double-quoted one.)
 */
export function helmValues(values: unknown): string {
  const json = JSON.stringify(values) ?? "";
  let nonce = "";
  do nonce = randomBytes(12).toString("hex");
  while (json.includes(nonce));
  const computed: string[] = [];
  const placeholder = (i: number) => `gatehouse-value-${nonce}-${i}`;
  const swap = (value: unknown): unknown => {
    if (typeof value === "number" && isToken(value)) throw new Error("gatehouse: a Helm value holds a number Terraform fills in; pass it as a string");
    if (typeof value === "string") {
      if (!isToken(value)) return escapeTerraform(value);
      computed.push(jsonencodedTemplate(value));
      return placeholder(computed.length - 1);
    }
    if (Array.isArray(value)) return value.map(swap);
    if (value !== null && typeof value === "object")
      return Object.fromEntries(
        Object.entries(value).map(([k, v]) => {
          if (isToken(k)) throw new Error(`gatehouse: a Helm value key holds a Terraform reference (${k}); keys are names from the configuration`);
          return [escapeTerraform(k), swap(v)];
        }),
      );
    return value;
  };
  const text = stringify(swap(values), { sortMapEntries: true, lineWidth: 0 });
  // Each placeholder is a whole plain scalar; descending, so -1 never matches a prefix of -10.
  return computed.reduceRight((t, expr, i) => t.split(placeholder(i)).join(expr), text);
}

/** The cdktf markers of a string that holds references; anything else in it is literal text. */
const STRING_TOKEN = /\$\{TfToken\[[^\]]*\]\}/g;

/**
 * `${jsonencode(join("", [<literal>, <reference>, …]))}` for a string holding references: each
 * literal part an HCL quoted string without braces (`hclQuoted`), each reference left as cdktf's
 * marker. cdktf writes a reference bare when the last `${` before it in the string is not yet
 * closed by a `}`, else as `${…}`: between this `${` and the closing `}` there is no other brace,
 * so every reference comes out as an expression of the list. (Written inside one quoted string,
 * they would come out bare there too, and be read as text: hence the list.)
 */
function jsonencodedTemplate(value: string): string {
  if (cdktfTokenMarker(value.replace(STRING_TOKEN, "")) !== undefined) throw new Error("gatehouse: a Helm value holds a list or map Terraform fills in; pass each element as a string");
  const parts: string[] = [];
  let at = 0;
  for (const m of value.matchAll(STRING_TOKEN)) {
    if (m.index > at) parts.push(`"${hclQuoted(value.slice(at, m.index))}"`);
    parts.push(m[0]);
    at = m.index + m[0].length;
  }
  if (at < value.length) parts.push(`"${hclQuoted(value.slice(at))}"`);
  return parts.length === 1 ? `\${jsonencode(${parts[0]})}` : `\${jsonencode(join("", [${parts.join(", ")}]))}`;
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
