import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventTime as PeerEventTime } from '@fluent-org/logger';
import { afterEach, describe, expect, it } from 'vitest';
import type { DeliveryError } from '../../src/sinks/delivery-queue.js';
import { EventTime, type ForwardEvent } from '../../src/sinks/fluent-event.js';
import { type FluentForwardOptions, FluentForwardSink } from '../../src/sinks/fluent-forward-client.js';
import { SpoolOutbox } from '../../src/sinks/spool.js';
import { freePort, type Peer, selfSignedCert, startFluentPeer, startRawListener, waitFor } from './peers.js';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
});

function sink(opts: FluentForwardOptions): {
  sink: FluentForwardSink;
  warnings: string[];
  errors: DeliveryError[];
} {
  const s = new FluentForwardSink({
    backoff: { initialMs: 20, maxMs: 200 },
    selfHostname: 'hushlog-test',
    ...opts,
  });
  const warnings: string[] = [];
  const errors: DeliveryError[] = [];
  s.on('warning', (m) => warnings.push(m));
  s.on('error', (e) => errors.push(e));
  cleanups.push(() => s.close({ timeoutMs: 100 }));
  return { sink: s, warnings, errors };
}

const batch = (from: number, n: number, tag = 'app.test'): ForwardEvent[] =>
  Array.from({ length: n }, (_, i) => ({
    tag,
    time: new EventTime(1700000000 + from + i, (from + i) % 1_000_000_000),
    record: { seq: from + i, msg: `event ${from + i}` },
  }));

async function peer(port = 0, opts = {}): Promise<Peer> {
  const p = await startFluentPeer(port, opts);
  cleanups.push(() => p.close());
  return p;
}

describe('FluentForwardSink against @fluent-org/logger FluentServer', () => {
  it('delivers PackedForward chunks with EventTime intact and everything acked', async () => {
    const p = await peer();
    const { sink: s } = sink({ host: '127.0.0.1', port: p.port, maxChunkBytes: 4096 });
    for (let i = 0; i < 1000; i += 100) await s.write(batch(i, 100));
    const result = await s.close({ timeoutMs: 5000 });
    expect(result).toEqual({ undelivered: 0, spooled: 0 });
    expect(p.entries).toHaveLength(1000);
    expect(p.entries.map((e) => e.record.seq)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    const t = p.entries[7].time as PeerEventTime;
    expect(t).toBeInstanceOf(PeerEventTime);
    expect([t.epoch, t.nano]).toEqual([1700000007, 7]);
    expect(p.entries[0].tag).toBe('app.test');
    expect(s.stats()).toMatchObject({ acceptedRecords: 1000, deliveredRecords: 1000, pendingRecords: 0 });
  });

  it('delivers every record at least once, in order per connection, when the peer is killed and restarted mid-stream', async () => {
    const port = await freePort();
    const first = await peer(port);
    const { sink: s, warnings } = sink({ host: '127.0.0.1', port, maxChunkBytes: 2048, ackTimeoutMs: 2000 });
    const total = 3000;
    let second: Peer | undefined;
    for (let i = 0; i < total; i += 50) {
      await s.write(batch(i, 50));
      if (i === 1000) {
        await first.close();
        setTimeout(async () => {
          second = await peer(port);
        }, 300);
      }
      if (i % 500 === 0) await new Promise((r) => setTimeout(r, 5));
    }
    const result = await s.close({ timeoutMs: 15_000 });
    expect(result.undelivered).toBe(0);
    expect(second).toBeDefined();
    const seen = new Set([...first.entries, ...(second as Peer).entries].map((e) => e.record.seq as number));
    expect(seen.size).toBe(total);
    for (const list of [first.entries, (second as Peer).entries]) {
      const seqs = list.map((e) => e.record.seq as number);
      for (let i = 1; i < seqs.length; i++) expect(seqs[i]).toBeGreaterThan(seqs[i - 1]);
    }
    expect(warnings.some((w) => w.includes('reconnecting'))).toBe(true);
    expect(s.stats().connects).toBeGreaterThanOrEqual(2);
  });

  it('authenticates with a shared key (HELO/PING/PONG)', async () => {
    const p = await peer(0, {
      security: { serverHostname: 'peer', sharedKey: 'k3y-for-test', authorize: false, userDict: {} },
    });
    const { sink: s, errors } = sink({ host: '127.0.0.1', port: p.port, sharedKey: 'k3y-for-test' });
    await s.write(batch(0, 10));
    expect(await s.close({ timeoutMs: 5000 })).toEqual({ undelivered: 0, spooled: 0 });
    expect(p.entries).toHaveLength(10);
    expect(errors).toEqual([]);
  });

  it('stops with a clear error on a wrong shared key, never echoing the key', async () => {
    const p = await peer(0, {
      security: { serverHostname: 'peer', sharedKey: 'right-key', authorize: false, userDict: {} },
    });
    const { sink: s, errors } = sink({ host: '127.0.0.1', port: p.port, sharedKey: 'wrong-key-value' });
    await s.write(batch(0, 5)).catch(() => undefined);
    await waitFor(() => errors.length > 0, 5000, 'auth error');
    expect(errors[0].code).toBe('FORWARD_AUTH_FAILED');
    expect(errors[0].message).toMatch(/authentication failed/);
    await expect(s.write(batch(5, 1))).rejects.toMatchObject({ code: 'FORWARD_AUTH_FAILED' });
    const result = await s.close({ timeoutMs: 200 });
    expect(result.undelivered).toBe(5);
    expect(result.reason).toMatch(/authentication failed/);
    for (const text of [errors[0].message, result.reason ?? '']) {
      expect(text).not.toContain('wrong-key-value');
      expect(text).not.toContain('right-key');
    }
    expect(p.entries).toHaveLength(0);
  });

  it('says the peer wants a shared key when none was given', async () => {
    const p = await peer(0, {
      security: { serverHostname: 'peer', sharedKey: 'k', authorize: false, userDict: {} },
    });
    const { sink: s, errors } = sink({ host: '127.0.0.1', port: p.port });
    await s.write(batch(0, 1)).catch(() => undefined);
    await waitFor(() => errors.length > 0, 5000, 'auth-required error');
    expect(errors[0].code).toBe('FORWARD_AUTH_REQUIRED');
    expect(errors[0].message).toMatch(/--shared-key-file/);
  });

  it('against a peer that never acks: bounded queue, back-pressure, resend after ack timeout, clear count on close', async () => {
    const listener = await startRawListener();
    cleanups.push(() => listener.close());
    const { sink: s, warnings } = sink({
      host: '127.0.0.1',
      port: listener.port,
      ackTimeoutMs: 300,
      maxChunkBytes: 1024,
      queue: { maxBytes: 16 * 1024 },
    });
    let accepted = 0;
    const writer = (async () => {
      for (let i = 0; i < 2000; i += 10) {
        await s.write(batch(i, 10));
        accepted += 10;
      }
    })();
    writer.catch(() => undefined);
    await new Promise((r) => setTimeout(r, 800));
    expect(accepted).toBeLessThan(2000);
    expect(s.stats().pendingBytes).toBeLessThanOrEqual(16 * 1024 + 1024);
    await waitFor(() => warnings.some((w) => /no ack/.test(w)), 5000, 'ack timeout warning');
    expect(listener.connections.length).toBeGreaterThanOrEqual(2);
    const result = await s.close({ timeoutMs: 300 });
    expect(result.undelivered).toBeGreaterThan(0);
    expect(result.reason).toMatch(/not confirmed by the peer within 300 ms/);
    await expect(writer).rejects.toMatchObject({ code: 'SINK_CLOSED' });
  });

  it('keeps undelivered chunks in the spool and sends them on the next start', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hushlog-fwd-spool-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const port = await freePort();
    const a = sink({ host: '127.0.0.1', port, outbox: await SpoolOutbox.open({ dir }) });
    await a.sink.write(batch(0, 40));
    const first = await a.sink.close({ timeoutMs: 200 });
    expect(first).toMatchObject({ undelivered: 40, spooled: 40 });
    expect(first.reason).toMatch(/40 kept in the spool/);

    const p = await peer(port);
    const b = sink({ host: '127.0.0.1', port, outbox: await SpoolOutbox.open({ dir }) });
    await b.sink.write(batch(40, 10));
    expect(await b.sink.close({ timeoutMs: 5000 })).toEqual({ undelivered: 0, spooled: 0 });
    expect(p.entries.map((e) => e.record.seq)).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });

  it('connects over TLS with the CA given', async () => {
    const { key, cert } = selfSignedCert();
    const p = await peer(0, { tlsOptions: { key, cert } });
    const { sink: s } = sink({ host: '127.0.0.1', port: p.port, tls: { ca: cert } });
    await s.write(batch(0, 20));
    expect(await s.close({ timeoutMs: 5000 })).toEqual({ undelivered: 0, spooled: 0 });
    expect(p.entries).toHaveLength(20);
  });
});
