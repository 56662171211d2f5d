/** scripts/run-ts.js: the synth runner rebuilds its cached bundle exactly when an input's content changed. */
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const root = join(__dirname, "..");
const runner = join(root, "scripts", "run-ts.js");
const cacheDir = join(root, "node_modules", ".cache", "gatehouse");
const dir = mkdtempSync(join(tmpdir(), "gh-runner-"));
const entry = join(dir, "entry.ts");
const dep = join(dir, "value.ts");

const run = () => spawnSync(process.execPath, [runner, entry, "extra-arg"], { cwd: root, encoding: "utf8", timeout: 30_000 });
const ours = () => readdirSync(cacheDir).filter((f) => f.includes(dir.split("/").pop() ?? "gh-runner-"));
const bundles = () => ours().filter((f) => f.endsWith(".js"));
const record = () => JSON.parse(readFileSync(join(cacheDir, ours().find((f) => f.endsWith(".inputs.json")) ?? ""), "utf8")) as { key: string; inputs: string[] };
/** Sets a file's modification time to a year ago, as a checkout or `touch -d` can. */
const ageFile = (file: string) => {
  const old = new Date(Date.now() - 365 * 24 * 3600 * 1000);
  utimesSync(file, old, old);
};

afterAll(() => {
  for (const f of ours()) rmSync(join(cacheDir, f), { force: true });
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
    const before = statSync(join(cacheDir, bundle ?? "")).mtimeMs;
    const later = new Date(Date.now() + 60_000);
    utimesSync(dep, later, later); // touched, not changed
    expect(run().stdout.trim()).toBe("one true extra-arg");
    expect(bundles()).toEqual([bundle]);
    expect(statSync(join(cacheDir, bundle ?? "")).mtimeMs).toBe(before);
  });

  it("keys the cache on the contents of every bundled file", () => {
    expect(record().inputs.sort()).toEqual([expect.stringMatching(/entry\.ts$/), expect.stringMatching(/value\.ts$/)]);
    expect(bundles()[0]).toContain(record().key.slice(0, 32));
  });

  it("rebuilds when an imported file changes, even when the edit carries an old modification time", () => {
    writeFileSync(dep, "export const value: string = 'two';\n");
    ageFile(dep);
    expect(run().stdout.trim()).toBe("two true extra-arg");
    writeFileSync(entry, readFileSync(entry, "utf8").replace("console.log(value", "console.log('edited', value"));
    ageFile(entry);
    expect(run().stdout.trim()).toBe("edited two true extra-arg");
  });

  it("concurrent runs after an edit all run the new code and leave no partial files", async () => {
    writeFileSync(dep, "export const value: string = 'three';\n");
    ageFile(dep);
    const outputs = await Promise.all(
      [1, 2, 3].map(
        () =>
          new Promise<string>((done) => {
            const child = spawn(process.execPath, [runner, entry, "x"], { cwd: root });
            let out = "";
            child.stdout.on("data", (d: Buffer) => (out += d.toString()));
            child.on("close", () => done(out.trim()));
          }),
      ),
    );
    expect(outputs).toEqual(["edited three true x", "edited three true x", "edited three true x"]);
    expect(ours().filter((f) => f.endsWith(".tmp"))).toEqual([]);
    expect(run().stdout.trim()).toBe("edited three true extra-arg");
  }, 30_000);
});
