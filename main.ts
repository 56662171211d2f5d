/**
 * gatehouse: pick environments → build their stacks → synthesize.
 *
 *   envs/*.yaml, *.yml, *.json     the team's environments, picked up without listing them
 *                                  (with envs/index.ts for environments written in TypeScript);
 *                                  while there are none, the demo environments (envs/examples/demo.ts)
 *   GATEHOUSE_ENVS=dev,prod        synthesize only these environments
 *   GATEHOUSE_ENV_FILE=a.yaml,b.json  add environments from other YAML/JSON files
 *   CDKTF_OUTDIR=dir               write there instead of cdktf.out (the cdktf CLI sets it)
 *
 * Every environment is validated and built before anything is written: with any problem the
 * report lists them all, the exit status is 1 and the output directory is left as it was. The
 * new output is committed whole (cli/output.ts): files gatehouse did not write survive, and
 * local Terraform state lives in state/ beside the output directory.
 */
import { ENVIRONMENTS } from "./envs";
import { DEMO_ENVS } from "./envs/examples/demo";
import { discoverEnvFiles, loadAll, selectionFromEnv, type LoadedEnv } from "./modules/config/loader";
import { App, skipTokenCreationStacks } from "./modules/core/cdktf";
import { ConfigError, describeError } from "./modules/core/errors";
import { commitOutput, discardStaging, isFsError, OutputError, outputDir, prepareStaging } from "./cli/output";
import { buildAll } from "./modules/stacks/build";
import { resolveTokensSparingly } from "./modules/synth-tuning";
import { nlbSecurityGroupWarnings } from "./cli/replacement-warnings";

/** Where the team's environment files live, relative to the project directory. */
const ENV_DIR = "envs";

function main(): void {
  skipTokenCreationStacks(process.env);
  const selection = selectionFromEnv(process.env);
  const ownFiles = discoverEnvFiles(ENV_DIR);
  const demo = ENVIRONMENTS.length === 0 && ownFiles.length === 0;
  const loaded = loadAll({ builtins: demo ? DEMO_ENVS : ENVIRONMENTS, files: [...ownFiles, ...selection.files], only: selection.only });
  const envs = loaded.selected;
  const out = outputDir(process.env);
  const staging = prepareStaging(out);
  try {
    const app = new App({ stackTraces: false, outdir: staging });
    try {
      // The environments not selected still own their cloud names: compared, never built.
      buildAll(
        app,
        envs.map((l) => l.env),
        loaded.unselected.map((l) => l.env),
      );
    } catch (e) {
      throw e instanceof ConfigError ? withFiles(e, [...envs, ...loaded.unselected]) : e;
    }
    // Compares with the previous output, so it reads the real output directory.
    for (const w of nlbSecurityGroupWarnings(out.path, envs.map((l) => l.env))) process.stderr.write(`${w}\n`);
    // Plain data is copied as it is; only values holding a token go through cdktf's resolver.
    resolveTokensSparingly(app, process.env);
    try {
      app.synth();
    } catch (e) {
      if (isFsError(e)) throw new OutputError(`${out.described}: cannot be written: ${describeError(e)}; nothing was synthesized.`);
      throw e;
    }
    const selected = new Set(envs.map((l) => l.env.name));
    const result = commitOutput(staging, out, {
      stacks: app.node.children.map((c) => c.node.id),
      keepEnvs: loaded.known.filter((n) => !selected.has(n)),
      // Only the cdktf CLI sets this variable.
      cli: process.env.CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS !== undefined,
    });
    for (const w of result.warnings) process.stderr.write(`${w}\n`);
    for (const n of result.notes) process.stdout.write(`${n}\n`);
    const names = envs.map((l) => l.env.name).join(", ");
    // Only when some of what was built is a demo (built in, not from a file given with the selection).
    const demos = demo ? envs.filter((l) => l.file === undefined).length : 0;
    const whose = demos ? ` (${demos === envs.length ? "the demo environments" : `${demos} of them demo environments`}: ${ENV_DIR}/ holds none of your own yet; see "Make it yours" in the README)` : "";
    // Success goes to stdout: the cdktf CLI shows everything on stderr as an error.
    process.stdout.write(`gatehouse: synthesized ${app.node.children.length} stacks for ${names}${whose} into ${out.shown}\n`);
  } finally {
    discardStaging(staging, out);
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
