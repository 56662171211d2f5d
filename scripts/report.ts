/**
 * npm run report: the operators' view. Synthesizes (or reuses a fresh synth), then writes
 * `cdktf.out/report/`: `<env>.svg` (the traffic path, drawn by Graphviz), `<env>.md` (the cost
 * table), `costs.json` and `index.html` (all of it on one self-contained page).
 *
 *   npm run report                 synthesize unless the output was synthesized by the last report from the same inputs
 *   npm run report -- --synth      always synthesize first
 *   npm run report -- --no-synth   report on the output directory as it is (e.g. after `npm run synth` in CI)
 *
 * The synth selection is the usual one (GATEHOUSE_ENVS, GATEHOUSE_ENV_FILE, CDKTF_OUTDIR). The
 * traffic assumptions of the cost estimate come from GATEHOUSE_REPORT_* variables (README).
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readdirSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { ConfigError } from "../modules/core/errors";
import { outputLocation } from "../cli/output";
import { readBoundedFile } from "../modules/core/read-file";
import { AssumptionError, unusedAssumptionOverrides } from "./report/costs";
import { ReportInputError } from "./report/stacks";
import { BASE_VARIABLE, generateReport, reportOptions } from "./report/index";

const root = process.env.GATEHOUSE_PACKAGE_ROOT ?? resolve(__dirname, "..");
const outdir = outputLocation(process.env).path;
const STAMP = ".synth-inputs";

function files(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => (d.isDirectory() ? files(join(dir, d.name)) : [join(dir, d.name)]));
}

/**
 * Every file this script reads is read bounded (modules/core/read-file.ts): a source or env file over
 * this limit (or a device, a FIFO) is hashed as what it is, not read; the synth refuses such an
 * env file itself.
 */
const INPUT_MAX_BYTES = 16 * 1024 * 1024;

function bounded(file: string, maxBytes: number): Buffer {
  const read = readBoundedFile(file, { maxBytes, what: "inputs", expected: "not hashed" });
  return "bytes" in read ? read.bytes : Buffer.from(`(${read.error})`);
}

/** A hash of everything a synth reads: sources, lock file, named env files and the selection variables. */
function inputsKey(): string {
  const h = createHash("sha256");
  const named = (process.env.GATEHOUSE_ENV_FILE ?? "").split(",").filter(Boolean).map((f) => resolve(process.cwd(), f.trim()));
  const all = [join(root, "main.ts"), join(root, "package-lock.json"), ...files(join(root, "envs")), ...files(join(root, "modules")), ...named].sort();
  for (const f of all) {
    h.update(relative(root, f)).update("\0");
    h.update(bounded(f, INPUT_MAX_BYTES)).update("\0");
  }
  h.update(JSON.stringify([process.env.GATEHOUSE_ENVS ?? "", process.env.GATEHOUSE_ENV_FILE ?? "", outdir]));
  return h.digest("hex");
}

function fresh(key: string): boolean {
  return existsSync(join(outdir, "manifest.json")) && bounded(join(outdir, "report", STAMP), 1024).toString("utf8").trim() === key;
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const unknown = args.filter((a) => a !== "--synth" && a !== "--no-synth");
  if (unknown.length) {
    process.stderr.write(`gatehouse report: unknown argument ${unknown.join(" ")} (use --synth or --no-synth)\n`);
    return 2;
  }
  // Every option is checked (and the base file read) before anything is synthesized or written:
  // a mistake there must not cost the output directory its previous contents.
  const options = reportOptions(process.env);
  const base = process.env[BASE_VARIABLE];
  if (base && options.base?.size === 0 && !existsSync(base)) process.stderr.write(`gatehouse report: ${BASE_VARIABLE} names ${base}, which does not exist: every environment is compared as new\n`);
  const key = inputsKey();
  const wasFresh = fresh(key);
  const synth = args.includes("--synth") || (!args.includes("--no-synth") && !wasFresh);
  if (synth) {
    const r = spawnSync(process.execPath, [join(root, "scripts", "run-ts.js"), join(root, "main.ts")], { cwd: process.cwd(), stdio: "inherit", env: { ...process.env, CDKTF_OUTDIR: outdir } });
    if (r.status !== 0) return r.status ?? 1;
  } else if (!existsSync(join(outdir, "manifest.json"))) {
    process.stderr.write(`gatehouse report: ${outdir} has no manifest.json; run npm run synth first (or drop --no-synth)\n`);
    return 1;
  } else process.stderr.write(`gatehouse report: reusing the synthesized output in ${relative(process.cwd(), outdir) || "."}\n`);
  const report = await generateReport(outdir, process.env, synth || wasFresh ? { [STAMP]: `${key}\n` } : {}, options);
  for (const v of unusedAssumptionOverrides(process.env, report.envs.map((e) => e.env))) process.stderr.write(`gatehouse report: warning: ${v} names no environment of this report; the per-environment suffix is the name upper-cased, "-" → "_"\n`);
  for (const e of report.envs) process.stderr.write(`gatehouse report: ${e.env}: ${e.cost.lines.length} priced items, $${e.cost.total.toFixed(2)}/month\n`);
  process.stderr.write(`gatehouse report: wrote ${relative(process.cwd(), report.dir)}/ (index.html, costs.json, ${report.envs.length} SVGs and cost tables)\n`);
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    if (e instanceof AssumptionError || e instanceof ConfigError || e instanceof ReportInputError) {
      process.stderr.write(`${e.message}\n`);
      process.exitCode = 1;
    } else throw e;
  },
);
