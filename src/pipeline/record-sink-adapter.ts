import type { FormatName } from '../engine/types.js';
import { DeliveryError, type RecordSink } from '../sinks/delivery-queue.js';
import type { RecordBatch, RecordEncoder } from './output-records.js';
import type { OutputSink, SinkFailure } from './sink.js';

/**
 * Puts a network output (`fluent://`, `logstash://`) where the pipeline expects a byte sink.
 * Scrubbed output bytes become records (see output-records.ts) and go to the RecordSink's
 * bounded queue; a write's `done` is called only once the RecordSink accepted its records, so
 * a full queue (slow or absent peer) holds the pipeline's batches in flight and stops the
 * reading of the input. The RecordSink itself is closed by the caller (finishDelivery), which
 * decides how long to wait for confirmation.
 */
export class RecordSinkAdapter implements OutputSink {
  readonly name: string;
  private encoder: RecordEncoder | undefined;
  private failure: SinkFailure | undefined;
  private failureMessage: string | undefined;
  private readonly failureListeners: Array<(f: SinkFailure) => void> = [];
  /** Settles once every write so far was accepted or refused. */
  private accepted: Promise<void> = Promise.resolve();

  constructor(
    readonly sink: RecordSink,
    /** Builds the encoder once the format is known (after sniffing with `--format auto`). */
    private readonly encoderFor: (format: FormatName) => RecordEncoder,
    /** Used if bytes arrive before setFormat() (the pipeline reports the format first). */
    private readonly defaultFormat: FormatName = 'text',
  ) {
    this.name = sink.destination;
    // A fatal delivery error (authentication refused, spool I/O) stops the pipeline.
    sink.on('error', (err) => this.fail(err));
  }

  get failed(): SinkFailure | undefined {
    return this.failure;
  }

  /** The one-line reason of a failure (destination and problem, never record content). */
  get failedBecause(): string | undefined {
    return this.failureMessage;
  }

  onFailure(listener: (f: SinkFailure) => void): void {
    this.failureListeners.push(listener);
  }

  setFormat(format: FormatName): void {
    this.encoder = this.encoderFor(format);
  }

  write(bytes: Uint8Array, done: () => void): void {
    if (this.failure || bytes.length === 0) {
      queueMicrotask(done);
      return;
    }
    this.encoder ??= this.encoderFor(this.defaultFormat);
    let batch: RecordBatch;
    try {
      batch = this.encoder.push(bytes);
    } catch (err) {
      this.fail(err);
      queueMicrotask(done);
      return;
    }
    this.deliver(batch, done);
  }

  flush(): Promise<void> {
    return this.accepted;
  }

  /** Hands over the last (carried) record and waits until everything was accepted. */
  async end(): Promise<void> {
    if (!this.failure && this.encoder) {
      let batch: RecordBatch | undefined;
      try {
        batch = this.encoder.end();
      } catch (err) {
        this.fail(err);
      }
      if (batch) this.deliver(batch, () => {});
    }
    await this.accepted;
  }

  private deliver(batch: RecordBatch, done: () => void): void {
    if (batch.length === 0) {
      queueMicrotask(done);
      return;
    }
    // RecordSink writes are serialised in call order, so records keep the pipeline's order.
    const taken = this.sink.write(batch).then(
      () => done(),
      (err: unknown) => {
        this.fail(err);
        done();
      },
    );
    this.accepted = Promise.all([this.accepted, taken]).then(() => undefined);
  }

  private fail(err: unknown): void {
    if (this.failure) return;
    const code = err instanceof DeliveryError ? err.code : 'E_ENCODE';
    this.failure = { kind: 'error', code };
    this.failureMessage =
      err instanceof DeliveryError
        ? err.message
        : `${this.name}: scrubbed output could not be turned into records (${errorName(err)})`;
    for (const l of this.failureListeners) l(this.failure);
  }
}

function errorName(err: unknown): string {
  return err instanceof Error ? err.name : typeof err;
}
