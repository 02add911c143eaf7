import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LineBoundaries } from '../../src/formats/format-plan.js';
import { BufferPool } from '../../src/pipeline/buffer-pool.js';
import { type FramedUnit, Framer } from '../../src/pipeline/framer.js';
import { concat } from './scrub-helpers.js';

function framer(batchBytes: number, maxRecordBytes: number, holdMs = 100): Framer {
  const pool = new BufferPool(batchBytes, (n) => new Uint8Array(n), 8);
  return new Framer(
    { batchBytes, maxRecordBytes, holdMs, finder: new LineBoundaries(), lineBased: true },
    pool,
  );
}

/** Feeds `input` in chunks of the given sizes, then ends; returns every unit in order. */
function frame(f: Framer, input: Buffer, cuts: number[], flushEvery = 0): FramedUnit[] {
  const units: FramedUnit[] = [];
  let pos = 0;
  let i = 0;
  let now = 0;
  while (pos < input.length) {
    const size = Math.max(1, cuts[i++ % cuts.length] ?? input.length);
    units.push(...f.push(input.subarray(pos, pos + size), now));
    pos += size;
    now += 1;
    if (flushEvery > 0 && i % flushEvery === 0) units.push(...f.flush(now));
  }
  units.push(...f.end());
  return units;
}

const line = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ minLength: 60, maxLength: 300 }),
  fc.constant(''),
);

describe('Framer', () => {
  it('cuts only at record boundaries and loses or reorders nothing, however the input is chunked', () => {
    fc.assert(
      fc.property(
        fc.array(line, { maxLength: 60 }),
        fc.boolean(),
        fc.array(fc.integer({ min: 1, max: 700 }), { minLength: 1, maxLength: 10 }),
        fc.integer({ min: 0, max: 3 }),
        (lines, trailingNewline, cuts, flushEvery) => {
          const text = lines.join('\n') + (trailingNewline && lines.length > 0 ? '\n' : '');
          const input = Buffer.from(text);
          const units = frame(framer(128, 512), input, cuts, flushEvery);
          const batches = units.filter((u) => u.kind === 'batch');
          const longParts = units.filter((u) => u.kind === 'long-part');
          expect(concat(units.map((u) => u.bytes)).equals(input)).toBe(true);
          // Only the input's final record may lack its newline, so only the last unit may.
          for (const u of units.slice(0, -1)) expect(u.bytes[u.bytes.length - 1]).toBe(0x0a);
          for (const b of batches) {
            const firstNl = b.bytes.indexOf(0x0a);
            // Larger than a batch only when it is a single record.
            if (b.bytes.length > 128) expect(firstNl === -1 || firstNl === b.bytes.length - 1).toBe(true);
          }
          // Records up to 300 bytes are below maxRecordBytes: never windowed.
          expect(longParts).toHaveLength(0);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('loses nothing when every batch goes back to the pool as soon as it is read (buffers reused, views shifted)', () => {
    fc.assert(
      fc.property(
        fc.array(line, { maxLength: 80 }),
        fc.array(fc.integer({ min: 1, max: 700 }), { minLength: 1, maxLength: 10 }),
        fc.integer({ min: 0, max: 3 }),
        (lines, cuts, flushEvery) => {
          const input = Buffer.from(lines.map((l) => `${l}\n`).join(''));
          // Shared memory, as with workers; a small free list so buffers come back around.
          const pool = new BufferPool(128, (n) => new Uint8Array(new SharedArrayBuffer(n)), 2);
          const f = new Framer(
            {
              batchBytes: 128,
              maxRecordBytes: 512,
              holdMs: 100,
              finder: new LineBoundaries(),
              lineBased: true,
            },
            pool,
          );
          const seen: Buffer[] = [];
          const take = (units: FramedUnit[]) => {
            for (const u of units) {
              seen.push(Buffer.from(u.bytes));
              if (u.kind === 'batch') pool.give(u.bytes);
            }
          };
          let pos = 0;
          for (let i = 0, now = 0; pos < input.length; i++, now++) {
            const size = Math.max(1, cuts[i % cuts.length]);
            take(f.push(input.subarray(pos, pos + size), now));
            pos += size;
            if (flushEvery > 0 && i % flushEvery === 0) take(f.flush(now));
          }
          take(f.end());
          expect(Buffer.concat(seen).equals(input)).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('streams a record longer than maxRecordBytes as ordered long parts ending with the newline', () => {
    const record = Buffer.alloc(5000, 'a');
    const input = Buffer.concat([Buffer.from('before\n'), record, Buffer.from('\nafter\n')]);
    const units = frame(framer(256, 1024), input, [100, 333, 7]);
    expect(concat(units.map((u) => u.bytes)).equals(input)).toBe(true);
    const parts = units.filter((u) => u.kind === 'long-part');
    expect(parts.length).toBeGreaterThan(1);
    expect(parts.filter((p) => p.kind === 'long-part' && p.final)).toHaveLength(1);
    const final = parts[parts.length - 1];
    expect(final.kind === 'long-part' && final.final).toBe(true);
    expect(final.bytes[final.bytes.length - 1]).toBe(0x0a);
    expect(concat(parts.map((p) => p.bytes)).toString()).toBe(`${record.toString()}\n`);
  });

  it('sends a record between batchBytes and maxRecordBytes whole, as one batch', () => {
    const record = `${'b'.repeat(700)}\n`;
    const units = frame(framer(256, 4096), Buffer.from(`x\n${record}y\n`), [50]);
    expect(units.every((u) => u.kind === 'batch')).toBe(true);
    expect(units.some((u) => Buffer.from(u.bytes).toString() === record)).toBe(true);
  });

  it('flush() sends complete records and keeps the partial last one', () => {
    const f = framer(1024, 4096);
    expect(f.push(Buffer.from('one\ntwo\npar'), 0)).toEqual([]);
    const flushed = f.flush(1);
    expect(flushed.map((u) => Buffer.from(u.bytes).toString())).toEqual(['one\ntwo\n']);
    expect(f.pending).toBe(3);
    f.push(Buffer.from('tial\n'), 2);
    expect(f.flush(3).map((u) => Buffer.from(u.bytes).toString())).toEqual(['partial\n']);
    expect(f.end()).toEqual([]);
  });

  it('never cuts a batch between the BEGIN and END lines of a PEM block that fits a batch', () => {
    const block = [
      '-----BEGIN PRIVATE KEY-----',
      ...Array.from({ length: 5 }, () => 'A'.repeat(64)),
      '-----END PRIVATE KEY-----',
    ]
      .map((l) => `${l}\n`)
      .join('');
    for (let prefix = 0; prefix < 300; prefix += 17) {
      const input = Buffer.from(`${'x'.repeat(prefix)}\n${block}tail\n`);
      const units = frame(framer(512, 4096), input, [61]);
      const holding = units.find((u) => Buffer.from(u.bytes).includes('-----BEGIN'));
      expect(holding && Buffer.from(holding.bytes).includes('-----END')).toBe(true);
    }
  });

  it('holds an open PEM block on timer flushes for at most holdMs', () => {
    const f = framer(4096, 8192, 100);
    f.push(Buffer.from('a\n-----BEGIN PRIVATE KEY-----\nAAAA\n'), 0);
    expect(f.flush(10).map((u) => Buffer.from(u.bytes).toString())).toEqual(['a\n']);
    expect(f.holding).toBe(true);
    expect(f.flush(50)).toEqual([]);
    const released = f.flush(150).map((u) => Buffer.from(u.bytes).toString());
    expect(released).toEqual(['-----BEGIN PRIVATE KEY-----\nAAAA\n']);
    expect(f.holding).toBe(false);
  });
});
