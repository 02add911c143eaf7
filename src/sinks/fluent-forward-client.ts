import { hostname } from 'node:os';
import type tls from 'node:tls';
import { DeliveryError, type OutboxEntry, type Parcel } from './delivery-queue.js';
import { OutboxSink, type OutboxSinkOptions, type SessionEnd } from './delivery-sink.js';
import { packChunks } from './fluent-chunk.js';
import { FATAL_CONNECT_CODES, ForwardConnection } from './fluent-connection.js';
import type { ForwardEvent } from './fluent-event.js';
import { formatDestination } from './url.js';

export interface FluentForwardOptions extends OutboxSinkOptions {
  host: string;
  port: number;
  /** TLS (`fluent+tls://`): CA, client certificate, servername... Absent = plain TCP. */
  tls?: tls.ConnectionOptions;
  /** Shared key (`--shared-key-file`); the peer must send HELO. */
  sharedKey?: string;
  /** For peers with `user_auth`. */
  username?: string;
  password?: string;
  /** Our name in PING (default the machine's hostname); must differ from the peer's. */
  selfHostname?: string;
  /** Ask for acks (default true). Without acks delivery is at-most-once. */
  requireAck?: boolean;
  /** Bound of one PackedForward message (default 1 MiB). */
  maxChunkBytes?: number;
  /** CompressedPackedForward (gzip). */
  compress?: boolean;
  /** Chunks sent before waiting for acks (default 8). */
  maxInFlightChunks?: number;
  /** A chunk not acked within this is resent on a new connection (default 60 s). */
  ackTimeoutMs?: number;
  /** Connect + handshake deadline (default 10 s). */
  connectTimeoutMs?: number;
}

export const DEFAULT_MAX_CHUNK_BYTES = 1024 * 1024;

interface InFlight {
  entry: OutboxEntry;
  timer: NodeJS.Timeout;
}

/**
 * Fluentd forward protocol v1 output (`fluent://`): PackedForward messages with EventTime, each
 * with a `chunk` id; a chunk leaves the outbox only when the peer acks it. After a disconnect or
 * an ack timeout every unacked chunk is resent in order on the next connection (at-least-once:
 * a chunk whose ack was lost arrives twice).
 */
export class FluentForwardSink extends OutboxSink {
  private readonly opts: FluentForwardOptions;
  private readonly requireAck: boolean;
  private readonly maxInFlight: number;
  private readonly ackTimeoutMs: number;

  constructor(opts: FluentForwardOptions) {
    super(
      formatDestination({ kind: 'fluent', host: opts.host, port: opts.port, tls: Boolean(opts.tls) }),
      opts,
    );
    this.opts = opts;
    this.requireAck = opts.requireAck ?? true;
    this.maxInFlight = Math.max(1, opts.maxInFlightChunks ?? 8);
    this.ackTimeoutMs = opts.ackTimeoutMs ?? 60_000;
    this.start();
  }

  protected async toParcels(
    data: ForwardEvent[] | Uint8Array,
  ): Promise<{ parcels: Parcel[]; replaced: number }> {
    if (data instanceof Uint8Array) {
      throw new TypeError('the forward output takes events, not bytes');
    }
    const chunks = await packChunks(data, {
      maxChunkBytes: this.opts.maxChunkBytes ?? DEFAULT_MAX_CHUNK_BYTES,
      requireAck: this.requireAck,
      compress: this.opts.compress,
    });
    return { parcels: chunks, replaced: chunks.reduce((n, c) => n + c.replaced, 0) };
  }

  protected async session(): Promise<SessionEnd> {
    let conn: ForwardConnection;
    try {
      conn = await ForwardConnection.open({
        host: this.opts.host,
        port: this.opts.port,
        tls: this.opts.tls,
        auth:
          this.opts.sharedKey !== undefined
            ? {
                selfHostname: this.opts.selfHostname ?? hostname(),
                sharedKey: this.opts.sharedKey,
                username: this.opts.username,
                password: this.opts.password,
              }
            : undefined,
        connectTimeoutMs: this.opts.connectTimeoutMs ?? 10_000,
        destination: this.destination,
      });
    } catch (err) {
      const e = err as DeliveryError;
      return { reason: e.detail, error: e, fatal: FATAL_CONNECT_CODES.has(e.code) };
    }
    if (this.stopSignal.aborted) {
      conn.shutdown('output closed');
      return { reason: 'output closed' };
    }
    this.connected();
    return this.deliver(conn);
  }

  private deliver(conn: ForwardConnection): Promise<SessionEnd> {
    return new Promise((resolve) => {
      const inflight = new Map<string, InFlight>();
      let wakeSender: (() => void) | undefined;
      const wake = () => {
        const w = wakeSender;
        wakeSender = undefined;
        w?.();
      };
      /** Resolves on the next ack or when the connection closes. */
      const activity = () =>
        new Promise<void>((r) => {
          wakeSender = r;
        });
      const onStop = () => conn.shutdown('output closed');
      this.stopSignal.addEventListener('abort', onStop, { once: true });

      conn.on('ack', (id: string) => {
        const f = inflight.get(id);
        // An ack for a chunk resent on an earlier connection, or one we never sent: nothing to do.
        if (!f) return;
        inflight.delete(id);
        clearTimeout(f.timer);
        this.confirm(f.entry)
          .then(() => {
            if (this.drained()) conn.shutdown('output closed after delivering everything');
          })
          .catch((err) => {
            this.fail(
              err instanceof DeliveryError
                ? err
                : new DeliveryError('SINK_BUG', this.destination, String(err)),
            );
            conn.shutdown('spool failure');
          });
        wake();
      });
      conn.once('close', (reason: string, error?: DeliveryError) => {
        for (const f of inflight.values()) clearTimeout(f.timer);
        this.stopSignal.removeEventListener('abort', onStop);
        wake();
        resolve({ reason, error, fatal: error ? FATAL_CONNECT_CODES.has(error.code) : false });
      });

      const sendLoop = async () => {
        const closed = new Promise<void>((r) => conn.once('close', () => r()));
        while (conn.isOpen) {
          if (inflight.size >= this.maxInFlight) {
            await activity();
            continue;
          }
          const entry = this.takeUnsent();
          if (!entry) {
            if (this.drained()) {
              conn.shutdown('output closed after delivering everything');
              break;
            }
            await Promise.race([this.outbox.whenUnsent(), closed, this.whenDraining()]);
            if (this.draining && !this.drained()) {
              // Acks outstanding: wait for one (the ack handler ends the connection after the last),
              // or for a parcel from a write that was waiting for room when close() began.
              await Promise.race([activity(), this.outbox.whenUnsent()]);
            }
            continue;
          }
          const data = await this.outbox.load(entry);
          if (!conn.isOpen) break;
          if (entry.key) {
            const timer = setTimeout(
              () => conn.shutdown(`no ack for a chunk within ${this.ackTimeoutMs} ms`),
              this.ackTimeoutMs,
            );
            inflight.set(entry.key, { entry, timer });
            if (!conn.write(data)) await conn.drained();
          } else {
            // No ack asked: the kernel taking the bytes is all the confirmation there is.
            const written = new Promise<boolean>((r) => conn.write(data, (err) => r(!err)));
            if (!(await written)) break;
            await this.confirm(entry);
          }
        }
      };
      sendLoop().catch((err) => {
        this.fail(
          err instanceof DeliveryError ? err : new DeliveryError('SINK_BUG', this.destination, String(err)),
        );
        conn.shutdown('output failed');
      });
    });
  }
}
