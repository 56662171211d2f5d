/**
 * scripts/run-ts.js: the synth runner rebuilds its cached bundles exactly when an input's content
 * changed, and its package bundle loads only what a run uses.
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";

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
    // After an edit the package bundle is loaded, and yaml initialized, while the app bundle is rebuilt.
    const vendor = record().vendor;
    writeFileSync(dep, `${readFileSync(dep, "utf8")}// edited\n`);
    expect(run().stdout.trim()).toBe(`edited 3 true 0 ${root} true extra-arg`);
    expect(record().vendor).toBe(vendor);
  });

  it("keys a build on its inputs only once they are shown to be what esbuild compiled", () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { hashInputs } = require("../scripts/run-ts/build") as {
      hashInputs: (root: string, metafile: object, mapFile: string, before: Map<string, string>, settle: boolean) => Map<string, string> | undefined;
    };
    const out = join(dir, "out-map");
    mkdirSync(out, { recursive: true });
    writeFileSync(dep, "export const value = 'on disk';\n");
    const mapFile = join(out, "main.js.map");
    const metafile = { inputs: { [dep]: {}, [join(root, "node_modules", "yaml", "dist", "index.js")]: {} } };
    const map = (text: string) => writeFileSync(mapFile, JSON.stringify({ version: 3, sources: [relative(out, dep)], sourcesContent: [text] }));
    const none = new Map<string, string>();
    // A file new to the build: the source map's copy of its text decides.
    map("export const value = 'on disk';\n");
    const hashes = hashInputs(root, metafile, mapFile, none, false);
    expect([...(hashes?.keys() ?? [])]).toEqual([relative(root, dep)]); // packages reach the key through the lock files
    map("export const value = 'compiled before an edit';\n");
    expect(hashInputs(root, metafile, mapFile, none, false)).toBeUndefined();
    expect(hashInputs(root, metafile, mapFile, none, true)).toEqual(hashes);
    // A file hashed before the build began: it must hash the same after it.
    const digest = hashes?.get(relative(root, dep)) ?? "";
    expect(hashInputs(root, metafile, mapFile, new Map([[relative(root, dep), digest]]), false)).toEqual(hashes);
    expect(hashInputs(root, metafile, mapFile, new Map([[relative(root, dep), "0".repeat(64)]]), false)).toBeUndefined();
  });

  it("writes the package bundle in ASCII, inside node's module wrapper, without comments", () => {
    const vendor = readFileSync(join(cacheDir, `vendor.${record().vendor.slice(0, 32)}`, "vendor.js"));
    expect(vendor.every((b) => b < 0x80)).toBe(true);
    const text = vendor.toString("latin1");
    expect(text.startsWith("(function (exports, require, module, __filename, __dirname) {")).toBe(true);
    expect(text.trimEnd().endsWith("});")).toBe(true);
    expect(text).not.toMatch(/^\s*\/\//m);
  });

  it("initializes a provider binding module when the app first uses it; the code cache grows to the modules runs use", () => {
    writeFileSync(
      entry,
      [
        "import { HelmProvider } from '@cdktf/provider-helm/lib/provider';",
        "import { Release } from '@cdktf/provider-helm/lib/release';",
        "console.log(process.env.USE === 'release' ? typeof Release : typeof HelmProvider);",
        "",
      ].join("\n"),
    );
    expect(run().stdout.trim()).toBe("function");
    // The package bundle is shared by entries that import the same packages: start its code cache afresh.
    const vendorCache = (name: string) => join(cacheDir, `vendor.${record().vendor.slice(0, 32)}`, name);
    for (const name of ["code.cache", "code.cache.json"]) rmSync(vendorCache(name), { force: true });
    expect(run().stdout.trim()).toBe("function");
    const covered = () => JSON.parse(readFileSync(vendorCache("code.cache.json"), "utf8")) as string[];
    expect(covered()).toEqual(["@cdktf/provider-helm/lib/provider"]);
    expect(run({ USE: "release" }).stdout.trim()).toBe("function");
    expect(covered()).toEqual(["@cdktf/provider-helm/lib/provider", "@cdktf/provider-helm/lib/release"]);
    const cache = statSync(vendorCache("code.cache")).mtimeMs;
    expect(run({ USE: "release" }).stdout.trim()).toBe("function"); // nothing new: the cache is kept
    expect(statSync(vendorCache("code.cache")).mtimeMs).toBe(cache);
  });

  // cdktf zips in a child process that runs its own module from node_modules; loading cdktf here
  // does not load the zip library (which patches node's fs through graceful-fs).
  it("loads cdktf without its zip library, and an archive asset is still zipped", () => {
    const assetDir = join(dir, "asset");
    mkdirSync(assetDir, { recursive: true });
    writeFileSync(join(assetDir, "file.txt"), "zipped\n");
    writeFileSync(
      entry,
      [
        "import { readdirSync } from 'node:fs';",
        "import * as fs from 'node:fs';",
        "import { App, AssetType, TerraformAsset, TerraformStack } from 'cdktf';",
        "const patched = () => Symbol.for('graceful-fs.queue') in fs;",
        "const before = patched();",
        `const app = new App({ outdir: ${JSON.stringify(join(dir, "out"))}, stackTraces: false });`,
        "const stack = new TerraformStack(app, 's');",
        `new TerraformAsset(stack, 'a', { path: ${JSON.stringify(assetDir)}, type: AssetType.ARCHIVE });`,
        "app.synth();",
        `const zips = readdirSync(${JSON.stringify(join(dir, "out"))}, { recursive: true }).filter((f) => String(f).endsWith('.zip')).length;`,
        "console.log(before, patched(), zips);",
        "",
      ].join("\n"),
    );
    const r = run();
    expect(r.stderr).toBe("");
    expect(r.stdout.trim()).toBe("false false 1");
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
