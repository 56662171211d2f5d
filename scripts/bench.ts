/**
 * npm run bench: synth time and memory against the floor, then how they grow with size.
 *
 * 1. Alternating rounds of (a) the floor, `node -e 'require("cdktf")'`, and (b) the app command
 *    from cdktf.json synthesizing every default environment. Medians, the ratio b/a, peak RSS.
 * 2. Cold runs: (c) after a source edit (the app bundle rebuilt, the package bundle kept) and
 *    (d) with nothing cached (both bundles rebuilt), each alternating with the floor.
 * 3. Scaling: one synthetic environment from ~15 to ~2,000 resources (AWS alone for the smallest;
 *    GCP for the rest: an NLB takes at most 50 listeners), with the cost of each added resource
 *    between one size and the next: flat means linear.
 *
 *   npm run bench [-- --rounds 7]
 *
 * Wall time is what the ratios use; CPU time (user + system, the median) is printed beside it,
 * as it moves less when other work shares the machine. CPU time is the measured process's own:
 * the bundler of a cold run works in a process of its own (its time is in the wall time). The
 * first line names the machine (processor, cores, memory, node): ratios are comparable between
 * machines, seconds are not.
 *
 * Peak RSS is read inside each child (process.resourceUsage().maxRSS via a preloaded probe),
 * so no /usr/bin/time is needed.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { arch, cpus, platform, tmpdir, totalmem } from "node:os";
import { join, resolve } from "node:path";

const root = resolve(__dirname, "..");
const rounds = Number(process.argv[process.argv.indexOf("--rounds") + 1]) || 5;
const work = mkdtempSync(join(tmpdir(), "gatehouse-bench-"));
const probe = join(work, "rss-probe.js");
writeFileSync(probe, `process.on("exit", () => { const u = process.resourceUsage(); require("fs").writeFileSync(process.env.BENCH_RSS_FILE, u.maxRSS + " " + (u.userCPUTime + u.systemCPUTime)); });\n`);
const app = (JSON.parse(readFileSync(join(root, "cdktf.json"), "utf8")) as { app: string }).app.split(" ");

interface Sample {
  readonly seconds: number;
  readonly rssMb: number;
  /** User + system CPU seconds of the process (steadier than wall time on a busy machine). */
  readonly cpu: number;
}

function measure(args: string[], env: Record<string, string> = {}): Sample {
  const rssFile = join(work, "rss");
  const start = process.hrtime.bigint();
  const r = spawnSync(process.execPath, ["-r", probe, ...args], { cwd: root, encoding: "utf8", env: { ...process.env, ...env, BENCH_RSS_FILE: rssFile } });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (r.status !== 0) throw new Error(`${args.join(" ")} failed:\n${r.stderr}`);
  const [rss, cpu] = readFileSync(rssFile, "utf8").split(" ").map(Number);
  return { seconds, rssMb: (rss ?? 0) / 1024, cpu: (cpu ?? 0) / 1e6 };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

/** One environment with n entry points (http, https, n-2 tcp) on one cloud. */
function scaleEnv(n: number, cloud: "aws" | "gcp"): { name: string; ports: object } {
  const tcp: Record<string, object> = {};
  for (let i = 1; i < n - 1; i++) tcp[`e${i}`] = { listenerPort: 20000 + i, nodePort: 31000 + i, backend: `apps/svc-${i}:8080` };
  const aws = {
    region: "eu-west-1",
    cluster: { name: "bench" },
    vpc: { id: "vpc-0123456789abcdef0", cidrs: ["10.0.0.0/16"] },
    nlb: { subnets: ["subnet-0123456789abcdef1", "subnet-0123456789abcdef2"] },
    targets: { mode: "discover", tagValues: ["bench-node"] },
    workerSecurityGroupIds: ["sg-0123456789abcdef0"],
  };
  const gcp = {
    project: "bench-project",
    dns: { zone: "example-com", domain: "example.com" },
    nodeTargets: { tags: ["gke-node"] },
    clusters: [{ name: "c1", location: "europe-west1", zones: ["europe-west1-b", "europe-west1-c", "europe-west1-d"] }],
  };
  return { name: `scale-${cloud === "aws" ? "nlb" : "glb"}-${n}`, ports: { tcp }, ...(cloud === "aws" ? { aws } : { hostnames: ["example.com"], gcp }) };
}

/** Resources and data sources in a synth output directory. */
function resourceCount(outdir: string): number {
  const m = JSON.parse(readFileSync(join(outdir, "manifest.json"), "utf8")) as { stacks: Record<string, { synthesizedStackPath: string }> };
  return Object.values(m.stacks).reduce((sum, s) => {
    const json = JSON.parse(readFileSync(join(outdir, s.synthesizedStackPath), "utf8")) as { resource?: Record<string, object>; data?: Record<string, object> };
    return sum + [json.resource, json.data].reduce((k, t) => k + Object.values(t ?? {}).reduce((j, byName) => j + Object.keys(byName).length, 0), 0);
  }, 0);
}

/**
 * The runner's app bundle for main.ts, as after a source edit (the record of the latest build
 * stays: it names the package bundle the runner loads while the app bundle is rebuilt); with
 * `packages`, everything: the record and the package bundle too.
 */
function dropCache(packages: boolean): void {
  const cache = join(root, "node_modules", ".cache", "gatehouse");
  const record = join(cache, "main.inputs.json");
  if (packages && existsSync(record)) {
    const vendor = (JSON.parse(readFileSync(record, "utf8")) as { vendor?: string }).vendor;
    if (vendor) rmSync(join(cache, `vendor.${vendor.slice(0, 32)}`), { recursive: true, force: true });
  }
  for (const name of existsSync(cache) ? readdirSync(cache) : []) if (name.startsWith("main.") && (packages || name !== "main.inputs.json")) rmSync(join(cache, name), { recursive: true, force: true });
}

const mb = (samples: Sample[]) => Math.max(...samples.map((s) => s.rssMb)).toFixed(0);

function main(): void {
  const outdir = join(work, "out");
  // Warm-up: builds the app bundle and fills the OS file cache for both commands.
  measure(["-e", 'require("cdktf")']);
  measure(app.slice(1), { CDKTF_OUTDIR: outdir });

  const floor: Sample[] = [];
  const synth: Sample[] = [];
  for (let i = 0; i < rounds; i++) {
    floor.push(measure(["-e", 'require("cdktf")']));
    synth.push(measure(app.slice(1), { CDKTF_OUTDIR: outdir }));
  }
  const manifest = JSON.parse(readFileSync(join(outdir, "manifest.json"), "utf8")) as { stacks: object };
  const f = median(floor.map((s) => s.seconds));
  const b = median(synth.map((s) => s.seconds));
  const cpu = cpus()[0]?.model.trim() ?? "unknown processor";
  console.log(`gatehouse bench — ${new Date().toISOString().slice(0, 10)}, ${cpu}, ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, ${platform()} ${arch()}, node ${process.version}`);
  console.log(`  ${rounds} alternating rounds; medians`);
  console.log(`  (a) floor  require("cdktf")           median ${f.toFixed(3)} s   peak RSS ${mb(floor)} MB`);
  console.log(`  (b) synth  ${app.join(" ")}  median ${b.toFixed(3)} s   peak RSS ${mb(synth)} MB   (${Object.keys(manifest.stacks).length} stacks)`);
  const cpuRatio = median(synth.map((s) => s.cpu)) / median(floor.map((s) => s.cpu));
  console.log(`  ratio b/a  ${(b / f).toFixed(2)}x   (CPU time ${median(floor.map((s) => s.cpu)).toFixed(3)} s vs ${median(synth.map((s) => s.cpu)).toFixed(3)} s: ${cpuRatio.toFixed(2)}x)`);


  // Cold runs (the esbuild process is not in the peak RSS: it is a separate process).
  const coldRounds = Math.max(3, Math.ceil(rounds / 2));
  for (const [label, packages] of [["(c) cold after a source edit (app bundle rebuilt)", false], ["(d) cold, nothing cached (both bundles rebuilt)", true]] as const) {
    const cf: Sample[] = [];
    const cs: Sample[] = [];
    for (let i = 0; i < coldRounds; i++) {
      cf.push(measure(["-e", 'require("cdktf")']));
      dropCache(packages);
      cs.push(measure(app.slice(1), { CDKTF_OUTDIR: outdir }));
    }
    const c = median(cs.map((s) => s.seconds));
    const cpu = median(cs.map((s) => s.cpu)) / median(cf.map((s) => s.cpu));
    console.log(`  ${label}  median ${c.toFixed(3)} s   peak RSS ${mb(cs)} MB   ${(c / median(cf.map((s) => s.seconds))).toFixed(2)}x floor (CPU ${cpu.toFixed(2)}x)`);
  }
  measure(app.slice(1), { CDKTF_OUTDIR: outdir }); // leaves a warm cache

  console.log("\nScaling: one environment, N entry points (http, https, N-2 tcp); ms per resource = added time / added resources");
  console.log("  cloud  entry points   median s   x floor   CPU x floor   peak RSS MB   resources   ms per resource");
  let previous: { cloud: string; t: number; count: number } | undefined;
  for (const [cloud, n] of [["aws", 2], ["gcp", 2], ["gcp", 10], ["gcp", 50], ["gcp", 200], ["gcp", 330]] as const) {
    const env = scaleEnv(n, cloud);
    const file = join(work, `${env.name}.json`);
    writeFileSync(file, JSON.stringify(env));
    const vars = { CDKTF_OUTDIR: join(work, `out-${env.name}`), GATEHOUSE_ENV_FILE: file, GATEHOUSE_ENVS: env.name };
    const sf: Sample[] = [];
    const samples: Sample[] = [];
    for (let i = 0; i < Math.max(3, Math.ceil(rounds / 2)); i++) {
      sf.push(measure(["-e", 'require("cdktf")']));
      samples.push(measure(app.slice(1), vars));
    }
    const count = resourceCount(vars.CDKTF_OUTDIR);
    const t = median(samples.map((s) => s.seconds));
    const perResource = previous?.cloud === cloud ? (((t - previous.t) / (count - previous.count)) * 1000).toFixed(2) : "-";
    previous = { cloud, t, count };
    console.log(
      `  ${cloud.padEnd(5)}  ${String(n).padStart(12)}   ${t.toFixed(3).padStart(8)}   ${(t / median(sf.map((s) => s.seconds))).toFixed(2).padStart(7)}   ${(median(samples.map((s) => s.cpu)) / median(sf.map((s) => s.cpu))).toFixed(2).padStart(11)}   ${mb(samples).padStart(11)}   ${String(count).padStart(9)}   ${perResource.padStart(15)}`,
    );
  }
  rmSync(work, { recursive: true, force: true });
}

main();
