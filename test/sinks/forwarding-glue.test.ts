import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { FluentClient } from '@fluent-org/logger';
import { afterEach, describe, expect, it } from 'vitest';
import {
  finishDelivery,
  linesToEvents,
  openRecordSink,
  readSharedKey,
  startForwardRelay,
} from '../../src/cli/forwarding.js';
import { HushlogConfigError } from '../../src/errors.js';
import { containsSecret, recordWithSecrets, scrubContext } from '../sources/scrub-events.js';
import { freePort, startFluentPeer, waitFor } from './peers.js';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'hushlog-glue-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

describe('CLI forwarding glue', () => {
  it('reads a shared key file without its newline and refuses missing or empty ones without echoing content', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'key'), 'shared-s3cret\n');
    expect(await readSharedKey(join(dir, 'key'))).toBe('shared-s3cret');
    await writeFile(join(dir, 'empty'), '\n');
    await expect(readSharedKey(join(dir, 'empty'))).rejects.toThrow(/empty/);
    await expect(readSharedKey(join(dir, 'missing'))).rejects.toBeInstanceOf(HushlogConfigError);
    await expect(
      openRecordSink({ output: 'logstash://h:1', sharedKeyFile: join(dir, 'key') }),
    ).rejects.toThrow(/fluent:\/\/ outputs only/);
  });

  it('turns output lines into events: JSON objects as records, other lines as messages, tag from a field', () => {
    const events = linesToEvents(Buffer.from('{"svc":"api","m":1}\nplain text line\n[1,2]\n\n'), {
      tag: 'app',
      tagKey: 'svc',
    });
    expect(events.map((e) => [e.tag, e.record])).toEqual([
      ['api', { svc: 'api', m: 1 }],
      ['app', { message: 'plain text line' }],
      ['app', { message: '[1,2]' }],
    ]);
  });

  it('runs the relay end to end and reports undelivered records with a non-zero code', async () => {
    const peer = await startFluentPeer();
    cleanups.push(() => peer.close());
    const sink = await openRecordSink({ output: `fluent://127.0.0.1:${peer.port}` });
    let findings = 0;
    const relayPort = await freePort();
    const server = await startForwardRelay({
      input: `forward://127.0.0.1:${relayPort}`,
      scrub: await scrubContext(),
      sink,
      onScrubbed: (n) => {
        findings += n;
      },
    });
    cleanups.push(() => server.close());
    const client = new FluentClient('agent', {
      socket: { host: '127.0.0.1', port: relayPort, timeout: 30_000 },
      ack: {},
    });
    cleanups.push(() => client.disconnect());
    await Promise.all(Array.from({ length: 20 }, (_, i) => client.emit('app', recordWithSecrets(i))));
    await waitFor(() => peer.entries.length === 20, 5000, 'relayed records');
    expect(containsSecret(peer.entries.map((e) => e.record))).toBe(false);
    expect(findings).toBeGreaterThanOrEqual(20);
    const stderr = new PassThrough();
    expect(await finishDelivery(sink, 2000, stderr)).toBe(0);

    const dead = await openRecordSink({ output: `logstash://127.0.0.1:${await freePort()}` });
    await dead.write(Buffer.from('{"a":1}\n{"a":2}\n'));
    const err = new PassThrough();
    expect(await finishDelivery(dead, 200, err)).toBe(1);
    expect(String(err.read())).toMatch(/^hushlog: logstash:\/\/127\.0\.0\.1:\d+: 2 records undelivered/);
  });
});
