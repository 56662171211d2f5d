#!/usr/bin/env node
"use strict";
/**
 * The fast path for `npm run synth` and cdktf.json's `app`: runs a TypeScript entry point with
 * plain node, from two cached bundles under node_modules/.cache/gatehouse/:
 *
 * - the app bundle: the project's own files (esbuild, packages external), with a source map in
 *   a file beside it (`main.js.map`), keyed on the content of every bundled file;
 * - the vendor bundle: every package the app imports (the very specifiers, resolved as node's
 *   `require` resolves them), in one file, keyed on package-lock.json and the specifier list.
 *   An edit to the sources rebuilds only the app bundle.
 *
 * Both are compiled with a V8 code cache (`vm.Script` `cachedData`, written after the first run
 * of a bundle), so a warm run neither resolves, reads nor compiles ~600 package files one by one.
 * Package imports of the app bundle are served from the vendor bundle: one copy of each package,
 * initialized on first use, exactly as node's module cache would.
 *
 * With NODE_OPTIONS=--enable-source-maps the app bundle is compiled by node's own loader (which
 * reads `main.js.map`, so stack traces name the TypeScript files and lines), and packages are
 * loaded from node_modules as usual (with their own source maps); no code cache then.
 *
 * The cache is keyed on content, never on modification times (a checkout or `touch -d` can give
 * an edited file an old mtime): the key hashes every bundled project file as esbuild read it,
 * package-lock.json (and npm's node_modules/.package-lock.json), tsconfig.json, the runner, the
 * node version, the platform and the architecture. Bundles are built in a directory of their own
 * and renamed into place, code caches and the record are written by rename, so concurrent runs
 * never see a partial file and a directory always matches its key; V8 itself refuses a code
 * cache that does not match its script or node build.
 *
 *   node scripts/run-ts.js main.ts [args...]
 */
const crypto = require("node:crypto");
const fs = require("node:fs");
const Module = require("node:module");
const path = require("node:path");
const vm = require("node:vm");

const root = path.resolve(__dirname, "..");
const entry = path.resolve(process.argv[2] || "main.ts");
const cacheDir = path.join(root, "node_modules", ".cache", "gatehouse");
const base = path.relative(root, entry).replace(/[\\/]/g, "__").replace(/\.[cm]?tsx?$/, "");
/** { key, inputs, vendor }: the latest app bundle's key, its project files (relative to root), its vendor key. */
const recordFile = path.join(cacheDir, `${base}.inputs.json`);
const appDir = (key) => path.join(cacheDir, `${base}.${key.slice(0, 32)}`);
const vendorDir = (key) => path.join(cacheDir, `vendor.${key.slice(0, 32)}`);
const CODE_CACHE = "code.cache";

const sha256 = (data) => crypto.createHash("sha256").update(data).digest("hex");
const readOrNone = (file) => {
  try {
    return fs.readFileSync(file);
  } catch {
    return "(none)";
  }
};

/** Everything besides the bundled project files that decides what the bundles are. */
const environment = {
  cache: 3,
  node: process.version,
  arch: process.arch,
  platform: process.platform,
  runner: sha256([__filename, path.join(__dirname, "run-ts", "build.js")].map((f) => sha256(readOrNone(f))).join()),
  lock: sha256(readOrNone(path.join(root, "package-lock.json"))),
  installed: sha256(readOrNone(path.join(root, "node_modules", ".package-lock.json"))),
  tsconfig: sha256(readOrNone(path.join(root, "tsconfig.json"))),
};

/** The app bundle's key: the environment, the entry and [file relative to root, sha256 of its contents]. */
function appKey(hashes) {
  const sorted = [...hashes].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return sha256(JSON.stringify([environment, path.relative(root, entry), sorted]));
}

/** The vendor bundle's key: the environment and the package specifiers it serves. */
function vendorKey(specifiers) {
  return sha256(JSON.stringify([environment, [...specifiers].sort()]));
}

/** The bundles for the files' current contents, if the latest build made them. */
function freshBuild() {
  let record;
  try {
    record = JSON.parse(fs.readFileSync(recordFile, "utf8"));
  } catch {
    return undefined;
  }
  if (!record || typeof record.key !== "string" || typeof record.vendor !== "string" || !Array.isArray(record.inputs)) return undefined;
  let hashes;
  try {
    hashes = record.inputs.map((file) => [file, sha256(fs.readFileSync(path.join(root, file)))]);
  } catch {
    return undefined; // an input is gone: rebuild
  }
  if (appKey(hashes) !== record.key) return undefined;
  const app = appDir(record.key);
  const vendor = vendorDir(record.vendor);
  return fs.existsSync(path.join(app, "main.js")) && fs.existsSync(path.join(vendor, "vendor.js")) ? { app, vendor } : undefined;
}

function writeAtomically(file, contents) {
  const tmp = `${file}.${process.pid}.${crypto.randomBytes(4).toString("hex")}.tmp`;
  try {
    fs.writeFileSync(tmp, contents);
    fs.renameSync(tmp, file);
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}

/** Code caches to write once the run is over, so they hold every function the run compiled. */
const toCache = [];
process.once("exit", () => {
  for (const { script, file } of toCache) {
    try {
      writeAtomically(file, script.createCachedData());
    } catch {
      // read-only cache or a pruned directory: the next run compiles again
    }
  }
});

/**
 * Runs a CommonJS file as node would (module, exports, require, __filename, __dirname), compiled
 * with its code cache when it has one, and with node's own loader when source maps are on.
 */
function load(file, requireFor, useNodeLoader) {
  const mod = new Module(file, module);
  mod.filename = file;
  mod.paths = Module._nodeModulePaths(path.dirname(file));
  const require = (id) => requireFor(id);
  const real = Module.createRequire(file);
  mod.require = require;
  const source = fs.readFileSync(file, "utf8");
  if (useNodeLoader) {
    mod._compile(source, file);
  } else {
    const cacheFile = path.join(path.dirname(file), CODE_CACHE);
    let cachedData;
    try {
      cachedData = fs.readFileSync(cacheFile);
    } catch {
      cachedData = undefined;
    }
    const script = new vm.Script(Module.wrap(source), { filename: file, cachedData });
    if (cachedData === undefined || script.cachedDataRejected) toCache.push({ script, file: cacheFile });
    Object.assign(require, { resolve: real.resolve, cache: Module._cache, main: process.mainModule });
    script.runInThisContext().call(mod.exports, mod.exports, require, mod, file, path.dirname(file));
  }
  mod.loaded = true;
  return mod.exports;
}

function run({ app, vendor }) {
  const appFile = path.join(app, "main.js");
  const real = Module.createRequire(appFile);
  // With source maps on, packages load from node_modules with their own maps.
  const sourceMaps = process.sourceMapsEnabled === true;
  const packages = sourceMaps ? {} : load(path.join(vendor, "vendor.js"), real, false);
  const loaded = new Map();
  const requireFor = (id) => {
    if (!Object.prototype.hasOwnProperty.call(packages, id)) return real(id);
    if (!loaded.has(id)) loaded.set(id, packages[id]());
    return loaded.get(id);
  };
  load(appFile, requireFor, sourceMaps);
}

/** Runs the latest build; builds first when there is none for the current contents. */
function start() {
  const fresh = freshBuild();
  if (fresh) {
    try {
      run(fresh);
      return;
    } catch (e) {
      // Pruned by another run between the freshness check and here: build it again.
      if (!e || e.code !== "ENOENT" || !String(e.path).startsWith(cacheDir)) throw e;
    }
  }
  require("./run-ts/build")
    .build({ root, entry, cacheDir, appDir, vendorDir, appKey, vendorKey, recordFile, writeAtomically })
    .then(
      (built) => setImmediate(() => run(built)),
      (e) => {
        if (!(e && Array.isArray(e.errors))) process.stderr.write(`run-ts: ${e && e.stack ? e.stack : e}\n`); // esbuild prints its own
        process.exitCode = 1;
      },
    );
}

// The entry runs as if node had been given it: argv[1] is the entry, the caller's arguments follow.
process.argv.splice(1, 2, entry);
// The bundles live in the cache: files shipped beside the sources (charts) are found from here.
process.env.GATEHOUSE_PACKAGE_ROOT = root;
start();
