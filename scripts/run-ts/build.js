"use strict";
/**
 * Builds the synth runner's bundles (see scripts/run-ts.js); loaded only when the cache has no
 * build for the current contents.
 *
 * 1. The app bundle: the entry and the project files it imports, packages external, written by
 *    esbuild (never held in memory) with its source map into a directory of its own. Each input
 *    is hashed from the very bytes esbuild compiles, so the key can never name older contents.
 * 2. The vendor bundle, unless one for the same packages exists: a generated entry that maps
 *    every package specifier the app bundle requires to a function requiring it, bundled with
 *    node's resolution (`require` conditions), without a source map.
 *
 * Each directory is built under a temporary name and renamed into place; when another run got
 * there first, its directory (the same key, so the same contents) is kept and ours removed.
 */
const crypto = require("node:crypto");
const fs = require("node:fs");
const { isBuiltin } = require("node:module");
const path = require("node:path");

/** Directories of other keys are removed once they are this old (a running process may still load one). */
const PRUNE_AFTER_MS = 60 * 60 * 1000;
const LOADERS = { ".ts": "ts", ".mts": "ts", ".cts": "ts", ".tsx": "tsx", ".js": "js", ".mjs": "js", ".cjs": "js", ".jsx": "jsx", ".json": "json" };
const sha256 = (data) => crypto.createHash("sha256").update(data).digest("hex");
const inNodeModules = (file) => file.split(/[\\/]/).includes("node_modules");

function tempDir(cacheDir) {
  return path.join(cacheDir, `tmp.${process.pid}.${crypto.randomBytes(4).toString("hex")}`);
}

/** Renames a finished directory into place; keeps the one already there (same key, same contents). */
function place(tmp, final) {
  try {
    fs.renameSync(tmp, final);
  } catch (e) {
    if (!e || !["EEXIST", "ENOTEMPTY", "EPERM", "EACCES"].includes(e.code) || !fs.existsSync(final)) throw e;
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

async function build(o) {
  const esbuild = require("esbuild");
  fs.mkdirSync(o.cacheDir, { recursive: true });
  const tmps = [];
  try {
    const hashes = new Map();
    const hashing = {
      name: "hash-inputs",
      setup(b) {
        b.onLoad({ filter: /.*/, namespace: "file" }, (args) => {
          const loader = LOADERS[path.extname(args.path)];
          if (!loader) return undefined; // esbuild loads it; hashed from disk below
          const contents = fs.readFileSync(args.path);
          hashes.set(path.relative(o.root, args.path), sha256(contents));
          return { contents, loader };
        });
      },
    };
    const appTmp = tempDir(o.cacheDir);
    tmps.push(appTmp);
    const app = await esbuild.build({
      entryPoints: [o.entry],
      absWorkingDir: o.root,
      outfile: path.join(appTmp, "main.js"),
      bundle: true,
      packages: "external",
      platform: "node",
      format: "cjs",
      target: "node20",
      sourcemap: "linked",
      metafile: true,
      logLevel: "error",
      plugins: [hashing],
    });
    // Packages are external: node_modules files reach the key through the lock files.
    const inputs = Object.keys(app.metafile.inputs)
      .map((f) => path.relative(o.root, path.resolve(o.root, f)))
      .filter((f) => !inNodeModules(f));
    for (const f of inputs) if (!hashes.has(f)) hashes.set(f, sha256(fs.readFileSync(path.join(o.root, f))));
    const key = o.appKey(inputs.map((f) => [f, hashes.get(f)]));

    const specifiers = new Set();
    for (const input of Object.values(app.metafile.inputs))
      for (const i of input.imports) if (i.external && !isBuiltin(i.path)) specifiers.add(i.path);
    const vendor = o.vendorDir(o.vendorKey(specifiers));
    if (!fs.existsSync(path.join(vendor, "vendor.js"))) {
      const vendorTmp = tempDir(o.cacheDir);
      tmps.push(vendorTmp);
      const lines = [...specifiers].sort().map((s) => `  ${JSON.stringify(s)}: () => require(${JSON.stringify(s)}),`);
      await esbuild.build({
        stdin: { contents: `module.exports = {\n${lines.join("\n")}\n};\n`, resolveDir: o.root, sourcefile: "vendor-entry.js", loader: "js" },
        absWorkingDir: o.root,
        outfile: path.join(vendorTmp, "vendor.js"),
        bundle: true,
        platform: "node",
        format: "cjs",
        target: "node20",
        logLevel: "error",
      });
      place(vendorTmp, vendor);
    }
    const final = o.appDir(key);
    place(appTmp, final);
    o.writeAtomically(o.recordFile, JSON.stringify({ key, inputs, vendor: o.vendorKey(specifiers) }));
    prune(o.cacheDir, [final, vendor]);
    return { app: final, vendor };
  } finally {
    for (const t of tmps) fs.rmSync(t, { recursive: true, force: true });
    await esbuild.stop();
  }
}

/** Removes bundles of other keys built long ago, abandoned temporary files, and pre-directory cache files. */
function prune(cacheDir, keep) {
  const now = Date.now();
  for (const name of fs.readdirSync(cacheDir)) {
    const file = path.join(cacheDir, name);
    if (keep.includes(file) || name.endsWith(".inputs.json")) continue;
    try {
      const stat = fs.statSync(file);
      const legacy = stat.isFile() && /\.js$/.test(name);
      if (legacy || now - stat.mtimeMs > PRUNE_AFTER_MS) fs.rmSync(file, { recursive: true, force: true });
    } catch {
      // another run removed it
    }
  }
}

module.exports = { build };
