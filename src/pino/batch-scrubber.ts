import type { Finding } from '../engine/types.js';

/** Scrubs one batch of whole records given as bytes: the engine's jsonl batch scrubber. */
export type BytesScrub = (input: Buffer) => {
  output: Uint8Array;
  findings: Finding[];
  droppedRecords: number;
};

export interface BatchOutcome {
  /**
   * The batch itself (same string or Buffer) when nothing was masked, else the scrubbed bytes
   * or the placeholders. Handing the original string on saves sinks like SonicBoom a decode.
   */
  output: string | Buffer;
  findings: Finding[];
  droppedRecords: number;
  /** Records replaced by a placeholder because scrubbing threw (a bug; never passes raw bytes). */
  withheldRecords: number;
}

/** JSON-valid so pino-pretty, log shippers and Fluentd keep reading the stream. */
export const WITHHELD_MESSAGE = '[hushlog: record withheld: scrub failed]';

/**
 * Scrubs a batch of whole pino lines in one engine call (per-line calls cost more than the
 * matching itself) and fails closed: if anything throws, every record of the batch becomes a
 * placeholder record, so the count of lines stays right and no unscanned byte goes out.
 */
export class BatchScrubber {
  withheldTotal = 0;

  constructor(private readonly scrubBytes: BytesScrub) {}

  /**
   * `batch`: records each ending with `\n` (the last one may lack it), as text (what pino
   * writes in process) or UTF-8 bytes (what a pipeline stage receives).
   */
  scrub(batch: string | Buffer): BatchOutcome {
    try {
      const input = typeof batch === 'string' ? Buffer.from(batch, 'utf8') : batch;
      const result = this.scrubBytes(input);
      const out = result.output;
      let output: string | Buffer;
      if (out === input) output = batch;
      else output = Buffer.isBuffer(out) ? out : Buffer.from(out.buffer, out.byteOffset, out.byteLength);
      return { output, findings: result.findings, droppedRecords: result.droppedRecords, withheldRecords: 0 };
    } catch {
      // The error itself is not reported: it may quote the bytes being scrubbed.
      const records = countRecords(batch);
      this.withheldTotal += records;
      return { output: placeholders(records), findings: [], droppedRecords: 0, withheldRecords: records };
    }
  }
}

/** `records` placeholder lines, each a complete pino-shaped JSON record. */
export function placeholders(records: number, message = WITHHELD_MESSAGE): Buffer {
  const line = `{"level":50,"time":${Date.now()},"msg":${JSON.stringify(message)}}\n`;
  return Buffer.from(line.repeat(records), 'utf8');
}

/** Lines in `batch`, counting a last one without its newline. */
export function countRecords(batch: string | Buffer): number {
  let n = 0;
  for (let i = batch.indexOf('\n'); i >= 0; i = batch.indexOf('\n', i + 1)) n++;
  const last = typeof batch === 'string' ? batch.charCodeAt(batch.length - 1) : batch[batch.length - 1];
  if (batch.length > 0 && last !== 0x0a) n++;
  return n;
}
