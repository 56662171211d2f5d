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

  describe("plan.yml", () => {
    interface Step {
      name?: string;
      uses?: string;
      run?: string;
      if?: string;
      env?: Record<string, string>;
      with?: Record<string, unknown>;
      id?: string;
    }
    interface Job {
      if?: string;
      needs?: string | string[];
      permissions?: Record<string, string>;
      outputs?: Record<string, string>;
      strategy?: { matrix: Record<string, string> };
      env?: Record<string, string>;
      steps: Step[];
    }
    interface Workflow {
      on: { pull_request: { types: string[] }; workflow_dispatch: { inputs: Record<string, { type: string; default: unknown }> } };
      permissions: Record<string, string>;
      env: Record<string, string>;
      jobs: Record<string, Job>;
    }
    const text = readFileSync(join(dir, "plan.yml"), "utf8");
    const wf = parse(text) as Workflow;
    const job = (name: string): Job => {
      const j = wf.jobs[name];
      if (!j) throw new Error(`plan.yml has no job ${name}`);
      return j;
    };
    const index = (j: Job, pred: (s: Step) => boolean): number => {
      const i = j.steps.findIndex(pred);
      expect(i).toBeGreaterThanOrEqual(0);
      return i;
    };
    const FORK_GUARD = "github.event.pull_request.head.repo.full_name == github.repository";

    it("has the synth, plan and comment jobs, on pull requests (with the plan-all label) and by hand", () => {
      expect(Object.keys(wf.jobs)).toEqual(["synth", "plan", "comment"]);
      expect(wf.on.pull_request.types).toContain("labeled");
      expect(wf.on.workflow_dispatch.inputs["plan-all"]).toMatchObject({ type: "boolean", default: true });
      expect(job("synth").if).toBe("github.event.action != 'labeled' || github.event.label.name == 'plan-all'");
      expect(text).toContain("contains(github.event.pull_request.labels.*.name, 'plan-all')");
    });

    it("is read-only at the top; pull-requests: write on the comment job only; id-token: write on the plan job only", () => {
      expect(wf.permissions).toEqual({ contents: "read" });
      expect(job("synth").permissions).toBeUndefined();
      expect(job("plan").permissions).toEqual({ "id-token": "write" });
      expect(job("comment").permissions).toEqual({ "pull-requests": "write" });
    });

    it("gives secrets to the plan job only, never to the jobs that run the pull request's npm scripts", () => {
      const secretsIn = (name: string) => JSON.stringify(job(name)).match(/secrets\.[A-Z_]+/g) ?? [];
      expect(secretsIn("synth")).toEqual([]);
      expect(secretsIn("comment")).toEqual([]);
      expect(new Set(secretsIn("plan"))).toEqual(new Set(["secrets.TF_API_TOKEN"]));
    });

    it("uses Node 24 wherever it sets up node", () => {
      const setups = Object.values(wf.jobs).flatMap((j) => j.steps.filter((s) => String(s.uses).startsWith("actions/setup-node")));
      expect(setups.length).toBeGreaterThanOrEqual(2);
      for (const s of setups) expect(s.with?.["node-version"]).toBe(24);
    });

    it("synthesizes head and base, selects with scripts/ci/plan-stacks.ts, and passes the matrix and the comment decision on", () => {
      const synth = job("synth");
      const runs = synth.steps.map((s) => s.run ?? "");
      expect(runs).toContain("npm run synth");
      expect(text).not.toContain("GATEHOUSE_ENV_FILE");
      expect(wf.env.GATEHOUSE_ENVS).toBe("${{ vars.GATEHOUSE_PLAN_ENVS }}");
      const baseSynth = index(synth, (s) => s.id === "base-synth");
      expect(synth.steps[baseSynth]).toMatchObject({ "working-directory": "base", "continue-on-error": true, run: "npm ci && npm run synth" });
      const select = index(synth, (s) => s.id === "select");
      expect(select).toBeGreaterThan(baseSynth);
      const cmd = synth.steps[select]?.run ?? "";
      expect(cmd).toMatch(/^npm run --silent plan-stacks -- select --head cdktf\.out --base base\/cdktf\.out /);
      for (const flag of ["--event", "--repo", "--head-repo", "--plan-all-label", "--plan-all-input", "--out plan-selection"]) expect(cmd).toContain(flag);
      expect(synth.steps[select]?.env?.HEAD_REPO).toBe("${{ github.event.pull_request.head.repo.full_name }}");
      expect(synth.outputs).toEqual({ stacks: "${{ steps.select.outputs.stacks }}", comment: "${{ steps.select.outputs.comment }}" });
      const pkg = JSON.parse(readFileSync(join(__dirname, "..", "package.json"), "utf8")) as { scripts: Record<string, string> };
      expect(pkg.scripts["plan-stacks"]).toBe("node -r tsx/cjs scripts/ci/plan-stacks.ts");
      // The plan job installs nothing: it runs the same script, bundled into the selection artifact.
      expect(runs).toContain("npx esbuild scripts/ci/plan-stacks.ts --bundle --platform=node --target=node24 --log-level=warning --outfile=plan-selection/plan-stacks.js");
    });

    it("keeps the report: the base branch's, the comparison with it, and the artifact", () => {
      const synth = job("synth");
      const baseReport = synth.steps.find((s) => s.name === "Base branch report");
      expect(baseReport).toMatchObject({ if: "steps.base-synth.outcome == 'success'", "working-directory": "base", run: "npm run report -- --no-synth" });
      const report = synth.steps.find((s) => s.env?.GATEHOUSE_REPORT_BASE !== undefined);
      expect(report).toMatchObject({ run: "npm run report -- --no-synth", env: { GATEHOUSE_REPORT_BASE: "base/cdktf.out/report/costs.json" } });
      expect(synth.steps.find((s) => s.with?.name === "report")?.with).toMatchObject({ path: "cdktf.out/report" });
    });

    it("writes the selection to the synth job's summary, the only report a fork's pull request gets", () => {
      const summary = job("synth").steps.find((s) => (s.run ?? "").includes("GITHUB_STEP_SUMMARY"));
      expect(summary?.run).toContain("cat plan-selection/selection.md");
      expect(summary?.env?.COMMENT).toBe("${{ steps.select.outputs.comment }}");
    });

    it("plans the selected stacks only, never for a fork, checking the workspace before terraform init", () => {
      const plan = job("plan");
      expect(plan.needs).toBe("synth");
      expect(plan.if).toContain("needs.synth.outputs.stacks != '[]'");
      expect(plan.if).toContain(FORK_GUARD);
      expect(plan.strategy?.matrix.stack).toBe("${{ fromJSON(needs.synth.outputs.stacks) }}");
      const setup = plan.steps.find((s) => String(s.uses).startsWith("hashicorp/setup-terraform"));
      expect(setup?.with).toMatchObject({ cli_config_credentials_token: "${{ secrets.TF_API_TOKEN }}", terraform_wrapper: false });
      const check = index(plan, (s) => (s.run ?? "").startsWith("node plan-selection/plan-stacks.js check-workspace "));
      expect(plan.steps[check]?.env?.TF_API_TOKEN).toBe("${{ secrets.TF_API_TOKEN }}");
      const init = index(plan, (s) => (s.run ?? "").includes(" init -input=false"));
      const tfPlan = index(plan, (s) => (s.run ?? "").includes(" plan -input=false"));
      expect(check).toBeLessThan(init);
      expect(init).toBeLessThan(tfPlan);
      // Stack names reach the shell through the environment, not pasted into the script.
      expect(plan.env?.STACK).toBe("${{ matrix.stack }}");
      for (const s of plan.steps) expect(s.run ?? "").not.toContain("${{");
    });

    it("comments only after a successful synth, only on this repository's pull requests, with the selection first", () => {
      const comment = job("comment");
      expect(comment.needs).toEqual(["synth", "plan"]);
      expect(comment.if).toContain("needs.synth.result == 'success'");
      expect(comment.if).toContain("!cancelled()");
      expect(comment.if).not.toContain("always()");
      expect(comment.if).toContain("github.event_name == 'pull_request'");
      expect(comment.if).toContain(FORK_GUARD);
      const script = String(comment.steps.find((s) => String(s.uses).startsWith("actions/github-script"))?.with?.script);
      expect(script).toContain('fs.readFileSync("selection/selection.md", "utf8")');
      expect(script).toMatch(/\[marker, "## gatehouse: terraform plan", selection, \.\.\.markdown\("summaries"\), \.\.\.estimate\]/);
    });

    it("documents the token's permissions, forks and the plan-all switch in its header", () => {
      const header = text.slice(0, text.indexOf("\nname: plan"));
      for (const phrase of ["TF_API_TOKEN", '"plan" access', "queue plans", "cannot create workspaces", "/api/v2/organizations/<org>/workspaces/<name>", "forks", "job summary", "plan-all", "local state"]) expect(header.toLowerCase()).toContain(phrase.toLowerCase());
    });
  });

  it("test.yml runs the README's test command after npm ci", () => {
    const runs = (parse(readFileSync(join(dir, "test.yml"), "utf8")) as { jobs: { test: { steps: Array<{ run?: string }> } } }).jobs.test.steps.map((s) => s.run).filter(Boolean);
    expect(runs).toEqual(["npm ci", "npm test"]);
  });
});
