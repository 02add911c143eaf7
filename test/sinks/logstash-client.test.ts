import { afterEach, describe, expect, it } from 'vitest';
import { EventTime } from '../../src/sinks/fluent-event.js';
import { type LogstashOptions, LogstashSink, splitLines } from '../../src/sinks/logstash-client.js';
import { freePort, startRawListener } from './peers.js';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
});

function sink(opts: LogstashOptions): { sink: LogstashSink; warnings: string[] } {
  const s = new LogstashSink({ backoff: { initialMs: 20, maxMs: 200 }, ...opts });
  const warnings: string[] = [];
  s.on('warning', (m) => warnings.push(m));
  s.on('error', () => {});
  cleanups.push(() => s.close({ timeoutMs: 100 }));
  return { sink: s, warnings };
}

const lines = (from: number, n: number) =>
  Buffer.from(
    Array.from({ length: n }, (_, i) => `${JSON.stringify({ seq: from + i, msg: 'x'.repeat(40) })}\n`).join(
      '',
    ),
  );

function receivedLines(connections: Buffer[][]): string[][] {
  return connections.map((c) =>
    Buffer.concat(c)
      .toString()
      .split('\n')
      .filter((l) => l.length > 0),
  );
}

describe('LogstashSink (json_lines over TCP)', () => {
  it('writes one JSON value per line, from bytes and from events, and confirms on a clean close', async () => {
    const listener = await startRawListener();
    cleanups.push(() => listener.close());
    const { sink: s } = sink({ host: '127.0.0.1', port: listener.port });
    await s.write(lines(0, 100));
    await s.write(Buffer.from('{"seq":100,"last":"no newline"}'));
    await s.write([{ tag: 'app', time: new EventTime(1700000000, 0), record: { seq: 101, id: 2n ** 63n } }]);
    expect(await s.close({ timeoutMs: 5000 })).toEqual({ undelivered: 0, spooled: 0 });
    const [got] = receivedLines(listener.connections);
    expect(got).toHaveLength(102);
    const parsed = got.map((l) => JSON.parse(l));
    expect(parsed.map((p) => p.seq)).toEqual(Array.from({ length: 102 }, (_, i) => i));
    expect(parsed[101]).toMatchObject({ tag: 'app', '@timestamp': '2023-11-14T22:13:20.000000000Z' });
    expect(got[101]).toContain('"id":9223372036854775808');
  });

  it('resends after a connection drop mid-stream without losing a line', async () => {
    let dropped = false;
    const listener = await startRawListener((socket, received) => {
      socket.on('data', () => {
        const bytes = received.reduce((n, b) => n + b.length, 0);
        if (!dropped && bytes > 20_000) {
          dropped = true;
          // Whatever this end has not processed is lost, as when Logstash dies.
          received.length = Math.max(0, received.length - 2);
          socket.destroy();
        }
      });
    });
    cleanups.push(() => listener.close());
    const { sink: s, warnings } = sink({ host: '127.0.0.1', port: listener.port, maxParcelBytes: 4096 });
    const total = 2000;
    for (let i = 0; i < total; i += 100) await s.write(lines(i, 100));
    expect((await s.close({ timeoutMs: 10_000 })).undelivered).toBe(0);
    expect(dropped).toBe(true);
    expect(listener.connections.length).toBeGreaterThanOrEqual(2);
    const all = receivedLines(listener.connections).flat();
    // Lines cut in half by the drop are not JSON; every complete one is.
    const seqs = new Set(
      all.flatMap((l) => {
        try {
          return [JSON.parse(l).seq as number];
        } catch {
          return [];
        }
      }),
    );
    expect(seqs.size).toBe(total);
    expect(warnings.some((w) => /reconnecting/.test(w))).toBe(true);
  });

  it('counts what could not be delivered when the peer is down at shutdown', async () => {
    const port = await freePort();
    const { sink: s } = sink({ host: '127.0.0.1', port });
    await s.write(lines(0, 30));
    const result = await s.close({ timeoutMs: 300 });
    expect(result.undelivered).toBe(30);
    expect(result.reason).toMatch(
      /^logstash:\/\/127\.0\.0\.1:\d+: 30 records undelivered: .*connection failed \(ECONNREFUSED\)/,
    );
  });

  it('splits bytes into parcels at line boundaries and copies them', () => {
    const input = Buffer.from('a\nbb\nccc\n');
    const parcels = splitLines(input, 1024 + 0);
    expect(parcels.map((p) => [Buffer.from(p.data).toString(), p.records])).toEqual([['a\nbb\nccc\n', 3]]);
    input.fill(0);
    expect(Buffer.from(parcels[0].data).toString()).toBe('a\nbb\nccc\n');
    const long = Buffer.from(`${'x'.repeat(1500)}\n${'y'.repeat(10)}`);
    expect(splitLines(long, 1024).map((p) => p.records)).toEqual([1, 1]);
    expect(Buffer.from(splitLines(long, 1024)[1].data).toString()).toBe(`${'y'.repeat(10)}\n`);
  });
});
