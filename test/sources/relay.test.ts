import { FluentClient } from '@fluent-org/logger';
import { afterEach, describe, expect, it } from 'vitest';
import { FluentForwardSink } from '../../src/sinks/fluent-forward-client.js';
import { ForwardServer } from '../../src/sources/forward-server.js';
import { freePort, type Peer, startFluentPeer, waitFor } from '../sinks/peers.js';
import { containsSecret, eventScrubber, recordWithSecrets } from './scrub-events.js';

/**
 * The scrubbing relay: a FluentClient (agent) -> ForwardServer -> scrub -> FluentForwardSink ->
 * FluentServer (aggregator). Both ends are the third-party implementation.
 */

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
});

async function relay(outputPort: number, queue = {}) {
  const scrub = await eventScrubber();
  const sink = new FluentForwardSink({
    host: '127.0.0.1',
    port: outputPort,
    selfHostname: 'relay',
    maxChunkBytes: 16 * 1024,
    backoff: { initialMs: 20, maxMs: 100 },
    queue,
  });
  sink.on('error', () => {});
  const server = new ForwardServer({
    port: 0,
    selfHostname: 'relay-in',
    onBatch: (batch) => sink.write(scrub(batch.events)),
  });
  const { port } = await server.listen();
  const stop = async () => {
    await server.close({ timeoutMs: 1000 });
    return sink.close({ timeoutMs: 5000 });
  };
  cleanups.push(stop);
  return { port, sink, server, stop };
}

function agent(port: number) {
  const c = new FluentClient('agent', {
    // The relay acks a chunk only once all its records are scrubbed and queued: the 2000 records
    // here arrive as one ~320 KB chunk, ~0.4 s of scrubbing idle and several seconds on a loaded
    // machine. FluentClient's default 3 s socket idle timeout would end the connection while that
    // ack is outstanding and then drop the ack as "unexpected" (its ack timeout fires later).
    // Real agents wait for acks up to their ack timeout; keep the idle timeout above ackTimeout.
    socket: { host: '127.0.0.1', port, disableReconnect: true, timeout: 30_000 },
    eventMode: 'PackedForward',
    ack: { ackTimeout: 20_000 },
    milliseconds: true,
  });
  c.connect().catch(() => undefined);
  cleanups.push(() => c.disconnect());
  return c;
}

async function peer(port = 0): Promise<Peer> {
  const p = await startFluentPeer(port);
  cleanups.push(() => p.close());
  return p;
}

describe('forward -> hushlog -> forward relay', () => {
  it('relays every record with its secrets masked; counts match', async () => {
    const aggregator = await peer();
    const r = await relay(aggregator.port);
    const c = agent(r.port);
    const total = 2000;
    const acks: Promise<void>[] = [];
    for (let i = 0; i < total; i++) acks.push(c.emit('app', recordWithSecrets(i)));
    await Promise.all(acks);
    const result = await r.stop();
    expect(result.undelivered).toBe(0);
    const seqs = aggregator.entries.map((e) => e.record.seq as number);
    expect(new Set(seqs).size).toBe(total);
    expect(aggregator.entries.every((e) => e.tag === 'agent.app')).toBe(true);
    expect(aggregator.entries.some((e) => containsSecret(e.record))).toBe(false);
    expect(String(aggregator.entries[0].record.msg)).toMatch(/token=\[REDACTED:[a-z0-9.-]+\] user=alice/);
    expect(aggregator.entries[0].record.plain).toBe('nothing here');
    expect(r.server.counters).toMatchObject({ events: total, malformed: 0, rejectedBatches: 0 });
  });

  it('acks upstream only what the output queue accepted: a dead aggregator holds the agent back until it returns', async () => {
    const port = await freePort();
    const r = await relay(port, { maxBytes: 8 * 1024 });
    const c = agent(r.port);
    let acked = 0;
    const acks: Promise<void>[] = [];
    for (let i = 0; i < 400; i++) {
      acks.push(
        c.emit('app', recordWithSecrets(i)).then(() => {
          acked++;
        }),
      );
    }
    await new Promise((res) => setTimeout(res, 500));
    expect(acked).toBeLessThan(400);
    expect(r.sink.stats().pendingBytes).toBeLessThanOrEqual(8 * 1024 + 16 * 1024);
    const aggregator = await peer(port);
    await Promise.all(acks);
    await waitFor(
      () => new Set(aggregator.entries.map((e) => e.record.seq)).size === 400,
      10_000,
      'all records at the aggregator',
    );
    expect(aggregator.entries.some((e) => containsSecret(e.record))).toBe(false);
    expect((await r.stop()).undelivered).toBe(0);
  });
});
