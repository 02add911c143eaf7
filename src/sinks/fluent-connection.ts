import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import net from 'node:net';
import tls from 'node:tls';
import { DeliveryError } from './delivery-queue.js';
import {
  buildPing,
  type ClientCredentials,
  checkPong,
  type Helo,
  handshakeKind,
  parseHelo,
} from './fluent-auth.js';
import { bytesToText, createForwardDecoder, createForwardEncoder } from './fluent-codec.js';

/** Server messages are tiny (HELO, PONG, acks); anything bigger is not a forward peer. */
const MAX_SERVER_VALUE_BYTES = 64 * 1024;

export interface ForwardConnectOptions {
  host: string;
  port: number;
  /** TLS options (CA, client cert, servername); absent = plain TCP. */
  tls?: tls.ConnectionOptions;
  /** Shared-key credentials; absent = no handshake expected. */
  auth?: ClientCredentials;
  connectTimeoutMs: number;
  /** For messages: `fluent://host:port`. */
  destination: string;
}

/** Codes a caller must not retry: the configuration is wrong, retrying cannot help. */
export const FATAL_CONNECT_CODES = new Set(['FORWARD_AUTH_FAILED', 'FORWARD_AUTH_REQUIRED']);

/**
 * One authenticated connection to an in_forward peer. Emits 'ack' (chunk id) and, once, 'close'
 * (reason, and the DeliveryError when the peer broke the protocol or refused us).
 */
export class ForwardConnection extends EventEmitter {
  private closed = false;

  private constructor(
    private readonly socket: net.Socket,
    private readonly destination: string,
  ) {
    super();
  }

  /** Connects and, with a shared key, completes HELO/PING/PONG. Rejects with DeliveryError. */
  static open(opts: ForwardConnectOptions): Promise<ForwardConnection> {
    return new Promise((resolve, reject) => {
      const socket = opts.tls
        ? tls.connect({ host: opts.host, port: opts.port, servername: serverName(opts.host), ...opts.tls })
        : net.connect({ host: opts.host, port: opts.port });
      socket.setNoDelay(true);
      socket.setKeepAlive(true, 30_000);
      const conn = new ForwardConnection(socket, opts.destination);
      let settled = false;
      const finish = (err?: DeliveryError) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (err) {
          conn.shutdown(err.message);
          reject(err);
        } else resolve(conn);
      };
      const timer = setTimeout(
        () =>
          finish(
            new DeliveryError(
              'FORWARD_TIMEOUT',
              opts.destination,
              `no connection/handshake within ${opts.connectTimeoutMs} ms`,
            ),
          ),
        opts.connectTimeoutMs,
      );
      socket.once(opts.tls ? 'secureConnect' : 'connect', () => {
        if (!opts.auth) finish();
      });
      // Errors after the connection phase end the read loop; this listener keeps them from being unhandled.
      socket.on('error', (err: NodeJS.ErrnoException) => {
        finish(
          new DeliveryError(
            'FORWARD_CONNECT',
            opts.destination,
            `connection failed (${err.code ?? err.message})`,
          ),
        );
      });
      conn.readLoop(opts.auth, finish);
    });
  }

  private async readLoop(auth: ClientCredentials | undefined, handshakeDone: (err?: DeliveryError) => void) {
    const decoder = createForwardDecoder({ rawStrings: true, maxValueBytes: MAX_SERVER_VALUE_BYTES });
    const salt = randomBytes(16).toString('hex');
    let helo: Helo | undefined;
    let established = !auth;
    try {
      for await (const msg of decoder.decodeStream(this.socket)) {
        const kind = handshakeKind(msg);
        if (kind === 'HELO' && !auth) {
          throw new DeliveryError(
            'FORWARD_AUTH_REQUIRED',
            this.destination,
            'the peer requires shared-key authentication (it sent HELO); give --shared-key-file',
          );
        }
        if (!established && auth) {
          if (!helo) {
            helo = parseHelo(msg);
            if (!helo) throw protocolError(this.destination, 'expected HELO');
            this.socket.write(createForwardEncoder().encode(buildPing(auth, helo, salt)));
            continue;
          }
          const outcome = checkPong(msg, { ...auth, salt, nonce: helo.nonce });
          if (!outcome.ok)
            throw new DeliveryError(
              'FORWARD_AUTH_FAILED',
              this.destination,
              `authentication failed: ${outcome.reason}`,
            );
          established = true;
          handshakeDone();
          continue;
        }
        const ack = ackOf(msg);
        if (ack === undefined) throw protocolError(this.destination, 'unexpected message from peer');
        this.emit('ack', ack);
      }
      this.shutdown('peer closed the connection');
    } catch (err) {
      const e =
        err instanceof DeliveryError
          ? err
          : new DeliveryError(
              'FORWARD_CONNECT',
              this.destination,
              `connection lost (${(err as NodeJS.ErrnoException).code ?? 'protocol error'})`,
            );
      handshakeDone(e);
      this.shutdown(e.message, e);
    }
    handshakeDone(
      new DeliveryError(
        'FORWARD_CONNECT',
        this.destination,
        'peer closed the connection during the handshake',
      ),
    );
  }

  /** Writes a message; false = wait for drained(). */
  write(data: Uint8Array, done?: (err?: Error | null) => void): boolean {
    return this.socket.write(data, done);
  }

  drained(): Promise<void> {
    if (this.closed || !this.socket.writableNeedDrain) return Promise.resolve();
    return new Promise((resolve) => {
      const onEnd = () => {
        this.socket.off('drain', onEnd);
        this.off('close', onEnd);
        resolve();
      };
      this.socket.once('drain', onEnd);
      this.once('close', onEnd);
    });
  }

  get isOpen(): boolean {
    return !this.closed;
  }

  /** Closes the connection; unacked chunks are the caller's to resend. */
  shutdown(reason: string, error?: DeliveryError): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.destroy();
    this.emit('close', reason, error);
  }
}

function ackOf(msg: unknown): string | undefined {
  if (typeof msg !== 'object' || msg === null || Array.isArray(msg) || msg instanceof Uint8Array)
    return undefined;
  return bytesToText((msg as Record<string, unknown>).ack);
}

function protocolError(destination: string, what: string): DeliveryError {
  return new DeliveryError('FORWARD_PROTOCOL', destination, `protocol error: ${what}`);
}

/** SNI takes host names only. */
function serverName(host: string): string | undefined {
  return net.isIP(host) ? undefined : host;
}
