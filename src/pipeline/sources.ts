import { createReadStream, fstatSync, statSync } from 'node:fs';
import type { Readable } from 'node:stream';

/** One input, read in order; a file's end is also a record boundary. */
export interface InputSource {
  /** `stdin` or the path, for messages and `file:line` locations. */
  readonly name: string;
  /** Known size in bytes (files), for the progress bar. */
  readonly size?: number;
  open(): Readable;
}

/** Large reads: per-chunk overhead is what limits a filter at hundreds of MB/s. */
const FILE_CHUNK_BYTES = 1024 * 1024;

/**
 * stdin; when it is redirected from a regular file (`hushlog < big.log`) it is read like one,
 * in 1 MiB chunks instead of process.stdin's 64 KiB.
 */
export function stdinSource(stdin: Readable = process.stdin): InputSource {
  const open = () =>
    stdin === process.stdin && isRegularFile(0)
      ? createReadStream('', { fd: 0, autoClose: false, highWaterMark: FILE_CHUNK_BYTES })
      : stdin;
  return { name: 'stdin', open };
}

function isRegularFile(fd: number): boolean {
  try {
    return fstatSync(fd).isFile();
  } catch {
    return false;
  }
}

export function fileSource(path: string): InputSource {
  const size = statSync(path).size;
  return { name: path, size, open: () => createReadStream(path, { highWaterMark: FILE_CHUNK_BYTES }) };
}
