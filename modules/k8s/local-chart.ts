/**
 * Charts that ship with gatehouse (modules/k8s/charts/<name>/), installed with `helm_release`
 * from a copy inside the stack's own directory (a cdktf asset, `assets/<id>/<content hash>/`),
 * so a plan in HCP Terraform or CI needs no chart repository. Used for objects whose kinds are
 * CRDs installed in the same apply (Gateway API objects): Helm applies them when the CRDs exist,
 * where a `kubernetes_manifest` would need the CRD already at plan time.
 *
 * The directory is found from the package root: `GATEHOUSE_PACKAGE_ROOT` when the synth runner
 * bundles the sources elsewhere (scripts/run-ts.js sets it), else relative to this file. A chart
 * that ships alternatives (the Gateway API CRDs' two channels) is copied without the ones a
 * release does not use, staged under the temporary directory first.
 */
import { createHash, randomBytes } from "node:crypto";
import { copyFileSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
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

export interface LocalChartOptions {
  /**
   * Top-level entries of the chart directory the stack's copy leaves out (a chart that ships
   * alternatives, of which a release uses one): Helm keeps a chart whole, every file of it, in
   * each release record, a Secret of at most 1 MiB. @default none
   */
  readonly leaveOut?: readonly string[];
}

/** Copies a shipped chart into the stack; `path` is what `helm_release.chart` takes. */
export function localChart(scope: Construct, id: string, name: string, opts: LocalChartOptions = {}): { readonly path: string; readonly asset: TerraformAsset } {
  const dir = opts.leaveOut?.length ? chartWithout(name, opts.leaveOut) : localChartDir(name);
  const asset = new TerraformAsset(scope, id, { path: dir, type: AssetType.DIRECTORY });
  return { path: `./${asset.path.replace(/\/$/, "")}`, asset };
}

/**
 * A shipped chart without some top-level entries, staged for the stack's asset to copy: once per
 * content (its hash names it, so a synth reuses it and the asset's own hash stays put), in a
 * directory only this user can write to, written aside and renamed into place so concurrent
 * synths see a whole copy or none. Nothing there is ever removed but a copy this process left
 * half-written.
 */
const staged = new Map<string, string>();
function chartWithout(name: string, leaveOut: readonly string[]): string {
  const source = localChartDir(name);
  const skip = new Set(leaveOut);
  const missing = leaveOut.filter((entry) => !existsSync(join(source, entry)));
  if (missing.length) throw new Error(`gatehouse: the chart ${name} has no ${missing.join(", ")} to leave out (${source})`);
  const key = `${source}\0${[...skip].sort().join("\0")}`;
  const known = staged.get(key);
  if (known !== undefined && existsSync(known)) return known;
  const files = filesUnder(source, source, skip);
  const hash = createHash("sha256");
  for (const f of files) hash.update(relative(source, f)).update("\0").update(readFileSync(f)).update("\0");
  const dir = join(privateStagingDir(), `${name}-${hash.digest("hex").slice(0, 20)}`);
  if (!existsSync(dir)) {
    const tmp = `${dir}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
    for (const f of files) {
      const to = join(tmp, relative(source, f));
      mkdirSync(dirname(to), { recursive: true });
      copyFileSync(f, to);
    }
    try {
      renameSync(tmp, dir);
    } catch (e) {
      rmSync(tmp, { recursive: true, force: true });
      if (!existsSync(dir)) throw e;
    }
  }
  staged.set(key, dir);
  return dir;
}

/** The files under `dir`, in a stable order, without the top-level entries of `skip`. */
function filesUnder(dir: string, root: string, skip: ReadonlySet<string>): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((entry) => {
      const p = join(dir, entry);
      if (dir === root && skip.has(entry)) return [];
      return statSync(p).isDirectory() ? filesUnder(p, root, skip) : [p];
    });
}

/** `<tmp>/gatehouse-charts-<uid>`: made private (0700), and refused when it is not this user's alone. */
function privateStagingDir(): string {
  const uid = process.getuid?.();
  const dir = join(tmpdir(), uid === undefined ? "gatehouse-charts" : `gatehouse-charts-${uid}`);
  try {
    // One level, in the temporary directory that exists: no recursive walk up a path.
    if (!existsSync(dir)) mkdirSync(dir, { mode: 0o700 });
  } catch (e) {
    // Made meanwhile by a concurrent synth: checked below like any other.
    if ((e as NodeJS.ErrnoException).code !== "EEXIST")
      throw new Error(`gatehouse: cannot make ${dir}, where shipped charts are staged for the stacks (${e instanceof Error ? e.message : String(e)}); point TMPDIR at a directory this user can write to`);
  }
  const s = lstatSync(dir);
  if (uid !== undefined && (!s.isDirectory() || s.uid !== uid || (s.mode & 0o077) !== 0))
    throw new Error(`gatehouse: ${dir} must be a directory only this user can write to (shipped charts are staged there for the stacks); remove it and synthesize again`);
  return dir;
}
