import type { Scrubber } from '../engine/scrubber.js';
import type { Finding, Span } from '../engine/types.js';
import { IN_ARRAY } from './json-doc-boundaries.js';
import { scanJsonValue, type ValueSpan } from './json-value-spans.js';
import type { StructureRules } from './structure-rules.js';

export interface JsonDocBatchResult {
  output: Uint8Array;
  findings: Finding[];
  droppedRecords: number;
  records: number;
}

/**
 * A batch of whole JSON documents, or of whole elements of a top-level array (`startState`
 * says which, from the framer). Value rules run on the raw bytes; key/path rules apply to
 * each record (locations are relative to the document or element). The shape, spacing and
 * every byte outside masked spans stay as they were.
 */
export function scrubJsonDocBatch(
  batch: Uint8Array,
  startState: number,
  scrubber: Scrubber,
  structure: StructureRules,
  into?: Uint8Array,
): JsonDocBatchResult {
  const values: ValueSpan[] = [];
  const records = walkRecords(
    batch,
    startState,
    structure.active && structure.mayMatch(batch, 0, batch.length) ? structure : null,
    values,
  );
  const extra: Span[] = values.map((v) => {
    const span: Span = { start: v.start, end: v.end, ruleId: v.ruleId, ruleIndex: -1, priority: 50 };
    if (v.whole) span.quote = true;
    return span;
  });
  // Record count is by documents/elements; the Scrubber's own drop action works on lines, so
  // structural `drop` is not offered for this format (documented).
  const r = scrubber.scrub(batch, extra, into);
  return { output: r.output, findings: r.findings, droppedRecords: r.droppedRecords, records };
}

/** [start, end) of each document or element in a batch, or undefined if it is not valid JSON. */
export function jsonRecordRanges(buf: Uint8Array, startState: number): Array<[number, number]> | undefined {
  const ranges: Array<[number, number]> = [];
  const ok = walkRecords(buf, startState, null, [], ranges) >= 0;
  return ok ? ranges : undefined;
}

const noMatch = () => undefined;

function walkRecords(
  buf: Uint8Array,
  startState: number,
  structure: StructureRules | null,
  out: ValueSpan[],
  ranges?: Array<[number, number]>,
): number {
  let inArray = startState === IN_ARRAY;
  let records = 0;
  let p = 0;
  const to = buf.length;
  while (p < to) {
    const c = buf[p];
    if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09 || c === 0x2c) {
      p++;
    } else if (c === 0x5d && inArray) {
      inArray = false;
      p++;
    } else if (c === 0x5b && !inArray) {
      inArray = true;
      p++;
    } else {
      records++;
      const end = scanJsonValue(buf, p, to, structure ? structure.matchLocation : noMatch, out);
      if (end < 0) return ranges ? -1 : records; // malformed: value rules still scan the rest as text
      ranges?.push([p, end]);
      p = end;
    }
  }
  return records;
}
