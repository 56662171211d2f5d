/**
 * scripts/ci/plan-stacks.ts: which stacks the plan workflow plans (changed, new, removed, remote or
 * local state, forks, plan-all, a base branch that did not synthesize) and the HCP Terraform
 * workspace check before `terraform init`, with an injected fetch: no GitHub, no network.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { buildSync } from "esbuild";
import {
  checkWorkspace,
  cli,
  demoOrganizations,
  FORK_REASON,
  interpretContext,
  LOCAL_STATE_REASON,
  readOutput,
  REMOVED_WARNING,
  selectionMarkdown,
  selectStacks,
  stateOf,
  workspaceUrl,
  type CloudWorkspace,
  type Fetch,
  type RunContext,
  type Selection,
} from "../scripts/ci/plan-stacks";

const root = join(__dirname, "..");
let tmp: string;
beforeEach(() => {
  tmp = mkdtempSync(join(tmpdir(), "gatehouse-plan-stacks-"));
});
afterEach(() => rmSync(tmp, { recursive: true, force: true }));

// ------------------------------------------------------------------------------------ fixtures

type Json = Record<string, unknown>;
const cloud = (workspace: string, extra: Json = {}): Json => ({ terraform: { cloud: { organization: "team-org", workspaces: { name: workspace, project: "edge" }, ...extra }, required_version: ">= 1.1.0" } });
const s3 = (key: string): Json => ({ terraform: { backend: { s3: { bucket: "team-state", key, region: "eu-west-1", encrypt: true, use_lockfile: true } } } });
const gcs = (prefix: string): Json => ({ terraform: { backend: { gcs: { bucket: "team-state", prefix } } } });
const local = (stack: string): Json => ({ terraform: { backend: { local: { path: `../../../state/terraform.${stack}.tfstate` } } } });

/** A stack's JSON as cdktf writes it: "//" metadata at the top and on each resource. */
function stack(name: string, backend: Json, nlbName = "edge", meta = "0.21.0"): Json {
  const terraform = backend.terraform as Json;
  return {
    "//": { metadata: { backend: Object.keys((terraform.backend as Json | undefined) ?? { cloud: 1 })[0], stackName: name, version: meta } },
    terraform,
    resource: { aws_lb: { edge_nlb_1A2B: { "//": { metadata: { path: `${name}/edge/nlb`, uniqueId: "edge_nlb_1A2B" } }, name: nlbName, load_balancer_type: "network" } } },
  };
}

interface FixtureStack {
  readonly json: Json;
  readonly assets?: Record<string, string>;
}

/** Writes an output directory as synth does: manifest.json and stacks/<name>/cdk.tf.json (+ assets/). */
function output(dir: string, stacks: Record<string, FixtureStack>): string {
  const out = join(tmp, dir);
  const manifest: Record<string, Json> = {};
  for (const [name, s] of Object.entries(stacks)) {
    mkdirSync(join(out, "stacks", name), { recursive: true });
    writeFileSync(join(out, "stacks", name, "cdk.tf.json"), JSON.stringify(s.json, null, 2));
    for (const [file, content] of Object.entries(s.assets ?? {})) {
      mkdirSync(dirname(join(out, "stacks", name, "assets", file)), { recursive: true });
      writeFileSync(join(out, "stacks", name, "assets", file), content);
    }
    manifest[name] = { name, workingDirectory: `stacks/${name}`, synthesizedStackPath: `stacks/${name}/cdk.tf.json`, dependencies: [], annotations: [] };
  }
  writeFileSync(join(out, "manifest.json"), JSON.stringify({ version: "0.21.0", stacks: manifest }, null, 2));
  return out;
}

/** The team's stacks on the base branch: two HCP Terraform, one S3, one GCS, two local. */
function baseStacks(): Record<string, FixtureStack> {
  return {
    "prod-aws-edge": { json: stack("prod-aws-edge", cloud("gh-prod-aws-edge")) },
    "prod-aws-cluster": { json: stack("prod-aws-cluster", cloud("gh-prod-aws-cluster")), assets: { "chart/1A2B/Chart.yaml": "name: health\nversion: 1.0.0\n" } },
    "qa-aws-edge": { json: stack("qa-aws-edge", s3("gh/qa-aws-edge.tfstate")) },
    "qa-gcp-edge": { json: stack("qa-gcp-edge", gcs("gh/qa-gcp-edge")) },
    "dev-aws-edge": { json: stack("dev-aws-edge", local("dev-aws-edge")) },
    "dev-aws-cluster": { json: stack("dev-aws-cluster", local("dev-aws-cluster")) },
  };
}

function select(head: Record<string, FixtureStack>, base: Record<string, FixtureStack> | string, opts: { planAll?: string; fork?: string; placeholderOrganizations?: string[] } = {}): Selection {
  return selectStacks(readOutput(output("head", head)), { base: typeof base === "string" ? { unavailable: base } : { stacks: readOutput(output("base", base)) }, ...opts });
}

// ---------------------------------------------------------------------------------------- state

describe("stateOf: the backend a stack's cdk.tf.json names", () => {
  it("reads the HCP Terraform workspace from the cloud block, app.terraform.io unless a hostname is given", () => {
    expect(stateOf(cloud("gh-prod-aws-edge"))).toEqual({ kind: "cloud", workspace: { hostname: "app.terraform.io", organization: "team-org", name: "gh-prod-aws-edge" } });
    expect(stateOf(cloud("ws", { hostname: "tfe.example.com" }))).toEqual({ kind: "cloud", workspace: { hostname: "tfe.example.com", organization: "team-org", name: "ws" } });
  });

  it("S3 and GCS are remote; a local backend and no backend at all are local; others are named", () => {
    expect(stateOf(s3("k")).kind).toBe("s3");
    expect(stateOf(gcs("p")).kind).toBe("gcs");
    expect(stateOf(local("dev-aws-edge")).kind).toBe("local");
    expect(stateOf({ resource: {} }).kind).toBe("local");
    expect(stateOf({ terraform: { backend: { azurerm: { container_name: "tf" } } } })).toEqual({ kind: "other", backend: "azurerm" });
  });

  it("a cloud block without one named workspace (tags) or without an organization is a problem, not a guess", () => {
    expect(stateOf({ terraform: { cloud: { organization: "team-org", workspaces: { tags: ["edge"] } } } })).toEqual({ kind: "cloud", problem: expect.stringContaining("selects no single workspace by name") });
    expect(stateOf({ terraform: { cloud: { workspaces: { name: "ws" } } } })).toEqual({ kind: "cloud", problem: "its cloud block names no organization" });
  });
});

// -------------------------------------------------------------------------------- changed stacks

describe("selectStacks: only changed stacks with remote state", () => {
  it("a pull request that changes nothing plans nothing and says so", () => {
    const sel = select(baseStacks(), baseStacks());
    expect(sel.plan).toEqual([]);
    expect(sel.mode).toBe("changed");
    expect(sel.unchanged).toHaveLength(6);
    expect(sel.notes).toEqual(["No stack changed: nothing to plan."]);
    expect(selectionMarkdown(sel)).toContain("No stack changed: nothing to plan.");
  });

  it("compares what Terraform reads: cdktf's \"//\" comments (construct paths, cdktf version) do not count", () => {
    const head = baseStacks();
    head["prod-aws-edge"] = { json: stack("prod-aws-edge", cloud("gh-prod-aws-edge"), "edge", "0.21.1") };
    expect(select(head, baseStacks()).plan).toEqual([]);
  });

  it("plans exactly the remote-state stacks whose configuration changed", () => {
    const head = baseStacks();
    head["prod-aws-edge"] = { json: stack("prod-aws-edge", cloud("gh-prod-aws-edge"), "edge-v2") };
    head["qa-aws-edge"] = { json: stack("qa-aws-edge", s3("gh/qa-aws-edge.tfstate"), "edge-v2") };
    head["qa-gcp-edge"] = { json: stack("qa-gcp-edge", gcs("gh/qa-gcp-edge"), "edge-v2") };
    const sel = select(head, baseStacks());
    expect(sel.plan).toEqual(["prod-aws-edge", "qa-aws-edge", "qa-gcp-edge"]);
    expect(sel.unchanged).toEqual(["prod-aws-cluster", "dev-aws-edge", "dev-aws-cluster"]);
    expect(sel.skipped).toEqual([]);
    expect(sel.notes).toEqual([]);
  });

  it("a change under assets/ alone (a local chart's files) changes the stack; the same assets do not", () => {
    const head = baseStacks();
    head["prod-aws-cluster"] = { json: stack("prod-aws-cluster", cloud("gh-prod-aws-cluster")), assets: { "chart/1A2B/Chart.yaml": "name: health\nversion: 1.0.1\n" } };
    expect(select(head, baseStacks()).plan).toEqual(["prod-aws-cluster"]);
    const added = baseStacks();
    added["prod-aws-cluster"] = { json: stack("prod-aws-cluster", cloud("gh-prod-aws-cluster")), assets: { "chart/1A2B/Chart.yaml": "name: health\nversion: 1.0.0\n", "chart/1A2B/values.yaml": "{}\n" } };
    expect(select(added, baseStacks()).plan).toEqual(["prod-aws-cluster"]);
  });

  it("a changed stack with local state is listed as not planned, with the reason", () => {
    const head = baseStacks();
    head["dev-aws-edge"] = { json: stack("dev-aws-edge", local("dev-aws-edge"), "edge-v2") };
    const sel = select(head, baseStacks());
    expect(sel.plan).toEqual([]);
    expect(sel.skipped).toEqual([{ stack: "dev-aws-edge", reason: "local state: state is on the machine that applies; nothing to plan against in CI" }]);
    expect(sel.notes).toEqual(["Nothing to plan: no changed stack can be planned in CI (why below)."]);
    expect(selectionMarkdown(sel)).toContain(`- \`dev-aws-edge\`: ${LOCAL_STATE_REASON}`);
  });

  it("a backend CI does not plan (not cloud, S3 or GCS) is named in the reason", () => {
    const head = baseStacks();
    head["qa-aws-edge"] = { json: stack("qa-aws-edge", { terraform: { backend: { azurerm: { key: "x" } } } }) };
    expect(select(head, baseStacks()).skipped).toEqual([{ stack: "qa-aws-edge", reason: 'backend "azurerm": CI plans only HCP Terraform, S3 and GCS state' }]);
  });

  it("a stack that is new on head is changed: planned, and marked new", () => {
    const head = { ...baseStacks(), "prod-gcp-edge": { json: stack("prod-gcp-edge", cloud("gh-prod-gcp-edge")) }, "dev-gcp-edge": { json: stack("dev-gcp-edge", local("dev-gcp-edge")) } };
    const sel = select(head, baseStacks());
    expect(sel.plan).toEqual(["prod-gcp-edge"]);
    expect(sel.added).toEqual(["prod-gcp-edge"]);
    expect(sel.skipped.map((s) => s.stack)).toEqual(["dev-gcp-edge"]);
    expect(selectionMarkdown(sel)).toContain("**Planned** (1): `prod-gcp-edge` (new)");
  });

  it("a stack gone on head is listed as removed, never planned, with the warning that its resources remain", () => {
    const head = baseStacks();
    delete head["prod-aws-cluster"];
    delete head["dev-aws-cluster"];
    const sel = select(head, baseStacks());
    expect(sel.removed).toEqual(["prod-aws-cluster", "dev-aws-cluster"]);
    expect(sel.plan).toEqual([]);
    expect(sel.notes).toEqual(["No stack changed besides the removed ones: nothing to plan."]);
    const md = selectionMarkdown(sel);
    expect(md).toContain(`- :warning: \`prod-aws-cluster\`: ${REMOVED_WARNING}`);
    expect(REMOVED_WARNING).toContain("its resources still exist until destroyed");
  });

  it("plan-all counts every stack as changed: every remote-state stack is planned, local ones listed", () => {
    const sel = select(baseStacks(), baseStacks(), { planAll: "the pull request has the `plan-all` label" });
    expect(sel.mode).toBe("all");
    expect(sel.plan).toEqual(["prod-aws-edge", "prod-aws-cluster", "qa-aws-edge", "qa-gcp-edge"]);
    expect(sel.skipped).toEqual([
      { stack: "dev-aws-edge", reason: LOCAL_STATE_REASON },
      { stack: "dev-aws-cluster", reason: LOCAL_STATE_REASON },
    ]);
    expect(sel.notes).toEqual(["Every stack counts as changed: the pull request has the `plan-all` label."]);
  });

  it("a base branch that did not synthesize: every remote-state stack is planned and the comment says why", () => {
    const sel = select(baseStacks(), "`main` left no base/cdktf.out/manifest.json");
    expect(sel.mode).toBe("all");
    expect(sel.plan).toEqual(["prod-aws-edge", "prod-aws-cluster", "qa-aws-edge", "qa-gcp-edge"]);
    expect(sel.removed).toEqual([]);
    expect(sel.notes[0]).toBe("Every stack counts as changed: the base branch could not be synthesized (`main` left no base/cdktf.out/manifest.json), so there is nothing to compare with.");
  });

  it("a fork's pull request plans nothing, lists what it would have planned, and says why", () => {
    const head = baseStacks();
    head["prod-aws-edge"] = { json: stack("prod-aws-edge", cloud("gh-prod-aws-edge"), "edge-v2") };
    head["dev-aws-edge"] = { json: stack("dev-aws-edge", local("dev-aws-edge"), "edge-v2") };
    const sel = select(head, baseStacks(), { fork: "someone/gatehouse" });
    expect(sel.plan).toEqual([]);
    expect(sel.skipped).toEqual([
      { stack: "prod-aws-edge", reason: FORK_REASON },
      { stack: "dev-aws-edge", reason: LOCAL_STATE_REASON },
    ]);
    expect(sel.notes).toEqual([expect.stringContaining("This pull request comes from a fork (someone/gatehouse). Fork pull requests get no secrets, so nothing is planned")]);
  });

  it("stacks of the demo environments' placeholder organization are not planned", () => {
    expect(demoOrganizations()).toEqual(["acme-platform"]);
    const head = { ...baseStacks(), "prod-aws-dns": { json: stack("prod-aws-dns", { terraform: { cloud: { organization: "acme-platform", workspaces: { name: "gatehouse-prod-aws-dns" } } } }) } };
    const sel = select(head, baseStacks(), { placeholderOrganizations: demoOrganizations() });
    expect(sel.plan).toEqual([]);
    expect(sel.skipped).toEqual([{ stack: "prod-aws-dns", reason: expect.stringContaining("HCP Terraform organization `acme-platform` is the demo environments' placeholder") }]);
  });

  it("refuses a stack name that is not safe as a path and artifact name", () => {
    const out = output("odd", { ok: { json: {} } });
    writeFileSync(join(out, "manifest.json"), JSON.stringify({ stacks: { "a b": { synthesizedStackPath: "stacks/ok/cdk.tf.json" } } }));
    expect(() => readOutput(out)).toThrow('stack name "a b" is not usable in CI');
  });
});

// ---------------------------------------------------------------------------------- run context

describe("interpretContext: forks, plan-all, whether to comment", () => {
  const pr: RunContext = { event: "pull_request", repo: "team/infra", headRepo: "team/infra", planAllLabel: false, planAllInput: false };

  it("a pull request from this repository: comment, no fork, plan only what changed", () => {
    expect(interpretContext(pr)).toEqual({ comment: true });
  });

  it("a pull request from a fork (head repository differs, or was deleted): no plans, no comment", () => {
    expect(interpretContext({ ...pr, headRepo: "someone/infra" })).toEqual({ fork: "someone/infra", comment: false });
    expect(interpretContext({ ...pr, headRepo: "" })).toEqual({ fork: "a deleted repository", comment: false });
  });

  it("plan-all: the label on a pull request, the input of a run by hand (which has no pull request to comment on)", () => {
    expect(interpretContext({ ...pr, planAllLabel: true })).toEqual({ planAll: "the pull request has the `plan-all` label", comment: true });
    expect(interpretContext({ ...pr, planAllInput: true })).toEqual({ comment: true });
    expect(interpretContext({ event: "workflow_dispatch", repo: "team/infra", headRepo: "", planAllLabel: false, planAllInput: true })).toEqual({ planAll: "the workflow was run by hand with plan-all", comment: false });
    expect(interpretContext({ event: "workflow_dispatch", repo: "team/infra", headRepo: "", planAllLabel: false, planAllInput: false })).toEqual({ comment: false });
  });
});

// ------------------------------------------------------------------------------ workspace check

interface Call {
  readonly url: string;
  readonly headers: Record<string, string>;
}

/** A fetch that answers from a table and records what it was asked. */
function fakeFetch(status: number, body: unknown = {}, calls: Call[] = []): Fetch {
  return async (url, init) => {
    calls.push({ url, headers: init.headers });
    return { status, json: async () => body };
  };
}

const WS: CloudWorkspace = { hostname: "app.terraform.io", organization: "team-org", name: "gh-prod-aws-edge" };

describe("checkWorkspace: the workspace exists and the token may plan on it", () => {
  it("asks GET /api/v2/organizations/<org>/workspaces/<name> on the stack's host with the bearer token", async () => {
    const calls: Call[] = [];
    const ok = await checkWorkspace(WS, "t0ken", fakeFetch(200, { data: { attributes: { permissions: { "can-queue-run": true } } } }, calls));
    expect(ok).toEqual({ outcome: "ok", message: "workspace team-org/gh-prod-aws-edge exists on app.terraform.io" });
    expect(calls).toEqual([{ url: "https://app.terraform.io/api/v2/organizations/team-org/workspaces/gh-prod-aws-edge", headers: { Authorization: "Bearer t0ken", "Content-Type": "application/vnd.api+json" } }]);
    expect(workspaceUrl({ hostname: "tfe.example.com", organization: "a b", name: "c/d" })).toBe("https://tfe.example.com/api/v2/organizations/a%20b/workspaces/c%2Fd");
  });

  it("404: refuses, naming the missing workspace and how to create it", async () => {
    const r = await checkWorkspace(WS, "t0ken", fakeFetch(404));
    expect(r.outcome).toBe("refused");
    expect(r.message).toMatch(/^workspace team-org\/gh-prod-aws-edge does not exist; create it \(HCP Terraform UI, or `terraform init` once with a token that may create workspaces\) — the plan token only plans/);
  });

  it("a token that may not queue plans is refused; a local-execution workspace is not asked for that", async () => {
    const noPlan = await checkWorkspace(WS, "t0ken", fakeFetch(200, { data: { attributes: { "execution-mode": "remote", permissions: { "can-queue-run": false } } } }));
    expect(noPlan).toEqual({ outcome: "refused", message: expect.stringContaining('the token may not queue plans on workspace team-org/gh-prod-aws-edge: give its team "plan" access') });
    const localExec = await checkWorkspace(WS, "t0ken", fakeFetch(200, { data: { attributes: { "execution-mode": "local", permissions: { "can-queue-run": false } } } }));
    expect(localExec.outcome).toBe("ok");
  });

  it("no token: refused before any request; a refused token (401) is refused", async () => {
    const calls: Call[] = [];
    expect(await checkWorkspace(WS, "", fakeFetch(200, {}, calls))).toEqual({ outcome: "refused", message: expect.stringContaining("TF_API_TOKEN is not set: cannot plan workspace team-org/gh-prod-aws-edge") });
    expect(calls).toEqual([]);
    expect((await checkWorkspace(WS, "t0ken", fakeFetch(401))).message).toContain("refused TF_API_TOKEN (401)");
  });

  it("an API that cannot be asked (5xx, no network) leaves it to terraform init", async () => {
    expect(await checkWorkspace(WS, "t0ken", fakeFetch(503))).toEqual({ outcome: "unknown", message: "could not check workspace team-org/gh-prod-aws-edge: app.terraform.io answered HTTP 503" });
    const down: Fetch = async () => {
      throw new Error("getaddrinfo ENOTFOUND app.terraform.io");
    };
    expect(await checkWorkspace(WS, "t0ken", down)).toEqual({ outcome: "unknown", message: "could not ask app.terraform.io about workspace team-org/gh-prod-aws-edge: getaddrinfo ENOTFOUND app.terraform.io" });
  });
});

// ------------------------------------------------------------------------------------------- CLI

function io(env: Record<string, string | undefined>, fetchImpl: Fetch = fakeFetch(500)) {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { env, fetch: fetchImpl, out: (s: string) => void out.push(s), err: (s: string) => void err.push(s) }, out, err };
}

describe("the command line the workflow runs", () => {
  it("select writes the matrix, the selection and the step outputs", async () => {
    const head = baseStacks();
    head["qa-aws-edge"] = { json: stack("qa-aws-edge", s3("gh/qa-aws-edge.tfstate"), "edge-v2") };
    head["dev-aws-edge"] = { json: stack("dev-aws-edge", local("dev-aws-edge"), "edge-v2") };
    delete head["prod-aws-cluster"];
    const h = output("head", head);
    const b = output("base", baseStacks());
    const githubOutput = join(tmp, "github-output");
    const t = io({ GITHUB_OUTPUT: githubOutput, GITHUB_EVENT_NAME: "pull_request", GITHUB_REPOSITORY: "team/infra" });
    const status = await cli(["select", "--head", h, "--base", b, "--base-ref", "main", "--out", join(tmp, "sel"), "--head-repo", "team/infra", "--plan-all-label", "false", "--plan-all-input", ""], t.io);
    expect(status).toBe(0);
    expect(JSON.parse(readFileSync(join(tmp, "sel", "stacks.json"), "utf8"))).toEqual(["qa-aws-edge"]);
    expect(readFileSync(githubOutput, "utf8")).toBe('stacks=["qa-aws-edge"]\ncomment=true\n');
    const sel = JSON.parse(readFileSync(join(tmp, "sel", "selection.json"), "utf8")) as Selection & { comment: boolean };
    expect(sel).toMatchObject({ plan: ["qa-aws-edge"], removed: ["prod-aws-cluster"], skipped: [{ stack: "dev-aws-edge", reason: LOCAL_STATE_REASON }], comment: true });
    const md = readFileSync(join(tmp, "sel", "selection.md"), "utf8");
    expect(md).toContain("**Planned** (1): `qa-aws-edge`");
    expect(md).toContain("**Removed** (1):");
    expect(md).toContain("**Not planned** (1):");
    expect(md).toContain("**Unchanged** (3): `prod-aws-edge`, `qa-gcp-edge`, `dev-aws-cluster`");
  });

  it("select without a base output plans every remote stack and names the base branch; a fork gets no plans and no comment", async () => {
    const h = output("head", baseStacks());
    const githubOutput = join(tmp, "github-output");
    const t = io({ GITHUB_OUTPUT: githubOutput });
    expect(await cli(["select", "--head", h, "--base", join(tmp, "base-missing"), "--base-ref", "main", "--out", join(tmp, "sel"), "--event", "pull_request", "--repo", "team/infra", "--head-repo", "team/infra"], t.io)).toBe(0);
    expect(readFileSync(join(tmp, "sel", "selection.md"), "utf8")).toContain(`the base branch could not be synthesized (\`main\` left no ${join(tmp, "base-missing", "manifest.json")}; the synth job's log says why)`);
    expect(readFileSync(githubOutput, "utf8")).toBe('stacks=["prod-aws-edge","prod-aws-cluster","qa-aws-edge","qa-gcp-edge"]\ncomment=true\n');

    rmSync(githubOutput);
    expect(await cli(["select", "--head", h, "--base", join(tmp, "base-missing"), "--out", join(tmp, "sel"), "--event", "pull_request", "--repo", "team/infra", "--head-repo", "someone/infra"], t.io)).toBe(0);
    expect(readFileSync(githubOutput, "utf8")).toBe("stacks=[]\ncomment=false\n");
  });

  it("select refuses unknown arguments and reports an unreadable head output without a stack trace", async () => {
    const t = io({});
    expect(await cli(["select", "--heads", "x"], t.io)).toBe(2);
    expect(t.err.join("")).toBe("plan-stacks: select: unknown argument --heads\n");
    expect(await cli(["select", "--head", join(tmp, "nothing"), "--out", join(tmp, "sel")], t.io)).toBe(1);
    expect(t.err[1]).toMatch(/^plan-stacks: ENOENT.*manifest\.json/);
  });

  it("a flag without its value (at the end, or followed by another flag) is a usage error naming the flag; nothing is written", async () => {
    const h = output("head", baseStacks());
    const sel = join(tmp, "sel");
    for (const [args, flag] of [
      [["select", "--head", h, "--out"], "--out"],
      [["select", "--head", "--out", sel], "--head"],
      [["check-workspace", join(h, "stacks", "prod-aws-edge"), "--summary"], "--summary"],
    ] as const) {
      const calls: Call[] = [];
      const t = io({ TF_API_TOKEN: "t0ken" }, fakeFetch(404, {}, calls));
      expect([await cli(args, t.io), t.err, t.out, calls]).toEqual([2, [`plan-stacks: ${flag} needs a value\n`], [], []]);
    }
    expect(existsSync(sel)).toBe(false);
  });

  it("an unknown or missing command is a usage error listing the two commands", async () => {
    for (const [args, shown] of [
      [["plan", "--head", "cdktf.out"], '"plan"'],
      [["Select"], '"Select"'],
      [[], '""'],
    ] as const) {
      const t = io({});
      expect([await cli(args, t.io), t.err, t.out]).toEqual([2, [`plan-stacks: unknown command ${shown} (select or check-workspace)\n`], []]);
    }
  });

  it('a head manifest without a "stacks" object: exit 1 naming the file, nothing written', async () => {
    for (const manifest of [{ version: "0.21.0" }, { version: "0.21.0", stacks: ["prod-aws-edge"] }, { stacks: null }]) {
      const h = join(tmp, "head");
      mkdirSync(h, { recursive: true });
      writeFileSync(join(h, "manifest.json"), JSON.stringify(manifest));
      const githubOutput = join(tmp, "github-output");
      const t = io({ GITHUB_OUTPUT: githubOutput });
      expect([await cli(["select", "--head", h, "--out", join(tmp, "sel")], t.io), t.err, t.out]).toEqual([1, [`plan-stacks: ${join(h, "manifest.json")}: no "stacks" object\n`], []]);
      expect(existsSync(join(tmp, "sel"))).toBe(false);
      expect(existsSync(githubOutput)).toBe(false);
    }
  });

  it('a base manifest without a "stacks" object: the base branch counts as not synthesized, and the comment says why', async () => {
    const h = output("head", baseStacks());
    const b = join(tmp, "base");
    mkdirSync(b);
    writeFileSync(join(b, "manifest.json"), JSON.stringify({ version: "0.21.0" }));
    const t = io({});
    expect(await cli(["select", "--head", h, "--base", b, "--base-ref", "main", "--out", join(tmp, "sel")], t.io)).toBe(0);
    expect(t.err).toEqual([]);
    expect(readFileSync(join(tmp, "sel", "selection.md"), "utf8")).toContain(`Every stack counts as changed: the base branch could not be synthesized (\`main\`: ${join(b, "manifest.json")}: no "stacks" object), so there is nothing to compare with.`);
  });

  it("check-workspace stops a cloud stack whose workspace is missing, and writes the comment's line", async () => {
    const h = output("head", baseStacks());
    const summary = join(tmp, "summary-prod-aws-edge.md");
    const calls: Call[] = [];
    const t = io({ TF_API_TOKEN: "t0ken" }, fakeFetch(404, {}, calls));
    expect(await cli(["check-workspace", join(h, "stacks", "prod-aws-edge"), "--summary", summary], t.io)).toBe(1);
    expect(calls.map((c) => c.url)).toEqual(["https://app.terraform.io/api/v2/organizations/team-org/workspaces/gh-prod-aws-edge"]);
    expect(t.err.join("")).toContain("::error title=prod-aws-edge::workspace team-org/gh-prod-aws-edge does not exist; create it");
    expect(readFileSync(summary, "utf8")).toMatch(/^### `prod-aws-edge`\n\nNot planned: workspace team-org\/gh-prod-aws-edge does not exist;/);
  });

  it("check-workspace lets an existing workspace through, and has nothing to ask for S3, GCS or local state", async () => {
    const h = output("head", baseStacks());
    const calls: Call[] = [];
    const t = io({ TF_API_TOKEN: "t0ken" }, fakeFetch(200, { data: { attributes: { permissions: { "can-queue-run": true } } } }, calls));
    expect(await cli(["check-workspace", join(h, "stacks", "prod-aws-cluster")], t.io)).toBe(0);
    for (const s of ["qa-aws-edge", "qa-gcp-edge", "dev-aws-edge"]) expect(await cli(["check-workspace", join(h, "stacks", s)], t.io)).toBe(0);
    expect(calls).toHaveLength(1);
    expect(t.out).toEqual(["prod-aws-cluster: workspace team-org/gh-prod-aws-cluster exists on app.terraform.io\n", "qa-aws-edge: s3 state, no HCP Terraform workspace to check\n", "qa-gcp-edge: gcs state, no HCP Terraform workspace to check\n", "dev-aws-edge: local state, no HCP Terraform workspace to check\n"]);
  });

  it("the one-file bundle the workflow builds runs with plain node and no node_modules", () => {
    const bundle = join(tmp, "tools", "plan-stacks.js");
    // The same esbuild options as the synth job's bundling step.
    buildSync({ entryPoints: [join(root, "scripts", "ci", "plan-stacks.ts")], bundle: true, platform: "node", target: "node24", logLevel: "warning", outfile: bundle });
    const h = output("head", baseStacks());
    const run = (args: string[], env: Record<string, string> = {}) => spawnSync(process.execPath, [bundle, ...args], { cwd: tmp, encoding: "utf8", env: { PATH: process.env.PATH ?? "", ...env } });
    const sel = run(["select", "--head", h, "--base", h, "--out", join(tmp, "sel"), "--event", "pull_request", "--repo", "team/infra", "--head-repo", "team/infra"]);
    expect(sel.status).toBe(0);
    expect(sel.stdout).toBe("No stack changed: nothing to plan.\n\n**Unchanged** (6): `prod-aws-edge`, `prod-aws-cluster`, `qa-aws-edge`, `qa-gcp-edge`, `dev-aws-edge`, `dev-aws-cluster`\n");
    // No token: refused before any request, so nothing reaches the network.
    const check = run(["check-workspace", join(h, "stacks", "prod-aws-edge")]);
    expect(check.status).toBe(1);
    expect(check.stderr).toContain("::error title=prod-aws-edge::TF_API_TOKEN is not set: cannot plan workspace team-org/gh-prod-aws-edge");
    expect(run(["check-workspace", join(h, "stacks", "dev-aws-edge")]).status).toBe(0);
  });
});

// ------------------------------------------------------------------------- with real synthesis

describe("on real synthesized output", () => {
  const eks = readFileSync(join(root, "envs", "examples", "eks.yaml"), "utf8");
  /** The example EKS environment under another name, with the given state. */
  const env = (name: string, state: string, crossZone = true): string => eks.replace("name: example-eks", `name: ${name}`).replace("    name: example-eks\n", `    name: ${name}-eks\n`).replace("state:\n  type: local\n", `state: ${state}\n`).replace("crossZone: true", `crossZone: ${crossZone}`);

  function synth(dir: string, files: Record<string, string>): string {
    const paths = Object.entries(files).map(([f, text]) => {
      const p = join(tmp, `${dir}-${f}`);
      writeFileSync(p, text);
      return p;
    });
    const out = join(tmp, dir);
    const r = spawnSync(process.execPath, ["scripts/run-ts.js", "main.ts"], { cwd: root, encoding: "utf8", env: { ...process.env, CDKTF_OUTDIR: out, GATEHOUSE_ENV_FILE: paths.join(","), GATEHOUSE_ENVS: "team-cloud,team-s3,team-local" } });
    expect(r.status).toBe(0);
    return out;
  }

  it("an edit to one environment's NLB plans that environment's edge stack only; local state is never planned", () => {
    const files = (crossZone: boolean) => ({
      "cloud.yaml": env("team-cloud", "{ type: cloud, organization: team-org }", crossZone),
      "s3.yaml": env("team-s3", "{ type: s3, bucket: team-state, region: eu-west-1 }"),
      "local.yaml": env("team-local", "{ type: local }", crossZone),
    });
    const base = readOutput(synth("base", files(true)));
    const head = readOutput(synth("head", files(false)));
    expect(head.map((s) => [s.name, s.state.kind])).toEqual([
      ["team-cloud-aws-cluster", "cloud"],
      ["team-cloud-aws-edge", "cloud"],
      ["team-local-aws-cluster", "local"],
      ["team-local-aws-edge", "local"],
      ["team-s3-aws-cluster", "s3"],
      ["team-s3-aws-edge", "s3"],
    ]);
    const sel = selectStacks(head, { base: { stacks: base } });
    expect(sel.plan).toEqual(["team-cloud-aws-edge"]);
    expect(sel.skipped).toEqual([{ stack: "team-local-aws-edge", reason: LOCAL_STATE_REASON }]);
    expect(sel.unchanged).toEqual(["team-cloud-aws-cluster", "team-local-aws-cluster", "team-s3-aws-cluster", "team-s3-aws-edge"]);
  }, 60_000);
});
