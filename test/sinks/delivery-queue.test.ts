import { describe, expect, it } from 'vitest';
import { MemoryOutbox } from '../../src/sinks/delivery-queue.js';

const parcel = (n: number, size = 10, key?: string) => ({ data: Buffer.alloc(size, n), records: 1, key });

describe('MemoryOutbox', () => {
  it('makes put() wait when full, by bytes and by records, and frees room on settle', async () => {
    const box = new MemoryOutbox({ maxBytes: 25, maxRecords: 100 });
    await box.put(parcel(1));
    await box.put(parcel(2));
    let third = false;
    const p = box.put(parcel(3)).then(() => {
      third = true;
    });
    await new Promise((r) => setTimeout(r, 10));
    expect(third).toBe(false);
    const e = box.takeUnsent();
    if (!e) throw new Error('expected an entry');
    await box.settle(e);
    await p;
    expect(third).toBe(true);
    expect(box.pending()).toEqual({ parcels: 2, records: 2, bytes: 20 });

    const byRecords = new MemoryOutbox({ maxBytes: 1 << 20, maxRecords: 2 });
    await byRecords.put(parcel(1));
    await byRecords.put(parcel(2));
    let blocked = true;
    byRecords.put(parcel(3)).then(() => {
      blocked = false;
    });
    await new Promise((r) => setTimeout(r, 10));
    expect(blocked).toBe(true);
  });

  it('takes an over-sized parcel when empty instead of waiting forever', async () => {
    const box = new MemoryOutbox({ maxBytes: 5 });
    await box.put(parcel(1, 50));
    expect(box.pending().bytes).toBe(50);
  });

  it('resends unconfirmed parcels in their order after rewind', async () => {
    const box = new MemoryOutbox();
    for (let i = 0; i < 4; i++) await box.put(parcel(i, 1, `k${i}`));
    const a = box.takeUnsent();
    const b = box.takeUnsent();
    const c = box.takeUnsent();
    if (!a || !b || !c) throw new Error('expected entries');
    await box.settle(b);
    box.rewind();
    const order: string[] = [];
    for (let e = box.takeUnsent(); e; e = box.takeUnsent()) order.push(e.key as string);
    expect(order).toEqual(['k0', 'k2', 'k3']);
  });

  it('wakes a waiting sender, resolves whenEmpty, and fails waiting puts on abort', async () => {
    const box = new MemoryOutbox({ maxBytes: 10 });
    const woke = box.whenUnsent();
    await box.put(parcel(1));
    await woke;
    const blocked = box.put(parcel(2));
    const empty = box.whenEmpty();
    const e = box.takeUnsent();
    if (!e) throw new Error('expected an entry');
    box.abort(new Error('closing'));
    await expect(blocked).rejects.toThrow('closing');
    await box.settle(e);
    await empty;
    await expect(box.put(parcel(3))).rejects.toThrow('closing');
  });
});

describe('Backoff', () => {
  it('grows exponentially with jitter up to the ceiling and resets', async () => {
    const { Backoff } = await import('../../src/sinks/delivery-backoff.js');
    const low = new Backoff({ initialMs: 100, maxMs: 1000 }, () => 0);
    expect([low.next(), low.next(), low.next(), low.next(), low.next()]).toEqual([80, 160, 320, 640, 800]);
    const high = new Backoff({ initialMs: 100, maxMs: 1000 }, () => 1);
    expect([high.next(), high.next(), high.next(), high.next(), high.next()]).toEqual([
      120, 240, 480, 960, 1000,
    ]);
    high.reset();
    expect(high.next()).toBe(120);
  });
});
