import net from 'node:net';
import tls from 'node:tls';
import { DeliveryError, type OutboxEntry, type Parcel } from './delivery-queue.js';
import { OutboxSink, type OutboxSinkOptions, type SessionEnd } from './delivery-sink.js';
import type { ForwardEvent } from './fluent-event.js';
import { type EventJsonOptions, eventToJsonLine } from './fluent-event-json.js';
import { formatDestination } from './url.js';

export interface LogstashOptions extends OutboxSinkOptions {
  host: string;
  port: number;
  /** TLS (`logstash+tls://`); absent = plain TCP. */
  tls?: tls.ConnectionOptions;
  /**
   * Bytes of already-written JSON lines kept for resending after a connection drop (default
   * 4 MiB, about what kernel buffers on both ends can hold). 0 = at-most-once.
   */
  resendWindowBytes?: number;
  /** Bound of one parcel; byte writes are split at line boundaries (default 256 KiB). */
  maxParcelBytes?: number;
  connectTimeoutMs?: number;
  /** How events (from a forward input) become JSON lines. */
  json?: EventJsonOptions;
}

const NEWLINE = 0x0a;
export const DEFAULT_RESEND_WINDOW_BYTES = 4 * 1024 * 1024;
const DEFAULT_MAX_PARCEL_BYTES = 256 * 1024;

/**
 * Logstash `tcp` input with `codec => json_lines` (`logstash://`). TCP has no application
 * ack, so a written line is not known to be received. The last `resendWindowBytes` written are
 * kept and resent after a drop: at-least-once for a peer that dies with at most that much
 * unread, with duplicates; anything older is assumed delivered. On close the connection is
 * half-closed and the peer closing its side confirms it read everything.
 */
export class LogstashSink extends OutboxSink {
  private readonly opts: LogstashOptions;
  private readonly windowBytes: number;
  private readonly maxParcelBytes: number;

  constructor(opts: LogstashOptions) {
    super(
      formatDestination({ kind: 'logstash', host: opts.host, port: opts.port, tls: Boolean(opts.tls) }),
      opts,
    );
    this.opts = opts;
    this.windowBytes = opts.resendWindowBytes ?? DEFAULT_RESEND_WINDOW_BYTES;
    this.maxParcelBytes = Math.max(1024, opts.maxParcelBytes ?? DEFAULT_MAX_PARCEL_BYTES);
    this.start();
  }

  protected async toParcels(
    data: ForwardEvent[] | Uint8Array,
  ): Promise<{ parcels: Parcel[]; replaced: number }> {
    if (data instanceof Uint8Array) return { parcels: splitLines(data, this.maxParcelBytes), replaced: 0 };
    const parcels: Parcel[] = [];
    let lines: string[] = [];
    let size = 0;
    const flush = () => {
      if (lines.length === 0) return;
      parcels.push({ data: Buffer.from(lines.join('')), records: lines.length });
      lines = [];
      size = 0;
    };
    for (const event of data) {
      const line = eventToJsonLine(event, this.opts.json);
      const bytes = Buffer.byteLength(line);
      if (size + bytes > this.maxParcelBytes) flush();
      lines.push(line);
      size += bytes;
    }
    flush();
    return { parcels, replaced: 0 };
  }

  protected async session(): Promise<SessionEnd> {
    let socket: net.Socket;
    try {
      socket = await this.connect();
    } catch (err) {
      const e = err as DeliveryError;
      return { reason: e.detail, error: e };
    }
    if (this.stopSignal.aborted) {
      socket.destroy();
      return { reason: 'output closed' };
    }
    this.connected();
    return this.deliver(socket);
  }

  private connect(): Promise<net.Socket> {
    return new Promise((resolve, reject) => {
      const { host, port } = this.opts;
      const socket = this.opts.tls
        ? tls.connect({ host, port, servername: net.isIP(host) ? undefined : host, ...this.opts.tls })
        : net.connect({ host, port });
      const timeoutMs = this.opts.connectTimeoutMs ?? 10_000;
      const timer = setTimeout(() => {
        socket.destroy();
        reject(
          new DeliveryError('LOGSTASH_TIMEOUT', this.destination, `no connection within ${timeoutMs} ms`),
        );
      }, timeoutMs);
      const onError = (err: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        socket.destroy();
        reject(
          new DeliveryError(
            'LOGSTASH_CONNECT',
            this.destination,
            `connection failed (${err.code ?? err.message})`,
          ),
        );
      };
      socket.once('error', onError);
      socket.once(this.opts.tls ? 'secureConnect' : 'connect', () => {
        clearTimeout(timer);
        socket.off('error', onError);
        socket.setNoDelay(true);
        socket.setKeepAlive(true, 30_000);
        resolve(socket);
      });
    });
  }

  private deliver(socket: net.Socket): Promise<SessionEnd> {
    return new Promise((resolve) => {
      const retained: OutboxEntry[] = [];
      let retainedBytes = 0;
      let endingGracefully = false;
      let peerEnded = false;
      let problem = 'peer closed the connection';
      let open = true;
      // Nothing is read from Logstash; reading keeps a chatty peer from filling our buffers.
      socket.on('data', () => {});
      socket.on('end', () => {
        peerEnded = true;
        if (!endingGracefully) socket.destroy();
      });
      socket.on('error', (err: NodeJS.ErrnoException) => {
        problem = `connection lost (${err.code ?? err.message})`;
      });
      const closed = new Promise<void>((r) => socket.once('close', () => r()));
      const onStop = () => socket.destroy();
      this.stopSignal.addEventListener('abort', onStop, { once: true });

      socket.once('close', async () => {
        open = false;
        this.stopSignal.removeEventListener('abort', onStop);
        if (endingGracefully && peerEnded) {
          // The peer read up to our FIN and closed: every retained line was received.
          try {
            for (const e of retained.splice(0)) await this.confirm(e);
          } catch (err) {
            this.fail(
              err instanceof DeliveryError
                ? err
                : new DeliveryError('SINK_BUG', this.destination, String(err)),
            );
          }
          resolve({ reason: 'closed after delivering everything' });
          return;
        }
        resolve({ reason: problem });
      });

      const confirmOldest = async () => {
        while (retained.length > 0 && retainedBytes > this.windowBytes) {
          const e = retained.shift() as OutboxEntry;
          retainedBytes -= e.size;
          await this.confirm(e);
        }
      };

      const sendLoop = async () => {
        while (open) {
          const entry = this.takeUnsent();
          if (!entry) {
            if (this.draining) {
              endingGracefully = true;
              socket.end();
              return;
            }
            await Promise.race([this.outbox.whenUnsent(), closed, this.whenDraining()]);
            continue;
          }
          const data = await this.outbox.load(entry);
          if (!open) return;
          const ok = await new Promise<boolean>((r) => socket.write(data, (err) => r(!err)));
          if (!ok) return;
          retained.push(entry);
          retainedBytes += entry.size;
          await confirmOldest();
        }
      };
      sendLoop().catch((err) => {
        this.fail(
          err instanceof DeliveryError ? err : new DeliveryError('SINK_BUG', this.destination, String(err)),
        );
        socket.destroy();
      });
    });
  }
}

/** Splits JSON lines into parcels at line boundaries; a missing final newline is added. */
export function splitLines(bytes: Uint8Array, maxParcelBytes: number): Parcel[] {
  const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const parcels: Parcel[] = [];
  let start = 0;
  while (start < buf.length) {
    let end = start;
    let records = 0;
    while (end < buf.length) {
      const nl = buf.indexOf(NEWLINE, end);
      const lineEnd = nl < 0 ? buf.length : nl + 1;
      // Always take at least one line, however long.
      if (records > 0 && lineEnd - start > maxParcelBytes) break;
      end = lineEnd;
      records++;
    }
    // Copied: the caller may reuse its buffer as soon as write() resolves.
    const data = Buffer.allocUnsafe(end - start + (buf[end - 1] === NEWLINE ? 0 : 1));
    buf.copy(data, 0, start, end);
    if (buf[end - 1] !== NEWLINE) data[data.length - 1] = NEWLINE;
    parcels.push({ data, records });
    start = end;
  }
  return parcels;
}
