"use strict";
/**
 * Builds the synth runner's bundles (see scripts/run-ts.js); loaded only when the cache has no
 * build for the current contents.
 *
 * 1. The app bundle: the entry and the project files it imports, packages external, written by
 *    esbuild (never held in memory) with its source map into a directory of its own. The key
 *    hashes each input as it is on disk after the build, and only once that is shown to be
 *    what esbuild compiled: the same bytes as before the build began (the runner hashed the
 *    previous build's inputs to find it stale), or, for a file new to the build, the text the
 *    source map holds. An input edited during the build: built again. So the key can never name
 *    contents the bundle was not built from, and esbuild reads the files itself: no round trip
 *    to this process per file.
 * 2. The vendor bundle, unless one for the same packages exists: a generated entry that maps
 *    every package specifier the app bundle requires to a function requiring it, bundled with
 *    node's resolution (`require` conditions), without a source map, whitespace and comments
 *    removed (names kept) and in ASCII: V8 then holds the source in one byte per character and
 *    a run reads about a third less (comments in some packages carry non-ASCII letters, which
 *    would make the whole source a two-byte string). Two packages cdktf requires at load but
 *    calls only for features gatehouse's stacks do not use are deferred (see DEFERRED), and
 *    cdktf's zip helper runs its own file from node_modules (see CDKTF_ZIP). The file holds
 *    node's module wrapper around the bundle: the runner compiles it as read.
 *
 * Each directory is built under a temporary name and renamed into place; when another run got
 * there first, its directory (the same key, so the same contents) is kept and ours removed.
 */
const crypto = require("node:crypto");
const fs = require("node:fs");
const { isBuiltin, wrapper } = require("node:module");
const path = require("node:path");

/** Directories of other keys are removed once they are this old (a running process may still load one). */
const PRUNE_AFTER_MS = 60 * 60 * 1000;
/** Builds of the app bundle before its inputs are taken as they are (files edited over and over during builds). */
const ATTEMPTS = 3;
/**
 * Packages cdktf's own modules require at load, bundled but initialized only on first use:
 * `archiver` (zip assets; gatehouse's assets are directories) with its ~40 modules of streams,
 * globbing and compression, and `semver` (the Terraform version check of resource moves).
 */
const DEFERRED = /^(archiver|semver)$/;
const CDKTF_LIB = /[\\/]node_modules[\\/]cdktf[\\/]lib[\\/]/;

/** The module that stands in for a deferred package: every use of it is the same use of the package. */
function deferredModule(specifier) {
  return `"use strict";
let real;
const load = () => (real === undefined ? (real = require(${JSON.stringify(specifier)})) : real);
module.exports = new Proxy(() => undefined, {
  apply: (_, self, args) => Reflect.apply(load(), self, args),
  get: (_, key) => Reflect.get(load(), key),
  set: (_, key, value) => Reflect.set(load(), key, value),
  has: (_, key) => Reflect.has(load(), key),
  ownKeys: () => Reflect.ownKeys(load()),
  getOwnPropertyDescriptor: (_, key) => {
    const d = Reflect.getOwnPropertyDescriptor(load(), key);
    return d && { ...d, configurable: true };
  },
  getPrototypeOf: () => Reflect.getPrototypeOf(load()),
});
`;
}

/**
 * cdktf zips an archive asset by running its own module as a script (`node ${__filename} src
 * dest`, in a child process: archiving is asynchronous). In a bundle `__filename` is the bundle,
 * so that module names itself by its path in node_modules, relative to the bundle's directory.
 */
const CDKTF_ZIP = /[\\/]node_modules[\\/]cdktf[\\/]lib[\\/]private[\\/]fs\.js$/;

/**
 * esbuild plugin for cdktf in a bundle written to `outDir`: its requires of DEFERRED packages get
 * the stand-in (which requires the real one), its zip helper names its own file.
 */
function cdktfInABundle(outDir) {
  return {
    name: "cdktf-in-a-bundle",
    setup(b) {
      b.onResolve({ filter: DEFERRED }, (args) => (CDKTF_LIB.test(args.importer) ? { path: args.path, namespace: "deferred", pluginData: args.resolveDir } : undefined));
      b.onLoad({ filter: /.*/, namespace: "deferred" }, (args) => ({ contents: deferredModule(args.path), resolveDir: args.pluginData, loader: "js" }));
      b.onLoad({ filter: CDKTF_ZIP }, (args) => {
        const source = fs.readFileSync(args.path, "utf8");
        const self = `require("path").join(__dirname, ${JSON.stringify(path.relative(outDir, args.path))})`;
        if (!source.includes("${__filename}")) throw new Error(`${args.path}: cdktf's zip helper changed; the runner cannot bundle it`);
        return { contents: source.split("${__filename}").join(`\${${self}}`), loader: "js" };
      });
    },
  };
}

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
    const appTmp = tempDir(o.cacheDir);
    tmps.push(appTmp);
    let app;
    let hashes;
    for (let attempt = 1; hashes === undefined; attempt++) {
      app = await esbuild.build({
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
      });
      hashes = hashInputs(o.root, app.metafile, path.join(appTmp, "main.js.map"), o.before ?? new Map(), attempt === ATTEMPTS);
    }
    // Packages are external: node_modules files reach the key through the lock files.
    const inputs = [...hashes.keys()];
    const key = o.appKey([...hashes]);

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
        minifyWhitespace: true,
        legalComments: "none",
        charset: "ascii",
        banner: { js: wrapper[0] },
        footer: { js: wrapper[1] },
        plugins: [cdktfInABundle(vendorTmp)],
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

/**
 * Each project input of the app bundle (relative to root) with the sha256 of its bytes on disk,
 * or undefined when esbuild may have compiled other contents, unless `settle` (then the files
 * are taken as they are). A file hashed before the build began (`before`: file -> sha256) must
 * hash the same now; any other file's text must be the text esbuild's source map holds (it holds
 * the text of every input that produced code).
 */
function hashInputs(root, metafile, mapFile, before, settle) {
  let compiled;
  const compiledText = (f) => {
    if (compiled === undefined) {
      const map = JSON.parse(fs.readFileSync(mapFile, "utf8"));
      compiled = new Map((map.sources ?? []).map((s, i) => [path.relative(root, path.resolve(path.dirname(mapFile), s)), map.sourcesContent?.[i]]));
    }
    return compiled.get(f);
  };
  const hashes = new Map();
  for (const f of Object.keys(metafile.inputs).map((i) => path.relative(root, path.resolve(root, i)))) {
    if (inNodeModules(f)) continue;
    const bytes = fs.readFileSync(path.join(root, f));
    const hash = sha256(bytes);
    if (!settle) {
      if (before.has(f) ? before.get(f) !== hash : !sameText(compiledText(f), bytes)) return undefined;
    }
    hashes.set(f, hash);
  }
  return hashes;
}

/** True unless `text` (a source map's copy of a file) is a string other than the file's text. */
function sameText(text, bytes) {
  return typeof text !== "string" || text.replace(/^\uFEFF/, "") === bytes.toString("utf8").replace(/^\uFEFF/, "");
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

module.exports = { build, hashInputs };
