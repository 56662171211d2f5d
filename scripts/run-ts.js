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
 * initialized on first use, exactly as node's module cache would. A provider binding module
 * (`@cdktf/provider-aws/lib/lb`: one resource type and its structs) is initialized only when the
 * app first reads one of its exports, so a run pays only for the resource types it builds. The
 * vendor bundle's code cache records which package modules it covers; a run that used others
 * writes it again, so it grows to what the runs use.
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
 * The process runs without V8's top optimizing tier and with a young generation that does not
 * grow (see below): a synth is over before either would pay off.
 *
 *   node scripts/run-ts.js main.ts [args...]
 */
// A synth is a short batch, so two V8 settings (they change how fast the code runs, never what
// it computes):
// - no top optimizing tier (TurboFan): it would compile hundreds of functions on a second thread
//   that then run for a few milliseconds, and undo some of them; interpreter and baseline code
//   (and Maglev, where node has it) finish sooner on less CPU;
// - a young generation that stays at its initial size instead of growing to 16 MiB per
//   semi-space: what a synth allocates lives to the end or dies young either way, and every
//   page a process touches for the first time costs a fault (measured: 14 MB less peak memory).
// Measured together: about a sixth less CPU for the default environments, a fifth less for a
// 1,200-resource one, and 20-40 MB less peak memory.
require("node:v8").setFlagsFromString("--max-opt=2 --semi-space-growth-factor=1");
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
/** Beside the vendor bundle's code cache: the package specifiers that were initialized when it was written. */
const CODE_CACHE_MODULES = "code.cache.json";
/** Package modules initialized on first use of an export: provider bindings, one module per resource type. */
const LAZY_MODULE = /^@cdktf\/provider-[^/]+\/lib\//;

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
  cache: 4,
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

/**
 * The bundles for the files' current contents, if the latest build made them ({ app, vendor });
 * else what a new build can start from: `vendor`, the latest build's package bundle if it is
 * still there (an edit rarely changes which packages the app imports), and `before`, the hashes
 * of the latest build's inputs as they are now (file -> sha256).
 */
function freshBuild() {
  let record;
  try {
    record = JSON.parse(fs.readFileSync(recordFile, "utf8"));
  } catch {
    return {};
  }
  if (!record || typeof record.key !== "string" || typeof record.vendor !== "string" || !Array.isArray(record.inputs)) return {};
  const vendor = vendorDir(record.vendor);
  const latest = fs.existsSync(path.join(vendor, "vendor.js")) ? { vendor } : {};
  const hashes = [];
  for (const file of record.inputs) {
    try {
      hashes.push([file, sha256(fs.readFileSync(path.join(root, file)))]);
    } catch {
      // an input is gone: rebuild
    }
  }
  const stale = { ...latest, before: new Map(hashes) };
  if (hashes.length !== record.inputs.length || appKey(hashes) !== record.key) return stale;
  const app = appDir(record.key);
  return fs.existsSync(path.join(app, "main.js")) && latest.vendor ? { app, vendor } : stale;
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

/**
 * Code caches to write once the run is over, so they hold every function the run compiled:
 * { script, file, covers?: () => string[] | undefined } (covers: the specifiers to record beside
 * it, or undefined when the cache already covers every module the run initialized).
 */
const toCache = [];
process.once("exit", () => {
  for (const { script, file, covers } of toCache) {
    const modules = covers ? covers() : [];
    if (modules === undefined) continue;
    try {
      writeAtomically(file, script.createCachedData());
      if (covers) writeAtomically(path.join(path.dirname(file), CODE_CACHE_MODULES), JSON.stringify(modules));
    } catch {
      // read-only cache or a pruned directory: the next run compiles again
    }
  }
});

function readJson(file, fallback) {
  try {
    return JSON.parse(fs.readFileSync(file, "utf8"));
  } catch {
    return fallback;
  }
}

/**
 * The file's bytes, read into `spare` when they fit: a buffer the run has written already. Memory
 * a process touches for the first time costs a page fault per 4 KiB, and the bundles are
 * megabytes: the code cache is read into the buffer the bundle was read into.
 */
function readBytes(file, spare) {
  const fd = fs.openSync(file, "r");
  try {
    const size = fs.fstatSync(fd).size;
    const bytes = spare !== undefined && spare.length >= size ? spare.subarray(0, size) : Buffer.allocUnsafeSlow(size);
    let read = 0;
    while (read < size) {
      const n = fs.readSync(fd, bytes, read, size - read, read);
      if (n === 0) break;
      read += n;
    }
    return bytes.subarray(0, read);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Runs a CommonJS file as node would (module, exports, require, __filename, __dirname), compiled
 * with its code cache when it has one, and with node's own loader when source maps are on.
 * `wrapped`: the file already holds the module wrapper (the vendor bundle), so the source V8
 * compiles is the string as read, not a second multi-megabyte copy joined to the wrapper.
 * `initialized`, for the vendor bundle: a function giving the specifiers initialized so far, so
 * the code cache is written again when a run initialized modules it does not cover.
 */
function load(file, requireFor, { useNodeLoader = false, wrapped = false, initialized } = {}) {
  const mod = new Module(file, module);
  mod.filename = file;
  mod.paths = Module._nodeModulePaths(path.dirname(file));
  const require = (id) => requireFor(id);
  const real = Module.createRequire(file);
  mod.require = require;
  // Bytes decoded in one step: faster than reading with an encoding (node 20).
  const bytes = readBytes(file);
  const source = bytes.toString("utf8");
  if (useNodeLoader) {
    mod._compile(source, file);
  } else {
    const cacheFile = path.join(path.dirname(file), CODE_CACHE);
    let cachedData;
    try {
      cachedData = readBytes(cacheFile, bytes); // the source is a string now: its bytes are spare
    } catch {
      cachedData = undefined;
    }
    const script = new vm.Script(wrapped ? source : Module.wrap(source), { filename: file, cachedData });
    const stale = cachedData === undefined || script.cachedDataRejected === true;
    if (initialized) {
      const covered = stale ? [] : readJson(path.join(path.dirname(file), CODE_CACHE_MODULES), []);
      const known = new Set(covered);
      const covers = () => {
        const now = initialized();
        return stale || now.some((id) => !known.has(id)) ? [...new Set([...covered, ...now])].sort() : undefined;
      };
      toCache.push({ script, file: cacheFile, covers });
    } else if (stale) toCache.push({ script, file: cacheFile });
    Object.assign(require, { resolve: real.resolve, cache: Module._cache, main: process.mainModule });
    script.runInThisContext().call(mod.exports, mod.exports, require, mod, file, path.dirname(file));
  }
  mod.loaded = true;
  return mod.exports;
}

/**
 * A module object that initializes the module on first use: every operation on it is the same
 * operation on the module's exports (properties report configurable, as a proxy must for
 * properties its empty target lacks).
 */
function lazyModule(init) {
  let exports;
  const real = () => (exports === undefined ? (exports = init()) : exports);
  return new Proxy(
    {},
    {
      get: (_, key) => Reflect.get(real(), key),
      set: (_, key, value) => Reflect.set(real(), key, value),
      has: (_, key) => Reflect.has(real(), key),
      ownKeys: () => Reflect.ownKeys(real()),
      getOwnPropertyDescriptor: (_, key) => {
        const d = Reflect.getOwnPropertyDescriptor(real(), key);
        return d && { ...d, configurable: true };
      },
      defineProperty: (_, key, d) => Reflect.defineProperty(real(), key, d),
      deleteProperty: (_, key) => Reflect.deleteProperty(real(), key),
      getPrototypeOf: () => Reflect.getPrototypeOf(real()),
    },
  );
}

// With source maps on, packages load from node_modules with their own maps.
const sourceMaps = process.sourceMapsEnabled === true;

/**
 * The package bundle in `dir`, compiled and its module table made, no package initialized yet:
 * { dir, has(specifier), init(specifier) -> its exports (initialized once; an error is thrown
 * again to every caller) }.
 */
function loadVendor(dir) {
  /** Specifier -> { exports } or { error }, in the order the run initialized them. */
  const initialized = new Map();
  const file = path.join(dir, "vendor.js");
  const packages = load(file, Module.createRequire(file), { wrapped: true, initialized: () => [...initialized.keys()] });
  const init = (id) => {
    let done = initialized.get(id);
    if (done === undefined) {
      try {
        done = { exports: packages[id]() };
      } catch (error) {
        done = { error };
      }
      initialized.set(id, done);
    }
    if ("error" in done) throw done.error;
    return done.exports;
  };
  return { dir, has: (id) => Object.prototype.hasOwnProperty.call(packages, id), init };
}

/** No package bundle: with source maps on, packages load from node_modules with their own maps. */
const NO_VENDOR = { has: () => false, init: () => undefined };

/**
 * Initializes the packages the latest run of this bundle initialized (provider bindings aside,
 * they stay lazy): the app initializes the same ones first thing. Done while esbuild rebuilds
 * the app bundle, when this process would otherwise wait.
 */
function initAsBefore(vendor) {
  for (const id of readJson(path.join(vendor.dir, CODE_CACHE_MODULES), [])) if (typeof id === "string" && !LAZY_MODULE.test(id) && vendor.has(id)) vendor.init(id);
}

function run({ app, vendor }, preloaded) {
  const appFile = path.join(app, "main.js");
  const real = Module.createRequire(appFile);
  const packages = sourceMaps ? NO_VENDOR : preloaded && preloaded.dir === vendor ? preloaded : loadVendor(vendor);
  const served = new Map();
  const requireFor = (id) => {
    if (!packages.has(id)) return real(id);
    if (!served.has(id)) served.set(id, LAZY_MODULE.test(id) ? lazyModule(() => packages.init(id)) : packages.init(id));
    return served.get(id);
  };
  load(appFile, requireFor, { useNodeLoader: sourceMaps });
}

/**
 * Runs the latest build; builds first when there is none for the current contents. While esbuild
 * builds the app bundle (in its own process), this one loads the latest package bundle, which
 * the new app bundle most likely uses too, and initializes the packages it will ask for first.
 */
function start() {
  const fresh = freshBuild();
  if (fresh.app) {
    try {
      run(fresh);
      return;
    } catch (e) {
      // Pruned by another run between the freshness check and here: build it again.
      if (!e || e.code !== "ENOENT" || !String(e.path).startsWith(cacheDir)) throw e;
    }
  }
  let preloaded;
  if (fresh.vendor && !sourceMaps)
    setImmediate(() => {
      try {
        preloaded = loadVendor(fresh.vendor);
      } catch {
        return; // pruned meanwhile: the build's own package bundle is loaded after it
      }
      try {
        initAsBefore(preloaded);
      } catch {
        // the app meets the same error when it asks for that package
      }
    });
  require("./run-ts/build")
    .build({ root, entry, cacheDir, appDir, vendorDir, appKey, vendorKey, recordFile, writeAtomically, before: fresh.before })
    .then(
      (built) => setImmediate(() => run(built, preloaded)),
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
