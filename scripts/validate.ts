/**
 * npm run validate: synthesize, then check every stack.
 *
 * 1. References: every `${type.name.attr}` points at something in the same stack (always).
 * 2. `terraform init -backend=false` + `terraform validate` in each stack directory, when a
 *    terraform binary is on PATH and the providers can be installed (registry, mirror or
 *    plugin cache). Stacks that cannot be checked are listed with the reason.
 *
 * Exit status: 1 if any stack has a dangling reference or fails `terraform validate`; 0
 * otherwise, also when terraform could not run (it says so).
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { danglingReferences, type StackJson } from "./lib/references";

const root = resolve(__dirname, "..");
const outdir = resolve(root, process.env.CDKTF_OUTDIR ?? "cdktf.out");

function run(cmd: string, args: string[], cwd: string, timeoutMs: number) {
  return spawnSync(cmd, args, { cwd, encoding: "utf8", timeout: timeoutMs, env: { ...process.env, TF_IN_AUTOMATION: "1", CHECKPOINT_DISABLE: "1" } });
}

function main(): number {
  const synth = spawnSync(process.execPath, ["scripts/run-ts.js", "main.ts"], { cwd: root, stdio: "inherit", env: { ...process.env, CDKTF_OUTDIR: outdir } });
  if (synth.status !== 0) return synth.status ?? 1;

  const manifest = JSON.parse(readFileSync(join(outdir, "manifest.json"), "utf8")) as { stacks: Record<string, { workingDirectory: string; synthesizedStackPath: string }> };
  const stacks = Object.entries(manifest.stacks);
  let failed = 0;

  console.log("\nReferences:");
  for (const [name, s] of stacks) {
    const dangling = danglingReferences(JSON.parse(readFileSync(join(outdir, s.synthesizedStackPath), "utf8")) as StackJson);
    if (dangling.length) {
      failed++;
      console.log(`  FAIL ${name}: references to nothing: ${dangling.join(", ")}`);
    } else console.log(`  ok   ${name}`);
  }

  console.log("\nterraform validate:");
  const version = run("terraform", ["version", "-json"], root, 20_000);
  if (version.error || version.status !== 0) {
    console.log(`  not checked: no terraform binary on PATH (${version.error?.message ?? version.stderr.trim()}). Install terraform >= 1.10 to run this step.`);
    return failed ? 1 : 0;
  }
  const unchecked: string[] = [];
  for (const [name, s] of stacks) {
    const dir = join(outdir, s.workingDirectory);
    const init = run("terraform", ["init", "-backend=false", "-input=false", "-no-color"], dir, 180_000);
    if (init.status !== 0) {
      const why = (init.stderr || init.stdout).split("\n").find((l) => /Error|error/.test(l))?.trim() ?? "init failed";
      unchecked.push(`${name}: providers could not be installed (${why})`);
      continue;
    }
    const v = run("terraform", ["validate", "-json", "-no-color"], dir, 180_000);
    const result = JSON.parse(v.stdout || "{}") as { valid?: boolean; diagnostics?: Array<{ severity: string; summary: string; detail?: string }> };
    if (result.valid) console.log(`  ok   ${name}`);
    else {
      failed++;
      console.log(`  FAIL ${name}`);
      for (const d of result.diagnostics ?? []) console.log(`       ${d.severity}: ${d.summary}${d.detail ? ` — ${d.detail}` : ""}`);
    }
  }
  if (unchecked.length) {
    console.log(`  not checked (${unchecked.length} of ${stacks.length} stacks):`);
    for (const u of unchecked) console.log(`    ${u}`);
    console.log("  Provide the providers (network access to the registry, a provider mirror, or TF_PLUGIN_CACHE_DIR) to check these.");
  }
  return failed ? 1 : 0;
}

process.exit(main());
