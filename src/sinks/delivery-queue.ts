import type { ForwardEvent } from './fluent-event.js';

/**
 * The hand-off between the scrubber and a network output. Everything that enters here is
 * already scrubbed; the queue is bounded, so a slow or absent peer makes `write()` wait and the
 * wait reaches the input (back-pressure) instead of growing memory.
 */

/** Errors of network outputs. Messages name the destination and the problem, never record content. */
export class DeliveryError extends Error {
  readonly code: string;
  readonly destination: string;
  /** The message without the destination prefix. */
  readonly detail: string;

  constructor(code: string, destination: string, detail: string) {
    super(`${destination}: ${detail}`);
    this.name = 'DeliveryError';
    this.code = code;
    this.destination = destination;
    this.detail = detail;
  }
}

export interface CloseResult {
  /** Records accepted by write() and not confirmed delivered. */
  undelivered: number;
  /** Of those, records kept in the spool directory: sent first on the next start, not lost. */
  spooled: number;
  /** One line saying why records are undelivered, for stderr. */
  reason?: string;
}

export interface SinkStats {
  acceptedRecords: number;
  deliveredRecords: number;
  pendingRecords: number;
  pendingBytes: number;
  connects: number;
  /** Parcels sent again after a reconnect or an ack timeout (at-least-once duplicates come from here). */
  resentParcels: number;
  /** Records replaced by a placeholder because they could not be encoded. */
  replacedRecords: number;
}

/** A network output: Fluentd forward or Logstash TCP. */
export interface RecordSink {
  /** `scheme://host:port`, for messages. */
  readonly destination: string;
  /**
   * Hands scrubbed records over. Resolves once they are in the bounded queue (or the spool,
   * fsync'd); awaiting it is the back-pressure. Rejects with DeliveryError after a fatal error
   * (authentication refused, spool I/O failure) or once close() began.
   */
  write(data: ForwardEvent[] | Uint8Array): Promise<void>;
  /** Stops accepting, waits up to timeoutMs for everything to be confirmed, then disconnects. */
  close(opts: { timeoutMs: number }): Promise<CloseResult>;
  stats(): SinkStats;
  /** 'error': fatal, delivery stopped. 'warning': transient (reconnects, ack timeouts), one line. */
  on(event: 'error', listener: (err: DeliveryError) => void): this;
  on(event: 'warning', listener: (message: string) => void): this;
  on(event: 'connect', listener: () => void): this;
}

/** An encoded unit of delivery: one forward message (its chunk id in `key`) or a run of JSON lines. */
export interface Parcel {
  data: Uint8Array;
  records: number;
  key?: string;
}

export interface OutboxEntry {
  readonly seq: number;
  readonly records: number;
  readonly size: number;
  readonly key?: string;
}

export interface OutboxPending {
  parcels: number;
  records: number;
  bytes: number;
}

/**
 * Ordered parcels waiting for confirmation. Sent-but-unconfirmed parcels are always a prefix:
 * parcels go out in order, and `rewind()` (after a disconnect) makes them all unsent again so
 * they are resent in their original order.
 */
export interface Outbox {
  /** Whether parcels survive a restart (spool). */
  readonly durable: boolean;
  /** Adds a parcel, waiting while the outbox is full. */
  put(parcel: Parcel): Promise<void>;
  /** The next unsent parcel, now counted as sent; undefined if none. */
  takeUnsent(): OutboxEntry | undefined;
  /** Resolves when an unsent parcel may be available (or the outbox was aborted). */
  whenUnsent(): Promise<void>;
  load(entry: OutboxEntry): Promise<Uint8Array>;
  /** The parcel was delivered: forget it and free its room. */
  settle(entry: OutboxEntry): Promise<void>;
  rewind(): void;
  pending(): OutboxPending;
  /** Resolves when nothing is pending. */
  whenEmpty(): Promise<void>;
  /** Fails waiting and future put() calls with `err`. */
  abort(err: Error): void;
  /** Releases resources; pending parcels stay in a durable outbox, vanish from a memory one. */
  dispose(): Promise<void>;
}

/** A set of callbacks woken together; each wait is a fresh promise. */
export class Waiters {
  private list: Array<() => void> = [];

  wait(): Promise<void> {
    return new Promise((resolve) => this.list.push(resolve));
  }

  wake(): void {
    const list = this.list;
    this.list = [];
    for (const w of list) w();
  }
}

export interface MemoryOutboxOptions {
  /** Bytes held before put() waits (default 32 MiB). */
  maxBytes?: number;
  /** Records held before put() waits (default 100,000). */
  maxRecords?: number;
}

export const DEFAULT_QUEUE_MAX_BYTES = 32 * 1024 * 1024;
export const DEFAULT_QUEUE_MAX_RECORDS = 100_000;

interface MemoryEntry extends OutboxEntry {
  data: Uint8Array;
}

/** The default outbox: bounded in bytes and records, lost on exit (close() reports what was). */
/**
 * What both outboxes share: parcels in order, the first `sentCount` handed to the connection,
 * and the waiters for room, for an unsent parcel and for an empty outbox.
 */
export abstract class OutboxCursor<E extends OutboxEntry> {
  protected entries: E[] = [];
  protected sentCount = 0;
  protected seq = 0;
  protected records = 0;
  protected aborted: Error | undefined;
  protected readonly roomWaiters = new Waiters();
  protected readonly unsentWaiters = new Waiters();
  protected readonly emptyWaiters = new Waiters();

  takeUnsent(): OutboxEntry | undefined {
    if (this.sentCount >= this.entries.length) return undefined;
    return this.entries[this.sentCount++];
  }

  whenUnsent(): Promise<void> {
    if (this.sentCount < this.entries.length || this.aborted) return Promise.resolve();
    return this.unsentWaiters.wait();
  }

  rewind(): void {
    this.sentCount = 0;
    if (this.entries.length > 0) this.unsentWaiters.wake();
  }

  whenEmpty(): Promise<void> {
    return this.entries.length === 0 ? Promise.resolve() : this.emptyWaiters.wait();
  }

  abort(err: Error): void {
    this.aborted ??= err;
    this.roomWaiters.wake();
    this.unsentWaiters.wake();
  }
}

export class MemoryOutbox extends OutboxCursor<MemoryEntry> implements Outbox {
  readonly durable = false;
  private readonly maxBytes: number;
  private readonly maxRecords: number;
  private bytes = 0;

  constructor(opts: MemoryOutboxOptions = {}) {
    super();
    this.maxBytes = opts.maxBytes ?? DEFAULT_QUEUE_MAX_BYTES;
    this.maxRecords = opts.maxRecords ?? DEFAULT_QUEUE_MAX_RECORDS;
  }

  async put(parcel: Parcel): Promise<void> {
    // An empty outbox takes any parcel, so one over-sized parcel cannot wait forever.
    while (!this.aborted && this.entries.length > 0 && !this.fits(parcel)) await this.roomWaiters.wait();
    if (this.aborted) throw this.aborted;
    this.entries.push({
      seq: this.seq++,
      records: parcel.records,
      size: parcel.data.byteLength,
      key: parcel.key,
      data: parcel.data,
    });
    this.bytes += parcel.data.byteLength;
    this.records += parcel.records;
    this.unsentWaiters.wake();
  }

  private fits(parcel: Parcel): boolean {
    return (
      this.bytes + parcel.data.byteLength <= this.maxBytes && this.records + parcel.records <= this.maxRecords
    );
  }

  async load(entry: OutboxEntry): Promise<Uint8Array> {
    return (entry as MemoryEntry).data;
  }

  async settle(entry: OutboxEntry): Promise<void> {
    const i = this.entries.indexOf(entry as MemoryEntry);
    if (i < 0) return;
    this.entries.splice(i, 1);
    if (i < this.sentCount) this.sentCount--;
    this.bytes -= entry.size;
    this.records -= entry.records;
    this.roomWaiters.wake();
    if (this.entries.length === 0) this.emptyWaiters.wake();
  }

  pending(): OutboxPending {
    return { parcels: this.entries.length, records: this.records, bytes: this.bytes };
  }

  async dispose(): Promise<void> {
    // Nothing to release: pending parcels die with the process, and close() has counted them.
  }
}
