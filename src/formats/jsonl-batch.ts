import { isUtf8 } from 'node:buffer';
import type { Scrubber } from '../engine/scrubber.js';
import type { Finding } from '../engine/types.js';
import type { StructureRules } from './structure-rules.js';

/** What to do with a line that is not JSON in `jsonl` mode. */
export type InvalidLinePolicy = 'scan' | 'withhold';

export interface JsonlBatchResult {
  output: Uint8Array;
  findings: Finding[];
  droppedRecords: number;
  /** Lines in the batch (withheld ones included). */
  records: number;
  withheld: number;
}

export const WITHHELD_JSON_LINE = Buffer.from('{"hushlog":"record withheld: invalid JSON input"}');
const NEWLINE = 0x0a;

/**
 * JSON lines: value rules and known values run on the raw bytes (JSON-escaped forms
 * included) and key/path rules add spans on the same bytes, so a line is never
 * re-serialised. `scan` treats a non-JSON line as text; `withhold` (for consumers such as
 * Fluentd that stop reading at the first invalid record) replaces it by a notice line.
 */
export function scrubJsonlBatch(
  batch: Uint8Array,
  scrubber: Scrubber,
  structure: StructureRules,
  invalid: InvalidLinePolicy,
  into?: Uint8Array,
): JsonlBatchResult {
  let input = batch;
  let withheld = 0;
  if (invalid === 'withhold') {
    const checked = withholdInvalidLines(batch);
    input = checked.output;
    withheld = checked.withheld;
  }
  const extra = structure.active ? structure.jsonLineSpans(input) : undefined;
  const r = scrubber.scrub(input, extra, into);
  return {
    output: r.output,
    findings: r.findings,
    droppedRecords: r.droppedRecords,
    records: r.records,
    withheld,
  };
}

function withholdInvalidLines(batch: Uint8Array): { output: Uint8Array; withheld: number } {
  const buf = Buffer.from(batch.buffer, batch.byteOffset, batch.byteLength);
  const pieces: Uint8Array[] = [];
  let withheld = 0;
  let copiedTo = 0;
  for (let start = 0; start < buf.length; ) {
    const nl = buf.indexOf(NEWLINE, start);
    const end = nl < 0 ? buf.length : nl;
    let lineEnd = end;
    if (lineEnd > start && buf[lineEnd - 1] === 0x0d) lineEnd--;
    if (lineEnd > start && !isJson(buf, start, lineEnd)) {
      pieces.push(buf.subarray(copiedTo, start), WITHHELD_JSON_LINE);
      copiedTo = lineEnd;
      withheld++;
    }
    start = end + 1;
  }
  if (withheld === 0) return { output: batch, withheld };
  pieces.push(buf.subarray(copiedTo));
  return { output: Buffer.concat(pieces), withheld };
}

function isJson(buf: Buffer, start: number, end: number): boolean {
  try {
    JSON.parse(buf.toString('utf8', start, end));
    // JSON.parse replaces invalid UTF-8 silently; the line must also be valid UTF-8.
    return isUtf8(buf.subarray(start, end));
  } catch {
    return false;
  }
}
