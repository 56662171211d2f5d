/**
 * npm run build: gatehouse as a library (dist/, the package's `main`, `types` and `exports`).
 *
 * 1. Starts from an empty dist/, so a module removed from modules/ is not shipped stale.
 * 2. Compiles modules/ to CommonJS with declarations (tsconfig.build.json).
 * 3. Copies the charts shipped with gatehouse to dist/modules/k8s/charts/: localChartDir looks
 *    for them relative to its own file, which is dist/modules/k8s/local-chart.js in the package.
 * 4. Copies the environments' JSON Schema (dist/envs/gatehouse.schema.json) for editors.
 *
 * `npm pack` runs it (prepack). `npm run synth` does not use dist/.
 */
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, readdirSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";

const root = resolve(__dirname, "..");
const dist = join(root, "dist");
const charts = join("modules", "k8s", "charts");

function main(): number {
  rmSync(dist, { recursive: true, force: true });
  const tsc = spawnSync(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", join(root, "tsconfig.build.json")], { cwd: root, stdio: "inherit" });
  if (tsc.status !== 0) {
    process.stderr.write("build: tsc failed; dist/ is incomplete\n");
    return tsc.status ?? 1;
  }
  cpSync(join(root, charts), join(dist, charts), { recursive: true });
  for (const name of readdirSync(join(dist, charts)))
    if (!existsSync(join(dist, charts, name, "Chart.yaml"))) {
      process.stderr.write(`build: ${join(charts, name)} has no Chart.yaml\n`);
      return 1;
    }
  cpSync(join(root, "envs", "gatehouse.schema.json"), join(dist, "envs", "gatehouse.schema.json"));
  return 0;
}

process.exitCode = main();
