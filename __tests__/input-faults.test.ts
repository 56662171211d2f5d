/**
 * Input faults: every one ends fast, with a message that names the file or variable and what is
 * wrong, exit status 1 and no stack trace, and the output directory exactly as it was. The loader
 * is tested directly; what only the process shows (exit status, the output directory, the swap)
 * runs the real synth.
 */
import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { dataProblems, ENV_FILE_MAX_BYTES, loadEnvironments, MAX_DEPTH, selectionFromEnv } from "../modules/config/loader";
import type { EnvInput } from "../modules/config/schema";
import { ConfigError, escapeText, formatProblems, type Problem } from "../modules/core/errors";
import { awsEnv, patch } from "./helpers/fixtures";

const root = join(__dirname, "..");
const fixtures = join(__dirname, "fixtures", "input-faults");
const work = mkdtempSync(join(tmpdir(), "gh-faults-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** The problems loading throws, with the time it took. */
function load(opts: { files?: string[]; builtins?: EnvInput[]; only?: string[] }): { problems: Problem[]; report: string; ms: number } {
  const started = Date.now();
  try {
    loadEnvironments({ builtins: opts.builtins ?? [], files: opts.files, only: opts.only });
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    return { problems: [...e.problems], report: e.message, ms: Date.now() - started };
  }
  throw new Error("expected a ConfigError");
}

function file(name: string, text: string): string {
  const path = join(work, name);
  writeFileSync(path, text);
  return path;
}

/** Every file and directory under `dir` with a hash of its contents: equal snapshots are byte-identical trees. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (rel: string) => {
    for (const d of readdirSync(join(dir, rel), { withFileTypes: true })) {
      const p = rel ? `${rel}/${d.name}` : d.name;
      if (d.isDirectory()) {
        out[`${p}/`] = "dir";
        walk(p);
      } else out[p] = createHash("sha256").update(readFileSync(join(dir, p))).digest("hex");
    }
  };
  walk("");
  return out;
}

/** A previous output directory with content no synth writes. */
function previousOutput(): string {
  const outdir = join(mkdtempSync(join(work, "out-")), "cdktf.out");
  mkdirSync(join(outdir, "stacks", "old-aws-edge"), { recursive: true });
  writeFileSync(join(outdir, "stacks", "old-aws-edge", "cdk.tf.json"), '{"previous":true}');
  writeFileSync(join(outdir, "manifest.json"), '{"stacks":{"old-aws-edge":{}}}');
  writeFileSync(join(outdir, ".gatehouse-output"), "{}");
  return outdir;
}

/** Temporaries beside an output directory. */
const temporaries = (outdir: string) => readdirSync(join(outdir, "..")).filter((n) => n.startsWith(".cdktf.out."));

const synthArgs = [join(root, "scripts", "run-ts.js"), join(root, "main.ts")];
const synthEnv = (vars: Record<string, string>) => ({ PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", ...vars });
function synth(vars: Record<string, string>) {
  const r = spawnSync(process.execPath, synthArgs, { cwd: root, env: synthEnv(vars), encoding: "utf8", timeout: 30_000 });
  return { status: r.status, stderr: r.stderr, timedOut: r.error !== undefined };
}
const noTrace = /\n\s+at |Error:|\bat Object\./;

describe("YAML anchors, aliases and nesting", () => {
  it("refuses a billion-laughs file at once, on one line", () => {
    const r = load({ files: [join(fixtures, "billion-laughs.yaml")] });
    expect(r.ms).toBeLessThan(1000);
    expect(r.problems).toHaveLength(1);
    expect(r.report).toContain("billion-laughs.yaml:2): a: has a YAML anchor (&a); anchors and aliases are not supported: write the value out (80 more anchors and aliases in this file)");
  });

  it.each([
    ["a list", "name: x\ntags:\n  [a, b]: c\n"],
    ["a map", "name: x\ntags:\n  ? {a: 1}\n  : c\n"],
  ])("refuses %s as a key, with its line and path", (_kind, text) => {
    const path = file("complex-key.yaml", text);
    const r = load({ files: [path] });
    expect(r.problems).toEqual([expect.objectContaining({ file: `${path}:3`, path: "tags", message: "has a list or map as a key; keys must be plain text" })]);
  });

  it("refuses an undefined alias with its line, not a ReferenceError", () => {
    const r = load({ files: [join(fixtures, "undefined-alias.yaml")] });
    expect(r.problems).toEqual([expect.objectContaining({ file: `${join(fixtures, "undefined-alias.yaml")}:3`, path: "tags.team", message: expect.stringContaining("is a YAML alias (*nowhere)") })]);
  });

  it.each([
    ["flow sequences", 200_000, "[".repeat(200_000)],
    ["block sequences", 100_000, `${"- ".repeat(100_000)}x\n`],
    ["flow maps", 50_000, `${"{a: ".repeat(50_000)}1${"}".repeat(50_000)}`],
  ])("refuses %s nested %d deep quickly, as nesting (not a stack overflow)", (_kind, _depth, text) => {
    const r = load({ files: [file("deep.yaml", text)] });
    expect(r.ms).toBeLessThan(2000);
    expect(r.problems).toEqual([expect.objectContaining({ path: "(syntax)", message: `nests deeper than ${MAX_DEPTH} levels; an environment is only a few levels deep` })]);
    expect(r.report).not.toMatch(/call stack/i);
  });

  it("names the path of JSON nested just past the limit, and of a built-in nested too deep", () => {
    const nested = (n: number): unknown => (n === 0 ? "x" : { a: nested(n - 1) });
    const json = load({ files: [file("deep.json", JSON.stringify({ name: "deep", controller: { config: nested(MAX_DEPTH) } }))] });
    expect(json.problems).toEqual([expect.objectContaining({ path: `controller.config${".a".repeat(MAX_DEPTH - 2)}`, message: expect.stringContaining("nests deeper than") })]);
    const builtin = load({ builtins: [awsEnv({ controller: { config: nested(MAX_DEPTH) } } as Partial<EnvInput>)] });
    expect(builtin.problems.map((p) => p.message)).toEqual([expect.stringContaining(`nests deeper than ${MAX_DEPTH} levels`)]);
  });
});

describe("files that are not small regular files", () => {
  it.each([
    ["/dev/zero", "is a character device, not a regular file"],
    ["/dev/urandom", "is a character device, not a regular file"],
    [tmpdir(), "is a directory, not a regular file"],
  ])("refuses %s before reading it", (path, message) => {
    const r = load({ files: [path] });
    expect(r.ms).toBeLessThan(500);
    expect(r.problems).toEqual([{ env: path, file: path, path: "GATEHOUSE_ENV_FILE", value: path, message: `${message}; name a YAML or JSON file` }]);
  });

  it("refuses a 50 MB file at once, stating the limit", () => {
    const big = file("big.yaml", "");
    truncateSync(big, 50 * 1000 * 1000);
    const r = load({ files: [big] });
    expect(r.ms).toBeLessThan(500);
    expect(r.problems.map((p) => p.message)).toEqual(["is 47.7 MiB; environment files are limited to 256 KiB"]);
    const over = file("over.yaml", "");
    truncateSync(over, ENV_FILE_MAX_BYTES + 1);
    expect(load({ files: [over] }).problems.map((p) => p.message)).toEqual(["is 257 KiB; environment files are limited to 256 KiB"]);
  });

  it("finds a duplicate key among 25,000 (as many as fit the limit) in linear time, with its line", () => {
    const keys = Array.from({ length: 25_000 }, (_, i) => `  k${i.toString(36)}: 1\n`).join("");
    const path = file("keys.yaml", `name: keys\ntags:\n${keys}  ka: again\n`);
    expect(statSync(path).size).toBeLessThan(ENV_FILE_MAX_BYTES);
    const r = load({ files: [path] });
    expect(r.ms).toBeLessThan(2500); // yaml's own uniqueKeys check is quadratic: 4 s here
    expect(r.problems).toEqual([expect.objectContaining({ file: `${path}:25003:3`, path: "(syntax)", message: "Map keys must be unique" })]);
    // Keys equal as JavaScript property names are duplicates too: toJS would keep only the last.
    expect(load({ files: [file("numeric.yaml", "name: n\ntags:\n  1: a\n  '1': b\n")] }).problems.map((p) => p.file)).toEqual([`${join(work, "numeric.yaml")}:4:3`]);
  });
});

describe("selection variables", () => {
  it.each([",,,", "   ", " , "])("GATEHOUSE_ENVS=%j names nothing: an error, not every environment", (value) => {
    expect(() => selectionFromEnv({ GATEHOUSE_ENVS: value })).toThrow(`(selection): GATEHOUSE_ENVS (got ${JSON.stringify(value)}): names no environment`);
  });

  it("GATEHOUSE_ENV_FILE set to only separators is an error; unset or empty selects the defaults", () => {
    expect(() => selectionFromEnv({ GATEHOUSE_ENV_FILE: ", ," })).toThrow('GATEHOUSE_ENV_FILE (got ", ,"): names no file');
    expect(selectionFromEnv({})).toEqual({ files: [], only: [] });
    expect(selectionFromEnv({ GATEHOUSE_ENVS: "", GATEHOUSE_ENV_FILE: "" })).toEqual({ files: [], only: [] });
    expect(selectionFromEnv({ GATEHOUSE_ENVS: " dev, ,prod " })).toEqual({ files: [], only: ["dev", "prod"] });
  });
});

describe("the report escapes what it echoes", () => {
  const unsafe = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u00ad\u061c\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]/;

  it("escapes control characters, NUL and bidi overrides in names, files, paths and values, and cuts long values", () => {
    const dir = mkdtempSync(join(work, "esc-"));
    const path = join(dir, "evil\u202e\nlmay.yaml");
    writeFileSync(path, `name: "x\\e[2J\\u202Ey\\0z"\ntags:\n  "k\\u2066\\a": "${"v".repeat(5000)}"\nunknown\\u2067: 1\n`);
    const r = load({ files: [path] });
    expect(r.report).not.toMatch(unsafe);
    expect(r.report).toContain('x\\u001b[2J\\u202ey\\u0000z (');
    expect(r.report).toContain("evil\\u202e\\nlmay.yaml:3): tags.k\\u2066\\u0007");
    expect(r.report).toContain("unknown\\u2067: unknown field");
    expect(Math.max(...r.report.split("\n").map((l) => l.length))).toBeLessThan(1000);
    const selection = load({ builtins: [awsEnv()], only: ["q\u001b]0;title\u0007"] });
    expect(selection.report).not.toMatch(unsafe);
    expect(selection.report).toContain('q\\u001b]0;title\\u0007: GATEHOUSE_ENVS (got "q\\u001b]0;title\\u0007")');
    expect(formatProblems([{ env: "e\u2066", file: "f\u0000", path: "p\u202a", value: "\u2029", message: "m\u009b" }])).toContain("e\\u2066 (f\\u0000): p\\u202a (got \"\\u2029\"): m\\u009b");
    expect(escapeText("ok: ü, →, 日本")).toBe("ok: ü, →, 日本");
  });
});

describe("keys JavaScript treats specially", () => {
  it("refuses __proto__, constructor and prototype anywhere in a YAML file, with path and line", () => {
    const path = join(fixtures, "reserved-keys.yaml");
    expect(load({ files: [path] }).problems.map((p) => `${p.file} ${p.path}`)).toEqual([`${path}:4 tags.__proto__`, `${path}:7 controller.config.constructor`, `${path}:10 ports.tcp.prototype`]);
  });

  it("refuses them in JSON files and in built-ins, where an object literal's __proto__ sets the prototype", () => {
    const json = file("proto.json", JSON.stringify({ ...awsEnv({ name: "j" }), tags: JSON.parse('{"__proto__": "x"}') as Record<string, string> }));
    expect(load({ files: [json] }).problems.map((p) => p.path)).toEqual(["tags.__proto__"]);
    const literal = { __proto__: { team: "edge" } } as unknown as Record<string, string>;
    const builtins = [awsEnv({ name: "a", tags: literal }), patch(awsEnv({ name: "b" }), { controller: { config: { constructor: "x" } } } as Partial<EnvInput>)];
    expect(load({ builtins }).problems.map((p) => `${p.env}: ${p.path}`)).toEqual(["a: tags.__proto__", "b: controller.config.constructor"]);
    expect(dataProblems({ a: [{ prototype: 1 }] }).map((p) => p.path.join("."))).toEqual(["a.0.prototype"]);
  });
});

describe("the synth process", () => {
  it("refuses a FIFO, /dev/zero and a directory without blocking, exit 1, no trace, output untouched", () => {
    const fifo = join(work, "env.fifo");
    if (spawnSync("mkfifo", [fifo]).status !== 0) throw new Error("mkfifo is needed for this test");
    const outdir = previousOutput();
    const before = snapshot(outdir);
    const r = synth({ CDKTF_OUTDIR: outdir, GATEHOUSE_ENV_FILE: `${fifo},/dev/zero,${work}` });
    expect(r.timedOut).toBe(false);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`${fifo}): GATEHOUSE_ENV_FILE (got ${JSON.stringify(fifo)}): is a FIFO (named pipe), not a regular file`);
    expect(r.stderr).toContain("/dev/zero): GATEHOUSE_ENV_FILE (got \"/dev/zero\"): is a character device");
    expect(r.stderr).toContain("is a directory, not a regular file");
    expect(r.stderr).not.toMatch(noTrace);
    expect(snapshot(outdir)).toEqual(before);
    expect(temporaries(outdir)).toEqual([]);
  });

  it("names an output directory that cannot be created, exit 1, no trace", () => {
    const outdir = join(work, "no-such-parent", "cdktf.out");
    const r = synth({ CDKTF_OUTDIR: outdir });
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(`gatehouse: output directory ${outdir} (CDKTF_OUTDIR): cannot be created: its parent directory ${join(work, "no-such-parent")} does not exist; nothing was synthesized.\n`);
    expect(existsSync(join(work, "no-such-parent"))).toBe(false);
  });

  it("a construct's problem names the environment's file like a schema problem, and changes nothing", () => {
    const env = join(fixtures, "construct-error.yaml");
    const outdir = previousOutput();
    const before = snapshot(outdir);
    const r = synth({ CDKTF_OUTDIR: outdir, GATEHOUSE_ENV_FILE: env, GATEHOUSE_ENVS: "blank-tag" });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`\\n  blank-tag \\(${env.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}(:\\d+)?\\): .*tagKey \\(got " "\\): must name the tag`));
    expect(r.stderr).not.toMatch(noTrace);
    expect(snapshot(outdir)).toEqual(before); // cdktf's App used to create stacks/ here
    expect(temporaries(outdir)).toEqual([]);
  });

  it("kill -9 mid-synth leaves the previous output whole; the next run replaces it wholly and clears dead runs' temporaries", async () => {
    const outdir = previousOutput();
    const before = snapshot(outdir);
    const parent = join(outdir, "..");
    const deadPid = spawnSync(process.execPath, ["-e", ""]).pid;
    mkdirSync(join(parent, `.cdktf.out.tmp-${deadPid}-0badc0de`, "stacks"), { recursive: true });
    mkdirSync(join(parent, `.cdktf.out.old-${deadPid}-0ddba11a`));
    const live = `.cdktf.out.tmp-${process.pid}-0123abcd`; // this test's own process: in use
    mkdirSync(join(parent, live));

    const child = spawn(process.execPath, synthArgs, { cwd: root, env: synthEnv({ CDKTF_OUTDIR: outdir }), stdio: "ignore" });
    const staging = `.cdktf.out.tmp-${child.pid}-`;
    const deadline = Date.now() + 20_000;
    while (!temporaries(outdir).some((n) => n.startsWith(staging) && existsSync(join(parent, n, "stacks"))) && Date.now() < deadline && child.exitCode === null) await new Promise((ok) => setTimeout(ok, 5));
    child.kill("SIGKILL");
    await new Promise((ok) => child.on("close", ok));
    if (temporaries(outdir).some((n) => n.startsWith(staging))) expect(snapshot(outdir)).toEqual(before); // killed before the swap
    else expect(Object.keys(snapshot(outdir))).toContain("manifest.json"); // or just after it: the new output, whole

    const r = synth({ CDKTF_OUTDIR: outdir });
    expect(r.status).toBe(0);
    const after = snapshot(outdir);
    expect(after["stacks/old-aws-edge/"]).toBeUndefined();
    const manifest = JSON.parse(readFileSync(join(outdir, "manifest.json"), "utf8")) as { stacks: Record<string, unknown> };
    expect(readdirSync(join(outdir, "stacks")).sort()).toEqual(Object.keys(manifest.stacks).sort());
    expect(temporaries(outdir)).toEqual([live]);
    expect(statSync(outdir).isDirectory()).toBe(true);
  }, 40_000);
});
