import { randomBytes } from 'node:crypto';
import type net from 'node:net';
import { buildHelo, buildPong, type Helo, pongDigest, verifyPing } from '../sinks/fluent-auth.js';
import { createForwardEncoder } from '../sinks/fluent-codec.js';
import { EventTime, type ForwardEvent } from '../sinks/fluent-event.js';
import {
  type ClientMessage,
  type DecodeLimits,
  decodeJsonMessage,
  decodeMsgpackMessage,
} from './forward-decode.js';
import { FrameError, type FrameSplitter, JsonSplitter, MsgpackSplitter } from './forward-frame.js';

/** What the input hands to the pipeline: events of one or more consecutive messages of one connection. */
export interface ForwardBatch {
  events: ForwardEvent[];
  /** `address:port` of the client, for messages. */
  remote: string;
  /** Chunk ids acked once the handler resolves. */
  chunks: string[];
}

/**
 * Scrubs and queues a batch. Resolving means the events are scrubbed and accepted by the output
 * queue: only then are the chunks acked. Rejecting sends no ack and closes the connection, so
 * the client resends.
 */
export type BatchHandler = (batch: ForwardBatch) => Promise<void>;

export interface ServerCounters {
  connections: number;
  activeConnections: number;
  batches: number;
  events: number;
  /** Connections closed for input that is not the forward protocol. */
  malformed: number;
  authFailures: number;
  /** Batches the handler rejected (not acked, connection closed). */
  rejectedBatches: number;
  /** Entries skipped because they were not [time, map]. */
  invalidEvents: number;
}

export interface SessionContext {
  sharedKey?: string;
  selfHostname: string;
  limits: DecodeLimits;
  /** Events gathered into one batch at most (consecutive small messages are merged). */
  maxBatchEvents: number;
  onBatch: BatchHandler;
  counters: ServerCounters;
  report(event: 'malformed' | 'auth-failure' | 'rejected', info: { remote: string; reason: string }): void;
}

type State = 'await-ping' | 'established' | 'closed';

/**
 * One client connection: detects msgpack or JSON from the first byte, splits messages, runs the
 * shared-key handshake, and feeds batches to the handler one at a time (the socket is paused
 * meanwhile, so a slow pipeline back-pressures the client through TCP).
 */
export class ForwardSession {
  private state: State;
  private splitter: FrameSplitter | undefined;
  private json = false;
  private readonly frames: Buffer[] = [];
  private processing: Promise<void> | undefined;
  private nonce: Uint8Array | undefined;
  private readonly encoder = createForwardEncoder();

  constructor(
    private readonly socket: net.Socket,
    readonly remote: string,
    private readonly ctx: SessionContext,
  ) {
    this.state = ctx.sharedKey !== undefined ? 'await-ping' : 'established';
  }

  start(): void {
    if (this.state === 'await-ping') {
      const helo: Helo = { nonce: randomBytes(16), authSalt: new Uint8Array(0), keepalive: true };
      this.nonce = helo.nonce;
      this.socket.write(this.encoder.encode(buildHelo(helo)));
    }
    this.socket.on('data', (chunk: Buffer) => this.onData(chunk));
    this.socket.on('end', () => {
      // The client finished sending: answer what it sent, then close.
      void this.idle().then(() => this.socket.end());
    });
  }

  /** A getter, not a field test: the state changes across the awaits in process(). */
  private get isClosed(): boolean {
    return this.state === 'closed';
  }

  /** Resolves when no batch is being handled. */
  async idle(): Promise<void> {
    while (this.processing) await this.processing;
  }

  close(): void {
    this.state = 'closed';
    this.frames.length = 0;
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    if (this.isClosed) return;
    if (!this.splitter) {
      this.json = chunk[0] === 0x5b || chunk[0] === 0x7b;
      if (this.json && this.state === 'await-ping') {
        this.malformed('JSON input cannot authenticate (shared key required)');
        return;
      }
      this.splitter = this.json ? new JsonSplitter(this.ctx.limits) : new MsgpackSplitter(this.ctx.limits);
    }
    try {
      this.frames.push(...this.splitter.push(chunk));
    } catch (err) {
      this.malformed(err instanceof FrameError ? err.reason : 'unreadable input');
      return;
    }
    if (this.frames.length > 0) {
      this.socket.pause();
      this.processing ??= this.process().finally(() => {
        this.processing = undefined;
        if (!this.isClosed) this.socket.resume();
      });
    }
  }

  private async process(): Promise<void> {
    while (this.frames.length > 0 && !this.isClosed) {
      const events: ForwardEvent[] = [];
      const chunks: string[] = [];
      while (this.frames.length > 0 && events.length < this.ctx.maxBatchEvents && !this.isClosed) {
        const frame = this.frames.shift() as Buffer;
        let msg: ClientMessage;
        try {
          msg = this.json
            ? decodeJsonMessage(frame, EventTime.now)
            : await decodeMsgpackMessage(frame, this.ctx.limits, EventTime.now);
        } catch (err) {
          return this.malformed(err instanceof FrameError ? err.reason : 'undecodable message');
        }
        if (msg.kind === 'ping') {
          if (this.state !== 'await-ping') return this.malformed('unexpected PING');
          this.handlePing(msg.ping);
          continue;
        }
        if (this.state !== 'established') return this.malformed('events before authentication');
        this.ctx.counters.invalidEvents += msg.invalid;
        for (const e of msg.events) events.push(e);
        if (msg.chunk !== undefined) chunks.push(msg.chunk);
      }
      if (this.isClosed) return;
      if (events.length === 0 && chunks.length === 0) continue;
      try {
        if (events.length > 0) await this.ctx.onBatch({ events, remote: this.remote, chunks });
      } catch {
        this.ctx.counters.rejectedBatches++;
        this.ctx.report('rejected', { remote: this.remote, reason: 'batch not accepted by the output' });
        this.close();
        return;
      }
      this.ctx.counters.batches++;
      this.ctx.counters.events += events.length;
      for (const id of chunks) this.writeAck(id);
    }
  }

  private handlePing(ping: Parameters<typeof verifyPing>[0]): void {
    const server = {
      selfHostname: this.ctx.selfHostname,
      sharedKey: this.ctx.sharedKey ?? '',
      nonce: this.nonce as Uint8Array,
    };
    const outcome = verifyPing(ping, server);
    this.socket.write(this.encoder.encode(buildPong(outcome, server.selfHostname, pongDigest(ping, server))));
    if (outcome.ok) {
      this.state = 'established';
      return;
    }
    this.ctx.counters.authFailures++;
    this.ctx.report('auth-failure', { remote: this.remote, reason: outcome.reason });
    this.state = 'closed';
    this.frames.length = 0;
    // end() rather than destroy(): the PONG saying why must reach the client.
    this.socket.end();
  }

  private writeAck(id: string): void {
    if (this.isClosed) return;
    this.socket.write(this.json ? `${JSON.stringify({ ack: id })}\n` : this.encoder.encode({ ack: id }));
  }

  private malformed(reason: string): void {
    if (this.isClosed) return;
    this.ctx.counters.malformed++;
    this.ctx.report('malformed', { remote: this.remote, reason });
    this.close();
  }
}
