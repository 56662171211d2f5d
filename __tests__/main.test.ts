/** main.ts as a user runs it: a child process, a temp outdir, no terraform binary on PATH. */
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

const root = join(__dirname, "..");

/** A PATH holding only node: proves synthesis needs no terraform binary. */
function nodeOnlyPath(): string {
  const dir = mkdtempSync(join(tmpdir(), "gh-path-"));
  symlinkSync(process.execPath, join(dir, "node"));
  return dir;
}

/** The app command exactly as cdktf.json (and so `npm run synth`) has it. */
const app = (JSON.parse(readFileSync(join(root, "cdktf.json"), "utf8")) as { app: string }).app.split(" ");

function synth(vars: Record<string, string>, outdir = mkdtempSync(join(tmpdir(), "gh-out-"))) {
  const r = spawnSync(process.execPath, app.slice(1), {
    cwd: root,
    env: { PATH: nodeOnlyPath(), HOME: process.env.HOME ?? "/tmp", CDKTF_OUTDIR: outdir, ...vars },
    encoding: "utf8",
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, outdir };
}

/**
 * Why the cdktf CLI cannot start on this node, or undefined when it can. Before any command the
 * CLI loads a native terminal addon, @cdktf/node-pty-prebuilt-multiarch 0.10.2, which ships builds
 * for Node 17 to 22 (ABI 102 to 127) only: on a newer node npm compiles it at install, and a build
 * made against another node's headers does not load. Only that skips the CLI test, with the
 * reason in its name; wherever a build ships for this node, the test runs.
 */
function cdktfCliCannotStart(): string | undefined {
  const pty = dirname(require.resolve("@cdktf/node-pty-prebuilt-multiarch/package.json", { paths: [join(root, "node_modules", "cdktf-cli")] }));
  // A shipped build for this node: nothing to check here, the test runs. Else: does the compiled one load?
  const script = `if (!require(${JSON.stringify(join(pty, "lib", "prebuild-file-path.js"))}).ptyPath) require(${JSON.stringify(pty)});`;
  const load = spawnSync(process.execPath, ["-e", script], { encoding: "utf8" });
  if (load.status === 0) return undefined;
  const abi = /using\s+NODE_MODULE_VERSION (\d+)/.exec(load.stderr)?.[1];
  const why = abi ? `it was built for ABI ${abi}` : (load.stderr.split("\n").find((l) => /Error/.test(l))?.trim() ?? `exit ${load.status}`);
  return `node ${process.version} (ABI ${process.versions.modules}): @cdktf/node-pty-prebuilt-multiarch ships no build for it, and the one compiled at install does not load (${why})`;
}

function manifest(outdir: string): { stacks: Record<string, { dependencies: string[]; synthesizedStackPath: string }> } {
  return JSON.parse(readFileSync(join(outdir, "manifest.json"), "utf8"));
}

describe("npm run synth (main.ts)", () => {
  it("runs the same app command as cdktf.json", () => {
    const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { scripts: Record<string, string> };
    expect(pkg.scripts.synth).toBe(app.join(" "));
    expect(app[0]).toBe("node");
  });

  const run = synth({});

  it("synthesizes every default environment with no terraform binary and no credentials", () => {
    expect(run.status).toBe(0);
    const names = Object.keys(manifest(run.outdir).stacks);
    // Success on stdout, nothing on stderr: the cdktf CLI shows stderr as errors.
    expect(run.stdout).toContain(`synthesized ${names.length} stacks for dev, staging, prod (the demo environments`);
    expect(run.stderr).toBe("");
    expect(new Set(names.map((n) => n.split("-")[0]))).toEqual(new Set(["dev", "staging", "prod"]));
    for (const n of names) expect(existsSync(join(run.outdir, "stacks", n, "cdk.tf.json"))).toBe(true);
  });

  it("calls only what was built from the demos a demo: a file's environment alone is not one, beside the demos it is counted apart", () => {
    const file = { GATEHOUSE_ENV_FILE: "envs/examples/istio.yaml" };
    const alone = synth({ ...file, GATEHOUSE_ENVS: "example-istio" });
    expect([alone.status, alone.stdout.trim()]).toEqual([0, `gatehouse: synthesized 2 stacks for example-istio into ${alone.outdir}`]);
    const beside = synth(file);
    expect(beside.status).toBe(0);
    expect(beside.stdout).toContain("for dev, staging, prod, example-istio (3 of them demo environments: envs/ holds none of your own yet;");
  });

  it("declares stack order: cluster after AWS edge, GCP edge after every GKE cluster", () => {
    const stacks = manifest(run.outdir).stacks;
    expect(stacks["prod-aws-cluster"]?.dependencies).toEqual(["prod-aws-edge"]);
    expect(stacks["prod-gcp-edge"]?.dependencies).toEqual(expect.arrayContaining(["prod-gcp-cluster-prod-euw1", "prod-gcp-cluster-prod-use1"]));
    expect(stacks["prod-gcp-cluster-prod-euw1"]?.dependencies).not.toContain("prod-gcp-edge");
  });

  it("writes a cloud block with one workspace per stack for the HCP Terraform env", () => {
    const stacks = Object.keys(manifest(run.outdir).stacks).filter((n) => n.startsWith("prod-"));
    const workspaces = stacks.map((n) => {
      const tf = JSON.parse(readFileSync(join(run.outdir, "stacks", n, "cdk.tf.json"), "utf8")).terraform;
      expect(tf.cloud.organization).toBe("acme-platform");
      expect(tf.required_version).toBe(">= 1.1.0");
      return tf.cloud.workspaces.name as string;
    });
    expect(new Set(workspaces).size).toBe(stacks.length);
    expect(workspaces).toContain("gatehouse-prod-aws-edge");
  });

  const cliBlocker = cdktfCliCannotStart();
  (cliBlocker ? it.skip : it)(`npx cdktf synth writes the same stacks (the CLI runs the same app command)${cliBlocker ? `; skipped, the CLI cannot start on ${cliBlocker}` : ""}`, () => {
    const outdir = mkdtempSync(join(tmpdir(), "gh-cli-"));
    // A stack of an earlier synth that this one does not make: the CLI deletes its directory itself.
    mkdirSync(join(outdir, "stacks", "gone-aws-edge"), { recursive: true });
    writeFileSync(join(outdir, "stacks", "gone-aws-edge", "cdk.tf.json"), "{}");
    writeFileSync(join(outdir, ".gatehouse-output"), "{}");
    const cli = spawnSync(process.execPath, [join(root, "node_modules", "cdktf-cli", "bundle", "bin", "cdktf"), "synth", "--output", outdir], {
      cwd: root,
      env: { PATH: nodeOnlyPath(), HOME: process.env.HOME ?? "/tmp", CHECKPOINT_DISABLE: "1", CI: "true" },
      encoding: "utf8",
    });
    expect(cli.status).toBe(0);
    expect(existsSync(join(outdir, "stacks", "gone-aws-edge"))).toBe(false);
    const names = Object.keys(manifest(run.outdir).stacks);
    expect(Object.keys(manifest(outdir).stacks)).toEqual(names);
    expect(readdirSync(join(outdir, "stacks")).sort()).toEqual([...names].sort());
    for (const n of names) expect(readFileSync(join(outdir, "stacks", n, "cdk.tf.json"), "utf8")).toBe(readFileSync(join(run.outdir, "stacks", n, "cdk.tf.json"), "utf8"));
  }, 60_000);

  it("limits synthesis to GATEHOUSE_ENVS", () => {
    const r = synth({ GATEHOUSE_ENVS: "dev" });
    expect(r.status).toBe(0);
    expect(Object.keys(manifest(r.outdir).stacks).sort()).toEqual(["dev-aws-cluster", "dev-aws-edge"]);
  });

  it("adds environments from GATEHOUSE_ENV_FILE (the shipped examples)", () => {
    const r = synth({ GATEHOUSE_ENV_FILE: "envs/examples/eks.yaml,envs/examples/gke.yaml", GATEHOUSE_ENVS: "example-eks,example-gke" });
    expect(r.stdout).toContain("synthesized");
    expect(r.status).toBe(0);
    const names = Object.keys(manifest(r.outdir).stacks);
    expect(names).toEqual(expect.arrayContaining(["example-eks-aws-cluster", "example-eks-aws-edge", "example-gke-gcp-cluster-gke-euw1", "example-gke-gcp-edge"]));
    expect(names.every((n) => n.startsWith("example-eks-") || n.startsWith("example-gke-"))).toBe(true);
  });
});

describe("the temporary directory shipped charts are staged in (a Gateway API environment)", () => {
  const istio = { GATEHOUSE_ENV_FILE: "envs/examples/istio.yaml", GATEHOUSE_ENVS: "example-istio" };
  const uid = process.getuid?.() ?? 0;

  it("is made under TMPDIR for this user alone, and reused by the next synth", () => {
    const tmp = mkdtempSync(join(tmpdir(), "gh-tmp-"));
    const first = synth({ ...istio, TMPDIR: tmp });
    expect([first.status, first.stderr]).toEqual([0, ""]);
    const staging = join(tmp, `gatehouse-charts-${uid}`);
    expect(statSync(staging).mode & 0o777).toBe(0o700);
    const copies = readdirSync(staging);
    // The experimental channel's copy, named by its content.
    expect(copies).toEqual([expect.stringMatching(/^gateway-api-crds-[0-9a-f]{20}$/)]);
    expect(readdirSync(join(staging, copies[0] as string)).sort()).toEqual(["Chart.yaml", "README.md", "experimental", "templates", "values.yaml"]);
    expect(synth({ ...istio, TMPDIR: tmp }).status).toBe(0);
    expect(readdirSync(staging)).toEqual(copies);
    rmSync(tmp, { recursive: true, force: true });
  });

  it("is refused when others may write to it, or cannot be made, saying what to do; nothing is written", () => {
    const tmp = mkdtempSync(join(tmpdir(), "gh-tmp-"));
    const staging = join(tmp, `gatehouse-charts-${uid}`);
    mkdirSync(staging);
    chmodSync(staging, 0o777);
    const open = synth({ ...istio, TMPDIR: tmp });
    expect(open.status).not.toBe(0);
    expect(open.stderr).toContain(`gatehouse: ${staging} must be a directory only this user can write to (shipped charts are staged there for the stacks); remove it and synthesize again`);
    expect(existsSync(join(open.outdir, "stacks"))).toBe(false);
    const missing = synth({ ...istio, TMPDIR: join(tmp, "missing") });
    expect(missing.status).not.toBe(0);
    expect(missing.stderr).toMatch(/gatehouse: cannot make .*\/missing\/gatehouse-charts-\d+, where shipped charts are staged for the stacks \(ENOENT: [^)]*\); point TMPDIR at a directory this user can write to/);
    expect(existsSync(join(missing.outdir, "stacks"))).toBe(false);
    rmSync(tmp, { recursive: true, force: true });
  });
});

describe("bad input writes nothing", () => {
  function sentinelOutdir(): string {
    const outdir = join(mkdtempSync(join(tmpdir(), "gh-out-")), "cdktf.out");
    mkdirSync(join(outdir, "stacks", "old"), { recursive: true });
    writeFileSync(join(outdir, "manifest.json"), "previous");
    return outdir;
  }

  it("an unknown GATEHOUSE_ENVS name exits 1, lists the known ones, and leaves cdktf.out as it was", () => {
    const outdir = sentinelOutdir();
    const r = synth({ GATEHOUSE_ENVS: "dev,qa" }, outdir);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("qa: GATEHOUSE_ENVS (got \"qa\"): no such environment; known: dev, prod, staging");
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace for user errors
    expect(readFileSync(join(outdir, "manifest.json"), "utf8")).toBe("previous");
    expect(readdirSync(join(outdir, "stacks"))).toEqual(["old"]);
  });

  it("an invalid env file exits 1 with file, line, field and value, and writes nothing", () => {
    const dir = mkdtempSync(join(tmpdir(), "gh-env-"));
    const file = join(dir, "bad.yaml");
    writeFileSync(file, readFileSync(join(root, "envs/examples/eks.yaml"), "utf8").replace("nodePort: 30200", "nodePort: 30080"));
    const outdir = join(dir, "never");
    const r = synth({ GATEHOUSE_ENV_FILE: file, GATEHOUSE_ENVS: "example-eks" }, outdir);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`example-eks \\(${file.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}:\\d+\\): ports\\.http\\.nodePort \\(got 30080\\): is already used by ports\\.health\\.nodePort`));
    expect(existsSync(outdir)).toBe(false);
    expect(existsSync(dirname(outdir))).toBe(true);
  });
});
