import { EventEmitter } from 'node:events';
import { Backoff, type BackoffOptions, cancellableDelay } from './delivery-backoff.js';
import {
  type CloseResult,
  DeliveryError,
  MemoryOutbox,
  type MemoryOutboxOptions,
  type Outbox,
  type OutboxEntry,
  type Parcel,
  type RecordSink,
  type SinkStats,
} from './delivery-queue.js';
import type { ForwardEvent } from './fluent-event.js';

export interface OutboxSinkOptions {
  /** Where parcels wait (a SpoolOutbox for `--spool`); default an in-memory queue. */
  outbox?: Outbox;
  /** Bounds of the default in-memory queue. */
  queue?: MemoryOutboxOptions;
  backoff?: BackoffOptions;
}

/** How one connection ended. `error` with a fatal code stops delivery for good. */
export interface SessionEnd {
  reason: string;
  error?: DeliveryError;
  fatal?: boolean;
}

/**
 * The part every network output shares: ordered, serialized writes into a bounded outbox, a
 * reconnect loop with backoff, fatal-error handling and the close protocol (drain, wait for
 * confirmation up to a deadline, count what is left). Subclasses encode parcels and run one
 * connection at a time in `session()`.
 */
export abstract class OutboxSink extends EventEmitter implements RecordSink {
  protected readonly outbox: Outbox;
  /** Aborted when close() gives up waiting: the session must drop its connection. */
  protected readonly stopSignal: AbortSignal;
  /** Set once close() began: the session may finish gracefully when nothing is unsent. */
  protected draining = false;
  private readonly stopController = new AbortController();
  private readonly backoff: Backoff;
  private writeChain: Promise<void> = Promise.resolve();
  private inProgressRecords = 0;
  private fatal: DeliveryError | undefined;
  private closing: Promise<CloseResult> | undefined;
  private running: Promise<void> | undefined;
  private sleep: { cancel: () => void } | undefined;
  private lastProblem: string | undefined;
  private deliveredThisSession = false;
  private highestSentSeq = -1;
  private readonly drainWaiters: Array<() => void> = [];
  private readonly counters = {
    acceptedRecords: 0,
    deliveredRecords: 0,
    connects: 0,
    resentParcels: 0,
    replacedRecords: 0,
  };

  constructor(
    readonly destination: string,
    opts: OutboxSinkOptions,
  ) {
    super();
    this.outbox = opts.outbox ?? new MemoryOutbox(opts.queue);
    this.backoff = new Backoff(opts.backoff);
    this.stopSignal = this.stopController.signal;
  }

  /** Starts connecting. Separate from the constructor so subclasses finish initialising first. */
  protected start(): void {
    this.running ??= this.run();
  }

  /** Encodes one write() into parcels; `replaced` counts records swapped for a placeholder. */
  protected abstract toParcels(
    data: ForwardEvent[] | Uint8Array,
  ): Promise<{ parcels: Parcel[]; replaced: number }>;

  /** Connects and delivers until the connection ends. Throws DeliveryError if it cannot connect. */
  protected abstract session(): Promise<SessionEnd>;

  write(data: ForwardEvent[] | Uint8Array): Promise<void> {
    if (this.fatal) return Promise.reject(this.fatal);
    if (this.closing)
      return Promise.reject(new DeliveryError('SINK_CLOSED', this.destination, 'output is closing'));
    const run = this.writeChain.then(async () => {
      if (this.fatal) throw this.fatal;
      const { parcels, replaced } = await this.toParcels(data);
      this.counters.replacedRecords += replaced;
      const total = parcels.reduce((n, p) => n + p.records, 0);
      this.inProgressRecords += total;
      try {
        for (const p of parcels) {
          await this.outbox.put(p);
          this.inProgressRecords -= p.records;
          this.counters.acceptedRecords += p.records;
        }
      } catch (err) {
        // A spool that cannot write stops delivery for good; a write cut short by close() does not.
        if (err instanceof DeliveryError && err.code !== 'SINK_CLOSED') throw this.fail(err);
        throw err;
      }
    });
    // A failed write must not poison the order of the next ones; the caller sees its own rejection.
    this.writeChain = run.catch(() => undefined);
    return run;
  }

  stats(): SinkStats {
    const pending = this.outbox.pending();
    return {
      ...this.counters,
      pendingRecords: pending.records + this.inProgressRecords,
      pendingBytes: pending.bytes,
    };
  }

  close(opts: { timeoutMs: number }): Promise<CloseResult> {
    this.closing ??= this.shutdown(opts.timeoutMs);
    return this.closing;
  }

  private async shutdown(timeoutMs: number): Promise<CloseResult> {
    this.start();
    this.draining = true;
    for (const w of this.drainWaiters.splice(0)) w();
    const deadline = cancellableDelay(timeoutMs);
    let timedOut = false;
    const expired = deadline.done.then(() => {
      timedOut = true;
    });
    await Promise.race([this.writeChain.then(() => this.outbox.whenEmpty()), expired, this.running]);
    if (!timedOut) {
      // Everything is confirmed: let the session end its connection cleanly (a Logstash peer
      // gets our FIN after the last line) instead of cutting it.
      this.sleep?.cancel();
      await Promise.race([this.running, expired]);
    }
    deadline.cancel();
    this.stopController.abort();
    this.sleep?.cancel();
    this.outbox.abort(
      new DeliveryError('SINK_CLOSED', this.destination, 'output closed before the record was queued'),
    );
    await this.running;
    await this.writeChain;
    const pending = this.outbox.pending().records + this.inProgressRecords;
    const spooled = this.outbox.durable ? this.outbox.pending().records : 0;
    await this.outbox.dispose();
    const result: CloseResult = { undelivered: pending, spooled };
    if (pending > 0) result.reason = this.undeliveredReason(pending, spooled, timedOut, timeoutMs);
    return result;
  }

  private undeliveredReason(pending: number, spooled: number, timedOut: boolean, timeoutMs: number): string {
    const why = this.fatal
      ? this.fatal.message
      : timedOut
        ? `not confirmed by the peer within ${timeoutMs} ms${this.lastProblem ? ` (last problem: ${this.lastProblem})` : ''}`
        : (this.lastProblem ?? 'delivery stopped');
    const kept = spooled > 0 ? `; ${spooled} kept in the spool for the next run` : '';
    return `${this.destination}: ${pending} records undelivered: ${why}${kept}`;
  }

  /** close() began and nothing is left to deliver. */
  protected drained(): boolean {
    return this.draining && this.outbox.pending().parcels === 0;
  }

  /** Resolves when close() begins (sessions use it to finish gracefully). */
  protected whenDraining(): Promise<void> {
    if (this.draining) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  /** Takes the next parcel to send, counting resends. */
  protected takeUnsent(): OutboxEntry | undefined {
    const entry = this.outbox.takeUnsent();
    if (entry) {
      if (entry.seq <= this.highestSentSeq) this.counters.resentParcels++;
      else this.highestSentSeq = entry.seq;
    }
    return entry;
  }

  /** The peer confirmed a parcel. */
  protected async confirm(entry: OutboxEntry): Promise<void> {
    await this.outbox.settle(entry);
    this.counters.deliveredRecords += entry.records;
    if (!this.deliveredThisSession) {
      // Only a connection that delivered something proves the peer healthy; resetting on a mere
      // connect would hammer a peer that accepts and then drops us.
      this.deliveredThisSession = true;
      this.backoff.reset();
    }
  }

  protected connected(): void {
    this.counters.connects++;
    this.deliveredThisSession = false;
    this.emit('connect');
  }

  /** A transient problem, one line without the destination (added here). */
  protected warn(message: string): void {
    this.lastProblem = message;
    this.emit('warning', `${this.destination}: ${message}`);
  }

  /** Records a fatal error once: delivery stops, waiting and future writes reject with it. */
  protected fail(err: DeliveryError): DeliveryError {
    if (this.fatal) return this.fatal;
    this.fatal = err;
    this.outbox.abort(err);
    this.stopController.abort();
    this.sleep?.cancel();
    // A fatal error with nobody listening would crash the process: writes reject with it anyway.
    if (this.listenerCount('error') > 0) this.emit('error', err);
    return err;
  }

  private async run(): Promise<void> {
    const stopped = new Promise<void>((resolve) =>
      this.stopSignal.addEventListener('abort', () => resolve(), { once: true }),
    );
    while (!this.stopSignal.aborted && !this.drained()) {
      if (this.outbox.pending().parcels === 0) {
        // Connect only with something to send: an idle output facing a dead peer stays quiet.
        await Promise.race([this.outbox.whenUnsent(), this.whenDraining(), stopped]);
        continue;
      }
      let end: SessionEnd;
      try {
        end = await this.session();
      } catch (err) {
        const e =
          err instanceof DeliveryError ? err : new DeliveryError('SINK_BUG', this.destination, String(err));
        end = { reason: e.detail, error: e, fatal: e.code === 'SINK_BUG' };
      }
      this.outbox.rewind();
      if (end.fatal && end.error) {
        this.fail(end.error);
        return;
      }
      if (this.stopSignal.aborted || this.drained()) return;
      const delay = this.backoff.next();
      this.warn(`${end.reason}; reconnecting in ${delay} ms`);
      const sleep = cancellableDelay(delay);
      this.sleep = sleep;
      await sleep.done;
      this.sleep = undefined;
    }
  }
}
