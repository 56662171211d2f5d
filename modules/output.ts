/**
 * The synthesis output directory, replaced whole: synthesis writes into a staging directory
 * beside it (same filesystem) and the staging directory is then swapped in (rename the old
 * output away, rename the new one in, remove the old), so the output directory always holds
 * either the previous output or the new one, even when a run is killed. Leftovers of killed runs
 * are cleaned up by the next run.
 */
import { existsSync, mkdirSync, readdirSync, realpathSync, renameSync, rmSync, statSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { basename, dirname, join, resolve } from "node:path";
import { describeError, printable } from "./errors";

/** The output directory cannot be created, written or replaced. */
export class OutputError extends Error {}

export interface OutputDir {
  /** Where to write: the real path (a symlinked output directory is replaced at its target). */
  readonly path: string;
  /** As the user named it, escaped for printing. */
  readonly shown: string;
  /** "output directory cdktf.out (CDKTF_OUTDIR)" for messages. */
  readonly described: string;
}

export function outputDir(vars: Readonly<Record<string, string | undefined>>): OutputDir {
  const given = vars.CDKTF_OUTDIR || "cdktf.out";
  const shown = printable(given, 300);
  const described = `gatehouse: output directory ${shown} (${vars.CDKTF_OUTDIR ? "CDKTF_OUTDIR" : "the default; set CDKTF_OUTDIR to change it"})`;
  let path = resolve(given);
  try {
    if (existsSync(path)) {
      path = realpathSync(path);
      if (!statSync(path).isDirectory()) throw new OutputError(`${described}: exists and is not a directory; nothing was synthesized.`);
    }
  } catch (e) {
    if (e instanceof OutputError) throw e;
    throw new OutputError(`${described}: cannot be used: ${describeError(e)}; nothing was synthesized.`);
  }
  return { path, shown, described };
}

const TEMP = /^\.(.+)\.(tmp|old)-(\d+)-[0-9a-f]+$/;
const tempName = (out: string, kind: "tmp" | "old") => join(dirname(out), `.${basename(out)}.${kind}-${process.pid}-${randomBytes(4).toString("hex")}`);

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

export function isFsError(e: unknown): boolean {
  return e instanceof Error && typeof (e as NodeJS.ErrnoException).code === "string" && typeof (e as NodeJS.ErrnoException).syscall === "string";
}

/**
 * Removes the staging and old directories that killed runs left beside `out` (those of live
 * processes are in use). A run killed between its two renames left no output directory, only the
 * previous output renamed away: that is put back first.
 */
function cleanUpAfterKilledRuns(out: string): void {
  const parent = dirname(out);
  const stale = readdirSync(parent)
    .map((name) => ({ name, m: TEMP.exec(name) }))
    .filter(({ m }) => m !== null && m[1] === basename(out) && !isAlive(Number(m[3])))
    .map(({ name, m }) => ({ path: join(parent, name), kind: m?.[2] }));
  if (!existsSync(out)) {
    const previous = stale.filter((s) => s.kind === "old").sort((a, b) => statSync(b.path).mtimeMs - statSync(a.path).mtimeMs)[0];
    if (previous) renameSync(previous.path, out);
  }
  for (const s of stale) rmSync(s.path, { recursive: true, force: true });
}

/** An empty directory beside the output directory (same filesystem, so it can be renamed in). */
export function prepareStaging(out: OutputDir): string {
  const parent = dirname(out.path);
  try {
    if (!existsSync(parent)) throw new OutputError(`${out.described}: cannot be created: its parent directory ${printable(parent)} does not exist; nothing was synthesized.`);
    cleanUpAfterKilledRuns(out.path);
    const staging = tempName(out.path, "tmp");
    mkdirSync(staging);
    return staging;
  } catch (e) {
    if (e instanceof OutputError) throw e;
    throw new OutputError(`${out.described}: cannot be created or written in ${printable(parent)}: ${describeError(e)}; nothing was synthesized.`);
  }
}

/**
 * The cdktf CLI lists the stack directories of the previous output before it runs the app, and
 * afterwards deletes those the new output does not have (it fails on one that is already gone).
 * Under the CLI, the new output gets an empty directory for each of them, for the CLI to delete.
 */
export function keepVanishingStackDirs(out: string, staging: string): void {
  const previous = join(out, "stacks");
  if (!existsSync(previous)) return;
  for (const d of readdirSync(previous, { withFileTypes: true }))
    if (d.isDirectory() && !existsSync(join(staging, "stacks", d.name))) mkdirSync(join(staging, "stacks", d.name), { recursive: true });
}

/** Puts the staging directory in place of the output directory; the old output is removed last. */
export function swapIn(staging: string, out: OutputDir): void {
  try {
    // Another run may swap its output in at the same moment; whichever renames last wins, whole.
    for (let attempt = 0; ; attempt++) {
      const old = tempName(out.path, "old");
      let movedAway = false;
      try {
        renameSync(out.path, old);
        movedAway = true;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
      }
      try {
        renameSync(staging, out.path);
      } catch (e) {
        if (movedAway && !existsSync(out.path)) renameSync(old, out.path);
        const code = (e as NodeJS.ErrnoException).code;
        if ((code === "ENOTEMPTY" || code === "EEXIST") && attempt < 5) continue;
        throw e;
      }
      if (movedAway) rmSync(old, { recursive: true, force: true });
      return;
    }
  } catch (e) {
    const mount = (e as NodeJS.ErrnoException).code === "EBUSY" || (e as NodeJS.ErrnoException).code === "EXDEV";
    const hint = mount ? " (is it a mount point? name a directory inside it)" : "";
    throw new OutputError(`${out.described}: cannot be replaced${hint}: ${describeError(e)}; it still holds the previous output.`);
  }
}
