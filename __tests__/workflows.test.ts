/** The shipped GitHub Actions workflows are valid against the workflow schema. */
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { validateWorkflow } from "@action-validator/core";
import { parse } from "yaml";

const dir = join(__dirname, "..", ".github", "workflows");
const files = readdirSync(dir).filter((f) => f.endsWith(".yml"));

describe("GitHub Actions workflows", () => {
  it("ships the plan and test workflows", () => {
    expect(files.sort()).toEqual(["plan.yml", "test.yml"]);
  });

  it.each(files)("%s is valid against the workflow schema", (file) => {
    expect(validateWorkflow(readFileSync(join(dir, file), "utf8")).errors).toEqual([]);
  });

  it("the validator rejects a broken workflow", () => {
    expect(validateWorkflow("on: push\njobs:\n  x:\n    steps: 3\n").errors.length).toBeGreaterThan(0);
  });

  it("plan.yml plans each stack from manifest.json with the HCP Terraform token and no wrapper", () => {
    const text = readFileSync(join(dir, "plan.yml"), "utf8");
    const wf = parse(text) as { jobs: Record<string, { steps: Array<Record<string, unknown>>; strategy?: { matrix: Record<string, string> } }> };
    expect(text).toContain('require("./cdktf.out/manifest.json").stacks');
    expect(wf.jobs.plan?.strategy?.matrix.stack).toBe("${{ fromJSON(needs.synth.outputs.stacks) }}");
    const setup = wf.jobs.plan?.steps.find((s) => String(s.uses).startsWith("hashicorp/setup-terraform")) as { with: Record<string, unknown> };
    expect(setup.with).toMatchObject({ cli_config_credentials_token: "${{ secrets.TF_API_TOKEN }}", terraform_wrapper: false });
    const steps = wf.jobs.plan?.steps.map((s) => String(s.run ?? "")).join("\n");
    expect(steps).toContain("init -input=false");
    expect(steps).toContain("plan -input=false");
  });

  it("test.yml runs the README's test command after npm ci", () => {
    const runs = (parse(readFileSync(join(dir, "test.yml"), "utf8")) as { jobs: { test: { steps: Array<{ run?: string }> } } }).jobs.test.steps.map((s) => s.run).filter(Boolean);
    expect(runs).toEqual(["npm ci", "npm test"]);
  });
});
