import { isMapHeader, MalformedMsgpack, msgpackObjectEnd } from './msgpack-boundaries.js';
import { decodeRecord, encodeRecord } from './msgpack-codec.js';
import { type RecordFinding, type RecordScrubContext, screenRecord, scrubRecord } from './record-scrub.js';

export interface MsgpackBatchResult {
  output: Uint8Array;
  records: number;
  droppedRecords: number;
  /** Malformed stretches replaced by a withheld-notice record. */
  withheld: number;
  findings: Array<RecordFinding & { record: number }>;
}

/** What a malformed stretch of input becomes: a valid record that says so, without content. */
export const WITHHELD_MSGPACK = encodeRecord({ hushlog: 'record withheld: malformed msgpack input' });

/**
 * Scrubs a batch of back-to-back msgpack records. Records in which no keyword, known value
 * or structural key occurs are copied byte for byte; the others are decoded, scrubbed string
 * by string (so a rule never sees msgpack header bytes as context) and re-encoded only if a
 * value changed. Every output record is valid msgpack, whatever the input held.
 */
export function scrubMsgpackBatch(batch: Uint8Array, ctx: RecordScrubContext): MsgpackBatchResult {
  const result: MsgpackBatchResult = {
    output: batch,
    records: 0,
    droppedRecords: 0,
    withheld: 0,
    findings: [],
  };
  const pieces: Uint8Array[] = [];
  let changed = false;
  let pos = 0;
  while (pos < batch.length) {
    const end = recordEnd(batch, pos);
    if (end < 0) {
      // Malformed (or truncated) input: one notice, then resume at the next plausible map.
      const next = resync(batch, pos + 1);
      pieces.push(WITHHELD_MSGPACK);
      result.withheld++;
      result.records++;
      changed = true;
      pos = next;
      continue;
    }
    const record = result.records++;
    const bytes = batch.subarray(pos, end);
    pos = end;
    const screen = screenRecord(bytes, ctx);
    if (!screen) {
      pieces.push(bytes);
      continue;
    }
    let decoded: unknown;
    try {
      decoded = decodeRecord(bytes);
    } catch {
      // Well-formed headers around an undecodable value (e.g. invalid UTF-8 in a string).
      pieces.push(WITHHELD_MSGPACK);
      result.withheld++;
      changed = true;
      continue;
    }
    const outcome = scrubRecord(decoded, ctx, screen);
    for (const f of outcome.findings) result.findings.push({ ...f, record });
    if (outcome.drop) {
      result.droppedRecords++;
      changed = true;
    } else if (outcome.changed) {
      pieces.push(encodeRecord(outcome.value));
      changed = true;
    } else pieces.push(bytes);
  }
  if (changed) result.output = Buffer.concat(pieces);
  return result;
}

/** Structural end of the record at `pos` (no decode: pass-through records stay cheap), or -1. */
function recordEnd(buf: Uint8Array, pos: number): number {
  try {
    return msgpackObjectEnd(buf, pos, buf.length);
  } catch (err) {
    if (err instanceof MalformedMsgpack) return -1;
    throw err;
  }
}

function decodes(bytes: Uint8Array): boolean {
  try {
    decodeRecord(bytes);
    return true;
  } catch {
    return false;
  }
}

/** The next offset from which a whole map decodes, or the end of the buffer. */
export function resync(buf: Uint8Array, from: number): number {
  for (let p = from; p < buf.length; p++) {
    if (!isMapHeader(buf[p])) continue;
    const end = recordEnd(buf, p);
    if (end > 0 && decodes(buf.subarray(p, end))) return p;
  }
  return buf.length;
}
