/**
 * scripts/run-ts.js writes exactly what the plain cdktf path writes: main.ts loaded by node through
 * tsx (packages from node_modules, no bundling, no lazy or deferred modules, no V8 settings) with
 * cdktf's own token resolver (GATEHOUSE_PLAIN_RESOLVE=1): every built-in environment and every
 * shipped example, byte for byte, assets and manifest included, with and without source maps.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";

const root = join(__dirname, "..");
const examples = readdirSync(join(root, "envs", "examples"))
  .filter((f) => /\.(ya?ml|json)$/.test(f))
  .map((f) => `envs/examples/${f}`);

function synth(args: string[], vars: Record<string, string> = {}): string {
  const outdir = mkdtempSync(join(tmpdir(), "gh-runner-out-"));
  const r = spawnSync(process.execPath, args, {
    cwd: root,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", CDKTF_OUTDIR: outdir, GATEHOUSE_ENV_FILE: examples.join(","), ...vars },
    encoding: "utf8",
    timeout: 60_000,
  });
  if (r.status !== 0) throw new Error(`${args.join(" ")} exited ${r.status}:\n${r.stderr}`);
  return outdir;
}

/** Every file under dir, by path relative to it. */
function tree(dir: string, base = dir): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) for (const [k, v] of tree(p, base)) files.set(k, v);
    else files.set(relative(base, p), readFileSync(p));
  }
  return files;
}

function differences(expected: Map<string, Buffer>, actual: Map<string, Buffer>): string[] {
  const names = [...new Set([...expected.keys(), ...actual.keys()])].sort();
  return names.filter((n) => !(expected.get(n)?.equals(actual.get(n) ?? Buffer.alloc(0)) ?? false));
}

describe("run-ts.js output", () => {
  const reference = tree(synth(["-r", "tsx/cjs", "main.ts"], { GATEHOUSE_PLAIN_RESOLVE: "1" }));

  it("covers every built-in environment and example", () => {
    const stacks = Object.keys((JSON.parse(reference.get("manifest.json")?.toString() ?? "{}") as { stacks: object }).stacks);
    const envs = new Set(stacks.map((s) => s.replace(/-(aws-.*|gcp-.*|dns)$/, "")));
    expect(envs).toEqual(new Set(["dev", "staging", "prod", ...examples.map((f) => readFileSync(join(root, f), "utf8").match(/^name:\s*(\S+)/m)?.[1])]));
  });

  it("is byte-identical to main.ts loaded through tsx with cdktf's own resolver", () => {
    const ours = tree(synth(["scripts/run-ts.js", "main.ts"]));
    expect(differences(reference, ours)).toEqual([]);
    expect(ours.size).toBe(reference.size);
  });

  it("is byte-identical with --enable-source-maps (packages loaded from node_modules)", () => {
    const ours = tree(synth(["scripts/run-ts.js", "main.ts"], { NODE_OPTIONS: "--enable-source-maps" }));
    expect(differences(reference, ours)).toEqual([]);
  });
});
