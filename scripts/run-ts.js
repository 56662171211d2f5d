#!/usr/bin/env node
"use strict";
/**
 * The fast path for `npm run synth` and cdktf.json's `app`: runs a TypeScript entry point with
 * plain node. The project's own files are bundled by esbuild (packages stay external, loaded by
 * node as usual) into node_modules/.cache/gatehouse/, and the bundle is reused until one of its
 * inputs changes. No type checking here: `npm test` runs `tsc --noEmit`.
 *
 * Measured against tsx's require hook (README, Performance): ~40% less time and ~30% less
 * memory per synth, because node_modules files are not routed through a transformer.
 *
 *   node scripts/run-ts.js main.ts [args...]
 */
const fs = require("node:fs");
const path = require("node:path");

const root = path.resolve(__dirname, "..");
const entry = path.resolve(process.argv[2] || "main.ts");
const cacheDir = path.join(root, "node_modules", ".cache", "gatehouse");
const out = path.join(cacheDir, `${path.relative(root, entry).replace(/[\\/]/g, "__").replace(/\.ts$/, "")}.js`);
const inputsFile = `${out}.inputs.json`;

function isFresh() {
  let inputs;
  let builtAt;
  try {
    inputs = JSON.parse(fs.readFileSync(inputsFile, "utf8"));
    builtAt = fs.statSync(out).mtimeMs;
  } catch {
    return false;
  }
  return inputs.every((file) => {
    try {
      return fs.statSync(path.join(root, file)).mtimeMs <= builtAt;
    } catch {
      return false;
    }
  });
}

function writeAtomically(file, contents) {
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, contents);
  fs.renameSync(tmp, file);
}

if (!isFresh()) {
  const esbuild = require("esbuild");
  const result = esbuild.buildSync({
    entryPoints: [entry],
    absWorkingDir: root,
    outfile: out,
    bundle: true,
    packages: "external",
    platform: "node",
    format: "cjs",
    target: "node20",
    sourcemap: "inline",
    metafile: true,
    write: false,
    logLevel: "error",
  });
  fs.mkdirSync(cacheDir, { recursive: true });
  const js = result.outputFiles.find((f) => f.path.endsWith(".js"));
  writeAtomically(out, js.contents);
  writeAtomically(inputsFile, JSON.stringify([...Object.keys(result.metafile.inputs), path.relative(root, __filename)]));
}

// The bundle carries an inline source map; node uses it only with NODE_OPTIONS=--enable-source-maps
// (always on, it costs ~0.3 s: node would parse the inline maps of every cdktf file as well).
process.argv.splice(1, 2, entry);
require(out);
