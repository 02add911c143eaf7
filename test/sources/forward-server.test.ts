import dgram from 'node:dgram';
import net from 'node:net';
import { FluentClient, EventTime as PeerEventTime } from '@fluent-org/logger';
import { afterEach, describe, expect, it } from 'vitest';
import { createForwardDecoder, createForwardEncoder } from '../../src/sinks/fluent-codec.js';
import { EventTime } from '../../src/sinks/fluent-event.js';
import {
  type ForwardBatch,
  ForwardServer,
  type ForwardServerOptions,
} from '../../src/sources/forward-server.js';
import { selfSignedCert, waitFor } from '../sinks/peers.js';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
});

async function server(opts: Partial<ForwardServerOptions> = {}) {
  const batches: ForwardBatch[] = [];
  const malformed: Array<{ remote: string; reason: string }> = [];
  const s = new ForwardServer({
    port: 0,
    selfHostname: 'relay-under-test',
    onBatch: async (b) => {
      batches.push(b);
    },
    ...opts,
  });
  s.on('malformed', (m) => malformed.push(m));
  const { port } = await s.listen();
  cleanups.push(() => s.close({ timeoutMs: 200 }));
  const events = () => batches.flatMap((b) => b.events);
  return { server: s, port, batches, events, malformed };
}

/** A FluentClient, connected explicitly (disableReconnect also disables its autoconnect). */
function client(port: number, opts: ConstructorParameters<typeof FluentClient>[1] = {}) {
  const c = new FluentClient('src', {
    socket: { host: '127.0.0.1', port, disableReconnect: true, timeout: 30_000 },
    ack: { ackTimeout: 3000 },
    milliseconds: true,
    ...opts,
  });
  c.connect().catch(() => undefined);
  cleanups.push(() => c.disconnect());
  return c;
}

/** A raw connection collecting what the server answers. */
async function rawConnection(port: number) {
  const socket = net.connect(port, '127.0.0.1');
  const received: Buffer[] = [];
  socket.on('data', (d) => received.push(d));
  socket.on('error', () => {});
  const closed = new Promise<void>((r) => socket.once('close', () => r()));
  await new Promise<void>((r) => socket.once('connect', () => r()));
  cleanups.push(async () => socket.destroy());
  const answers = () => [...createForwardDecoder().decodeMulti(Buffer.concat(received))];
  return { socket, received, closed, answers };
}

const enc = (v: unknown) => Buffer.from(createForwardEncoder().encode(v));

describe('ForwardServer with @fluent-org/logger FluentClient', () => {
  for (const eventMode of ['Message', 'Forward', 'PackedForward', 'CompressedPackedForward'] as const) {
    it(`receives ${eventMode} mode and acks it`, async () => {
      const { port, events } = await server();
      const c = client(port, { eventMode });
      const sent = Array.from({ length: 50 }, (_, i) =>
        c.emit('app', { seq: i, text: `line ${i}` }, new PeerEventTime(1700000000 + i, i * 1000)),
      );
      await Promise.all(sent); // resolve only once acked
      expect(events().map((e) => e.record.seq)).toEqual(Array.from({ length: 50 }, (_, i) => i));
      const e3 = events()[3];
      expect({ tag: e3.tag, time: e3.time, record: e3.record }).toEqual({
        tag: 'src.app',
        time: new EventTime(1700000003, 3000),
        record: { seq: 3, text: 'line 3' },
      });
    });
  }

  it('authenticates clients with the shared key and refuses a wrong one', async () => {
    const { server: s, port, events } = await server({ sharedKey: 'relay-key' });
    const good = client(port, { security: { clientHostname: 'agent-1', sharedKey: 'relay-key' } });
    await good.emit('app', { ok: true });
    expect(events()).toHaveLength(1);

    const bad = client(port, {
      security: { clientHostname: 'agent-2', sharedKey: 'not-the-key' },
      ack: { ackTimeout: 500 },
    });
    const errors: Error[] = [];
    bad.socketOn('error', (e: Error) => errors.push(e));
    // The client keeps its event queued after a fatal auth error: its promise never settles.
    bad.emit('app', { ok: false }).catch(() => undefined);
    await waitFor(
      () => s.counters.authFailures === 1 && errors.length > 0,
      3000,
      'auth failure on both sides',
    );
    expect(errors[0].message).toMatch(/shared_key mismatch/);
    expect(events()).toHaveLength(1);
  });

  it('connects over TLS', async () => {
    const { key, cert } = selfSignedCert();
    const { port, events } = await server({ tls: { key, cert } });
    const c = client(port, {
      socket: { host: '127.0.0.1', port, disableReconnect: true, tls: { ca: cert }, timeout: 30_000 },
    });
    await c.emit('app', { over: 'tls' });
    expect(events()[0].record).toEqual({ over: 'tls' });
  });
});

describe('ForwardServer acks and bad input', () => {
  it('acks only after the handler resolves, and not at all when it rejects', async () => {
    let release: (() => void) | undefined;
    let fail = false;
    const { server: s, port } = await server({
      onBatch: () => {
        if (fail) return Promise.reject(new Error('output full'));
        return new Promise<void>((r) => {
          release = r;
        });
      },
    });
    const conn = await rawConnection(port);
    conn.socket.write(enc(['app', 1700000000, { a: 1 }, { chunk: 'chunk-1' }]));
    await waitFor(() => release !== undefined, 3000, 'handler call');
    await new Promise((r) => setTimeout(r, 100));
    expect(conn.received).toHaveLength(0);
    release?.();
    await waitFor(() => conn.received.length > 0, 3000, 'ack');
    expect(conn.answers()).toEqual([{ ack: 'chunk-1' }]);

    fail = true;
    conn.socket.write(enc(['app', 1700000001, { a: 2 }, { chunk: 'chunk-2' }]));
    await conn.closed;
    expect(conn.answers()).toEqual([{ ack: 'chunk-1' }]);
    expect(s.counters.rejectedBatches).toBe(1);
  });

  it('acks Fluentd-style str32 PackedForward chunks', async () => {
    const { port, events } = await server();
    const packed = Buffer.concat([
      enc([new EventTime(1700000000, 1), { a: 'x' }]),
      enc([1700000001, { a: 'y' }]),
    ]);
    const head = Buffer.alloc(5);
    head[0] = 0xdb;
    head.writeUInt32BE(packed.length, 1);
    const conn = await rawConnection(port);
    conn.socket.write(
      Buffer.concat([Buffer.from([0x93]), enc('fluentd.tag'), head, packed, enc({ size: 2, chunk: 'fd-1' })]),
    );
    await waitFor(() => conn.received.length > 0, 3000, 'ack');
    expect(conn.answers()).toEqual([{ ack: 'fd-1' }]);
    expect(events().map((e) => e.record.a)).toEqual(['x', 'y']);
  });

  it('takes the JSON fallback and answers acks in JSON', async () => {
    const { port, events } = await server();
    const conn = await rawConnection(port);
    conn.socket.write(
      '["web", 1700000000, {"m": "one"}]\n["web", [[1700000001.5, {"m": "two"}]], {"chunk": "j-1"}]',
    );
    await waitFor(() => conn.received.length > 0, 3000, 'JSON ack');
    expect(JSON.parse(Buffer.concat(conn.received).toString())).toEqual({ ack: 'j-1' });
    expect(events().map((e) => e.record.m)).toEqual(['one', 'two']);
    expect(events()[1].time).toEqual(new EventTime(1700000001, 500_000_000));
  });

  it('closes and counts a connection sending malformed input; other connections carry on', async () => {
    const { server: s, port, events, malformed } = await server();
    const c = client(port, { eventMode: 'PackedForward' });
    await c.emit('app', { seq: 0 });
    const bad = await rawConnection(port);
    bad.socket.write(Buffer.from([0x93, 0xa3, 0x61, 0x62, 0x63, 0xc1, 0xc1]));
    await bad.closed;
    const junk = await rawConnection(port);
    junk.socket.write('GET / HTTP/1.1\r\n\r\n');
    await junk.closed;
    await c.emit('app', { seq: 1 });
    expect(s.counters.malformed).toBe(2);
    expect(malformed.map((m) => m.reason)).toEqual([
      'invalid msgpack type byte 0xc1',
      'message is not an array',
    ]);
    expect(events().map((e) => e.record.seq)).toEqual([0, 1]);
  });

  it('refuses a message larger than the limit at its header', async () => {
    const { server: s, port } = await server({ maxFrameBytes: 1024 });
    const conn = await rawConnection(port);
    conn.socket.write(Buffer.from([0x93, 0xa1, 0x74, 0xc6, 0x10, 0, 0, 0]));
    await conn.closed;
    expect(s.counters.malformed).toBe(1);
  });

  it('answers the UDP heartbeat on the same port', async () => {
    const { port } = await server();
    const udp = dgram.createSocket('udp4');
    cleanups.push(async () => udp.close());
    const reply = new Promise<Buffer>((r) => udp.once('message', (m) => r(m)));
    udp.send(Buffer.from([0]), port, '127.0.0.1');
    expect(await reply).toEqual(Buffer.from([0]));
  });

  it('lets a batch in progress finish and ack on close', async () => {
    let release: (() => void) | undefined;
    const { server: s, port } = await server({
      onBatch: () =>
        new Promise<void>((r) => {
          release = r;
        }),
    });
    const conn = await rawConnection(port);
    conn.socket.write(enc(['app', 1700000000, { a: 1 }, { chunk: 'last' }]));
    await waitFor(() => release !== undefined, 3000, 'handler call');
    const closing = s.close({ timeoutMs: 3000 });
    setTimeout(() => release?.(), 50);
    await closing;
    await conn.closed;
    expect(conn.answers()).toEqual([{ ack: 'last' }]);
  });
});
