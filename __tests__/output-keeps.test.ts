/**
 * Synth deletes only what it wrote. Terraform's files in a stack directory (`.terraform/`, the
 * lock file, plans), files a user put in the output, and local state (moved out of the output,
 * into state/ beside it) survive every synth: all environments, a subset, a changed set, and a
 * run killed at any step of its commit. The output location itself is checked before anything is
 * written.
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join, resolve } from "node:path";
import { commitOutput, isOwnPath, OUTPUT_MARKER, OutputError, outputDir, outputLocation } from "../cli/output";
import { localStatePath } from "../modules/stacks/state";

const root = join(__dirname, "..");
const synthArgs = [join(root, "scripts", "run-ts.js"), join(root, "main.ts")];
const work = mkdtempSync(join(tmpdir(), "gh-keeps-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function synth(vars: Record<string, string>, cwd = root) {
  const r = spawnSync(process.execPath, synthArgs, { cwd, env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", ...vars }, encoding: "utf8", timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Every file under `dir` with its content (directories end in "/"). */
function tree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (rel: string) => {
    for (const d of readdirSync(join(dir, rel), { withFileTypes: true })) {
      const p = rel ? `${rel}/${d.name}` : d.name;
      if (d.isDirectory()) {
        out[`${p}/`] = "";
        walk(p);
      } else out[p] = readFileSync(join(dir, p), "utf8");
    }
  };
  walk("");
  return out;
}

const manifestStacks = (out: string) => Object.keys((JSON.parse(readFileSync(join(out, "manifest.json"), "utf8")) as { stacks: object }).stacks).sort();
const backendOf = (out: string, stack: string) => (JSON.parse(readFileSync(join(out, "stacks", stack, "cdk.tf.json"), "utf8")) as { terraform: { backend?: Record<string, { path?: string }> } }).terraform.backend;

/** What `terraform init` + `apply` leave in a stack directory, and a file of the user's. */
function plantTerraformFiles(out: string, stack: string): Record<string, string> {
  const dir = join(out, "stacks", stack);
  const files: Record<string, string> = {
    ".terraform/providers/registry.terraform.io/hashicorp/aws/6.25.0/linux_amd64/LICENSE": `provider of ${stack}`,
    ".terraform/terraform.tfstate": `{"backend":"${stack}"}`,
    ".terraform.lock.hcl": `# lock of ${stack}\n`,
    "plan.tfplan": `plan of ${stack}`,
    "notes/README.txt": `the team's notes on ${stack}`,
  };
  for (const [f, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, f)), { recursive: true });
    writeFileSync(join(dir, f), text);
  }
  return files;
}

const stateOf = (stack: string, resources: number) => JSON.stringify({ version: 4, serial: 3, resources: Array.from({ length: resources }, (_, i) => ({ type: "aws_lb", name: `r${i}`, stack })) });

describe("local state lives outside the output", () => {
  it("the local backend names state/terraform.<stack>.tfstate beside the output, the same text everywhere", () => {
    expect(localStatePath("dev-aws-edge")).toBe("../../../state/terraform.dev-aws-edge.tfstate");
    // Resolved from the stack directory, as Terraform does, it leaves the output directory.
    const out = join(work, "any", "cdktf.out");
    expect(resolve(join(out, "stacks", "dev-aws-edge"), localStatePath("dev-aws-edge"))).toBe(join(work, "any", "state", "terraform.dev-aws-edge.tfstate"));
  });
});

describe("a team's day: synth, apply, synth again", () => {
  const project = join(work, "day");
  const out = join(project, "cdktf.out");
  const state = join(project, "state");
  let localStacks: string[] = [];
  const planted: Record<string, Record<string, string>> = {};

  beforeAll(() => {
    mkdirSync(project);
    const first = synth({ CDKTF_OUTDIR: out });
    expect(first.status).toBe(0);
    localStacks = manifestStacks(out).filter((s) => backendOf(out, s)?.local !== undefined);
    expect(localStacks.length).toBeGreaterThanOrEqual(7); // dev and staging use local state
    // `terraform apply` as gatehouse 0.2 had it: the state inside the stack directory.
    for (const s of localStacks) {
      planted[s] = plantTerraformFiles(out, s);
      writeFileSync(join(out, "stacks", s, `terraform.${s}.tfstate`), stateOf(s, 3));
      writeFileSync(join(out, "stacks", s, `terraform.${s}.tfstate.backup`), stateOf(s, 2));
    }
    writeFileSync(join(out, "team-notes.md"), "kept");
  }, 120_000);

  const everyPlantedFileIsThere = () => {
    for (const [s, files] of Object.entries(planted)) for (const [f, text] of Object.entries(files)) expect([s, f, readFileSync(join(out, "stacks", s, f), "utf8")]).toEqual([s, f, text]);
    expect(readFileSync(join(out, "team-notes.md"), "utf8")).toBe("kept");
  };

  it("synth all: state moves to state/ once (with a line saying so), every other file stays, the backend path finds the state", () => {
    const r = synth({ CDKTF_OUTDIR: out });
    expect(r.status).toBe(0);
    everyPlantedFileIsThere();
    for (const s of localStacks) {
      expect(existsSync(join(out, "stacks", s, `terraform.${s}.tfstate`))).toBe(false);
      expect(JSON.parse(readFileSync(join(state, `terraform.${s}.tfstate`), "utf8"))).toEqual(JSON.parse(stateOf(s, 3)));
      expect(JSON.parse(readFileSync(join(state, `terraform.${s}.tfstate.backup`), "utf8"))).toEqual(JSON.parse(stateOf(s, 2)));
      expect(r.stdout).toContain(`gatehouse: ${s}: moved its local state from`);
      expect(r.stdout).toContain(`init -reconfigure`);
      const path = backendOf(out, s)?.local?.path ?? "";
      expect(resolve(join(out, "stacks", s), path)).toBe(join(state, `terraform.${s}.tfstate`));
    }
    expect(r.stdout).toMatch(/gatehouse: synthesized 13 stacks for dev, staging, prod/);
    expect(r.stderr).toBe("");
  }, 60_000);

  it("synth again: nothing moves, nothing is lost, no state is overwritten", () => {
    const before = tree(state);
    const r = synth({ CDKTF_OUTDIR: out });
    expect(r.status).toBe(0);
    expect(r.stdout).not.toContain("moved its local state");
    everyPlantedFileIsThere();
    expect(tree(state)).toEqual(before);
  }, 60_000);

  it("synth a subset: the other environments' stack directories stay as they were, files and configuration", () => {
    const other = localStacks.filter((s) => !s.startsWith("dev-"));
    const before = Object.fromEntries(other.map((s) => [s, tree(join(out, "stacks", s))]));
    const r = synth({ CDKTF_OUTDIR: out, GATEHOUSE_ENVS: "dev" });
    expect(r.status).toBe(0);
    expect(manifestStacks(out)).toEqual(["dev-aws-cluster", "dev-aws-edge"]);
    for (const s of other) expect(tree(join(out, "stacks", s))).toEqual(before[s]);
    everyPlantedFileIsThere();
  }, 60_000);

  it("synth a changed set of environments (an env file added): every file is still there", () => {
    const r = synth({ CDKTF_OUTDIR: out, GATEHOUSE_ENV_FILE: join(root, "envs/examples/eks.yaml") });
    expect(r.status).toBe(0);
    expect(manifestStacks(out)).toContain("example-eks-aws-edge");
    everyPlantedFileIsThere();
  }, 60_000);

  it("a stack no environment produces any more is kept, with a warning, while it holds state or Terraform's files; dropped when it holds only gatehouse's", () => {
    // example-eks was synthesized by the previous test; apply it, then drop the env file.
    plantTerraformFiles(out, "example-eks-aws-edge");
    writeFileSync(join(state, "terraform.example-eks-aws-cluster.tfstate"), stateOf("example-eks-aws-cluster", 4));
    const r = synth({ CDKTF_OUTDIR: out });
    expect(r.status).toBe(0);
    expect(r.stderr).toContain("gatehouse: stack example-eks-aws-edge is no longer synthesized by any environment, but it holds .terraform/, .terraform.lock.hcl, notes/, plan.tfplan.");
    expect(r.stderr).toContain("gatehouse: stack example-eks-aws-cluster is no longer synthesized by any environment, but its local state (");
    expect(r.stderr).toContain("records 4 resources");
    expect(r.stderr).toContain("destroy them first (terraform -chdir=");
    // Kept whole, so `terraform destroy` still has its configuration.
    expect(existsSync(join(out, "stacks", "example-eks-aws-edge", "cdk.tf.json"))).toBe(true);
    expect(existsSync(join(out, "stacks", "example-eks-aws-cluster", "cdk.tf.json"))).toBe(true);
    expect(existsSync(join(state, "terraform.example-eks-aws-cluster.tfstate"))).toBe(true);
    // Destroyed: the state records nothing, the directory holds only gatehouse's files → dropped.
    writeFileSync(join(state, "terraform.example-eks-aws-cluster.tfstate"), stateOf("example-eks-aws-cluster", 0));
    const again = synth({ CDKTF_OUTDIR: out });
    expect(again.status).toBe(0);
    expect(existsSync(join(out, "stacks", "example-eks-aws-cluster"))).toBe(false);
    expect(existsSync(join(state, "terraform.example-eks-aws-cluster.tfstate"))).toBe(true); // never deleted
    expect(existsSync(join(out, "stacks", "example-eks-aws-edge", ".terraform.lock.hcl"))).toBe(true);
    everyPlantedFileIsThere();
  }, 120_000);

  it("a state file at both places is never overwritten: the one in state/ wins, the other stays, the user is told", () => {
    const s = localStacks[0] as string;
    writeFileSync(join(out, "stacks", s, `terraform.${s}.tfstate`), stateOf(s, 9));
    const before = readFileSync(join(state, `terraform.${s}.tfstate`), "utf8");
    const r = synth({ CDKTF_OUTDIR: out });
    expect(r.status).toBe(0);
    expect(r.stderr).toContain(`gatehouse: ${s}: both`);
    expect(readFileSync(join(state, `terraform.${s}.tfstate`), "utf8")).toBe(before);
    expect(readFileSync(join(out, "stacks", s, `terraform.${s}.tfstate`), "utf8")).toBe(stateOf(s, 9));
  }, 60_000);
});

describe("the output location", () => {
  it("an empty CDKTF_OUTDIR means the default, for synth, validate and report alike", () => {
    expect(outputLocation({ CDKTF_OUTDIR: "" }, "/p").path).toBe("/p/cdktf.out");
    expect(outputLocation({ CDKTF_OUTDIR: "  " }, "/p").path).toBe("/p/cdktf.out");
    expect(outputLocation({}, "/p").path).toBe("/p/cdktf.out");
    expect(outputLocation({ CDKTF_OUTDIR: "build/tf" }, "/p")).toEqual({ given: "build/tf", path: "/p/build/tf", fromVariable: true });
    for (const script of ["scripts/validate.ts", "scripts/report.ts"]) expect([script, readFileSync(join(root, script), "utf8")]).toEqual([script, expect.stringContaining("outputLocation(process.env)")]);
  });

  /** A project directory with a repository and files of the user's. */
  function userProject(): string {
    const dir = mkdtempSync(join(work, "repo-"));
    mkdirSync(join(dir, ".git", "objects"), { recursive: true });
    writeFileSync(join(dir, ".git", "HEAD"), "ref: refs/heads/main\n");
    writeFileSync(join(dir, "important.txt"), "mine");
    return dir;
  }

  it.each([
    ["CDKTF_OUTDIR=. (the repository)", (p: string) => ({ vars: { CDKTF_OUTDIR: "." }, target: p })],
    ["a directory of the user's files", (p: string) => ({ vars: { CDKTF_OUTDIR: join(p) }, target: p })],
    [
      "a symlink to the user's files",
      (p: string) => {
        const link = join(work, `link-${Date.now()}`);
        symlinkSync(p, link);
        return { vars: { CDKTF_OUTDIR: link }, target: p };
      },
    ],
  ])("refuses %s: exit 1, a message naming it, nothing touched", (_label, pick) => {
    const project = userProject();
    const { vars, target } = pick(project);
    const before = tree(target);
    const r = synth(vars, project);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("holds files that are not gatehouse's output");
    expect(r.stderr).toContain(".gatehouse-output");
    expect(tree(target)).toEqual(before);
    expect(readdirSync(dirname(target)).filter((n) => n.includes(".tmp-") || n.includes(".old-"))).toEqual([]);
  }, 60_000);

  it("CDKTF_OUTDIR= (empty, as CI easily sets it) writes the default cdktf.out and leaves the project alone", () => {
    const project = userProject();
    const r = synth({ CDKTF_OUTDIR: "" }, project);
    expect(r.status).toBe(0);
    expect(readFileSync(join(project, "important.txt"), "utf8")).toBe("mine");
    expect(existsSync(join(project, ".git", "HEAD"))).toBe(true);
    expect(existsSync(join(project, "cdktf.out", OUTPUT_MARKER))).toBe(true);
  }, 60_000);

  it("accepts an empty directory, and the output of gatehouse 0.2 (a cdktf manifest, no marker)", () => {
    const empty = mkdtempSync(join(work, "empty-"));
    expect(outputDir({ CDKTF_OUTDIR: empty }).path).toBe(empty);
    const legacy = mkdtempSync(join(work, "legacy-"));
    writeFileSync(join(legacy, "manifest.json"), JSON.stringify({ version: "0.21.0", stacks: { "dev-aws-edge": {} } }));
    expect(outputDir({ CDKTF_OUTDIR: legacy }).stateDir).toBe(join(dirname(legacy), "state"));
  });
});

/**
 * kill -9 at every step of a commit: a child process commits a prepared staging directory and
 * kills itself right after the named step. The output then holds the previous output or the new
 * one, and the next commit puts every file gatehouse did not write back in place.
 */
describe("kill -9 at any step of the commit", () => {
  const child = join(__dirname, "helpers", "commit-child.ts");

  /** A previous output with Terraform's files in a synthesized stack, a kept env, an orphan, and a user file; a staging with new output. */
  function scene(): { out: string; staging: string; foreign: Record<string, string> } {
    const parent = mkdtempSync(join(work, "kill-"));
    const out = join(parent, "cdktf.out");
    const files: Record<string, string> = {
      [OUTPUT_MARKER]: "{}",
      "manifest.json": JSON.stringify({ version: "0.21.0", stacks: { "a-aws-edge": {}, "b-aws-edge": {} } }),
      "stacks/a-aws-edge/cdk.tf.json": '{"old":"a"}',
      "stacks/a-aws-edge/.terraform.lock.hcl": "lock a",
      "stacks/a-aws-edge/.terraform/terraform.tfstate": "backend a",
      "stacks/b-aws-edge/cdk.tf.json": '{"old":"b"}',
      "stacks/b-aws-edge/.terraform.lock.hcl": "lock b",
      "stacks/gone-aws-edge/cdk.tf.json": '{"old":"gone"}',
      "stacks/gone-aws-edge/plan.tfplan": "plan gone",
      "notes.md": "team notes",
    };
    for (const [f, text] of Object.entries(files)) {
      mkdirSync(dirname(join(out, f)), { recursive: true });
      writeFileSync(join(out, f), text);
    }
    // Named as this process's staging directory; the child renames it to its own.
    const staging = join(parent, `.cdktf.out.tmp-${process.pid}-00c0ffee`);
    for (const [f, text] of Object.entries({ "manifest.json": JSON.stringify({ version: "0.21.0", stacks: { "a-aws-edge": {} } }), "stacks/a-aws-edge/cdk.tf.json": '{"new":"a"}', "stacks/a-aws-edge/assets/chart/Chart.yaml": "name: x" })) {
      mkdirSync(dirname(join(staging, f)), { recursive: true });
      writeFileSync(join(staging, f), text);
    }
    const foreign = Object.fromEntries(Object.entries(files).filter(([f]) => !isOwnPath(f)));
    return { out, staging, foreign };
  }

  const opts = { stacks: ["a-aws-edge"], keepEnvs: ["b"] };
  const steps = ["journal", "move 1/5", "move 3/5", "move 5/5", "away", "swap", "clean"];

  it("moves five paths: Terraform's two files of a-aws-edge, all of b-aws-edge (not selected), the orphan holding a plan, the user's notes", () => {
    const { out, staging } = scene();
    const seen: string[] = [];
    commitOutput(staging, outputDir({ CDKTF_OUTDIR: out }), { ...opts, onStep: (s) => seen.push(s) });
    expect(seen).toEqual(["journal", "move 1/5", "move 2/5", "move 3/5", "move 4/5", "move 5/5", "away", "swap", "clean"]);
    expect(readFileSync(join(out, "stacks/a-aws-edge/cdk.tf.json"), "utf8")).toBe('{"new":"a"}');
    expect(readFileSync(join(out, "stacks/b-aws-edge/cdk.tf.json"), "utf8")).toBe('{"old":"b"}');
  });

  it.each(steps)("killed after %s: the previous or the new output whole, then every file back in place", (step) => {
    const { out, staging, foreign } = scene();
    const r = spawnSync(process.execPath, ["-r", "tsx/cjs", child], { cwd: root, encoding: "utf8", env: { ...process.env, COMMIT_OUT: out, COMMIT_STAGING: staging, COMMIT_OPTS: JSON.stringify(opts), COMMIT_KILL_AFTER: step } });
    expect(r.signal).toBe("SIGKILL");
    // Right after the kill: the output is the previous one or the new one; only between the two
    // renames is it the previous one, renamed away beside it (the next run puts it back first).
    const away = readdirSync(dirname(out)).filter((n) => n.startsWith(".cdktf.out.old-"));
    const current = existsSync(out) ? out : join(dirname(out), away[0] ?? "-");
    if (!existsSync(out)) expect([step, away.length]).toEqual(["away", 1]);
    const a = readFileSync(join(current, "stacks/a-aws-edge/cdk.tf.json"), "utf8");
    expect(['{"old":"a"}', '{"new":"a"}']).toContain(a);

    // The next commit (its own staging) recovers what the dead run left, then commits.
    const next = join(dirname(out), `.cdktf.out.tmp-${process.pid}-0000beef`);
    mkdirSync(join(next, "stacks", "a-aws-edge"), { recursive: true });
    writeFileSync(join(next, "manifest.json"), JSON.stringify({ version: "0.21.0", stacks: { "a-aws-edge": {} } }));
    writeFileSync(join(next, "stacks/a-aws-edge/cdk.tf.json"), '{"next":"a"}');
    const result = commitOutput(next, outputDir({ CDKTF_OUTDIR: out }), opts);
    for (const [f, text] of Object.entries(foreign)) expect([f, readFileSync(join(out, f), "utf8")]).toEqual([f, text]);
    expect(readFileSync(join(out, "stacks/a-aws-edge/cdk.tf.json"), "utf8")).toBe('{"next":"a"}');
    expect(readFileSync(join(out, "stacks/b-aws-edge/cdk.tf.json"), "utf8")).toBe('{"old":"b"}');
    expect(readdirSync(dirname(out)).sort()).toEqual(["cdktf.out"]);
    expect(result.warnings.filter((w) => w.includes("kept "))).toEqual([]);
  }, 30_000);
});

describe("under the cdktf CLI", () => {
  it("refuses, before anything moves, when the CLI would delete a stack directory holding Terraform's files", () => {
    const parent = mkdtempSync(join(work, "cli-"));
    const out = join(parent, "cdktf.out");
    mkdirSync(join(out, "stacks", "b-aws-edge", ".terraform"), { recursive: true });
    writeFileSync(join(out, "manifest.json"), JSON.stringify({ stacks: {} }));
    const staging = join(parent, `.cdktf.out.tmp-${process.pid}-00`);
    mkdirSync(join(staging, "stacks", "a-aws-edge"), { recursive: true });
    expect(() => commitOutput(staging, outputDir({ CDKTF_OUTDIR: out }), { stacks: ["a-aws-edge"], keepEnvs: ["b"], cli: true })).toThrow(/the cdktf CLI deletes the directories of stacks it did not synthesize, and b-aws-edge holds files gatehouse did not write/);
    expect(existsSync(join(out, "stacks", "b-aws-edge", ".terraform"))).toBe(true);
    expect(readdirSync(staging)).toEqual(["stacks"]);
  });
});

/** Writes files (path → content) under a directory. */
function plant(dir: string, files: Record<string, string>): void {
  for (const [f, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, f)), { recursive: true });
    writeFileSync(join(dir, f), text);
  }
}

describe("an output directory that cannot be used: exit 1, one line saying why, nothing written", () => {
  const dev = { GATEHOUSE_ENVS: "dev" };

  it("a path that exists but cannot be resolved (/dev/stdin, a pipe): cannot be used, with the system's reason", () => {
    // The synth's stdin is a pipe: /dev/stdin exists, and resolves to pipe:[…], which does not.
    const before = readdirSync("/dev").sort();
    const r = synth({ ...dev, CDKTF_OUTDIR: "/dev/stdin" });
    expect([r.status, r.stdout, r.stderr]).toEqual([1, "", "gatehouse: output directory /dev/stdin (CDKTF_OUTDIR): cannot be used: ENOENT: no such file or directory; nothing was synthesized.\n"]);
    // Nothing staged beside it.
    expect(readdirSync("/dev").sort()).toEqual(before);
  }, 60_000);

  it.each([
    [
      "a regular file",
      (dir: string) => {
        writeFileSync(join(dir, "cdktf.out"), "the user's file");
        return join(dir, "cdktf.out");
      },
    ],
    [
      "a symlink to a regular file",
      (dir: string) => {
        writeFileSync(join(dir, "target.txt"), "the user's file");
        symlinkSync(join(dir, "target.txt"), join(dir, "cdktf.out"));
        return join(dir, "target.txt");
      },
    ],
  ])("%s: exists and is not a directory; the file and its directory stay as they were", (_label, make) => {
    const dir = mkdtempSync(join(work, "notdir-"));
    const given = join(dir, "cdktf.out");
    const target = make(dir);
    const before = tree(dir);
    const r = synth({ ...dev, CDKTF_OUTDIR: given });
    expect([r.status, r.stdout, r.stderr]).toEqual([1, "", `gatehouse: output directory ${given} (CDKTF_OUTDIR): exists and is not a directory; nothing was synthesized.\n`]);
    expect(readFileSync(target, "utf8")).toBe("the user's file");
    expect(tree(dir)).toEqual(before);
  }, 60_000);

  it("a regular file where its parent directory belongs: cannot be created or written in the parent, the file untouched", () => {
    const dir = mkdtempSync(join(work, "parent-file-"));
    const parent = join(dir, "build");
    writeFileSync(parent, "not a directory");
    const out = join(parent, "cdktf.out");
    const r = synth({ ...dev, CDKTF_OUTDIR: out });
    expect([r.status, r.stdout, r.stderr]).toEqual([1, "", `gatehouse: output directory ${out} (CDKTF_OUTDIR): cannot be created or written in ${parent}: ENOTDIR: not a directory; nothing was synthesized.\n`]);
    expect(tree(dir)).toEqual({ build: "not a directory" });
  }, 60_000);

  it("a previous output that cannot be replaced (a file where a stack's directory belongs): exit 1, it still holds the previous output, nothing left beside it", () => {
    const parent = mkdtempSync(join(work, "replace-"));
    const out = join(parent, "cdktf.out");
    plant(out, {
      [OUTPUT_MARKER]: "{}",
      "manifest.json": JSON.stringify({ version: "0.21.0", stacks: { "dev-aws-edge": {}, "dev-aws-cluster": {} } }),
      "stacks/dev-aws-cluster/cdk.tf.json": '{"old":"cluster"}',
      "stacks/dev-aws-cluster/.terraform.lock.hcl": "lock",
      "stacks/dev-aws-edge": "a file, not the stack's directory",
      "notes.md": "team notes",
    });
    const before = tree(out);
    const r = synth({ ...dev, CDKTF_OUTDIR: out });
    expect([r.status, r.stdout, r.stderr]).toEqual([1, "", `gatehouse: output directory ${out} (CDKTF_OUTDIR): cannot be replaced: EISDIR: illegal operation on a directory (at ${join(out, "stacks", "dev-aws-edge")}); it still holds the previous output.\n`]);
    expect(tree(out)).toEqual(before);
    // No staging, journal, old output or lock file beside it.
    expect(readdirSync(parent)).toEqual(["cdktf.out"]);
  }, 60_000);
});

describe("another synth holding the output's lock", () => {
  it("is waited for; after a minute the commit gives up, naming the process and the lock file, and nothing moves", () => {
    const parent = mkdtempSync(join(work, "lock-"));
    const out = join(parent, "cdktf.out");
    plant(out, { [OUTPUT_MARKER]: "{}", "manifest.json": JSON.stringify({ version: "0.21.0", stacks: { "a-aws-edge": {} } }), "stacks/a-aws-edge/cdk.tf.json": '{"old":"a"}', "stacks/a-aws-edge/.terraform.lock.hcl": "lock a" });
    const staging = join(parent, `.cdktf.out.tmp-${process.pid}-0000a11c`);
    plant(staging, { "manifest.json": JSON.stringify({ version: "0.21.0", stacks: { "a-aws-edge": {} } }), "stacks/a-aws-edge/cdk.tf.json": '{"new":"a"}' });
    const lock = join(parent, ".cdktf.out.lock");
    // The other synth: a live process whose id is in the lock file.
    const holder = spawn("sleep", ["60"], { stdio: "ignore" });
    const pid = holder.pid as number;
    writeFileSync(lock, String(pid));
    const beforeOut = tree(out);
    const beforeStaging = tree(staging);
    // The clock moves 20 s at each look at it, so the minute passes in a few polls.
    const start = Date.now();
    let looks = 0;
    const clock = jest.spyOn(Date, "now").mockImplementation(() => start + 20_000 * looks++);
    let error: unknown;
    try {
      commitOutput(staging, outputDir({ CDKTF_OUTDIR: out }), { stacks: ["a-aws-edge"], keepEnvs: [] });
    } catch (e) {
      error = e;
    } finally {
      clock.mockRestore();
      holder.kill("SIGKILL");
    }
    expect(error).toBeInstanceOf(OutputError);
    expect((error as OutputError).message).toBe(`gatehouse: another synth (process ${pid}) has been writing ${out} for a minute; wait for it, or remove ${lock} if that process is not a synth`);
    // It gives up at the first look past the minute, not at it: the deadline, then looks at 20, 40, 60 and 80 s.
    expect(looks).toBe(5);
    expect(tree(out)).toEqual(beforeOut);
    expect(tree(staging)).toEqual(beforeStaging);
    // The other synth's lock is left to it.
    expect(readFileSync(lock, "utf8")).toBe(String(pid));
    expect(readdirSync(parent).sort()).toEqual([".cdktf.out.lock", basename(staging), "cdktf.out"].sort());
  });
});
