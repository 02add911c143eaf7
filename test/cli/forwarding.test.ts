import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FluentClient } from '@fluent-org/logger';
import { encode } from '@msgpack/msgpack';
import { afterEach, describe, expect, it } from 'vitest';
import { recordEncoder } from '../../src/pipeline/output-records.js';
import { RecordSinkAdapter } from '../../src/pipeline/record-sink-adapter.js';
import type { RecordSink } from '../../src/sinks/delivery-queue.js';
import { EventTime, type ForwardEvent } from '../../src/sinks/fluent-event.js';
import { freePort, startFluentPeer, startRawListener, waitFor } from '../sinks/peers.js';
import { containsSecret, KNOWN_SECRET, recordWithSecrets, SECRETS } from '../sources/scrub-events.js';
import { finished, runCli, spawnCli, stderrMatch } from './run-cli.js';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
});

/** The known value reaches the CLI through the environment, as in production. */
const SECRET_ENV = { DB_PASSWORD: KNOWN_SECRET };
const SECRET_FLAGS = ['--secrets-env', 'DB_PASSWORD'];

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'hushlog-fwd-'));
}

function jsonlInput(n: number): string {
  return Array.from(
    { length: n },
    (_, i) => `${JSON.stringify({ ...recordWithSecrets(i), svc: `svc${i % 3}`, ts: 1_700_000_000 + i })}\n`,
  ).join('');
}

function textInput(n: number): string {
  return Array.from(
    { length: n },
    (_, i) => `line ${i} login token=${SECRETS[i % SECRETS.length]} ok\n`,
  ).join('');
}

function noSecretIn(text: string): boolean {
  return !SECRETS.some((s) => text.includes(s));
}

describe('hushlog --output fluent:// | logstash:// (e2e)', () => {
  it('sends every jsonl record to a Fluentd forward server, masked, in order, with tag and time from fields', async () => {
    const peer = await startFluentPeer();
    cleanups.push(() => peer.close());
    const n = 300;
    const res = await runCli(
      [
        '--output',
        `fluent://127.0.0.1:${peer.port}`,
        '--format',
        'jsonl',
        '--tag-key',
        'svc',
        '--time-key',
        'ts',
        '--batch-bytes',
        '4k',
        '--summary',
        ...SECRET_FLAGS,
      ],
      jsonlInput(n),
      SECRET_ENV,
    );
    expect(res.stderr).toMatch(/300 records/);
    expect(res.code).toBe(0);
    expect(peer.entries).toHaveLength(n);
    expect(containsSecret(peer.entries.map((e) => e.record))).toBe(false);
    expect(peer.entries.map((e) => e.record.seq)).toEqual(Array.from({ length: n }, (_, i) => i));
    expect(peer.entries[4].tag).toBe('svc1');
    expect(peer.entries[4].record.plain).toBe('nothing here');
    expect(String(peer.entries[4].record.msg)).toMatch(
      /^login ok token=\[REDACTED:[a-z0-9.-]+\] user=alice$/,
    );
    expect(Number(peer.entries[4].time)).toBe(1_700_000_004);
    expect(res.stdout.length).toBe(0);
    expect(noSecretIn(res.stderr)).toBe(true);
  });

  it('sends text lines to Fluentd as {message} records under --tag, time now', async () => {
    const peer = await startFluentPeer();
    cleanups.push(() => peer.close());
    const before = Math.floor(Date.now() / 1000);
    const res = await runCli(
      ['--output', `fluent://127.0.0.1:${peer.port}`, '--tag', 'app.text', ...SECRET_FLAGS],
      textInput(40),
      SECRET_ENV,
    );
    expect(res.code).toBe(0);
    expect(peer.entries).toHaveLength(40);
    expect(peer.entries.every((e) => e.tag === 'app.text')).toBe(true);
    expect(peer.entries[7].record).toEqual({
      message: expect.stringMatching(/^line 7 login token=\[REDACTED:/),
    });
    expect(containsSecret(peer.entries.map((e) => e.record))).toBe(false);
    // An EventTime (never a float, which in_forward would drop).
    const time = peer.entries[0].time as { epoch: number; nano: number };
    expect(time.epoch).toBeGreaterThanOrEqual(before);
    expect(Number.isInteger(time.nano)).toBe(true);
  });

  it('sends json_lines to a Logstash tcp listener: JSON lines as they are, text lines wrapped, masked', async () => {
    // Logstash closes its side after the client's FIN: that is hushlog's proof of delivery.
    const listener = await startRawListener((socket) => socket.on('end', () => socket.end()));
    cleanups.push(() => listener.close());
    const input = `${textInput(20)}${jsonlInput(20)}`;
    const res = await runCli(
      ['--output', `logstash://127.0.0.1:${listener.port}`, ...SECRET_FLAGS],
      input,
      SECRET_ENV,
    );
    expect(res.code).toBe(0);
    const received = Buffer.concat(listener.connections.flat()).toString();
    expect(received.endsWith('\n')).toBe(true);
    const lines = received.slice(0, -1).split('\n');
    expect(lines).toHaveLength(40);
    const parsed = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(parsed[3]).toEqual({ message: expect.stringMatching(/^line 3 login token=\[REDACTED:/) });
    expect(parsed[25]).toMatchObject({ seq: 5, svc: 'svc2', plain: 'nothing here' });
    expect(noSecretIn(received)).toBe(true);
  });

  it('exits 1 and counts undelivered records when nobody confirms them', async () => {
    const port = await freePort();
    const res = await runCli(
      ['--output', `logstash://127.0.0.1:${port}`, '--delivery-timeout-ms', '300'],
      'a\nb\nc\n',
    );
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(new RegExp(`logstash://127\\.0\\.0\\.1:${port}: 3 records undelivered`));
  });

  it('refuses a wrong shared key with a one-line error and exit 1, never printing either key', async () => {
    const peer = await startFluentPeer(0, {
      security: { serverHostname: 'agg', sharedKey: 'the-right-k3y', authorize: false, userDict: {} },
    });
    cleanups.push(() => peer.close());
    const dir = tempDir();
    writeFileSync(join(dir, 'key'), 'wr0ng-shared-k3y\n');
    const res = await runCli(
      ['--output', `fluent://127.0.0.1:${peer.port}`, '--shared-key-file', join(dir, 'key')],
      'one\ntwo\n',
    );
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(new RegExp(`fluent://127\\.0\\.0\\.1:${peer.port}: authentication failed`));
    expect(res.stderr).not.toContain('wr0ng-shared-k3y');
    expect(res.stderr).not.toContain('the-right-k3y');
    expect(peer.entries).toHaveLength(0);
  });

  it('rejects --input without a network output as a usage error', async () => {
    const res = await runCli(['--input', 'forward://127.0.0.1:0']);
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/--input forward:\/\/ needs --output fluent:\/\//);
  });
});

describe('hushlog --input forward:// relay (e2e)', () => {
  it('scrubs what agents send, acks after the output took it, and exits 0 on SIGTERM', async () => {
    const peer = await startFluentPeer();
    cleanups.push(() => peer.close());
    const inPort = await freePort();
    const child = spawnCli(
      [
        '--input',
        `forward://127.0.0.1:${inPort}`,
        '--output',
        `fluent://127.0.0.1:${peer.port}`,
        ...SECRET_FLAGS,
      ],
      SECRET_ENV,
    );
    const done = finished(child);
    cleanups.push(async () => child.kill('SIGKILL'));
    await stderrMatch(child, /relaying forward:\/\/127\.0\.0\.1:\d+ -> fluent:/);
    const client = new FluentClient('agent', {
      socket: { host: '127.0.0.1', port: inPort, timeout: 30_000 },
      ack: {},
    });
    cleanups.push(() => client.disconnect());
    const n = 60;
    // Every emit resolves only on the relay's ack; the client prefixes tags with its own name.
    await Promise.all(Array.from({ length: n }, (_, i) => client.emit(`app.${i % 2}`, recordWithSecrets(i))));
    await waitFor(() => peer.entries.length === n, 5000, 'relayed records');
    expect(containsSecret(peer.entries.map((e) => e.record))).toBe(false);
    expect(new Set(peer.entries.map((e) => e.tag))).toEqual(new Set(['agent.app.0', 'agent.app.1']));
    expect(peer.entries.map((e) => e.record.seq).sort((a, b) => Number(a) - Number(b))).toEqual(
      Array.from({ length: n }, (_, i) => i),
    );
    await client.disconnect();
    child.kill('SIGTERM');
    const res = await done;
    expect(res.code).toBe(0);
    expect(noSecretIn(res.stderr)).toBe(true);
    expect(peer.entries).toHaveLength(n);
  });
});

describe('output records (unit)', () => {
  const base = { tag: 'app', maxCarryBytes: 1024 } as const;

  it('carries a line split across writes and sends it once complete', () => {
    const enc = recordEncoder({ ...base, format: 'text', target: 'fluent' });
    expect(enc.push(Buffer.from('{"a":'))).toEqual([]);
    const events = enc.push(Buffer.from('1}\npart')) as ForwardEvent[];
    expect(events.map((e) => e.record)).toEqual([{ a: 1 }]);
    expect((enc.end() as ForwardEvent[]).map((e) => e.record)).toEqual([{ message: 'part' }]);
  });

  it('cuts a carried line at the bound so memory stays bounded', () => {
    const enc = recordEncoder({ ...base, format: 'text', target: 'logstash', maxCarryBytes: 8 });
    expect(Buffer.from(enc.push(Buffer.from('0123456789')) as Uint8Array).toString()).toBe(
      '{"message":"0123456789"}\n',
    );
  });

  it('splits JSON documents and top-level arrays into records, re-serialised on one line for Logstash', () => {
    const enc = recordEncoder({ ...base, format: 'json', target: 'logstash' });
    const out = [
      enc.push(Buffer.from('[{"a":\n 1}, [2,3] ,')),
      enc.push(Buffer.from('"s"]\n{"b":2}\n7')),
      enc.end(),
    ];
    expect(Buffer.concat(out.map((o) => Buffer.from(o as Uint8Array))).toString()).toBe(
      '{"a":1}\n{"message":"[2,3]"}\n{"message":"s"}\n{"b":2}\n{"message":"7"}\n',
    );
  });

  it('decodes msgpack maps (64-bit integers kept) and takes EventTime or integer times from --time-key', () => {
    const enc = recordEncoder({ ...base, format: 'msgpack', target: 'fluent', timeKey: 't' });
    const bytes = Buffer.concat([
      encode({ t: 1_600_000_000, big: 2n ** 60n }, { useBigInt64: true }),
      encode({ t: 'nope' }),
    ]);
    const a = enc.push(bytes.subarray(0, 5)) as ForwardEvent[];
    const b = enc.push(bytes.subarray(5)) as ForwardEvent[];
    expect(a).toEqual([]);
    expect(b.map((e) => e.record.big)).toEqual([2n ** 60n, undefined]);
    expect(b[0].time).toBe(1_600_000_000);
    expect(b[1].time).toBeInstanceOf(EventTime);
  });

  it('calls done only once the record sink accepted the records, and fails on a refused write', async () => {
    let accept: () => void = () => {};
    const writes: unknown[] = [];
    const sink = {
      destination: 'fluent://peer:1',
      write: (data: unknown) => {
        writes.push(data);
        return writes.length === 1
          ? new Promise<void>((r) => (accept = r))
          : Promise.reject(new Error('refused'));
      },
      on: () => sink,
    } as unknown as RecordSink;
    const adapter = new RecordSinkAdapter(sink, (format) =>
      recordEncoder({ ...base, format, target: 'fluent' }),
    );
    let done = 0;
    adapter.write(Buffer.from('a\n'), () => done++);
    await new Promise((r) => setTimeout(r, 20));
    expect(done).toBe(0);
    accept();
    await adapter.flush();
    expect(done).toBe(1);
    const failures: string[] = [];
    adapter.onFailure((f) => failures.push(f.kind));
    adapter.write(Buffer.from('b\n'), () => done++);
    await adapter.flush();
    expect(done).toBe(2);
    expect(failures).toEqual(['error']);
    expect(adapter.failedBecause).toMatch(/^fluent:\/\/peer:1: /);
  });
});
