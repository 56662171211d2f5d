/**
 * npm run bench: synth time and memory against the floor, then how they grow with size.
 *
 * 1. Alternating rounds of (a) the floor, `node -e 'require("cdktf")'`, and (b) the app command
 *    from cdktf.json synthesizing every default environment. Medians, the ratio b/a, peak RSS.
 * 2. Scaling: one synthetic environment (AWS and GCP) with 1, 10, 50 and 200 entry points.
 *
 *   npm run bench [-- --rounds 7]
 *
 * Peak RSS is read inside each child (process.resourceUsage().maxRSS via a preloaded probe),
 * so no /usr/bin/time is needed.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join, resolve } from "node:path";

const root = resolve(__dirname, "..");
const rounds = Number(process.argv[process.argv.indexOf("--rounds") + 1]) || 5;
const work = mkdtempSync(join(tmpdir(), "gatehouse-bench-"));
const probe = join(work, "rss-probe.js");
writeFileSync(probe, `process.on("exit", () => require("fs").writeFileSync(process.env.BENCH_RSS_FILE, String(process.resourceUsage().maxRSS)));\n`);
const app = (JSON.parse(readFileSync(join(root, "cdktf.json"), "utf8")) as { app: string }).app.split(" ");

interface Sample {
  readonly seconds: number;
  readonly rssMb: number;
}

function measure(args: string[], env: Record<string, string> = {}): Sample {
  const rssFile = join(work, "rss");
  const start = process.hrtime.bigint();
  const r = spawnSync(process.execPath, ["-r", probe, ...args], { cwd: root, encoding: "utf8", env: { ...process.env, ...env, BENCH_RSS_FILE: rssFile } });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (r.status !== 0) throw new Error(`${args.join(" ")} failed:\n${r.stderr}`);
  return { seconds, rssMb: Number(readFileSync(rssFile, "utf8")) / 1024 };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

function scaleEnv(n: number): object {
  const tcp: Record<string, object> = {};
  for (let i = 1; i < n - 1; i++) tcp[`e${i}`] = { listenerPort: 10000 + i, nodePort: 31000 + i, backend: `apps/svc-${i}:8080` };
  return {
    name: `scale-${n}`,
    ports: { tcp },
    aws: {
      region: "eu-west-1",
      cluster: { name: "bench" },
      vpc: { id: "vpc-0123456789abcdef0", cidrs: ["10.0.0.0/16"] },
      nlb: { subnets: ["subnet-0123456789abcdef1", "subnet-0123456789abcdef2"] },
      targets: { mode: "discover", tagValues: ["bench-node"] },
      workerSecurityGroupIds: ["sg-0123456789abcdef0"],
    },
    gcp: {
      project: "bench-project",
      dns: { zone: "example-com", domain: "example.com" },
      hostnames: ["example.com"],
      nodeTargets: { tags: ["gke-node"] },
      clusters: [{ name: "c1", location: "europe-west1", zones: ["europe-west1-b", "europe-west1-c", "europe-west1-d"] }],
    },
  };
}

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
  console.log(`gatehouse bench — node ${process.version}, ${cpus().length} cores, ${rounds} alternating rounds`);
  console.log(`  (a) floor  require("cdktf")           median ${f.toFixed(3)} s   peak RSS ${Math.max(...floor.map((s) => s.rssMb)).toFixed(0)} MB`);
  console.log(`  (b) synth  ${app.join(" ")}  median ${b.toFixed(3)} s   peak RSS ${Math.max(...synth.map((s) => s.rssMb)).toFixed(0)} MB   (${Object.keys(manifest.stacks).length} stacks)`);
  console.log(`  ratio b/a  ${(b / f).toFixed(2)}x`);

  console.log("\nScaling: one env on AWS + GCP (3 zones), N entry points (http, https, N-2 tcp)");
  console.log("  entry points   median s   x floor   peak RSS MB   resources");
  for (const n of [1, 10, 50, 200]) {
    const file = join(work, `scale-${n}.json`);
    const env = scaleEnv(Math.max(n, 2));
    writeFileSync(file, JSON.stringify(env));
    const vars = { CDKTF_OUTDIR: join(work, `out-${n}`), GATEHOUSE_ENV_FILE: file, GATEHOUSE_ENVS: `scale-${Math.max(n, 2)}` };
    const samples = Array.from({ length: Math.max(3, Math.ceil(rounds / 2)) }, () => measure(app.slice(1), vars));
    const m = JSON.parse(readFileSync(join(vars.CDKTF_OUTDIR, "manifest.json"), "utf8")) as { stacks: Record<string, { synthesizedStackPath: string }> };
    const count = Object.values(m.stacks).reduce((sum, s) => {
      const json = JSON.parse(readFileSync(join(vars.CDKTF_OUTDIR, s.synthesizedStackPath), "utf8")) as { resource?: Record<string, object>; data?: Record<string, object> };
      return sum + [json.resource, json.data].reduce((k, t) => k + Object.values(t ?? {}).reduce((j, byName) => j + Object.keys(byName).length, 0), 0);
    }, 0);
    const t = median(samples.map((s) => s.seconds));
    console.log(`  ${String(n).padStart(12)}   ${t.toFixed(3).padStart(8)}   ${(t / f).toFixed(2).padStart(7)}   ${Math.max(...samples.map((s) => s.rssMb)).toFixed(0).padStart(11)}   ${String(count).padStart(9)}`);
  }
  rmSync(work, { recursive: true, force: true });
}

main();
