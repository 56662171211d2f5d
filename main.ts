/**
 * gatehouse: pick environments → build their stacks → synthesize.
 *
 *   GATEHOUSE_ENVS=dev,prod        synthesize only these environments
 *   GATEHOUSE_ENV_FILE=a.yaml,b.json  add environments from YAML/JSON files
 *
 * Every environment is validated and built before anything is written: with any problem the
 * report lists them all, the exit status is 1 and cdktf.out is left as it was.
 */
import { BUILTIN_ENVS } from "./envs";
import { loadEnvironments, splitList } from "./envs/loader";
import { App, skipTokenCreationStacks } from "./modules/cdktf";
import { ConfigError } from "./modules/errors";
import { buildAll } from "./modules/stacks/build";
import { nlbSecurityGroupWarnings } from "./modules/stacks/replacement-warnings";

function main(): void {
  skipTokenCreationStacks(process.env);
  const envs = loadEnvironments({
    builtins: BUILTIN_ENVS,
    files: splitList(process.env.GATEHOUSE_ENV_FILE),
    only: splitList(process.env.GATEHOUSE_ENVS),
  });
  const app = new App({ stackTraces: false });
  buildAll(app, envs.map((l) => l.env));
  for (const w of nlbSecurityGroupWarnings(app.outdir, envs.map((l) => l.env))) process.stderr.write(`${w}\n`);
  app.synth();
  const names = envs.map((l) => l.env.name).join(", ");
  process.stderr.write(`gatehouse: synthesized ${app.node.children.length} stacks for ${names} into ${app.outdir}\n`);
}

try {
  main();
} catch (e) {
  if (e instanceof ConfigError) {
    process.stderr.write(`${e.message}\n`);
    process.exit(1);
  }
  throw e;
}
