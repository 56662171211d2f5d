/** Import discipline and the synth-path speedups keep their promises. */
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { spawnSync } from "node:child_process";
import { skipTokenCreationStacks } from "../modules/core/cdktf";

const root = join(__dirname, "..");

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (name === "node_modules" || name === "cdktf.out" || name.startsWith(".")) return [];
    return statSync(p).isDirectory() ? tsFiles(p) : p.endsWith(".ts") ? [p] : [];
  });
}

describe("provider imports", () => {
  it("no file imports a provider package root or lib index", () => {
    const offenders = tsFiles(root).filter((f) => /from\s+["']@cdktf\/provider-[a-z-]+(\/lib)?\/?["']/.test(readFileSync(f, "utf8")));
    expect(offenders.map((f) => relative(root, f))).toEqual([]);
  });

  // The package name is split so this file does not match the scan above.
  const aws = ["@cdktf", "provider-aws"].join("/");
  const lint = (source: string) =>
    spawnSync(process.execPath, [join(root, "node_modules", "eslint", "bin", "eslint.js"), "--stdin", "--stdin-filename", "modules/probe.ts", "--format", "json"], { cwd: root, input: source, encoding: "utf8" });

  it("the lint rule rejects a root import and accepts a deep one", () => {
    const bad = JSON.parse(lint(`import { Lb } from "${aws}";\nexport const x = Lb;\n`).stdout) as Array<{ messages: Array<{ ruleId: string }> }>;
    expect(bad[0]?.messages.map((m) => m.ruleId)).toEqual(["no-restricted-imports"]);
    const good = JSON.parse(lint(`import { Lb } from "${aws}/lib/lb";\nexport const x = Lb;\n`).stdout) as Array<{ messages: unknown[] }>;
    expect(good[0]?.messages).toEqual([]);
  });
});

describe("ports", () => {
  it("every NodePort literal of the library is the port contract's (modules/model/contract.ts), decided once", () => {
    // Numbers in Kubernetes' default NodePort range, outside comments and outside the contract.
    const strays = tsFiles(join(root, "modules"))
      .filter((f) => relative(root, f) !== join("modules", "model", "contract.ts"))
      .flatMap((f) =>
        readFileSync(f, "utf8")
          .replace(/\/\*[\s\S]*?\*\//g, (c) => c.replace(/[^\n]/g, ""))
          .split("\n")
          .flatMap((line, i) => (/(?<![\w.])3[0-2][0-9]{3}(?![\w.])/.test(line.replace(/\/\/.*$/, "")) ? [`${relative(root, f)}:${i + 1}: ${line.trim()}`] : [])),
      );
    expect(strays).toEqual([]);
  });
});

describe("skipTokenCreationStacks", () => {
  // The module cdktf's tokens call to record where each token was made.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const traces = require("cdktf/lib/tokens/private/stack-trace") as { captureStackTrace: () => string[] };

  it("makes cdktf's token bookkeeping capture no frames, touches no global hook, and can be undone", () => {
    const prepare = Error.prepareStackTrace;
    expect(traces.captureStackTrace().length).toBeGreaterThan(0);
    const restore = skipTokenCreationStacks({});
    try {
      expect(traces.captureStackTrace()).toEqual([]);
      expect(Error.prepareStackTrace).toBe(prepare);
      const stack = new TypeError("boom").stack ?? "";
      expect(stack.split("\n")[0]).toBe("TypeError: boom");
      expect(stack).toMatch(/\n {4}at .*discipline\.test\.ts/);
    } finally {
      restore();
    }
    expect(traces.captureStackTrace().length).toBeGreaterThan(0);
  });

  it("keeps everything when GATEHOUSE_TOKEN_STACKS=1", () => {
    const restore = skipTokenCreationStacks({ GATEHOUSE_TOKEN_STACKS: "1" });
    expect(traces.captureStackTrace().length).toBeGreaterThan(0);
    restore();
  });
});
