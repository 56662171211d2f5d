/** scripts/run-ts.js: the synth runner rebuilds its cached bundles exactly when an input's content changed. */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const root = join(__dirname, "..");
const runner = join(root, "scripts", "run-ts.js");
const cacheDir = join(root, "node_modules", ".cache", "gatehouse");
const dir = mkdtempSync(join(tmpdir(), "gh-runner-"));
const entry = join(dir, "entry.ts");
const dep = join(dir, "value.ts");

const run = (vars: Record<string, string> = {}) =>
  spawnSync(process.execPath, [runner, entry, "extra-arg"], { cwd: root, encoding: "utf8", timeout: 30_000, env: { ...process.env, NODE_OPTIONS: "", ...vars } });
const ours = () => readdirSync(cacheDir).filter((f) => f.includes(dir.split("/").pop() ?? "gh-runner-"));
/** The app bundle directories of this test's entry. */
const bundles = () => ours().filter((f) => !f.endsWith(".json"));
const record = () => JSON.parse(readFileSync(join(cacheDir, ours().find((f) => f.endsWith(".inputs.json")) ?? ""), "utf8")) as { key: string; inputs: string[]; vendor: string };
const current = () => join(cacheDir, bundles().find((b) => b.endsWith(record().key.slice(0, 32))) ?? "");
/** Sets a file's modification time to a year ago, as a checkout or `touch -d` can. */
const ageFile = (file: string) => {
  const old = new Date(Date.now() - 365 * 24 * 3600 * 1000);
  utimesSync(file, old, old);
};

afterAll(() => {
  for (const f of ours()) rmSync(join(cacheDir, f), { recursive: true, force: true });
  rmSync(dir, { recursive: true, force: true });
});

describe("run-ts.js", () => {
  it("runs TypeScript with the entry as argv[1] and the caller's arguments after it", () => {
    writeFileSync(dep, "export const value: string = 'one';\n");
    writeFileSync(entry, "import { value } from './value';\nconsole.log(value, process.argv[1] === __ENTRY__, process.argv[2]);\n".replace("__ENTRY__", JSON.stringify(entry)));
    const r = run();
    expect(r.stderr).toBe("");
    expect(r.stdout.trim()).toBe("one true extra-arg");
  });

  it("reuses the bundle while no input changed, whatever the modification times say", () => {
    const [bundle] = bundles();
    const before = statSync(join(cacheDir, bundle ?? "", "main.js")).mtimeMs;
    const later = new Date(Date.now() + 60_000);
    utimesSync(dep, later, later); // touched, not changed
    expect(run().stdout.trim()).toBe("one true extra-arg");
    expect(bundles()).toEqual([bundle]);
    expect(statSync(join(cacheDir, bundle ?? "", "main.js")).mtimeMs).toBe(before);
  });

  it("keys the cache on the contents of every bundled file", () => {
    expect(record().inputs.sort()).toEqual([expect.stringMatching(/entry\.ts$/), expect.stringMatching(/value\.ts$/)]);
    expect(bundles()[0]).toContain(record().key.slice(0, 32));
  });

  it("writes the source map beside the bundle, and a code cache after the first run", () => {
    const files = readdirSync(current()).sort();
    expect(files).toEqual(["code.cache", "main.js", "main.js.map"]);
    expect(readFileSync(join(current(), "main.js"), "utf8")).toMatch(/\/\/# sourceMappingURL=main\.js\.map\n$/);
    expect(readFileSync(join(current(), "main.js"), "utf8")).not.toContain("data:application/json");
  });

  it("a code cache that does not match is refused by V8 and written again; the run is unaffected", () => {
    const cache = join(current(), "code.cache");
    writeFileSync(cache, Buffer.alloc(4096, 7));
    expect(run().stdout.trim()).toBe("one true extra-arg");
    expect(readFileSync(cache).equals(Buffer.alloc(4096, 7))).toBe(false);
  });

  it("rebuilds when an imported file changes, even when the edit carries an old modification time", () => {
    writeFileSync(dep, "export const value: string = 'two';\n");
    ageFile(dep);
    expect(run().stdout.trim()).toBe("two true extra-arg");
    writeFileSync(entry, readFileSync(entry, "utf8").replace("console.log(value", "console.log('edited', value"));
    ageFile(entry);
    expect(run().stdout.trim()).toBe("edited two true extra-arg");
  });

  it("serves packages from one bundle: one copy of each, none loaded from node_modules, the package root set", () => {
    writeFileSync(
      dep,
      [
        "import { parse } from 'yaml';",
        "import * as again from 'yaml';",
        "const fromNodeModules = Object.keys(require.cache).filter((f) => f.includes('/node_modules/yaml/')).length;",
        "export const value: string = `${parse('n: 3').n} ${parse === again.parse} ${fromNodeModules} ${process.env.GATEHOUSE_PACKAGE_ROOT}`;",
        "",
      ].join("\n"),
    );
    expect(run().stdout.trim()).toBe(`edited 3 true 0 ${root} true extra-arg`);
    expect(existsSync(join(cacheDir, `vendor.${record().vendor.slice(0, 32)}`, "vendor.js"))).toBe(true);
  });

  it("with --enable-source-maps a thrown error points at the TypeScript source line", () => {
    writeFileSync(dep, ["export const value: string = 'four';", "", "export function fail(): never {", "  throw new Error('from value.ts line 4');", "}", ""].join("\n"));
    writeFileSync(entry, "import { fail, value } from './value';\nconsole.log(value);\nfail();\n");
    const mapped = run({ NODE_OPTIONS: "--enable-source-maps" });
    expect(mapped.status).toBe(1);
    expect(mapped.stdout.trim()).toBe("four");
    expect(mapped.stderr).toContain("Error: from value.ts line 4");
    expect(mapped.stderr).toMatch(new RegExp(`at fail \\(${dep.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}:4:9\\)`));
    expect(mapped.stderr).toMatch(/entry\.ts:3:/);
    const plain = run();
    expect(plain.status).toBe(1);
    expect(plain.stderr).toContain("Error: from value.ts line 4");
  });

  it("concurrent runs after an edit all run the new code and leave no partial files", async () => {
    writeFileSync(dep, "export const value: string = 'three';\n");
    writeFileSync(entry, "import { value } from './value';\nconsole.log('edited', value, process.argv[2]);\n");
    ageFile(dep);
    const pids: number[] = [];
    const outputs = await Promise.all(
      [1, 2, 3].map(
        () =>
          new Promise<string>((done) => {
            const child = spawn(process.execPath, [runner, entry, "x"], { cwd: root, env: { ...process.env, NODE_OPTIONS: "" } });
            pids.push(child.pid ?? 0);
            let out = "";
            child.stdout.on("data", (d: Buffer) => (out += d.toString()));
            child.on("close", () => done(out.trim()));
          }),
      ),
    );
    expect(outputs).toEqual(["edited three x", "edited three x", "edited three x"]);
    const leftovers = readdirSync(cacheDir).filter((f) => pids.some((pid) => f.includes(`.${pid}.`)));
    expect(leftovers).toEqual([]);
    expect(readdirSync(current()).filter((f) => f.endsWith(".tmp"))).toEqual([]);
    expect(run().stdout.trim()).toBe("edited three extra-arg");
  }, 30_000);
});
