/**
 * Terraform addresses never depend on the run: each stack's cdk.tf.json is byte-identical whether
 * its environment is synthesized alone, with every other one, in another order, or twice in one
 * process. A logical id derived from a reference (a token) would break exactly this.
 */
import { mkdtempSync, readFileSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { App, TerraformStack } from "cdktf";
import { DEMO_ENVS } from "../envs/examples/demo";
import { loadEnvironments } from "../modules/config/loader";
import type { Env } from "../modules/config/schema";
import { buildAll } from "../modules/stacks/build";

const root = join(__dirname, "..");
const examples = readdirSync(join(root, "envs/examples"))
  .filter((f) => f.endsWith(".yaml"))
  .map((f) => join(root, "envs/examples", f));
const envs: Env[] = loadEnvironments({ builtins: DEMO_ENVS, files: examples }).map((l) => l.env);

/** Synthesizes the envs in one App (in this order); returns stack name → cdk.tf.json text. */
function synth(selection: readonly Env[], app = new App({ outdir: mkdtempSync(join(tmpdir(), "gh-stable-")), stackTraces: false })): Record<string, string> {
  const stacks = buildAll(app, selection);
  app.synth();
  return Object.fromEntries(stacks.map((s) => [s.node.id, readFileSync(join(app.outdir, "stacks", s.node.id, "cdk.tf.json"), "utf8")]));
}

describe("stable output", () => {
  const together = synth(envs);
  const reversed = synth([...envs].reverse());

  it("covers every built-in env and every shipped example", () => {
    expect(envs.map((e) => e.name).sort()).toEqual(["dev", "example-api", "example-eks", "example-gke", "example-istio", "example-lattice", "example-multi", "example-ngf", "prod", "staging"]);
    expect(Object.keys(together).length).toBeGreaterThanOrEqual(12);
  });

  it.each(envs.map((e) => [e.name, e] as const))("%s: alone, with all others, reversed and twice in one process give the same bytes", (_name, env) => {
    const alone = synth([env]);
    expect(Object.keys(alone).length).toBeGreaterThan(0);
    for (const [stack, json] of Object.entries(alone)) {
      expect(together[stack]).toBe(json);
      expect(reversed[stack]).toBe(json);
    }
    // A second synthesis in the same process: cdktf's token counter has moved on by now.
    const again = synth([env]);
    expect(again).toEqual(alone);
  });

  it("is the same when cdktf's preparing pass runs (gatehouse stacks skip it: no stack references another's resources)", () => {
    const app = new App({ outdir: mkdtempSync(join(tmpdir(), "gh-prepared-")), stackTraces: false });
    const stacks = buildAll(app, envs);
    for (const s of stacks) s.prepareStack = TerraformStack.prototype.prepareStack;
    app.synth();
    const prepared = Object.fromEntries(stacks.map((s) => [s.node.id, readFileSync(join(app.outdir, "stacks", s.node.id, "cdk.tf.json"), "utf8")]));
    expect(prepared).toEqual(together);
  });

  it("holds no logical id made from a reference", () => {
    for (const [stack, text] of Object.entries(together)) {
      const json = JSON.parse(text) as { resource?: Record<string, Record<string, unknown>>; data?: Record<string, Record<string, unknown>> };
      const ids = [...Object.values(json.resource ?? {}), ...Object.values(json.data ?? {})].flatMap((byId) => Object.keys(byId));
      expect(ids.length).toBeGreaterThan(0);
      for (const id of ids) expect(`${stack}: ${id}`).not.toMatch(/TfToken|TOKEN/);
    }
  });
});
