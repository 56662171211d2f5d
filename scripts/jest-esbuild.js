"use strict";
/**
 * Jest transformer: TypeScript → CommonJS with esbuild, no type checking (`tsc --noEmit` runs
 * once before jest). esbuild is already the synth runner's bundler, and unlike swc its platform
 * packages all install from the registry this project uses.
 */
const { transformSync } = require("esbuild");
const { createHash } = require("node:crypto");
const { version } = require("esbuild/package.json");

module.exports = {
  process(source, filename) {
    const { code, map } = transformSync(source, { loader: "ts", format: "cjs", target: "node20", sourcemap: "external", sourcefile: filename });
    return { code, map };
  },
  getCacheKey(source, filename) {
    return createHash("sha256").update(version).update("\0").update(filename).update("\0").update(source).digest("hex");
  },
};
