/**
 * gatehouse as a library: the package as `npm pack` makes it, installed into a tiny CDKTF app of
 * another team, type-checked against the published declarations and synthesized.
 *
 * The package is packed from a copy of the project (its node_modules linked in), so the prepack
 * build writes its dist/ there and never into the working tree other tests read. The tarball is
 * installed without a network: extracted into the app's node_modules, next to links to the
 * project's own copies of its dependencies.
 */
import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";

const root = join(__dirname, "..");
const work = mkdtempSync(join(tmpdir(), "gatehouse-library-"));
const pkg = join(work, "package");
const app = join(work, "app");
const outdir = join(app, "cdktf.out");

/** Not part of a checkout, or made by the build itself. */
const NOT_COPIED = new Set(["node_modules", ".git", "dist", "cdktf.out", "coverage"]);
/** What the consuming app links from the project: gatehouse's dependencies its code and types load, and the compiler. */
const LINKED = ["cdktf", "constructs", "zod", "yaml", "@cdktf/provider-aws", "@cdktf/provider-google", "@cdktf/provider-helm", "@cdktf/provider-kubernetes", "typescript", "@types/node"];

const APP = `import { App, TerraformStack } from "cdktf";
import { buildPlan, ClusterAccess, ConfigError, Manifests, parseEnvironment, planEnvironment, type EnvInput } from "gatehouse";
// @ts-expect-error: only the entry point is exported (the package's exports map)
import type { EnvPlan } from "gatehouse/dist/modules/plan";

const input: EnvInput = {
  name: "shop",
  tags: { team: "shop" },
  aws: {
    region: "eu-west-1",
    cluster: { name: "shop-eks" },
    vpc: { id: "vpc-0123456789abcdef0", cidrs: ["10.20.0.0/16"] },
    nlb: { subnets: ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"] },
    targets: { mode: "discover", tagKey: "Name", tagValues: ["shop-eks-node"] },
    workerSecurityGroupIds: ["sg-0123456789abcdef0"],
  },
};
// @ts-expect-error: the published types are precise (a region is text), not any
export const typo: EnvInput = { ...input, aws: { ...input.aws, region: 42 } };

const app = new App({ outdir: process.argv[2], stackTraces: false });
const stacks = buildPlan(app, planEnvironment(parseEnvironment(input)));

// Bad input: the same report synth prints, not a raw schema error.
try {
  parseEnvironment({ ...input, name: "Shop" });
} catch (e) {
  if (e instanceof ConfigError) process.stderr.write(e.message + "\\n");
}

// A construct on its own, in a stack of the app's: it installs a chart shipped inside the package.
const extras = new TerraformStack(app, "shop-extras");
new ClusterAccess(extras, "cluster", { type: "kubeconfig", path: "~/.kube/config" });
new Manifests(extras, "objects", {
  releaseName: "shop-objects",
  namespace: "shop",
  objects: [{ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "shop", namespace: "shop" }, data: { owner: "shop" } }],
});

app.synth();
process.stdout.write(stacks.map((s) => s.node.id).join(",") + "\\n");
`;

const TSCONFIG = {
  compilerOptions: {
    target: "ES2022",
    lib: ["ES2022"],
    module: "node16",
    moduleResolution: "node16",
    strict: true,
    noEmitOnError: true,
    skipLibCheck: true,
    outDir: "out",
    types: ["node"],
  },
  files: ["app.ts"],
};

/** The process's output, for a failure message. */
const output = (r: SpawnSyncReturns<string>) => `exit ${r.status ?? r.signal ?? r.error?.message}\n${r.stdout}\n${r.stderr}`;

interface PackResult {
  readonly filename: string;
  readonly files: ReadonlyArray<{ readonly path: string }>;
}

let packed: PackResult;
beforeAll(() => {
  cpSync(root, pkg, { recursive: true, filter: (src) => !NOT_COPIED.has(relative(root, src).split(/[\\/]/)[0] ?? "") });
  symlinkSync(join(root, "node_modules"), join(pkg, "node_modules"), "dir");

  // Not --ignore-scripts: prepack builds dist/. Scripts are switched on explicitly in case a user's npmrc turns them off.
  const pack = spawnSync("npm", ["pack", "--json", "--offline", "--ignore-scripts=false", "--pack-destination", work], { cwd: pkg, encoding: "utf8", timeout: 120_000 });
  if (pack.status !== 0) throw new Error(`npm pack failed: ${output(pack)}`);
  const results = JSON.parse(pack.stdout.slice(pack.stdout.indexOf("["))) as PackResult[];
  const first = results[0];
  if (!first) throw new Error(`npm pack reported no package: ${output(pack)}`);
  packed = first;

  const target = join(app, "node_modules", "gatehouse");
  mkdirSync(target, { recursive: true });
  const tar = spawnSync("tar", ["-xzf", join(work, packed.filename), "-C", target, "--strip-components=1"], { encoding: "utf8" });
  if (tar.status !== 0) throw new Error(`tar failed: ${output(tar)}`);
  for (const name of LINKED) {
    mkdirSync(dirname(join(app, "node_modules", name)), { recursive: true });
    symlinkSync(join(root, "node_modules", name), join(app, "node_modules", name), "dir");
  }
  writeFileSync(join(app, "package.json"), `${JSON.stringify({ name: "shop-edge", private: true, dependencies: { gatehouse: `file:../${packed.filename}` } }, null, 2)}\n`);
  writeFileSync(join(app, "tsconfig.json"), `${JSON.stringify(TSCONFIG, null, 2)}\n`);
  writeFileSync(join(app, "app.ts"), APP);
}, 120_000);

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

/** Every file under a directory, relative to it, with "/" separators. */
function filesUnder(dir: string, base = dir): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(join(dir, e.name), base) : [relative(base, join(dir, e.name)).split(/[\\/]/).join("/")]));
}

describe("gatehouse as a library", () => {
  it("packs the compiled entry point, declarations and the shipped charts, and no sources or tests", () => {
    const paths = packed.files.map((f) => f.path);
    expect(paths).toEqual(expect.arrayContaining(["package.json", "README.md", "dist/modules/index.js", "dist/modules/index.d.ts", "dist/modules/config/schema.d.ts", "dist/modules/k8s/local-chart.js"]));
    const charts = filesUnder(join(root, "modules", "k8s", "charts")).map((f) => `dist/modules/k8s/charts/${f}`);
    expect(charts.length).toBeGreaterThan(0);
    expect(paths).toEqual(expect.arrayContaining(charts));
    const unwanted = paths.filter((p) => /(^|\/)__tests__\/|\.test\.|^(modules|envs|scripts)\/|^(main|cdktf)\.|^tsconfig|(?<!\.d)\.ts$/.test(p));
    expect(unwanted).toEqual([]);
    const manifest = JSON.parse(readFileSync(join(app, "node_modules", "gatehouse", "package.json"), "utf8")) as { exports: Record<string, unknown> };
    expect(manifest.exports["."]).toEqual({ types: "./dist/modules/index.d.ts", default: "./dist/modules/index.js" });
  });

  it("type-checks an app that imports it (strict, node16 resolution through the exports map)", () => {
    const tsc = spawnSync(process.execPath, [join(root, "node_modules", "typescript", "bin", "tsc"), "-p", app], { cwd: app, encoding: "utf8", timeout: 120_000 });
    expect(output(tsc)).toMatch(/^exit 0\n/);
    expect(existsSync(join(app, "out", "app.js"))).toBe(true);
  }, 120_000);

  it("synthesizes the app's stacks with the installed package", () => {
    const env: NodeJS.ProcessEnv = { ...process.env };
    // The synth runner's override; an installed package finds its charts on its own.
    delete env.GATEHOUSE_PACKAGE_ROOT;
    const run = spawnSync(process.execPath, [join(app, "out", "app.js"), outdir], { cwd: app, env, encoding: "utf8", timeout: 60_000 });
    expect(output(run)).toMatch(/^exit 0\n/);
    expect(run.stdout.trim()).toBe("shop-aws-edge,shop-aws-cluster");
    expect(run.stderr).toContain('gatehouse: 1 configuration problem in 1 environment; nothing was synthesized.\n  Shop: name (got "Shop"): must be 1-20 lowercase letters');

    const stack = (name: string) => JSON.parse(readFileSync(join(outdir, "stacks", name, "cdk.tf.json"), "utf8")) as { resource: Record<string, Record<string, Record<string, unknown>>> };
    const edge = stack("shop-aws-edge").resource;
    const lbs = Object.values(edge.aws_lb ?? {});
    expect(lbs).toEqual([expect.objectContaining({ name: "shop--shop-eks", load_balancer_type: "network", internal: false })]);
    const groups = Object.values(edge.aws_lb_target_group ?? {}).map((g) => ({ name: g.name, port: g.port, target_type: g.target_type, health: (g.health_check as Record<string, unknown>).port }));
    expect(groups).toEqual(
      expect.arrayContaining([
        { name: "shop--shop-eks--http", port: 30080, target_type: "ip", health: "30200" },
        { name: "shop--shop-eks--https", port: 30443, target_type: "ip", health: "30200" },
      ]),
    );
    expect(groups).toHaveLength(2);
    expect(Object.keys(stack("shop-aws-cluster").resource.helm_release ?? {})).toHaveLength(1);

    // The shipped chart, found from the installed dist/ and copied into the stack as an asset.
    const [release] = Object.values(stack("shop-extras").resource.helm_release ?? {});
    const chart = join(outdir, "stacks", "shop-extras", String(release?.chart));
    expect(readFileSync(join(chart, "Chart.yaml"), "utf8")).toBe(readFileSync(join(root, "modules", "k8s", "charts", "gatehouse-manifests", "Chart.yaml"), "utf8"));
  }, 60_000);
});
