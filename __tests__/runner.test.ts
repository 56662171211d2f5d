/** scripts/run-ts.js: the synth runner rebuilds its cached bundle exactly when an input changed. */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const root = join(__dirname, "..");
const cacheDir = join(root, "node_modules", ".cache", "gatehouse");
const dir = mkdtempSync(join(tmpdir(), "gh-runner-"));
const entry = join(dir, "entry.ts");
const dep = join(dir, "value.ts");

const run = () => spawnSync(process.execPath, [join(root, "scripts", "run-ts.js"), entry, "extra-arg"], { cwd: root, encoding: "utf8" });
const bundle = () => readdirSync(cacheDir).filter((f) => f.includes("gh-runner-") && f.endsWith("entry.js")).map((f) => join(cacheDir, f))[0] ?? "";

afterAll(() => {
  for (const f of readdirSync(cacheDir).filter((f) => f.includes("gh-runner-"))) rmSync(join(cacheDir, f), { force: true });
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

  it("reuses the bundle while no input changed", () => {
    const before = statSync(bundle()).mtimeMs;
    expect(run().stdout.trim()).toBe("one true extra-arg");
    expect(statSync(bundle()).mtimeMs).toBe(before);
  });

  it("rebuilds when an imported file changes", () => {
    writeFileSync(dep, "export const value: string = 'two';\n");
    const later = new Date(Date.now() + 5000);
    utimesSync(dep, later, later);
    expect(run().stdout.trim()).toBe("two true extra-arg");
  });
});
