/**
 * gatehouse: pick environments → build their stacks → synthesize.
 *
 *   GATEHOUSE_ENVS=dev,prod        synthesize only these environments
 *   GATEHOUSE_ENV_FILE=a.yaml,b.json  add environments from YAML/JSON files
 *   CDKTF_OUTDIR=dir               write there instead of cdktf.out (the cdktf CLI sets it)
 *
 * Every environment is validated and built before anything is written: with any problem the
 * report lists them all, the exit status is 1 and the output directory is left as it was.
 * Synthesis writes into a staging directory beside the output directory and then swaps it in
 * (rename the old output away, rename the new one in, remove the old), so the output directory
 * always holds either the previous output or the new one, whole, even when a run is killed.
 */
import { rmSync } from "node:fs";
import { BUILTIN_ENVS } from "./envs";
import { loadEnvironments, selectionFromEnv, type LoadedEnv } from "./envs/loader";
import { App, skipTokenCreationStacks } from "./modules/cdktf";
import { ConfigError, describeError } from "./modules/errors";
import { isFsError, keepVanishingStackDirs, OutputError, outputDir, prepareStaging, swapIn } from "./modules/output";
import { buildAll } from "./modules/stacks/build";
import { nlbSecurityGroupWarnings } from "./modules/stacks/replacement-warnings";

function main(): void {
  skipTokenCreationStacks(process.env);
  const envs = loadEnvironments({ builtins: BUILTIN_ENVS, ...selectionFromEnv(process.env) });
  const out = outputDir(process.env);
  const staging = prepareStaging(out);
  try {
    const app = new App({ stackTraces: false, outdir: staging });
    try {
      buildAll(app, envs.map((l) => l.env));
    } catch (e) {
      throw e instanceof ConfigError ? withFiles(e, envs) : e;
    }
    // Compares with the previous output, so it reads the real output directory.
    for (const w of nlbSecurityGroupWarnings(out.path, envs.map((l) => l.env))) process.stderr.write(`${w}\n`);
    try {
      app.synth();
    } catch (e) {
      if (isFsError(e)) throw new OutputError(`${out.described}: cannot be written: ${describeError(e)}; nothing was synthesized.`);
      throw e;
    }
    // Only the cdktf CLI sets this variable.
    if (process.env.CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS !== undefined) keepVanishingStackDirs(out.path, staging);
    swapIn(staging, out);
    const names = envs.map((l) => l.env.name).join(", ");
    process.stderr.write(`gatehouse: synthesized ${app.node.children.length} stacks for ${names} into ${out.shown}\n`);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

/** Construct problems name the environment; give them the file it came from, as schema problems have. */
function withFiles(e: ConfigError, envs: readonly LoadedEnv[]): ConfigError {
  const files = new Map(envs.filter((l) => l.file !== undefined).map((l) => [l.env.name, l.file]));
  return new ConfigError(e.problems.map((p) => (p.file === undefined && files.has(p.env) ? { ...p, file: files.get(p.env) } : p)));
}

try {
  main();
} catch (e) {
  if (e instanceof ConfigError || e instanceof OutputError) {
    process.stderr.write(`${e.message}\n`);
    process.exitCode = 1;
  } else throw e;
}
