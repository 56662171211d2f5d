/**
 * The README works word for word: every command line in its shell blocks runs as written, from
 * the repository root, on its own. Output goes to a temporary directory (CDKTF_OUTDIR), and the
 * PATH holds no terraform binary, so nothing reaches a network or a cloud. A line that cannot run
 * here is skipped only when it matches a listed pattern, with the reason; any other line fails
 * the test until it is classified, so new README commands are covered as they are written.
 */
import { exec } from "node:child_process";
import { mkdtempSync, readFileSync, existsSync } from "node:fs";
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
const RUNS = /^(?:[A-Z][A-Z0-9_]*=\S*\s+)*npm run (synth|schema|validate|report)$/;

/** The command lines of the README's sh/bash/shell blocks: comments cut, `&&` chains split. */
export function readmeCommands(markdown: string): string[] {
  const out: string[] = [];
  let inShell = false;
  for (const raw of markdown.split("\n")) {
    const fence = /^```(\w*)/.exec(raw);
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

const commands = readmeCommands(readFileSync(join(root, "README.md"), "utf8"));
const skipped = commands.filter((c) => SKIPPED.some(([p]) => p.test(c)));
const runnable = commands.filter((c) => !SKIPPED.some(([p]) => p.test(c)));

function run(command: string): Promise<{ command: string; code: number; stderr: string; outdir: string }> {
  const outdir = join(mkdtempSync(join(tmpdir(), "gh-readme-")), "cdktf.out");
  // node and npm, but no terraform: validate must say it could not check, never download.
  const path = [dirname(process.execPath), "/bin"].join(":");
  return new Promise((resolve) => {
    exec(command, { cwd: root, env: { PATH: path, HOME: process.env.HOME ?? "/tmp", CDKTF_OUTDIR: outdir }, timeout: 60_000, shell: "/bin/sh" }, (error, _stdout, stderr) =>
      resolve({ command, code: error ? (typeof error.code === "number" ? error.code : 1) : 0, stderr, outdir }),
    );
  });
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

  it("each runs on its own, as written, and exits 0", async () => {
    const results = await Promise.all(runnable.map(run));
    expect(results.length).toBeGreaterThan(2);
    for (const r of results) {
      expect({ command: r.command, code: r.code, stderr: r.code === 0 ? "" : r.stderr }).toEqual({ command: r.command, code: 0, stderr: "" });
      if (/npm run synth$/.test(r.command)) expect(existsSync(join(r.outdir, "manifest.json"))).toBe(true);
    }
  }, 120_000);
});
