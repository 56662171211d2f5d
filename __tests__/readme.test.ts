/**
 * The README works word for word: every command line in its shell blocks runs as written, from
 * the repository root, on its own. Output goes to a temporary directory (CDKTF_OUTDIR), and the
 * PATH holds no terraform binary, so nothing reaches a network or a cloud. A line that cannot run
 * here is skipped only when it matches a listed pattern, with the reason; any other line fails
 * the test until it is classified, so new README commands are covered as they are written.
 */
import { exec } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

const root = join(__dirname, "..");

/** Lines that need what tests may not have; each with why. */
const SKIPPED: ReadonlyArray<readonly [RegExp, string]> = [
  [/^npm ci$/, "the install itself: .ci/run runs it on a clean clone"],
  [/^npm test$/, "this test suite"],
  [/^terraform\b/, "downloads providers and talks to a cloud or HCP Terraform"],
  [/^npx cdktf (deploy|destroy)\b/, "changes real infrastructure"],
  [/^npm run bench$/, "a minute of timing runs; it changes nothing"],
];

/** What the test runs: npm scripts that synthesize, report, validate or write the schema. */
const RUNS = /^(?:[A-Z][A-Z0-9_]*=\S*\s+)*npm run (synth|schema|validate|report)(?: -- --references-only)?$/;

/**
 * Commands that must fail here, with the reason and what their output must say: the test's PATH
 * holds no terraform binary, so a full validate cannot pass.
 */
const FAILS_HERE: ReadonlyArray<readonly [RegExp, string, RegExp]> = [[/^npm run validate$/, "no terraform on PATH: validate exits 1, saying so", /FAIL: terraform could not check \d+ of \d+ stacks/]];

/** The section a newcomer follows word for word, in a project of their own: run in order, in a scratch copy. */
const WALKTHROUGH = "## Make it yours";

/** A README section's text (from its heading to the next `## `), and the README without it. */
function section(markdown: string, heading: string): { readonly start: number; readonly end: number } {
  const start = markdown.indexOf(`\n${heading}\n`);
  if (start < 0) return { start: markdown.length, end: markdown.length };
  const next = markdown.slice(start + heading.length + 2).search(/\n## /);
  return { start, end: next < 0 ? markdown.length : start + heading.length + 2 + next };
}
export function sectionCommands(markdown: string, heading: string): string[] {
  const { start, end } = section(markdown, heading);
  return readmeCommands(markdown.slice(start, end));
}
function withoutSection(markdown: string, heading: string): string {
  const { start, end } = section(markdown, heading);
  return markdown.slice(0, start) + markdown.slice(end);
}

/** The command lines of the README's sh/bash/shell blocks: comments cut, `&&` chains split. */
export function readmeCommands(markdown: string): string[] {
  const out: string[] = [];
  let inShell = false;
  for (const raw of markdown.split("\n")) {
    // Fences may be indented inside a list item.
    const fence = /^\s*```(\w*)/.exec(raw);
    if (fence) {
      inShell = !inShell && ["sh", "bash", "shell"].includes(fence[1] ?? "");
      continue;
    }
    if (!inShell) continue;
    const line = raw.replace(/\s+#.*$/, "").replace(/^\$\s+/, "").trim();
    if (line === "" || line.startsWith("#")) continue;
    out.push(...line.split("&&").map((part) => part.trim()));
  }
  return out;
}

const readme = readFileSync(join(root, "README.md"), "utf8");
const walkthrough = sectionCommands(readme, WALKTHROUGH);
const commands = readmeCommands(withoutSection(readme, WALKTHROUGH));
const skipped = commands.filter((c) => SKIPPED.some(([p]) => p.test(c)));
const runnable = commands.filter((c) => !SKIPPED.some(([p]) => p.test(c)));

/** node and npm, but no terraform: validate must say it could not check, never download. */
const PATH = [dirname(process.execPath), "/bin"].join(":");

/** Runs a command; with `cwd` (a scratch clone) as a newcomer would, with no CDKTF_OUTDIR. */
function run(command: string, cwd?: string): Promise<{ command: string; code: number; stdout: string; stderr: string; outdir: string }> {
  const outdir = cwd === undefined ? join(mkdtempSync(join(tmpdir(), "gh-readme-")), "cdktf.out") : join(cwd, "cdktf.out");
  const env: NodeJS.ProcessEnv = { PATH, HOME: process.env.HOME ?? "/tmp", ...(cwd === undefined && { CDKTF_OUTDIR: outdir }) };
  return new Promise((resolve) => {
    exec(command, { cwd: cwd ?? root, env, timeout: 90_000, shell: "/bin/sh" }, (error, stdout, stderr) =>
      resolve({ command, code: error ? (typeof error.code === "number" ? error.code : 1) : 0, stdout, stderr, outdir }),
    );
  });
}

/**
 * A clone as a new team has it, without copying the heavy parts: the project's code and installed
 * packages linked in, its own envs/ (the shipped TypeScript files linked, no environment files).
 */
function scratchProject(): string {
  const dir = mkdtempSync(join(tmpdir(), "gh-readme-clone-"));
  for (const entry of readdirSync(root)) {
    if ([".git", "cdktf.out", "state", "envs", "coverage", "dist"].includes(entry)) continue;
    if (["package.json", "package-lock.json", "cdktf.json", "tsconfig.json"].includes(entry)) cpSync(join(root, entry), join(dir, entry));
    else symlinkSync(join(root, entry), join(dir, entry));
  }
  mkdirSync(join(dir, "envs"));
  for (const entry of readdirSync(join(root, "envs"))) if (!/\.(ya?ml|json)$/.test(entry) || entry.endsWith(".schema.json")) symlinkSync(join(root, "envs", entry), join(dir, "envs", entry));
  return dir;
}

describe("the README's shell commands", () => {
  it("are all either run here or skipped for a stated reason", () => {
    expect(commands.length).toBeGreaterThan(3);
    expect(runnable.filter((c) => !RUNS.test(c))).toEqual([]);
    expect(skipped.length).toBeGreaterThan(0);
  });

  it("splits and cleans command lines as a reader copies them", () => {
    expect(readmeCommands("```sh\nnpm ci && npm run synth    # install\n# a comment\n$ A=1 npm run synth\n```\n```yaml\nx: y\n```")).toEqual(["npm ci", "npm run synth", "A=1 npm run synth"]);
  });

  it("each runs on its own, as written, and exits 0 (or fails as it must here, saying why)", async () => {
    const results = await Promise.all(runnable.map((c) => run(c)));
    expect(results.length).toBeGreaterThan(2);
    for (const r of results) {
      const failing = FAILS_HERE.find(([p]) => p.test(r.command));
      if (failing) {
        expect({ command: r.command, code: r.code, says: failing[2].test(r.stdout) }).toEqual({ command: r.command, code: 1, says: true });
        continue;
      }
      expect({ command: r.command, code: r.code, stderr: r.code === 0 ? "" : r.stderr }).toEqual({ command: r.command, code: 0, stderr: "" });
      if (/npm run synth$/.test(r.command)) expect(existsSync(join(r.outdir, "manifest.json"))).toBe(true);
    }
  }, 150_000);

  it(`"${WALKTHROUGH.slice(3)}" works word for word in a fresh clone: the team's environment replaces the demo ones`, async () => {
    expect(walkthrough).toEqual(["npm run new-env -- shop --shape aws-nlb", "npm run synth"]);
    const clone = scratchProject();
    const outdir = join(clone, "cdktf.out");
    const results = [];
    for (const command of walkthrough) results.push(await run(command, clone));
    for (const r of results) expect({ command: r.command, code: r.code, stderr: r.stderr }).toEqual({ command: r.command, code: 0, stderr: "" });
    expect(readFileSync(join(clone, "envs", "shop.yaml"), "utf8")).toContain("← yours");
    // What the README says the output says, and the stacks it names.
    expect(results[1]?.stdout).toContain("synthesized 2 stacks for shop into cdktf.out");
    expect(readdirSync(join(outdir, "stacks")).sort()).toEqual(["shop-aws-cluster", "shop-aws-edge"]);
    expect(readme).toContain("`synthesized 2 stacks for shop into cdktf.out`");
  }, 150_000);
});
