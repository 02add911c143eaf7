import type { BufferPool } from './buffer-pool.js';
import { openBlockStart } from './pem-guard.js';
import { endOfLastRecord, NEWLINE } from './records.js';

/** Whole records for one scrub task; `bytes` owns its buffer (give it back to the pool once written). */
export interface BatchUnit {
  kind: 'batch';
  bytes: Uint8Array;
}

/** A piece of one record longer than maxRecordBytes, in order; `final` ends the record. Never pooled. */
export interface LongPartUnit {
  kind: 'long-part';
  bytes: Uint8Array;
  final: boolean;
}

export type FramedUnit = BatchUnit | LongPartUnit;

export interface FramerOptions {
  /** Target batch size; a batch is cut at the last record boundary once this fills. */
  batchBytes: number;
  /** Records up to this size are scrubbed whole; longer ones stream out as long parts. */
  maxRecordBytes: number;
  /** On a timer flush, how long an open PEM block may hold back its lines. */
  holdMs: number;
}

type Mode = 'batch' | 'long' | 'windowed';

/**
 * Cuts a byte stream into batches at record (`\n`) boundaries only, copying each byte once into
 * a buffer the executor can scrub in place. Pure bookkeeping: no timers, no I/O; the caller
 * drives it with push / flush / end and a clock.
 */
export class Framer {
  private buf: Uint8Array;
  private len = 0;
  private mode: Mode = 'batch';
  /** When an open PEM block first held back a timer flush. */
  private holdingSince: number | undefined;

  constructor(
    private readonly opts: FramerOptions,
    private readonly pool: BufferPool,
  ) {
    if (opts.maxRecordBytes < opts.batchBytes) throw new RangeError('maxRecordBytes must be >= batchBytes');
    this.buf = pool.take();
  }

  /** Bytes held that have not gone out in a unit (a partial record, or a held block). */
  get pending(): number {
    return this.len;
  }

  /** True while an open PEM block holds back complete records (the caller should flush again). */
  get holding(): boolean {
    return this.holdingSince !== undefined;
  }

  push(chunk: Uint8Array, now: number): FramedUnit[] {
    const units: FramedUnit[] = [];
    let pos = 0;
    while (pos < chunk.length) {
      if (this.mode === 'windowed') pos = this.pushWindowed(chunk, pos, units);
      else if (this.mode === 'long') pos = this.pushLong(chunk, pos, units);
      else pos = this.pushBatch(chunk, pos, units, now);
    }
    return units;
  }

  /** Timer flush: sends the complete records held so far (the partial last record stays). */
  flush(now: number): FramedUnit[] {
    if (this.mode !== 'batch' || this.len === 0) return [];
    const cut = this.cutPoint(false, now);
    return cut > 0 ? [this.emitBatch(cut)] : [];
  }

  /** End of one input: everything held goes out; the last record may lack its `\n`. */
  end(): FramedUnit[] {
    const units: FramedUnit[] = [];
    this.holdingSince = undefined;
    if (this.mode === 'windowed') {
      units.push({ kind: 'long-part', bytes: new Uint8Array(0), final: true });
    } else if (this.len > 0) {
      units.push(this.emitBatch(this.len));
    }
    this.mode = 'batch';
    return units;
  }

  private pushBatch(chunk: Uint8Array, pos: number, units: FramedUnit[], now: number): number {
    const n = Math.min(this.buf.length - this.len, chunk.length - pos);
    this.buf.set(chunk.subarray(pos, pos + n), this.len);
    this.len += n;
    if (this.len < this.buf.length) return pos + n;
    const cut = this.cutPoint(true, now);
    if (cut > 0) {
      units.push(this.emitBatch(cut));
    } else {
      // A full batch without a newline is one record longer than a batch: grow it alone.
      this.mode = 'long';
    }
    return pos + n;
  }

  /** Accumulates one record until its `\n`, growing up to maxRecordBytes, then windows. */
  private pushLong(chunk: Uint8Array, pos: number, units: FramedUnit[]): number {
    const nl = indexOfNewline(chunk, pos);
    const end = nl < 0 ? chunk.length : nl + 1;
    const need = this.len + (end - pos);
    if (need > this.opts.maxRecordBytes) {
      units.push({ kind: 'long-part', bytes: this.buf.subarray(0, this.len), final: false });
      this.buf = this.pool.take();
      this.len = 0;
      this.mode = 'windowed';
      return pos;
    }
    if (need > this.buf.length) this.grow(need);
    this.buf.set(chunk.subarray(pos, end), this.len);
    this.len = need;
    if (nl >= 0) {
      units.push(this.emitBatch(this.len));
      this.mode = 'batch';
    }
    return end;
  }

  private pushWindowed(chunk: Uint8Array, pos: number, units: FramedUnit[]): number {
    const nl = indexOfNewline(chunk, pos);
    const end = nl < 0 ? chunk.length : nl + 1;
    // Stream chunks are never reused by Node once handed over, so a view is enough here.
    units.push({ kind: 'long-part', bytes: chunk.subarray(pos, end), final: nl >= 0 });
    if (nl >= 0) this.mode = 'batch';
    return end;
  }

  private grow(min: number): void {
    const size = Math.min(this.opts.maxRecordBytes, Math.max(min, this.buf.length * 2));
    const bigger = this.pool.take(size);
    bigger.set(this.buf.subarray(0, this.len));
    this.pool.give(this.buf);
    this.buf = bigger.subarray(0, size);
  }

  /**
   * Where to cut: after the last `\n`, but before an open PEM block. When the batch is full a
   * block that starts the batch is split (it is larger than a batch); on a timer flush it is
   * held for at most holdMs so a quiet pipe still gets its lines.
   */
  private cutPoint(full: boolean, now: number): number {
    const cut = endOfLastRecord(this.buf, this.len);
    if (cut === 0) return 0;
    const open = openBlockStart(this.buf, cut);
    if (open < 0) {
      this.holdingSince = undefined;
      return cut;
    }
    if (full) return open > 0 ? open : cut;
    this.holdingSince ??= now;
    if (now - this.holdingSince < this.opts.holdMs) return open;
    this.holdingSince = undefined;
    return cut;
  }

  /** Sends buf[0, cut) as a unit and carries the rest (less than a batch) into a fresh buffer. */
  private emitBatch(cut: number): BatchUnit {
    const out = this.buf;
    const rest = this.len - cut;
    this.buf = this.pool.take();
    if (rest > 0) this.buf.set(out.subarray(cut, this.len));
    this.len = rest;
    return { kind: 'batch', bytes: out.subarray(0, cut) };
  }
}

function indexOfNewline(bytes: Uint8Array, from: number): number {
  return bytes.indexOf(NEWLINE, from);
}
