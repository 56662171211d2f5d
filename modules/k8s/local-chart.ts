/**
 * Charts that ship with gatehouse (modules/k8s/charts/<name>/), installed with `helm_release`
 * from a copy inside the stack's own directory (a cdktf asset, `assets/<id>/<content hash>/`),
 * so a plan in HCP Terraform or CI needs no chart repository. Used for objects whose kinds are
 * CRDs installed in the same apply (Gateway API objects): Helm applies them when the CRDs exist,
 * where a `kubernetes_manifest` would need the CRD already at plan time.
 *
 * The directory is found from the package root: `GATEHOUSE_PACKAGE_ROOT` when the synth runner
 * bundles the sources elsewhere (scripts/run-ts.js sets it), else relative to this file.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { Construct } from "constructs";
import { AssetType, TerraformAsset } from "../core/cdktf";

/** The directory of a chart shipped with gatehouse. */
export function localChartDir(name: string): string {
  const roots = [process.env.GATEHOUSE_PACKAGE_ROOT, join(__dirname, "..", "..")].filter((r): r is string => r !== undefined);
  for (const root of roots) {
    const dir = join(root, "modules", "k8s", "charts", name);
    if (existsSync(join(dir, "Chart.yaml"))) return dir;
  }
  throw new Error(`gatehouse: the chart ${name} is missing from ${roots.join(" and ")} (modules/k8s/charts/${name})`);
}

/** Copies a shipped chart into the stack; `path` is what `helm_release.chart` takes. */
export function localChart(scope: Construct, id: string, name: string): { readonly path: string; readonly asset: TerraformAsset } {
  const asset = new TerraformAsset(scope, id, { path: localChartDir(name), type: AssetType.DIRECTORY });
  return { path: `./${asset.path.replace(/\/$/, "")}`, asset };
}
