/**
 * Reading a file a user names, with a type and a size bound: the open never blocks (O_NONBLOCK:
 * a FIFO without a writer opens at once; O_NOCTTY), the type is checked on the open descriptor
 * (fstat), so /dev/zero, a FIFO, a socket or a directory is refused before a byte is read, and
 * at most one byte past the limit is ever read (the file may grow after fstat).
 *
 * modules/config/loader.ts reads environment files the same way (its readTextFile, with the environment
 * files' own limit and wording).
 */
import { closeSync, constants, fstatSync, openSync, readSync, type Stats } from "node:fs";
import { describeError } from "./errors";

export interface ReadBounds {
  /** The most bytes the file may hold. */
  readonly maxBytes: number;
  /** What such files are, for the size message: "costs.json files". */
  readonly what: string;
  /** What the reader wants, after a type refusal: "name another report's costs.json". */
  readonly expected: string;
}

export type ReadText =
  | { readonly text: string }
  /** Why not, as the end of a sentence that starts with the file's name. `missing`: the file does not exist. */
  | { readonly error: string; readonly missing?: true };

/** "a directory", "a FIFO (named pipe)", … */
export function fileKind(st: Stats): string {
  if (st.isDirectory()) return "a directory";
  if (st.isFIFO()) return "a FIFO (named pipe)";
  if (st.isCharacterDevice()) return "a character device";
  if (st.isBlockDevice()) return "a block device";
  if (st.isSocket()) return "a socket";
  return "not a regular file";
}

/** A size as people read it: KiB below a MiB, else MiB with one decimal. */
export function byteSize(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MiB` : `${Math.ceil(bytes / 1024)} KiB`;
}

/** The bytes of a regular file of at most `bounds.maxBytes`, or why not. */
export function readBoundedFile(file: string, bounds: ReadBounds): { readonly bytes: Buffer } | Extract<ReadText, { error: string }> {
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (constants.O_NOCTTY ?? 0));
  } catch (e) {
    const missing = (e as NodeJS.ErrnoException).code === "ENOENT";
    return { error: `cannot be read: ${describeError(e)}`, ...(missing ? { missing: true as const } : {}) };
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) return { error: `is ${fileKind(st)}, not a regular file; ${bounds.expected}` };
    const limit = `${bounds.what} are limited to ${byteSize(bounds.maxBytes)}`;
    if (st.size > bounds.maxBytes) return { error: `is ${byteSize(st.size)}; ${limit}` };
    const buf = Buffer.alloc(Math.min(st.size, bounds.maxBytes) + 1);
    let n = 0;
    for (let r = 1; r > 0 && n < buf.length; n += r) r = readSync(fd, buf, n, buf.length - n, null);
    if (n > bounds.maxBytes) return { error: `grew past the limit while being read; ${limit}` };
    return { bytes: buf.subarray(0, n) };
  } catch (e) {
    return { error: `cannot be read: ${describeError(e)}` };
  } finally {
    closeSync(fd);
  }
}

/** The UTF-8 text of a regular file of at most `bounds.maxBytes`, or why not. */
export function readBoundedText(file: string, bounds: ReadBounds): ReadText {
  const read = readBoundedFile(file, bounds);
  if (!("bytes" in read)) return read;
  try {
    return { text: new TextDecoder("utf-8", { fatal: true }).decode(read.bytes) };
  } catch {
    return { error: `is not UTF-8 text; ${bounds.expected}` };
  }
}
