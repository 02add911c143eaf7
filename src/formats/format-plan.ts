import type { FormatName } from '../engine/types.js';
import { jsonRecordRanges } from './json-doc-batch.js';
import { AT_TOP, JsonDocBoundaries } from './json-doc-boundaries.js';
import { WITHHELD_MSGPACK } from './msgpack-batch.js';
import { MsgpackBoundaries } from './msgpack-boundaries.js';

/**
 * Finds record ends in a byte stream, fed in order (each byte once). `first` stops at the
 * first record end (an over-long record's end); otherwise the last one in the range counts.
 */
export interface BoundaryFinder {
  scan(bytes: Uint8Array, from: number, to: number, first?: boolean): number;
  /** Where the last scan stopped consuming. */
  readonly consumed: number;
  /** Opaque state a batch starting at the last boundary needs (JSON: inside a top-level array). */
  readonly stateAtBoundary: number;
}

const NEWLINE = 0x0a;

export class LineBoundaries implements BoundaryFinder {
  consumed = 0;
  readonly stateAtBoundary = AT_TOP;

  scan(bytes: Uint8Array, from: number, to: number, first = false): number {
    const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const at = first ? buf.indexOf(NEWLINE, from) : buf.lastIndexOf(NEWLINE, to - 1);
    const end = at >= from && at < to ? at + 1 : -1;
    this.consumed = first && end >= 0 ? end : to;
    return end;
  }
}

/** Per-format facts the framer, the sequencer and the fail-closed path need on the main thread. */
export interface FormatPlan {
  name: FormatName;
  newFinder(): BoundaryFinder;
  /** Records are lines: PEM blocks are kept in one batch and over-long lines are windowed. */
  lineBased: boolean;
  /** What happens to a record longer than --max-record-bytes. */
  overLong: 'window' | 'withhold';
  /** Stand-ins for the records of a batch that could not be scrubbed: same count, no content. */
  withheld(batch: Uint8Array, state: number): { output: Uint8Array; records: number } | undefined;
  /** The stand-in for one over-long record (withhold formats). */
  withheldRecord: Uint8Array;
}

const WITHHELD_JSON = Buffer.from('{"hushlog":"record withheld: scrub failed"}');

export function formatPlan(name: FormatName): FormatPlan {
  switch (name) {
    case 'msgpack':
      return {
        name,
        newFinder: () => new MsgpackBoundaries(),
        lineBased: false,
        overLong: 'withhold',
        withheld: (batch) => {
          const finder = new MsgpackBoundaries();
          let n = 0;
          try {
            for (let p = 0; p < batch.length; n++) {
              const end = finder.scan(batch, p, batch.length, true);
              if (end < 0) break;
              p = end;
            }
          } catch {
            // Counting stops at malformed bytes; what was counted is withheld, plus one for the rest.
          }
          if (!finder.atBoundary || n === 0) n++;
          return { output: Buffer.concat(Array.from({ length: n }, () => WITHHELD_MSGPACK)), records: n };
        },
        withheldRecord: WITHHELD_MSGPACK,
      };
    case 'json':
      return {
        name,
        newFinder: () => new JsonDocBoundaries(),
        lineBased: false,
        overLong: 'window',
        withheld: (batch, state) => withheldJson(batch, state),
        withheldRecord: WITHHELD_JSON,
      };
    default:
      return {
        name,
        newFinder: () => new LineBoundaries(),
        lineBased: true,
        overLong: 'window',
        // Line formats keep the pipeline's own per-line placeholders.
        withheld: () => undefined,
        withheldRecord: WITHHELD_JSON,
      };
  }
}

/** Every document or element replaced by a notice object; separators and brackets kept. */
function withheldJson(batch: Uint8Array, state: number): { output: Uint8Array; records: number } {
  const ranges = jsonRecordRanges(batch, state);
  if (ranges === undefined) return { output: WITHHELD_JSON, records: 1 };
  const pieces: Uint8Array[] = [];
  let at = 0;
  for (const [s, e] of ranges) {
    pieces.push(batch.subarray(at, s), WITHHELD_JSON);
    at = e;
  }
  pieces.push(batch.subarray(at));
  return { output: Buffer.concat(pieces), records: ranges.length };
}

/** Guesses the format from the first bytes of a stream (`--format auto`). */
export function sniffFormat(head: Uint8Array): FormatName {
  let i = 0;
  while (i < head.length && (head[i] === 0x20 || head[i] === 0x09 || head[i] === 0x0d || head[i] === 0x0a))
    i++;
  if (i >= head.length) return 'text';
  const b = head[i];
  if ((b >= 0x80 && b <= 0x8f) || b === 0xde || b === 0xdf) return 'msgpack';
  if (b === 0x5b) return 'json';
  if (b !== 0x7b) return 'text';
  const buf = Buffer.from(head.buffer, head.byteOffset, head.byteLength);
  const nl = buf.indexOf(NEWLINE, i);
  if (nl < 0) return 'json';
  try {
    JSON.parse(buf.toString('utf8', i, nl));
    return 'jsonl';
  } catch {
    return 'json';
  }
}
