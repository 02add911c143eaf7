import dgram from 'node:dgram';
import { EventEmitter } from 'node:events';
import net from 'node:net';
import { hostname } from 'node:os';
import tls from 'node:tls';
import { type BatchHandler, ForwardSession, type ServerCounters } from './forward-session.js';

export type { BatchHandler, ForwardBatch, ServerCounters } from './forward-session.js';

export interface ForwardServerOptions {
  /** Address to bind (default 127.0.0.1: exposing an input is a decision, not a default). */
  host?: string;
  /** Port (default 24224; 0 picks a free one). */
  port?: number;
  /** TLS server options (key, cert, ca, requestCert...); absent = plain TCP. */
  tls?: tls.TlsOptions;
  /** Require the shared-key handshake (HELO/PING/PONG). */
  sharedKey?: string;
  /** Our name in HELO/PONG; must differ from the clients' (default `<hostname>-hushlog`). */
  selfHostname?: string;
  onBatch: BatchHandler;
  /** Largest message accepted (default 64 MiB: Fluentd file buffers send chunks of up to 256 MiB by default; lower it or raise this). */
  maxFrameBytes?: number;
  /** Largest CompressedPackedForward payload once inflated (default 256 MiB). */
  maxInflatedBytes?: number;
  /** Deepest nesting of a message (default 100, msgpack-javascript's own encoding limit). */
  maxDepth?: number;
  /** Events merged into one batch at most (default 10,000). */
  maxBatchEvents?: number;
  /** Simultaneous connections (default 256); memory is bounded by this times maxFrameBytes. */
  maxConnections?: number;
  /** Answer in_forward's UDP heartbeat on the same port (default true). */
  udpHeartbeat?: boolean;
}

export interface MalformedInfo {
  remote: string;
  /** What was wrong, never the content. */
  reason: string;
}

/**
 * An in_forward-compatible input (`--input forward://host:port`): Message, Forward,
 * PackedForward, CompressedPackedForward and the JSON fallback, optional TLS and shared key.
 * Acks are written only after the batch handler resolves, so a client resends whatever hushlog
 * could not scrub and queue. A connection sending malformed input is closed and counted; others
 * carry on.
 *
 * Events: 'malformed' (MalformedInfo), 'auth-failure' (MalformedInfo), 'rejected' (MalformedInfo),
 * 'error' (listen errors).
 */
export class ForwardServer extends EventEmitter {
  readonly counters: ServerCounters = {
    connections: 0,
    activeConnections: 0,
    batches: 0,
    events: 0,
    malformed: 0,
    authFailures: 0,
    rejectedBatches: 0,
    invalidEvents: 0,
  };
  private readonly server: net.Server;
  private udp: dgram.Socket | undefined;
  private readonly sessions = new Set<ForwardSession>();
  private readonly opts: ForwardServerOptions;

  constructor(opts: ForwardServerOptions) {
    super();
    this.opts = opts;
    // allowHalfOpen: a client may end its side right after its last chunk and still wait for acks.
    const onSocket = (socket: net.Socket) => this.accept(socket);
    this.server = opts.tls
      ? tls.createServer({ ...opts.tls, allowHalfOpen: true }, onSocket)
      : net.createServer({ allowHalfOpen: true }, onSocket);
    this.server.maxConnections = opts.maxConnections ?? 256;
    // TLS handshake failures (plain TCP to a TLS port, bad client cert) count as malformed input.
    this.server.on('tlsClientError', (_err: Error, socket: tls.TLSSocket) => {
      this.counters.malformed++;
      this.emit('malformed', {
        remote: remoteOf(socket),
        reason: 'TLS handshake failed',
      } satisfies MalformedInfo);
    });
  }

  /** Starts listening (TCP, then UDP heartbeat on the same port). */
  async listen(): Promise<{ host: string; port: number }> {
    const host = this.opts.host ?? '127.0.0.1';
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen({ host, port: this.opts.port ?? 24224 }, () => {
        this.server.off('error', reject);
        this.server.on('error', (err) => this.emit('error', err));
        resolve();
      });
    });
    const { port } = this.address();
    if (this.opts.udpHeartbeat !== false) await this.listenHeartbeat(host, port);
    return { host, port };
  }

  address(): { host: string; port: number } {
    const a = this.server.address();
    if (!a || typeof a === 'string') throw new Error('forward input is not listening');
    return { host: a.address, port: a.port };
  }

  /**
   * Stops accepting, lets batches already being handled finish (their acks are written), then
   * closes every connection. Connections still busy after timeoutMs are cut.
   */
  async close(opts: { timeoutMs?: number } = {}): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.udp?.close();
    this.udp = undefined;
    const timeoutMs = opts.timeoutMs ?? 5000;
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, timeoutMs);
    });
    await Promise.race([Promise.all([...this.sessions].map((s) => s.idle())), deadline]);
    clearTimeout(timer);
    for (const s of this.sessions) s.close();
    await closed;
  }

  private accept(socket: net.Socket): void {
    const remote = remoteOf(socket);
    socket.setKeepAlive(true, 30_000);
    socket.setNoDelay(true);
    // Resets from clients that went away are routine; the session sees the close.
    socket.on('error', () => {});
    const session = new ForwardSession(socket, remote, {
      sharedKey: this.opts.sharedKey,
      selfHostname: this.opts.selfHostname ?? `${hostname()}-hushlog`,
      limits: {
        maxFrameBytes: this.opts.maxFrameBytes ?? 64 * 1024 * 1024,
        maxInflatedBytes: this.opts.maxInflatedBytes ?? 256 * 1024 * 1024,
        maxDepth: this.opts.maxDepth ?? 100,
      },
      maxBatchEvents: this.opts.maxBatchEvents ?? 10_000,
      onBatch: this.opts.onBatch,
      counters: this.counters,
      report: (event, info) => this.emit(event, info),
    });
    this.counters.connections++;
    this.counters.activeConnections++;
    this.sessions.add(session);
    socket.once('close', () => {
      this.counters.activeConnections--;
      this.sessions.delete(session);
      session.close();
    });
    session.start();
  }

  private listenHeartbeat(host: string, port: number): Promise<void> {
    const udp = dgram.createSocket(net.isIPv6(host) ? 'udp6' : 'udp4');
    this.udp = udp;
    // in_forward answers any datagram with one NUL byte; out_forward's `heartbeat_type udp` expects that.
    udp.on('message', (_msg, rinfo) => udp.send(Buffer.from([0]), rinfo.port, rinfo.address));
    return new Promise((resolve, reject) => {
      udp.once('error', reject);
      udp.bind(port, host, () => {
        udp.off('error', reject);
        udp.on('error', (err) => this.emit('error', err));
        resolve();
      });
    });
  }
}

function remoteOf(socket: net.Socket): string {
  const addr = socket.remoteAddress ?? 'unknown';
  return `${net.isIPv6(addr) ? `[${addr}]` : addr}:${socket.remotePort ?? 0}`;
}
