/**
 * The synthesis output directory, and what may happen to the files in it.
 *
 * gatehouse owns only what it writes: `manifest.json`, the marker file, `report/`, and in each
 * stack directory `cdk.tf.json` and `assets/`. Everything else found there (what Terraform writes
 * into a stack directory: `.terraform/`, `.terraform.lock.hcl`, plan files; anything a user put
 * there) is carried into the new output, never deleted. Local Terraform state does not live in the
 * output at all: it lives in `state/` beside it (see LOCAL_STATE_DIR), and a state file found at
 * the old place inside a stack directory is moved there once.
 *
 * A synth writes the new output into a staging directory beside the output directory (same
 * filesystem), then commits it under a lock file:
 *   1. a journal beside the output directory lists every path it is about to move;
 *   2. what must survive is renamed from the old output into the staging directory;
 *   3. the old output is renamed away and the staging directory renamed into its place;
 *   4. what is left of the old output (gatehouse's own files only) is removed, the journal last.
 * The output directory always holds either the previous output or the new one, whole, and a run
 * killed at any moment loses nothing: the next run reads the dead run's journal and puts every
 * moved path back (before the swap) or finishes the clean-up (after it). Removal anywhere deletes
 * only gatehouse's own files; anything else left in a temporary directory is put back into the
 * output directory, or kept and reported when the same path exists there.
 *
 * Stack directories of environments that are known but not selected (GATEHOUSE_ENVS) are kept
 * as they are. A stack no environment produces any more is dropped only when it holds nothing but
 * gatehouse's files and no local state with resources; otherwise it is kept whole, so that
 * `terraform destroy` still works in it, and every synth says so until it is resolved.
 */
import { closeSync, copyFileSync, existsSync, fsyncSync, lstatSync, mkdirSync, openSync, readdirSync, readFileSync, realpathSync, renameSync, rmdirSync, rmSync, statSync, unlinkSync, writeFileSync, writeSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { basename, dirname, join, relative, resolve } from "node:path";
import { describeError, printable } from "../modules/core/errors";
import { LOCAL_STATE_DIR, localStateFile } from "../modules/stacks/state";

/** The output directory cannot be created, written or replaced. */
export class OutputError extends Error {}

/** Written at the top of every output directory: what lets gatehouse recognize its own output. */
export const OUTPUT_MARKER = ".gatehouse-output";
const MARKER_TEXT = `${JSON.stringify({ generator: "gatehouse", about: "This directory is written by gatehouse synth. Files gatehouse did not write are kept on every synth." })}\n`;
export const DEFAULT_OUTDIR = "cdktf.out";

/** Own entries at the top of the output directory; `stacks/` is a container. */
const OWN_TOP = new Set(["manifest.json", OUTPUT_MARKER, "report"]);
/** Own entries of a stack directory. */
const OWN_IN_STACK = new Set(["cdk.tf.json", "assets"]);

/** Where output goes: CDKTF_OUTDIR when set and not empty (an empty variable means the default), relative to the working directory. */
export function outputLocation(vars: Readonly<Record<string, string | undefined>>, cwd = process.cwd()): { readonly given: string; readonly path: string; readonly fromVariable: boolean } {
  const fromVariable = vars.CDKTF_OUTDIR !== undefined && vars.CDKTF_OUTDIR.trim() !== "";
  const given = fromVariable ? (vars.CDKTF_OUTDIR as string) : DEFAULT_OUTDIR;
  return { given, path: resolve(cwd, given), fromVariable };
}

export interface OutputDir {
  /** Where to write: the real path (a symlinked output directory is replaced at its target). */
  readonly path: string;
  /** As the user named it, escaped for printing. */
  readonly shown: string;
  /** "output directory cdktf.out (CDKTF_OUTDIR)" for messages. */
  readonly described: string;
  /** Local Terraform state: `state/` beside the output directory. */
  readonly stateDir: string;
}

/** True for a directory gatehouse wrote: the marker, or (output of earlier versions) a cdktf manifest. */
export function isGatehouseOutput(dir: string): boolean {
  if (existsSync(join(dir, OUTPUT_MARKER))) return true;
  try {
    const m = JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8")) as { stacks?: unknown };
    return typeof m.stacks === "object" && m.stacks !== null && !Array.isArray(m.stacks);
  } catch {
    return false;
  }
}

/**
 * The output directory, checked: it is new, empty, or gatehouse's own earlier output. Anything
 * else (a directory of the user's files, the repository, `/`) is refused before anything is written.
 */
export function outputDir(vars: Readonly<Record<string, string | undefined>>): OutputDir {
  const loc = outputLocation(vars);
  const shown = printable(loc.given, 300);
  const described = `gatehouse: output directory ${shown} (${loc.fromVariable ? "CDKTF_OUTDIR" : "the default; set CDKTF_OUTDIR to change it"})`;
  let path = loc.path;
  try {
    if (existsSync(path)) {
      path = realpathSync(path);
      if (!statSync(path).isDirectory()) throw new OutputError(`${described}: exists and is not a directory; nothing was synthesized.`);
      const entries = readdirSync(path);
      if (entries.length && !isGatehouseOutput(path)) {
        const listed = entries.slice(0, 5).map((e) => printable(e, 60)).join(", ");
        throw new OutputError(
          `${described}: holds files that are not gatehouse's output (${listed}${entries.length > 5 ? `, … ${entries.length} entries` : ""}) and synth replaces the output directory; name a new or empty directory, or one gatehouse wrote (it has a ${OUTPUT_MARKER} file); nothing was synthesized.`,
        );
      }
    }
  } catch (e) {
    if (e instanceof OutputError) throw e;
    throw new OutputError(`${described}: cannot be used: ${describeError(e)}; nothing was synthesized.`);
  }
  return { path, shown, described, stateDir: join(dirname(path), LOCAL_STATE_DIR) };
}

const TEMP = /^\.(.+)\.(tmp|old)-(\d+)-[0-9a-f]+$/;
const JOURNAL = /^\.(.+)\.journal-(\d+)-[0-9a-f]+\.json$/;
const tempName = (out: string, kind: "tmp" | "old" | "journal") => join(dirname(out), `.${basename(out)}.${kind}-${process.pid}-${randomBytes(4).toString("hex")}${kind === "journal" ? ".json" : ""}`);

function isAlive(pid: number): boolean {
  if (pid === process.pid) return true;
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

const exists = (p: string): boolean => {
  try {
    lstatSync(p);
    return true;
  } catch {
    return false;
  }
};
const isDir = (p: string): boolean => {
  try {
    return lstatSync(p).isDirectory();
  } catch {
    return false;
  }
};

/** Whether a path relative to an output directory is gatehouse's own (removable) file or directory. */
export function isOwnPath(rel: string): boolean {
  const parts = rel.split("/");
  if (parts.length === 1) return OWN_TOP.has(parts[0] ?? "");
  return parts[0] === "stacks" && parts.length === 3 && OWN_IN_STACK.has(parts[2] ?? "");
}

/** Entries of a directory that are not gatehouse's, as paths relative to the output directory. */
function foreignEntries(root: string, rel: string): string[] {
  const dir = join(root, rel);
  if (!isDir(dir)) return [];
  return readdirSync(dir)
    .sort()
    .map((e) => (rel ? `${rel}/${e}` : e))
    .filter((p) => !isOwnPath(p));
}

/** Renames `from` to `to`, creating `to`'s parent; across filesystems it copies a file and removes the original. */
function moveInto(from: string, to: string): void {
  mkdirSync(dirname(to), { recursive: true });
  try {
    renameSync(from, to);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "EXDEV" || isDir(from)) throw e;
    copyFileSync(from, to);
    unlinkSync(from);
  }
}

/**
 * Empties a temporary directory without deleting anything gatehouse did not write: own files are
 * removed, every other path is moved to the same place in `out` (when that place is free), and
 * the directory is removed when nothing is left. Returns what had to stay.
 */
function removeOwnInto(dir: string, out: string, notes: string[]): void {
  if (!exists(dir)) return;
  const stay: string[] = [];
  // `stacks/` and each stack directory are containers: walked into, never moved as a whole.
  const container = (p: string, abs: string) => isDir(abs) && (p === "stacks" || (p.startsWith("stacks/") && p.split("/").length === 2));
  const walk = (rel: string): void => {
    for (const name of readdirSync(join(dir, rel))) {
      const p = rel ? `${rel}/${name}` : name;
      const abs = join(dir, p);
      if (isOwnPath(p)) rmSync(abs, { recursive: true, force: true });
      else if (container(p, abs)) walk(p);
      else if (exists(out) && !exists(join(out, p))) moveInto(abs, join(out, p));
      else stay.push(p);
    }
    if (rel && readdirSync(join(dir, rel)).length === 0) rmdirSync(join(dir, rel));
  };
  walk("");
  if (readdirSync(dir).length === 0) rmdirSync(dir);
  else notes.push(`gatehouse: kept ${dir}: it holds files gatehouse did not write that are also in ${out} (${stay.slice(0, 5).join(", ")}); compare them and move what you need, then delete it`);
}

interface Journal {
  readonly staging: string;
  readonly old: string;
  readonly moves: readonly string[];
}

function writeDurably(path: string, text: string): void {
  const fd = openSync(path, "wx");
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * Finishes or undoes what killed runs left beside `out`: journals first (moved paths go back
 * before a swap; after it, the old output is emptied into the new), then temporary directories
 * without a journal (they hold only gatehouse's own files).
 */
function recover(out: string, notes: string[]): void {
  const parent = dirname(out);
  const mine = (m: RegExpExecArray | null, group: number) => m !== null && m[1] === basename(out) && !isAlive(Number(m[group]));
  for (const name of readdirSync(parent).filter((n) => mine(JOURNAL.exec(n), 2))) {
    const path = join(parent, name);
    let j: Journal;
    try {
      j = JSON.parse(readFileSync(path, "utf8")) as Journal;
    } catch {
      // Written with O_EXCL and fsync before any move: a torn journal means nothing was moved yet.
      unlinkSync(path);
      continue;
    }
    if (exists(j.staging)) {
      if (!exists(out)) {
        if (exists(j.old)) renameSync(j.old, out);
        else mkdirSync(out);
      }
      for (const m of [...j.moves].reverse()) if (exists(join(j.staging, m)) && !exists(join(out, m))) moveInto(join(j.staging, m), join(out, m));
      removeOwnInto(j.staging, out, notes);
    }
    removeOwnInto(j.old, out, notes);
    unlinkSync(path);
  }
  const stale = readdirSync(parent)
    .map((name) => ({ name, m: TEMP.exec(name) }))
    .filter(({ m }) => mine(m, 3))
    .map(({ name, m }) => ({ path: join(parent, name), kind: m?.[2] }));
  if (!exists(out)) {
    const previous = stale.filter((s) => s.kind === "old").sort((a, b) => statSync(b.path).mtimeMs - statSync(a.path).mtimeMs)[0];
    if (previous) renameSync(previous.path, out);
  }
  for (const s of stale) removeOwnInto(s.path, out, notes);
}

/** Runs `fn` holding `.<out>.lock` beside the output directory; a dead holder's lock is taken over. */
function withLock<T>(out: string, fn: () => T): T {
  const lock = join(dirname(out), `.${basename(out)}.lock`);
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      writeDurably(lock, String(process.pid));
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      const holder = Number(readFileSafe(lock));
      if (!Number.isInteger(holder) || holder <= 0 || !isAlive(holder)) {
        rmSync(lock, { force: true });
        continue;
      }
      if (Date.now() > deadline) throw new OutputError(`gatehouse: another synth (process ${holder}) has been writing ${out} for a minute; wait for it, or remove ${lock} if that process is not a synth`);
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
    }
  }
  try {
    return fn();
  } finally {
    rmSync(lock, { force: true });
  }
}

function readFileSafe(p: string): string {
  try {
    return readFileSync(p, "utf8").trim();
  } catch {
    return "";
  }
}

/** An empty directory beside the output directory (same filesystem, so it can be renamed in). */
export function prepareStaging(out: OutputDir): string {
  const parent = dirname(out.path);
  try {
    if (!existsSync(parent)) throw new OutputError(`${out.described}: cannot be created: its parent directory ${printable(parent)} does not exist; nothing was synthesized.`);
    const staging = tempName(out.path, "tmp");
    mkdirSync(staging);
    return staging;
  } catch (e) {
    if (e instanceof OutputError) throw e;
    throw new OutputError(`${out.described}: cannot be created or written in ${printable(parent)}: ${describeError(e)}; nothing was synthesized.`);
  }
}

/** Removes a staging directory that was not committed, deleting only gatehouse's own files. */
export function discardStaging(staging: string, out: OutputDir): void {
  const notes: string[] = [];
  removeOwnInto(staging, out.path, notes);
  for (const n of notes) process.stderr.write(`${n}\n`);
}

/** The environment a stack belongs to: stack names are `<env>-aws-…` or `<env>-gcp-…`. */
export function envOfStack(stack: string): string | undefined {
  return /^(.+?)-(?:aws|gcp)-/.exec(stack)?.[1];
}

/** Resources recorded in a local state file, or undefined when there is none. */
function stateResources(file: string): number | undefined {
  if (!existsSync(file)) return undefined;
  try {
    const s = JSON.parse(readFileSync(file, "utf8")) as { resources?: unknown[] };
    return Array.isArray(s.resources) ? s.resources.length : 0;
  } catch {
    return 1; // unreadable: treat as holding something
  }
}

export interface CommitOptions {
  /** Every stack this run synthesized. */
  readonly stacks: readonly string[];
  /** Environments that exist but were not selected: their stack directories stay as they are. */
  readonly keepEnvs: readonly string[];
  /**
   * Set under the cdktf CLI, which deletes every stack directory its manifest does not list after
   * the app exits: such directories holding files gatehouse did not write are refused, and empty
   * ones are made for those the output drops (the CLI fails on one that is already gone).
   */
  readonly cli?: boolean;
  /** Called after each step of the commit (tests stop the process there to prove recovery). */
  readonly onStep?: (step: string) => void;
}

export interface CommitResult {
  /** Lines for the user: state moved, stacks kept. */
  readonly notes: readonly string[];
  readonly warnings: readonly string[];
}

/** Moves local state files from inside stack directories (gatehouse up to 0.2) to the state directory. */
function migrateState(out: OutputDir, notes: string[], warnings: string[]): void {
  const stacks = join(out.path, "stacks");
  if (!isDir(stacks)) return;
  for (const s of readdirSync(stacks).sort()) {
    for (const file of [localStateFile(s), `${localStateFile(s)}.backup`]) {
      const from = join(stacks, s, file);
      if (!exists(from)) continue;
      const to = join(out.stateDir, file);
      const shownFrom = relative(process.cwd(), from) || from;
      const shownTo = relative(process.cwd(), to) || to;
      if (exists(to)) {
        warnings.push(`gatehouse: ${s}: both ${shownFrom} (where gatehouse 0.2 kept local state) and ${shownTo} exist; gatehouse uses ${shownTo} and leaves the other where it is: compare them (terraform state list) and remove the stale one`);
        continue;
      }
      moveInto(from, to);
      if (!file.endsWith(".backup"))
        notes.push(`gatehouse: ${s}: moved its local state from ${shownFrom} to ${shownTo} (state no longer lives in the output directory); run terraform -chdir=${relative(process.cwd(), join(stacks, s)) || join(stacks, s)} init -reconfigure before the next plan`);
    }
  }
}

/** What moves from the old output into the new one, and what the user is told. */
function carryOver(out: OutputDir, opts: CommitOptions, warnings: string[]): { moves: string[]; kept: string[]; dropped: string[] } {
  const moves: string[] = [];
  const kept: string[] = [];
  const dropped: string[] = [];
  if (!isDir(out.path)) return { moves, kept, dropped };
  const synthesized = new Set(opts.stacks);
  const keepEnvs = new Set(opts.keepEnvs);
  for (const top of readdirSync(out.path).sort()) {
    if (OWN_TOP.has(top)) continue;
    if (top !== "stacks" || !isDir(join(out.path, top))) {
      moves.push(top);
      continue;
    }
    for (const s of readdirSync(join(out.path, "stacks")).sort()) {
      const rel = `stacks/${s}`;
      if (!isDir(join(out.path, rel))) moves.push(rel);
      else if (synthesized.has(s)) moves.push(...foreignEntries(out.path, rel));
      else {
        const env = envOfStack(s);
        const foreign = foreignEntries(out.path, rel);
        const resources = stateResources(join(out.stateDir, localStateFile(s)));
        if (env !== undefined && keepEnvs.has(env)) {
          moves.push(rel);
          kept.push(s);
        } else if (foreign.length || (resources ?? 0) > 0) {
          moves.push(rel);
          kept.push(s);
          const dir = relative(process.cwd(), join(out.path, rel)) || join(out.path, rel);
          const held = [resources ? `its local state (${relative(process.cwd(), join(out.stateDir, localStateFile(s)))}) records ${resources} resource${resources === 1 ? "" : "s"}` : "", foreign.length ? `it holds ${foreign.map((f) => f.slice(rel.length + 1) + (isDir(join(out.path, f)) ? "/" : "")).join(", ")}` : ""].filter(Boolean).join(" and ");
          warnings.push(
            `gatehouse: stack ${s} is no longer synthesized by any environment, but ${held}. Its resources still exist if it was applied: destroy them first (terraform -chdir=${dir} destroy), or move them to another stack's state (terraform state mv), then delete ${dir}. gatehouse keeps the directory, with its last configuration, until then.`,
          );
        } else dropped.push(s);
      }
    }
  }
  return { moves, kept, dropped };
}

/**
 * Puts the staging directory in place of the output directory, carrying over everything that
 * must survive (see the file comment). Safe against kill -9 at any point and against another
 * synth committing at the same time (the lock serializes commits).
 */
export function commitOutput(staging: string, out: OutputDir, opts: CommitOptions): CommitResult {
  const notes: string[] = [];
  const warnings: string[] = [];
  try {
    return withLock(out.path, () => {
      recover(out.path, warnings);
      migrateState(out, notes, warnings);
      const { moves, kept, dropped } = carryOver(out, opts, warnings);
      if (opts.cli) {
        const lost = kept.filter((s) => foreignEntries(out.path, `stacks/${s}`).length);
        if (lost.length)
          throw new OutputError(
            `${out.described}: the cdktf CLI deletes the directories of stacks it did not synthesize, and ${lost.join(", ")} ${lost.length === 1 ? "holds" : "hold"} files gatehouse did not write (Terraform's .terraform/, lock file or plans); run npm run synth (which keeps them), or synthesize every environment; nothing was synthesized.`,
          );
        for (const s of dropped) mkdirSync(join(staging, "stacks", s), { recursive: true });
      }
      writeFileSync(join(staging, OUTPUT_MARKER), MARKER_TEXT);
      const journal = tempName(out.path, "journal");
      const old = tempName(out.path, "old");
      const step = opts.onStep ?? (() => undefined);
      writeDurably(journal, JSON.stringify({ staging, old, moves } satisfies Journal));
      step("journal");
      let swapped = false;
      try {
        moves.forEach((m, i) => {
          moveInto(join(out.path, m), join(staging, m));
          step(`move ${i + 1}/${moves.length}`);
        });
        swap(staging, out.path, old, step);
        swapped = true;
      } finally {
        if (!swapped) {
          // Put back what was moved; the old output stays as it was.
          if (!exists(out.path) && exists(old)) renameSync(old, out.path);
          for (const m of [...moves].reverse()) if (exists(join(staging, m)) && !exists(join(out.path, m))) moveInto(join(staging, m), join(out.path, m));
          unlinkSync(journal);
        }
      }
      removeOwnInto(old, out.path, warnings);
      step("clean");
      unlinkSync(journal);
      return { notes, warnings };
    });
  } catch (e) {
    if (e instanceof OutputError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    const hint = code === "EBUSY" || code === "EXDEV" ? " (is it a mount point? name a directory inside it)" : "";
    // Which path stood in the way: the one a rename or removal named.
    const err = e as NodeJS.ErrnoException & { dest?: string };
    const at = err.path;
    throw new OutputError(`${out.described}: cannot be replaced${hint}: ${describeError(e)}${at ? ` (at ${printable(at)})` : ""}; it still holds the previous output.`);
  }
}

/** Renames the output away and the staging directory into its place (the lock keeps other commits out). */
function swap(staging: string, out: string, old: string, step: (name: string) => void): void {
  let movedAway = false;
  try {
    renameSync(out, old);
    movedAway = true;
    step("away");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
  }
  try {
    renameSync(staging, out);
    step("swap");
  } catch (e) {
    if (movedAway && !exists(out)) renameSync(old, out);
    throw e;
  }
}

