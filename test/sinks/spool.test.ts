import { mkdtemp, readdir, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HushlogConfigError } from '../../src/errors.js';
import type { OutboxEntry } from '../../src/sinks/delivery-queue.js';
import { SpoolOutbox } from '../../src/sinks/spool.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hushlog-spool-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const parcel = (text: string, records = 1, key?: string) => ({ data: Buffer.from(text), records, key });

async function drain(spool: SpoolOutbox): Promise<Array<{ entry: OutboxEntry; text: string }>> {
  const out = [];
  for (let e = spool.takeUnsent(); e; e = spool.takeUnsent())
    out.push({ entry: e, text: Buffer.from(await spool.load(e)).toString() });
  return out;
}

describe('SpoolOutbox', () => {
  it('keeps unconfirmed parcels across a clean restart, in order, with their keys', async () => {
    const a = await SpoolOutbox.open({ dir });
    await a.put(parcel('one', 1, 'k1'));
    await a.put(parcel('two', 2, 'k2'));
    await a.put(parcel('three', 3));
    const sent = await drain(a);
    await a.settle(sent[0].entry);
    await a.dispose();

    const b = await SpoolOutbox.open({ dir });
    expect(b.recovery).toEqual({ parcels: 2, records: 5, discardedBytes: 0 });
    const again = await drain(b);
    expect(again.map((x) => [x.text, x.entry.key, x.entry.records])).toEqual([
      ['two', 'k2', 2],
      ['three', undefined, 3],
    ]);
    for (const x of again) await b.settle(x.entry);
    expect(b.pending().records).toBe(0);
    await b.dispose();
    expect((await readdir(dir)).filter((n) => n.endsWith('.spool'))).toEqual([]);
  });

  it('deletes a segment once all its parcels are confirmed', async () => {
    const s = await SpoolOutbox.open({ dir, maxBytes: 64 * 1024, segmentBytes: 4096 });
    for (let i = 0; i < 6; i++) await s.put(parcel(`parcel-${i}-${'x'.repeat(3000)}`));
    const segments = async () => (await readdir(dir)).filter((n) => n.endsWith('.spool')).length;
    expect(await segments()).toBeGreaterThan(2);
    for (const x of await drain(s)) await s.settle(x.entry);
    expect(await segments()).toBe(0);
    expect(s.pending()).toEqual({ parcels: 0, records: 0, bytes: 0 });
    await s.dispose();
  });

  it('after a crash, resends the confirmed parcels of a partly confirmed segment (duplicates, no loss)', async () => {
    const s = await SpoolOutbox.open({ dir });
    await s.put(parcel('first'));
    await s.put(parcel('second'));
    const [x] = await drain(s);
    await s.settle(x.entry);
    // No dispose(): the process died. The lock names our own pid, which open() accepts.
    const r = await SpoolOutbox.open({ dir });
    expect((await drain(r)).map((y) => y.text)).toEqual(['first', 'second']);
    await r.dispose();
  });

  it('recovers up to a torn frame left by a crash', async () => {
    const s = await SpoolOutbox.open({ dir });
    await s.put(parcel('complete'));
    await s.put(parcel('torn-by-crash'));
    await s.dispose();
    const [seg] = (await readdir(dir)).filter((n) => n.endsWith('.spool'));
    const size = (await readFile(join(dir, seg))).length;
    await truncate(join(dir, seg), size - 4);
    const r = await SpoolOutbox.open({ dir });
    expect(r.recovery.parcels).toBe(1);
    expect(r.recovery.discardedBytes).toBeGreaterThan(0);
    expect((await drain(r)).map((x) => x.text)).toEqual(['complete']);
    await r.dispose();
  });

  it('back-pressures when full and resumes after confirmation', async () => {
    const s = await SpoolOutbox.open({ dir, maxBytes: 16 * 1024, segmentBytes: 4096 });
    const big = 'y'.repeat(3000);
    let accepted = 0;
    const writer = (async () => {
      for (let i = 0; i < 10; i++) {
        await s.put(parcel(big));
        accepted++;
      }
    })();
    await new Promise((r) => setTimeout(r, 50));
    expect(accepted).toBeLessThan(10);
    expect(s.pending().bytes).toBeLessThanOrEqual(16 * 1024);
    while (accepted < 10) {
      const e = s.takeUnsent();
      if (e) await s.settle(e);
      else await new Promise((r) => setTimeout(r, 5));
    }
    await writer;
    await s.dispose();
  });

  it('refuses a directory locked by a live process and takes over a stale lock', async () => {
    const s = await SpoolOutbox.open({ dir });
    await writeFile(join(dir, 'LOCK'), '1\n'); // pid 1 is always alive
    await expect(SpoolOutbox.open({ dir })).rejects.toBeInstanceOf(HushlogConfigError);
    await writeFile(join(dir, 'LOCK'), '999999999\n');
    const t = await SpoolOutbox.open({ dir });
    await t.dispose();
    await s.dispose();
  });
});
