import { ByteQueue } from './byte-queue.js';
import { withheldWindow } from './placeholder.js';
import type { LocatedFinding, ScrubReply } from './task.js';

/**
 * Scrubs one record longer than --max-record-bytes in bounded memory, as overlapping windows.
 *
 * Each round runs a detection scan over `overlap` bytes of left context + `stride` + `overlap`
 * bytes of right context, so every secret up to `overlap` bytes long (context included) lies
 * whole inside it. The round then emits a piece [0, x) with x <= stride chosen outside every
 * detected span (preferably `margin` away from them) and scrubs that piece on its own. A span
 * the detection scan saw inside the piece must be masked by the piece scan too; if not (context
 * lost at the cut) or if either scan fails, the piece is replaced by a placeholder: fail closed.
 * When the detection scan changes nothing, the piece is passed through without a second scan.
 */
export interface WindowedOptions {
  stride: number;
  overlap: number;
  /** Preferred distance between a cut and any detected span. */
  margin: number;
  /** A buffer the scrub function can take (shared memory for workers). */
  allocate: (size: number) => Uint8Array;
}

export type ScrubFn = (bytes: Uint8Array) => Promise<ScrubReply>;

export interface RecordPiece {
  output: Uint8Array;
  /** Offsets and columns relative to the record start. */
  findings: LocatedFinding[];
  droppedRecords: number;
  /** Set when the piece was withheld; names the reason, never content. */
  failure?: string;
}

type Interval = [start: number, end: number];

export class WindowedRecordScanner {
  private readonly queue: ByteQueue;
  /** Record offset of the queue head: bytes of this record already emitted. */
  private emitted = 0;

  constructor(
    private readonly scrub: ScrubFn,
    private readonly opts: WindowedOptions,
  ) {
    this.queue = new ByteQueue(opts.overlap);
  }

  /** Adds the next part of the record; returns the pieces ready to write, in order. */
  async push(part: Uint8Array, final: boolean): Promise<RecordPiece[]> {
    this.queue.append(part);
    const pieces: RecordPiece[] = [];
    const full = this.opts.stride + this.opts.overlap;
    while (this.queue.length >= full) pieces.push(await this.round(false));
    if (final) {
      while (this.queue.length > 0) pieces.push(await this.round(true));
      this.queue.clear();
      this.emitted = 0;
    }
    return pieces;
  }

  private async round(final: boolean): Promise<RecordPiece> {
    const { stride, overlap } = this.opts;
    const avail = this.queue.length;
    const last = final && avail <= stride + overlap;
    const window = this.queue.viewWithContext(Math.min(avail, stride + overlap));
    const scanned = this.copy(window.bytes);
    let detection: ScrubReply;
    try {
      detection = await this.scrub(scanned);
    } catch (err) {
      return this.withhold(last ? avail : stride, `detection scan failed (${describe(err)})`);
    }
    if (detection.findings.length === 0 && sameBytes(detection.output, scanned)) {
      return this.passThrough(last ? avail : stride);
    }
    const spans: Interval[] = detection.findings
      .map((f): Interval => [f.offset - window.context, f.offset - window.context + f.length])
      .filter(([, end]) => end > 0);
    const x = last ? avail : chooseCut(spans, stride, this.opts.margin);
    if (x <= 0) return this.withhold(stride, 'no cut point outside a detected secret');
    const piece = this.copy(this.queue.view(x));
    let rescan: ScrubReply;
    try {
      rescan = await this.scrub(piece);
    } catch (err) {
      return this.withhold(x, `piece scan failed (${describe(err)})`);
    }
    const expected = spans.filter(([start]) => start < x);
    if (!covered(expected, rescan.findings))
      return this.withhold(x, 'a secret seen with context was missed at a cut');
    const offset = this.emitted;
    const findings = rescan.findings.map((f) => ({
      ...f,
      offset: f.offset + offset,
      column: f.column + offset,
    }));
    this.advance(x);
    return { output: rescan.output, findings, droppedRecords: rescan.droppedRecords };
  }

  private passThrough(x: number): RecordPiece {
    const output = Buffer.from(this.queue.view(x));
    this.advance(x);
    return { output, findings: [], droppedRecords: 0 };
  }

  private withhold(x: number, failure: string): RecordPiece {
    const output = withheldWindow(this.queue.view(x));
    this.advance(x);
    return { output, findings: [], droppedRecords: 0, failure };
  }

  private advance(x: number): void {
    this.queue.consume(x);
    this.emitted += x;
  }

  private copy(bytes: Uint8Array): Uint8Array {
    const out = this.opts.allocate(bytes.length);
    out.set(bytes);
    return out;
  }
}

/**
 * The largest x in (0, limit] outside every span (x <= start or x >= end), preferring x at least
 * `margin` away from each; 0 when every position is inside a span.
 */
export function chooseCut(spans: readonly Interval[], limit: number, margin: number): number {
  for (const m of margin > 0 ? [margin, 0] : [0]) {
    let x = limit;
    let moved = true;
    while (moved && x > 0) {
      moved = false;
      for (const [start, end] of spans) {
        if (x > start - m && x < end + m) {
          x = start - m;
          moved = true;
        }
      }
    }
    if (x > 0) return x;
  }
  return 0;
}

/** Every byte of every expected interval lies inside some finding of the rescan. */
function covered(expected: readonly Interval[], findings: readonly LocatedFinding[]): boolean {
  const got = findings.map((f): Interval => [f.offset, f.offset + f.length]).sort((a, b) => a[0] - b[0]);
  for (const [rawStart, end] of expected) {
    let pos = Math.max(0, rawStart);
    for (const [s, e] of got) {
      if (s > pos) break;
      if (e > pos) pos = e;
    }
    if (pos < end) return false;
  }
  return true;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false;
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(
    Buffer.from(b.buffer, b.byteOffset, b.byteLength),
  );
}

function describe(err: unknown): string {
  return err instanceof Error && err.name === 'BatchFailure' ? err.message : 'error';
}
