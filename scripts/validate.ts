/**
 * npm run validate: synthesize, then check every stack.
 *
 * 1. References: every `${type.name.attr}` points at something in the same stack (always).
 * 2. `terraform init -backend=false` + `terraform validate` in each stack directory, when a
 *    terraform binary is on PATH and the providers can be installed (registry, mirror or
 *    plugin cache). Stacks that cannot be checked are listed with the reason.
 *
 * Exit status: 1 if any stack has a dangling reference or fails `terraform validate`, and 1 when
 * terraform could not check a stack (no binary, providers not installable), with the reason:
 * a run that validated nothing must not look like a pass. `--references-only` accepts that on
 * purpose (machines without terraform or without the providers).
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { outputLocation } from "../cli/output";
import { danglingReferences, type StackJson } from "./lib/references";

const root = resolve(__dirname, "..");
const outdir = outputLocation(process.env).path;
const args = process.argv.slice(2);
const referencesOnly = args.includes("--references-only");

function run(cmd: string, args: string[], cwd: string, timeoutMs: number) {
  return spawnSync(cmd, args, { cwd, encoding: "utf8", timeout: timeoutMs, env: { ...process.env, TF_IN_AUTOMATION: "1", CHECKPOINT_DISABLE: "1" } });
}

function main(): number {
  const unknown = args.filter((a) => a !== "--references-only");
  if (unknown.length) {
    console.error(`gatehouse validate: unknown argument ${unknown.join(" ")} (use --references-only to accept that terraform cannot check the stacks)`);
    return 2;
  }
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
    return failed ? 1 : unchecked(stacks.length, stacks.length);
  }
  const skipped: string[] = [];
  for (const [name, s] of stacks) {
    const dir = join(outdir, s.workingDirectory);
    const init = run("terraform", ["init", "-backend=false", "-input=false", "-no-color"], dir, 180_000);
    if (init.status !== 0) {
      const why = (init.stderr || init.stdout).split("\n").find((l) => /Error|error/.test(l))?.trim() ?? "init failed";
      skipped.push(`${name}: providers could not be installed (${why})`);
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
  if (skipped.length) {
    console.log(`  not checked (${skipped.length} of ${stacks.length} stacks):`);
    for (const u of skipped) console.log(`    ${u}`);
    console.log("  Provide the providers (network access to the registry, a provider mirror, or TF_PLUGIN_CACHE_DIR) to check these.");
  }
  return failed ? 1 : unchecked(skipped.length, stacks.length);
}

/** The exit status when terraform could not check some stacks: a failure unless accepted on purpose. */
function unchecked(count: number, total: number): number {
  if (count === 0) return 0;
  if (referencesOnly) {
    console.log(`\n${count} of ${total} stacks were checked for references only (--references-only).`);
    return 0;
  }
  console.log(`\nFAIL: terraform could not check ${count} of ${total} stacks (see above). Run with --references-only to accept a check of the references alone.`);
  return 1;
}

process.exit(main());
