import type { Readable } from 'node:stream';
import type { FormatName } from '../engine/types.js';
import { type FormatPlan, formatPlan, sniffFormat } from '../formats/format-plan.js';
import type { RunStats } from '../report/run-stats.js';
import { BufferPool } from './buffer-pool.js';
import { type BatchExecutor, BatchFailure, errorClass } from './executor.js';
import { type BatchUnit, type FramedUnit, Framer, type LongPartUnit } from './framer.js';
import { withheldRecords } from './placeholder.js';
import { countRecords } from './records.js';
import type { OutputSink } from './sink.js';
import type { InputSource } from './sources.js';
import type { LocatedFinding, ScrubReply } from './task.js';
import { WindowedRecordScanner } from './windowed-record.js';

export interface PipelineOptions {
  /** Target batch size (bytes); batches are cut at record boundaries. */
  batchBytes: number;
  /** A partial batch goes out this long after its first byte arrived (0: after every read). */
  flushMs: number;
  /** Records up to this size are scrubbed whole, longer ones in overlapping windows. */
  maxRecordBytes: number;
  /** Batches framed or submitted but not yet written: the bound on memory held. */
  maxInFlight: number;
  /** Window overlap for over-long records: the longest secret (with its context) guaranteed masked. */
  windowOverlap: number;
  /** How long an open PEM block may hold back a timer flush. */
  holdMs: number;
  /** Record format; `auto` decides from the first bytes read. */
  format: FormatName | 'auto';
}

export interface PipelineEvents {
  /** Every finding, located, in output order. */
  finding?: (finding: LocatedFinding, where: { source: string; line: number }) => void;
  /** A scrub task failed and was withheld; the message names place and reason, never content. */
  failure: (message: string) => void;
  /** The format in use, once known (after sniffing with `auto`). */
  format?: (name: FormatName) => void;
}

export type PipelineOutcome =
  | { kind: 'complete' }
  | { kind: 'aborted'; unwrittenBytes: number }
  | { kind: 'output-closed' }
  | { kind: 'output-failed'; code: string }
  | { kind: 'input-failed'; source: string; code: string };

type Halt = Extract<PipelineOutcome, { kind: 'aborted' | 'output-closed' | 'output-failed' }>;

interface Queued {
  unit: FramedUnit;
  source: number;
}

interface Slot {
  task: number;
  unit: BatchUnit;
  source: number;
  settled: boolean;
  reply?: ScrubReply;
  failure?: BatchFailure;
  /** Pooled buffer the executor may write the scrubbed bytes into. */
  output: Uint8Array;
}

/** After a second signal, how long to wait for the output to take what is already scrubbed. */
const ABORT_FLUSH_MS = 2000;
const MIN_WINDOW_STRIDE = 1024 * 1024;
/** Pending bytes up to which an idle pipeline sends at once instead of on the flush timer. */
const IDLE_FLUSH_MAX_BYTES = 8 * 1024;

/** Output buffers are a batch plus this much room for labels longer than what they replace. */
function outputBytesFor(batchBytes: number): number {
  return batchBytes + (batchBytes >> 3) + 4096;
}

/**
 * source -> framer -> executor (workers) -> sequencer -> sink, with the main thread doing only
 * I/O and hand-off. Batches resolve in completion order; slots are written in submission
 * order. A batch counts against maxInFlight from framing until the sink has written it, so a
 * stalled reader of the output stops the reading of the input.
 */
export class Pipeline {
  private readonly pool: BufferPool;
  private readonly outputs: BufferPool;
  private framer: Framer | undefined;
  private plan: FormatPlan | undefined;
  private readonly queue: Queued[] = [];
  private readonly slots = new Map<number, Slot>();
  private readonly lines: number[] = [];
  private names: string[] = [];
  private nextSeq = 0;
  private nextWrite = 0;
  private inFlight = 0;
  private tasks = 0;
  private inputDone = false;
  private inputBytesWritten = 0;
  private halted: Halt | undefined;
  private inputFailure: { source: string; code: string } | undefined;
  private reading: Readable | undefined;
  private currentSource = 0;
  private flushTimer: NodeJS.Timeout | undefined;
  private waiters: Array<() => void> = [];
  private windowed: WindowedRecordScanner | undefined;
  private done = false;

  constructor(
    private readonly executor: BatchExecutor,
    private readonly sink: OutputSink,
    private readonly stats: RunStats,
    private readonly opts: PipelineOptions,
    private readonly events: PipelineEvents,
  ) {
    this.pool = new BufferPool(opts.batchBytes, (n) => executor.allocate(n), opts.maxInFlight + 2);
    // Scrubbed bytes land in reused buffers too: a fresh one per batch costs a page fault per
    // 4 KiB (~0.8 ms of CPU per MiB measured). Outputs that do not fit get their own buffer.
    this.outputs = new BufferPool(
      outputBytesFor(opts.batchBytes),
      (n) => executor.allocate(n),
      opts.maxInFlight + 2,
    );
    sink.onFailure((f) =>
      this.halt(f.kind === 'closed' ? { kind: 'output-closed' } : { kind: 'output-failed', code: f.code }),
    );
  }

  async run(sources: readonly InputSource[]): Promise<PipelineOutcome> {
    this.names = sources.map((s) => s.name);
    for (const _ of sources) this.lines.push(0);
    const submitter = this.submitLoop();
    try {
      await this.readAll(sources);
    } finally {
      this.inputDone = true;
      this.clearFlushTimer();
      this.notify();
    }
    if (!this.halted) {
      await submitter;
      await this.until(() => this.inFlight === 0);
    }
    if (this.halted?.kind === 'aborted') {
      this.halted.unwrittenBytes = this.stats.bytesIn - this.inputBytesWritten;
      await Promise.race([this.sink.flush(), delay(ABORT_FLUSH_MS)]);
    } else if (!this.halted) {
      await this.sink.flush();
    }
    this.stats.finish();
    this.done = true;
    if (this.halted) return this.halted;
    if (this.inputFailure) return { kind: 'input-failed', ...this.inputFailure };
    return { kind: 'complete' };
  }

  /** Second signal: stop reading, let what is already scrubbed out, give up on the rest. */
  abort(): void {
    this.halt({ kind: 'aborted', unwrittenBytes: 0 });
  }

  private halt(reason: Halt): void {
    if (this.halted) return;
    this.halted = reason;
    this.clearFlushTimer();
    this.reading?.destroy();
    this.notify();
  }

  private async readAll(sources: readonly InputSource[]): Promise<void> {
    for (let i = 0; i < sources.length && !this.halted; i++) {
      this.currentSource = i;
      let stream: Readable;
      try {
        stream = sources[i].open();
      } catch (err) {
        this.inputFailure = { source: sources[i].name, code: codeOf(err) };
        return;
      }
      this.reading = stream;
      try {
        for await (const chunk of stream as AsyncIterable<Buffer>) {
          this.stats.bytesIn += chunk.length;
          const framer = this.framerFor(chunk);
          this.enqueue(framer.push(chunk, now()), i);
          if (this.opts.flushMs === 0 || this.idleWith(framer)) this.enqueue(framer.flush(now()), i);
          if (this.opts.flushMs > 0) this.armFlushTimer();
          await this.until(() => this.queue.length + this.inFlight < this.opts.maxInFlight);
          if (this.halted) break;
        }
      } catch (err) {
        if (!this.halted) this.inputFailure = { source: sources[i].name, code: codeOf(err) };
      } finally {
        this.reading = undefined;
      }
      this.clearFlushTimer();
      if (this.halted) return;
      // A file's end is a record boundary: its last record never merges with the next file's first.
      if (this.framer) this.enqueue(this.framer.end(), i);
      if (this.inputFailure) return;
    }
  }

  /** The framer for the stream's format, created at the first chunk (which `auto` sniffs). */
  private framerFor(first: Uint8Array): Framer {
    if (this.framer) return this.framer;
    const name = this.opts.format === 'auto' ? sniffFormat(first) : this.opts.format;
    this.plan = formatPlan(name);
    this.framer = new Framer(
      { ...this.opts, finder: this.plan.newFinder(), lineBased: this.plan.lineBased },
      this.pool,
    );
    this.events.format?.(name);
    return this.framer;
  }

  private enqueue(units: FramedUnit[], source: number): void {
    if (units.length === 0) return;
    for (const unit of units) this.queue.push({ unit, source });
    this.notify();
  }

  /**
   * A quiet input: a few lines pending and nothing queued or being scrubbed. Waiting for the
   * flush timer would only add its delay to every line; a busy input (full 64 KiB pipe reads,
   * or batches in flight) still waits, so its batches stay large.
   */
  private idleWith(framer: Framer): boolean {
    return framer.pending <= IDLE_FLUSH_MAX_BYTES && this.queue.length === 0 && this.inFlight === 0;
  }

  private armFlushTimer(): void {
    const framer = this.framer;
    if (this.flushTimer || !framer || framer.pending === 0) return;
    this.flushTimer = setTimeout(() => {
      this.flushTimer = undefined;
      if (this.halted) return;
      if (this.queue.length + this.inFlight >= this.opts.maxInFlight) {
        // Busy, not quiet: a partial batch would only wait in the queue, and cutting batches
        // small under load multiplies per-task costs. Look again later.
        this.armFlushTimer();
        return;
      }
      this.enqueue(framer.flush(now()), this.currentSource);
      if (framer.holding) this.armFlushTimer();
    }, this.opts.flushMs);
  }

  private clearFlushTimer(): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
  }

  /** Submits queued units in order: batches as slots free up, long parts one at a time. */
  private async submitLoop(): Promise<void> {
    for (;;) {
      if (this.halted) return;
      const next = this.queue.shift();
      if (!next) {
        if (this.inputDone) return;
        await this.changed();
        continue;
      }
      if (next.unit.kind === 'batch') {
        // Counted from now: it left the queue, so it must count in flight to keep the bound.
        this.inFlight++;
        await this.until(() => this.inFlight <= this.opts.maxInFlight);
        if (this.halted) return;
        this.start(next.unit, next.source);
      } else {
        await this.until(() => this.inFlight === 0);
        if (this.halted) return;
        await this.scanLongPart(next.unit, next.source);
      }
      this.notify();
    }
  }

  private start(unit: BatchUnit, source: number): void {
    const slot: Slot = { task: ++this.tasks, unit, source, settled: false, output: this.outputs.take() };
    this.slots.set(this.nextSeq++, slot);
    this.executor
      .scrub(unit.bytes, slot.task, { format: this.plan?.name ?? 'text', state: unit.state }, slot.output)
      .then(
        (reply) => {
          slot.reply = reply;
        },
        (err: unknown) => {
          slot.failure =
            err instanceof BatchFailure ? err : new BatchFailure('error', `unexpected ${errorClass(err)}`);
        },
      )
      .then(() => {
        slot.settled = true;
        this.pump();
      });
  }

  /** The sequencer: writes settled slots in submission order. */
  private pump(): void {
    // Once the output is gone or the run returned, late results (or tasks failed by the pool
    // shutting down) are neither written nor reported.
    if (this.done || this.sink.failed) return;
    for (;;) {
      const slot = this.slots.get(this.nextWrite);
      if (!slot?.settled) return;
      this.slots.delete(this.nextWrite++);
      this.writeSlot(slot);
    }
  }

  private writeSlot(slot: Slot): void {
    const name = this.names[slot.source];
    const firstLine = this.lines[slot.source];
    let output: Uint8Array;
    let records: number;
    if (slot.reply) {
      const reply = slot.reply;
      output = reply.output;
      records = reply.records;
      this.stats.droppedRecords += reply.droppedRecords;
      this.stats.invalidRecords += reply.invalidRecords ?? 0;
      this.stats.addFindings(reply.findings);
      const report = this.events.finding;
      if (report) for (const f of reply.findings) report(f, { source: name, line: firstLine + f.record + 1 });
    } else {
      const formatted = this.plan?.withheld(slot.unit.bytes, slot.unit.state);
      output = formatted?.output ?? withheldRecords(slot.unit.bytes);
      records = formatted?.records ?? countRecords(slot.unit.bytes);
      this.stats.failedTasks++;
      this.stats.withheldRecords += records;
      this.events.failure(
        `task ${slot.task} (${name} lines ${firstLine + 1}-${firstLine + records}): ` +
          `${slot.failure?.message ?? 'failed'}; ${records} records withheld`,
      );
    }
    this.stats.records += records;
    this.lines[slot.source] += records;
    this.stats.bytesOut += output.length;
    this.inputBytesWritten += slot.unit.bytes.length;
    this.sink.write(output, () => {
      this.pool.give(slot.unit.bytes);
      // After a failure the output buffer is dropped: a worker being torn down may still write.
      if (slot.reply) this.outputs.give(slot.output);
      this.inFlight--;
      this.notify();
    });
  }

  private async scanLongPart(unit: LongPartUnit, source: number): Promise<void> {
    if (this.plan?.overLong === 'withhold') {
      this.withholdLongPart(unit, source);
      return;
    }
    this.windowed ??= new WindowedRecordScanner((bytes) => this.executor.scrub(bytes, ++this.tasks), {
      stride: Math.max(this.opts.batchBytes, MIN_WINDOW_STRIDE),
      overlap: this.opts.windowOverlap,
      margin: Math.min(4096, this.opts.windowOverlap >> 2),
      allocate: (n) => this.executor.allocate(n),
    });
    const name = this.names[source];
    const line = this.lines[source] + 1;
    const pieces = await this.windowed.push(unit.bytes, unit.final);
    for (const piece of pieces) {
      this.stats.addFindings(piece.findings);
      const report = this.events.finding;
      if (report) for (const f of piece.findings) report(f, { source: name, line });
      if (piece.droppedRecords > 0) this.stats.droppedRecords++;
      if (piece.failure) {
        this.stats.failedTasks++;
        this.stats.withheldWindows++;
        this.events.failure(`${name} line ${line}: window of an over-long record withheld: ${piece.failure}`);
      }
      this.stats.bytesOut += piece.output.length;
      await new Promise<void>((resolve) => this.sink.write(piece.output, resolve));
      if (this.halted) return;
    }
    this.inputBytesWritten += unit.bytes.length;
    if (unit.final) {
      this.lines[source]++;
      this.stats.records++;
    }
  }

  /** Binary formats cannot be scanned in windows: an over-long record becomes one notice record. */
  private withholdLongPart(unit: LongPartUnit, source: number): void {
    this.inputBytesWritten += unit.bytes.length;
    if (!unit.final || !this.plan) return;
    const line = this.lines[source] + 1;
    this.lines[source]++;
    this.stats.records++;
    this.stats.withheldRecords++;
    this.events.failure(`${this.names[source]} record ${line}: longer than --max-record-bytes; withheld`);
    this.stats.bytesOut += this.plan.withheldRecord.length;
    this.sink.write(this.plan.withheldRecord, () => {});
  }

  private notify(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }

  private changed(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Waits until `ready()` holds or the pipeline halts. */
  private async until(ready: () => boolean): Promise<void> {
    while (!ready() && !this.halted) await this.changed();
  }
}

function now(): number {
  return performance.now();
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

function codeOf(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' ? code : errorClass(err);
}
