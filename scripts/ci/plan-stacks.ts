/**
 * Which stacks the plan workflow (.github/workflows/plan.yml) plans, and the HCP Terraform
 * workspace check it runs before `terraform init`.
 *
 *   node -r tsx/cjs scripts/ci/plan-stacks.ts select --head cdktf.out --base base/cdktf.out --out plan-selection
 *       [--base-ref main] [--event pull_request] [--repo owner/name] [--head-repo owner/name]
 *       [--plan-all-label true|false] [--plan-all-input true|false]
 *   node plan-stacks.js check-workspace cdktf.out/stacks/<stack> [--summary summary-<stack>.md]   (reads TF_API_TOKEN)
 *
 * `select` compares the head branch's synthesized output with the base branch's and writes, into
 * the `--out` directory, `stacks.json` (the plan matrix: a JSON list of stack names),
 * `selection.json` (every stack's fate) and `selection.md` (the same, for the comment); under
 * GitHub Actions it also sets the step outputs `stacks` and `comment`. A stack is planned when
 *   - its output differs from the base branch's (`cdk.tf.json` as Terraform reads it, i.e. without
 *     cdktf's "//" comments, and every file under its `assets/`), or it is new, or every stack is
 *     planned (the `plan-all` label or workflow input, or a base branch that did not synthesize); and
 *   - its state is remote: HCP Terraform (`terraform.cloud`), S3 or GCS. Local state lives on the
 *     machine that applies, so a CI runner would plan against nothing; such stacks are listed as
 *     not planned, with the reason; and
 *   - its HCP Terraform organization is not the demo environments' placeholder (a fresh clone
 *     synthesizes the demo environments); and
 *   - the pull request does not come from a fork (fork pull requests get no secrets).
 * Stacks of the base branch that are gone are listed as removed, never planned.
 *
 * `check-workspace` refuses a cloud stack whose workspace does not exist (or that the token may
 * not plan on) before `terraform init` would try to create it: a plan token cannot.
 */
import { createHash } from "node:crypto";
import { appendFileSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { DEMO_ENVS } from "../../envs/examples/demo";

// ------------------------------------------------------------------------------------------ state

export interface CloudWorkspace {
  readonly hostname: string;
  readonly organization: string;
  readonly name: string;
}

/** Where a stack keeps its state, as its `cdk.tf.json` says. */
export type StackState =
  | { readonly kind: "cloud"; readonly workspace?: CloudWorkspace; readonly problem?: string }
  | { readonly kind: "s3" }
  | { readonly kind: "gcs" }
  | { readonly kind: "local" }
  | { readonly kind: "other"; readonly backend: string };

export const DEFAULT_CLOUD_HOSTNAME = "app.terraform.io";
export const LOCAL_STATE_REASON = "local state: state is on the machine that applies; nothing to plan against in CI";

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === "object" && !Array.isArray(v);
const nonEmpty = (v: unknown): string | undefined => (typeof v === "string" && v.trim() !== "" ? v.trim() : undefined);

/** The state of a stack from its synthesized JSON: `terraform.cloud`, else `terraform.backend.<type>`, else local (Terraform's default). */
export function stateOf(stackJson: unknown): StackState {
  const terraform = isObj(stackJson) && isObj(stackJson.terraform) ? stackJson.terraform : {};
  if (isObj(terraform.cloud)) {
    const cloud = terraform.cloud;
    const organization = nonEmpty(cloud.organization);
    const name = isObj(cloud.workspaces) ? nonEmpty(cloud.workspaces.name) : undefined;
    if (!organization) return { kind: "cloud", problem: "its cloud block names no organization" };
    if (!name) return { kind: "cloud", problem: `its cloud block selects no single workspace by name (organization ${organization}); CI plans named workspaces only` };
    return { kind: "cloud", workspace: { hostname: nonEmpty(cloud.hostname) ?? DEFAULT_CLOUD_HOSTNAME, organization, name } };
  }
  const backends = isObj(terraform.backend) ? Object.keys(terraform.backend) : [];
  const type = backends[0];
  if (type === undefined || type === "local") return { kind: "local" };
  if (type === "s3" || type === "gcs") return { kind: type };
  return { kind: "other", backend: type };
}

/** Why a stack with this state is not planned in CI, or undefined when it can be. */
export function notPlannableReason(state: StackState): string | undefined {
  switch (state.kind) {
    case "local":
      return LOCAL_STATE_REASON;
    case "other":
      return `backend "${state.backend}": CI plans only HCP Terraform, S3 and GCS state`;
    default:
      return undefined;
  }
}

// ----------------------------------------------------------------------------------------- output

/** One synthesized stack, reduced to what the selection needs. */
export interface StackOutput {
  readonly name: string;
  readonly state: StackState;
  /** sha256 of the configuration as Terraform reads it (cdk.tf.json without the "//" comments). */
  readonly config: string;
  /** sha256 over every file (path and content) and symlink under the stack's `assets/`. */
  readonly assets: string;
}

interface Manifest {
  stacks?: Record<string, { synthesizedStackPath?: string; workingDirectory?: string }>;
}

/** Stack names become paths and artifact names in the workflow: nothing but these characters. */
const STACK_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

const sha256 = (data: string | Buffer): string => createHash("sha256").update(data).digest("hex");

/** The JSON without cdktf's "//" keys, which Terraform treats as comments. */
export function withoutComments(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(withoutComments);
  if (isObj(v)) return Object.fromEntries(Object.entries(v).filter(([k]) => k !== "//").map(([k, x]) => [k, withoutComments(x)]));
  return v;
}

/** A digest of a directory tree: each entry's relative path, kind and content (or link target). */
export function treeDigest(dir: string): string {
  const h = createHash("sha256");
  const walk = (rel: string): void => {
    const abs = join(dir, rel);
    for (const name of readdirSync(abs).sort()) {
      const path = rel ? `${rel}/${name}` : name;
      const st = lstatSync(join(abs, name));
      if (st.isSymbolicLink()) h.update(`link\0${path}\0${readlinkSync(join(abs, name))}\0`);
      else if (st.isDirectory()) {
        h.update(`dir\0${path}\0`);
        walk(path);
      } else h.update(`file\0${path}\0${sha256(readFileSync(join(abs, name)))}\0`);
    }
  };
  if (existsSync(dir)) walk("");
  return h.digest("hex");
}

/** Every stack of a synthesized output directory, in manifest order. */
export function readOutput(outdir: string): StackOutput[] {
  const manifestFile = join(outdir, "manifest.json");
  const manifest = JSON.parse(readFileSync(manifestFile, "utf8")) as Manifest;
  if (!isObj(manifest.stacks)) throw new Error(`${manifestFile}: no "stacks" object`);
  return Object.entries(manifest.stacks).map(([name, entry]) => {
    if (!STACK_NAME.test(name)) throw new Error(`${manifestFile}: stack name ${JSON.stringify(name)} is not usable in CI (letters, digits, ".", "_", "-")`);
    const workingDirectory = entry.workingDirectory ?? `stacks/${name}`;
    const json = JSON.parse(readFileSync(join(outdir, entry.synthesizedStackPath ?? `${workingDirectory}/cdk.tf.json`), "utf8")) as unknown;
    return { name, state: stateOf(json), config: sha256(JSON.stringify(withoutComments(json))), assets: treeDigest(join(outdir, workingDirectory, "assets")) };
  });
}

// -------------------------------------------------------------------------------------- selection

export interface SelectOptions {
  /** The base branch's stacks, or why there are none (its synth failed). */
  readonly base: { readonly stacks: readonly StackOutput[] } | { readonly unavailable: string };
  /** Why every stack counts as changed, when something asked for it. */
  readonly planAll?: string;
  /** The head repository of a pull request from a fork: nothing is planned. */
  readonly fork?: string;
  /** HCP Terraform organizations that are placeholders (the demo environments'): their stacks are not planned. */
  readonly placeholderOrganizations?: readonly string[];
}

export interface Skipped {
  readonly stack: string;
  readonly reason: string;
}

export interface Selection {
  /** "changed": only stacks that differ from the base branch; "all": every stack counts as changed. */
  readonly mode: "changed" | "all";
  /** Sentences for the reader: why everything is planned, a fork, nothing changed. */
  readonly notes: readonly string[];
  /** The plan matrix, in manifest order. */
  readonly plan: readonly string[];
  /** Planned stacks the base branch does not have. */
  readonly added: readonly string[];
  /** Changed (or, in "all" mode, any) stacks that are not planned, with the reason. */
  readonly skipped: readonly Skipped[];
  readonly unchanged: readonly string[];
  /** Stacks of the base branch that the head no longer has. */
  readonly removed: readonly string[];
}

export const FORK_REASON = "pull request from a fork (no secrets, so no plans)";
export const REMOVED_WARNING = "removed (not planned): its resources still exist until destroyed; run `terraform destroy` in its directory of the base branch's output (or move its resources) before merging";

export function selectStacks(head: readonly StackOutput[], options: SelectOptions): Selection {
  const baseStacks = "stacks" in options.base ? new Map(options.base.stacks.map((s) => [s.name, s])) : undefined;
  const notes: string[] = [];
  if (options.planAll) notes.push(`Every stack counts as changed: ${options.planAll}.`);
  if ("unavailable" in options.base) notes.push(`Every stack counts as changed: the base branch could not be synthesized (${options.base.unavailable}), so there is nothing to compare with.`);
  const all = options.planAll !== undefined || baseStacks === undefined;

  const plan: string[] = [];
  const added: string[] = [];
  const skipped: Skipped[] = [];
  const unchanged: string[] = [];
  for (const s of head) {
    const before = baseStacks?.get(s.name);
    const isNew = baseStacks !== undefined && before === undefined;
    const changed = all || before === undefined || before.config !== s.config || before.assets !== s.assets;
    const reason = notPlannableReason(s.state) ?? placeholderReason(s.state, options.placeholderOrganizations ?? []) ?? (options.fork !== undefined ? FORK_REASON : undefined);
    if (!changed) unchanged.push(s.name);
    else if (reason !== undefined) skipped.push({ stack: s.name, reason });
    else {
      plan.push(s.name);
      if (isNew) added.push(s.name);
    }
  }
  const headNames = new Set(head.map((s) => s.name));
  const removed = baseStacks === undefined ? [] : [...baseStacks.keys()].filter((n) => !headNames.has(n));

  if (options.fork !== undefined) notes.push(`This pull request comes from a fork (${options.fork}). Fork pull requests get no secrets, so nothing is planned; a maintainer can push the branch to this repository to have it planned.`);
  if (!all && plan.length === 0 && skipped.length === 0) notes.push(removed.length ? "No stack changed besides the removed ones: nothing to plan." : "No stack changed: nothing to plan.");
  else if (plan.length === 0 && options.fork === undefined) notes.push(`Nothing to plan: no ${all ? "" : "changed "}stack can be planned in CI (why below).`);
  return { mode: all ? "all" : "changed", notes, plan, added, skipped, unchanged, removed };
}

/** The HCP Terraform organizations of the demo environments (envs/examples/demo.ts): placeholders, nobody's real organization. */
export function demoOrganizations(): string[] {
  const orgs = DEMO_ENVS.map((e) => e.state).flatMap((s) => (s !== undefined && s.type === "cloud" ? [s.organization] : []));
  return [...new Set(orgs)];
}

function placeholderReason(state: StackState, placeholders: readonly string[]): string | undefined {
  const org = state.kind === "cloud" ? state.workspace?.organization : undefined;
  if (org === undefined || !placeholders.includes(org)) return undefined;
  return `HCP Terraform organization ${code(org)} is the demo environments' placeholder: nothing to plan until envs/ holds your own environments (with your organization)`;
}

function code(s: string): string {
  return `\`${s}\``;
}

/** The selection as Markdown, for the pull-request comment and the job summary. */
export function selectionMarkdown(sel: Selection): string {
  const lines: string[] = [...sel.notes.map((n) => `${n}\n`)];
  if (sel.plan.length) lines.push(`**Planned** (${sel.plan.length}): ${sel.plan.map((s) => (sel.added.includes(s) ? `${code(s)} (new)` : code(s))).join(", ")}\n`);
  if (sel.removed.length) lines.push(`**Removed** (${sel.removed.length}):`, ...sel.removed.map((s) => `- :warning: ${code(s)}: ${REMOVED_WARNING}`), "");
  if (sel.skipped.length) {
    const byReason = new Map<string, string[]>();
    for (const s of sel.skipped) byReason.set(s.reason, [...(byReason.get(s.reason) ?? []), s.stack]);
    lines.push(`**Not planned** (${sel.skipped.length}):`, ...[...byReason].map(([reason, stacks]) => `- ${stacks.map(code).join(", ")}: ${reason}`), "");
  }
  if (sel.unchanged.length) lines.push(`**Unchanged** (${sel.unchanged.length}): ${sel.unchanged.map(code).join(", ")}\n`);
  return `${lines.join("\n").trimEnd()}\n`;
}

// ------------------------------------------------------------------------------------ run context

export interface RunContext {
  /** GITHUB_EVENT_NAME */
  readonly event: string;
  /** GITHUB_REPOSITORY */
  readonly repo: string;
  /** The pull request's head repository (owner/name); empty when its fork was deleted. */
  readonly headRepo: string;
  /** The pull request has the `plan-all` label. */
  readonly planAllLabel: boolean;
  /** workflow_dispatch input `plan-all`. */
  readonly planAllInput: boolean;
}

export const PLAN_ALL_LABEL = "plan-all";

/** What the event asks for: a fork (no plans, no comment), plan-all, and whether to comment. */
export function interpretContext(ctx: RunContext): { readonly fork?: string; readonly planAll?: string; readonly comment: boolean } {
  const pullRequest = ctx.event === "pull_request";
  const fork = pullRequest && ctx.headRepo !== ctx.repo ? ctx.headRepo || "a deleted repository" : undefined;
  const planAll = ctx.event === "workflow_dispatch" && ctx.planAllInput ? "the workflow was run by hand with plan-all" : pullRequest && ctx.planAllLabel ? `the pull request has the ${code(PLAN_ALL_LABEL)} label` : undefined;
  return { ...(fork !== undefined && { fork }), ...(planAll !== undefined && { planAll }), comment: pullRequest && fork === undefined };
}

// ------------------------------------------------------------------------------ workspace check

/** The part of `fetch` the check uses, so tests can answer without a network. */
export type Fetch = (url: string, init: { method: "GET"; headers: Record<string, string>; signal?: AbortSignal }) => Promise<{ status: number; json(): Promise<unknown> }>;

export type WorkspaceCheck = { readonly outcome: "ok" | "refused" | "unknown"; readonly message: string };

export function workspaceUrl(ws: CloudWorkspace): string {
  return `https://${ws.hostname}/api/v2/organizations/${encodeURIComponent(ws.organization)}/workspaces/${encodeURIComponent(ws.name)}`;
}

/**
 * Asks HCP Terraform (or Terraform Enterprise) whether the workspace exists and the token may
 * queue plans on it. "refused" stops the stack before `terraform init`; "unknown" (the API could
 * not be asked) lets init go ahead and speak for itself.
 */
export async function checkWorkspace(ws: CloudWorkspace, token: string | undefined, fetchImpl: Fetch): Promise<WorkspaceCheck> {
  const id = `${ws.organization}/${ws.name}`;
  if (!token) return { outcome: "refused", message: `TF_API_TOKEN is not set: cannot plan workspace ${id} (add the repository secret: an HCP Terraform team token with plan access to the workspaces)` };
  let res: { status: number; json(): Promise<unknown> };
  try {
    res = await fetchImpl(workspaceUrl(ws), { method: "GET", headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/vnd.api+json" }, signal: AbortSignal.timeout(20_000) });
  } catch (e) {
    return { outcome: "unknown", message: `could not ask ${ws.hostname} about workspace ${id}: ${messageOf(e)}` };
  }
  if (res.status === 404) {
    return { outcome: "refused", message: `workspace ${id} does not exist; create it (HCP Terraform UI, or \`terraform init\` once with a token that may create workspaces) — the plan token only plans. (${ws.hostname} also answers 404 when the token may not read the workspace.)` };
  }
  if (res.status === 401) return { outcome: "refused", message: `${ws.hostname} refused TF_API_TOKEN (401) when asked about workspace ${id}: the token is invalid, expired or for another host` };
  if (res.status !== 200) return { outcome: "unknown", message: `could not check workspace ${id}: ${ws.hostname} answered HTTP ${res.status}` };
  let body: unknown;
  try {
    body = await res.json();
  } catch {
    body = undefined;
  }
  const attributes = isObj(body) && isObj(body.data) && isObj(body.data.attributes) ? body.data.attributes : {};
  const permissions = isObj(attributes.permissions) ? attributes.permissions : {};
  if (attributes["execution-mode"] !== "local" && permissions["can-queue-run"] === false) {
    return { outcome: "refused", message: `the token may not queue plans on workspace ${id}: give its team "plan" access (or a custom role with "queue plans") on the workspace` };
  }
  return { outcome: "ok", message: `workspace ${id} exists on ${ws.hostname}` };
}

// ------------------------------------------------------------------------------------------- CLI

export interface CliIo {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly fetch: Fetch;
  readonly out: (s: string) => void;
  readonly err: (s: string) => void;
}

function options(args: readonly string[]): { positional: string[]; flags: Map<string, string> } {
  const positional: string[] = [];
  const flags = new Map<string, string>();
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    if (!a.startsWith("--")) positional.push(a);
    else if (a.includes("=")) flags.set(a.slice(2, a.indexOf("=")), a.slice(a.indexOf("=") + 1));
    else {
      const value = args[i + 1];
      if (value === undefined || value.startsWith("--")) throw new UsageError(`${a} needs a value`);
      flags.set(a.slice(2), value);
      i++;
    }
  }
  return { positional, flags };
}

class UsageError extends Error {}

/** An error's message; errors from node's own modules are not `instanceof Error` in every realm (jest), so no instanceof. */
function messageOf(e: unknown): string {
  return e !== null && typeof e === "object" && "message" in e && typeof e.message === "string" ? e.message : String(e);
}

const SELECT_FLAGS = new Set(["head", "base", "base-ref", "out", "event", "repo", "head-repo", "plan-all-label", "plan-all-input"]);

function select(args: readonly string[], io: CliIo): number {
  const { positional, flags } = options(args);
  const unknown = [...positional, ...[...flags.keys()].filter((k) => !SELECT_FLAGS.has(k)).map((k) => `--${k}`)];
  if (unknown.length) throw new UsageError(`select: unknown argument ${unknown.join(" ")}`);
  const headDir = flags.get("head") ?? "cdktf.out";
  const outDir = flags.get("out") ?? "plan-selection";
  const head = readOutput(headDir);

  const baseDir = flags.get("base");
  const baseRef = flags.get("base-ref") ? code(flags.get("base-ref") as string) : "the base branch";
  let base: SelectOptions["base"];
  if (baseDir === undefined) base = { unavailable: "no base output was given" };
  else if (!existsSync(join(baseDir, "manifest.json"))) base = { unavailable: `${baseRef} left no ${join(baseDir, "manifest.json")}; the synth job's log says why` };
  else {
    try {
      base = { stacks: readOutput(baseDir) };
    } catch (e) {
      base = { unavailable: `${baseRef}: ${messageOf(e)}` };
    }
  }

  const ctx = interpretContext({
    event: flags.get("event") ?? io.env.GITHUB_EVENT_NAME ?? "",
    repo: flags.get("repo") ?? io.env.GITHUB_REPOSITORY ?? "",
    headRepo: flags.get("head-repo") ?? "",
    planAllLabel: flags.get("plan-all-label") === "true",
    planAllInput: flags.get("plan-all-input") === "true",
  });
  const sel = selectStacks(head, { base, placeholderOrganizations: demoOrganizations(), ...(ctx.planAll !== undefined && { planAll: ctx.planAll }), ...(ctx.fork !== undefined && { fork: ctx.fork }) });
  const markdown = selectionMarkdown(sel);

  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, "stacks.json"), `${JSON.stringify(sel.plan)}\n`);
  writeFileSync(join(outDir, "selection.json"), `${JSON.stringify({ ...sel, comment: ctx.comment }, null, 2)}\n`);
  writeFileSync(join(outDir, "selection.md"), markdown);
  if (io.env.GITHUB_OUTPUT) appendFileSync(io.env.GITHUB_OUTPUT, `stacks=${JSON.stringify(sel.plan)}\ncomment=${ctx.comment}\n`);
  io.out(markdown);
  return 0;
}

async function checkWorkspaceCli(args: readonly string[], io: CliIo): Promise<number> {
  const { positional, flags } = options(args);
  const unknown = [...positional.slice(1), ...[...flags.keys()].filter((k) => k !== "summary").map((k) => `--${k}`)];
  const dir = positional[0];
  if (dir === undefined || unknown.length) throw new UsageError(`check-workspace: expected <stack dir> [--summary file]${unknown.length ? `, not ${unknown.join(" ")}` : ""}`);
  const stack = basename(dir);
  const state = stateOf(JSON.parse(readFileSync(join(dir, "cdk.tf.json"), "utf8")) as unknown);
  if (state.kind !== "cloud") {
    io.out(`${stack}: ${state.kind === "other" ? state.backend : state.kind} state, no HCP Terraform workspace to check\n`);
    return 0;
  }
  const result: WorkspaceCheck = state.workspace ? await checkWorkspace(state.workspace, io.env.TF_API_TOKEN, io.fetch) : { outcome: "refused", message: state.problem ?? "unusable cloud block" };
  if (result.outcome === "ok") {
    io.out(`${stack}: ${result.message}\n`);
    return 0;
  }
  if (result.outcome === "unknown") {
    io.err(`::warning title=${stack}::${result.message}; terraform init goes ahead\n`);
    return 0;
  }
  io.err(`::error title=${stack}::${result.message}\n`);
  const summary = flags.get("summary");
  if (summary) writeFileSync(summary, `### ${code(stack)}\n\nNot planned: ${result.message}\n`);
  return 1;
}

export async function cli(argv: readonly string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (command === "select") return select(rest, io);
    if (command === "check-workspace") return await checkWorkspaceCli(rest, io);
    throw new UsageError(`unknown command ${JSON.stringify(command ?? "")} (select or check-workspace)`);
  } catch (e) {
    // Unreadable output, bad JSON, a bad stack name: say what and where, no stack trace.
    io.err(`plan-stacks: ${messageOf(e)}\n`);
    return e instanceof UsageError ? 2 : 1;
  }
}

if (require.main === module) {
  cli(process.argv.slice(2), { env: process.env, fetch, out: (s) => process.stdout.write(s), err: (s) => process.stderr.write(s) }).then(
    (status) => {
      process.exitCode = status;
    },
    (e: unknown) => {
      process.stderr.write(`plan-stacks: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      process.exitCode = 1;
    },
  );
}
