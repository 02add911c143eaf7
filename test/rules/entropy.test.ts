import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { shannonEntropy } from '../../src/rules/entropy.js';

/** Straightforward reference: -sum(p log2 p) over a Map of counts. */
function reference(bytes: Uint8Array): number {
  if (bytes.length === 0) return 0;
  const counts = new Map<number, number>();
  for (const b of bytes) counts.set(b, (counts.get(b) ?? 0) + 1);
  let h = 0;
  for (const c of counts.values()) {
    const p = c / bytes.length;
    h -= p * Math.log2(p);
  }
  return h;
}

const ascii = (s: string) => Buffer.from(s, 'latin1');

describe('shannonEntropy', () => {
  it('is 0 for empty input and for a single repeated byte', () => {
    expect(shannonEntropy(new Uint8Array(0))).toBe(0);
    expect(shannonEntropy(ascii('aaaaaaaaaaaa'))).toBe(0);
  });

  it('matches known values', () => {
    expect(shannonEntropy(ascii('ab'))).toBeCloseTo(1, 12);
    expect(shannonEntropy(ascii('aabbccdd'))).toBeCloseTo(2, 12);
    expect(shannonEntropy(Uint8Array.from({ length: 256 }, (_, i) => i))).toBeCloseTo(8, 12);
    // "hello": l twice, h e o once -> 1.9219...
    expect(shannonEntropy(ascii('hello'))).toBeCloseTo(1.9219280948873623, 12);
  });

  it('separates random keys from hex digests and words (the gates the pack relies on)', () => {
    const base62 = ascii('q7Vx2LmK9pRt4WcZ8nYb3HsJ6dFg1AeU0oQiXy5T');
    const hex = ascii('9fceb02d0ae598e95dc970b74767f19372d61af8');
    expect(shannonEntropy(base62)).toBeGreaterThan(4.5);
    expect(shannonEntropy(hex)).toBeLessThanOrEqual(4);
    expect(shannonEntropy(ascii('password'))).toBeLessThan(3);
    expect(shannonEntropy(ascii('token-expired'))).toBeLessThan(3.5);
  });

  it('measures only the [start, end) range', () => {
    const buf = ascii('xxxxabcdxxxx');
    expect(shannonEntropy(buf, 4, 8)).toBeCloseTo(2, 12);
    expect(shannonEntropy(buf, 0, 4)).toBe(0);
    expect(shannonEntropy(buf, 6, 6)).toBe(0);
  });

  it('clamps out-of-range bounds instead of reading past the buffer', () => {
    const buf = ascii('abcd');
    expect(shannonEntropy(buf, -5, 100)).toBeCloseTo(2, 12);
    expect(shannonEntropy(buf, 3, 1)).toBe(0);
  });

  it('leaves no state behind between calls', () => {
    const a = ascii('aaaabbbbcc');
    const b = ascii('zzzzzzzzzz');
    const first = shannonEntropy(a);
    shannonEntropy(b);
    shannonEntropy(a, 2, 7);
    expect(shannonEntropy(a)).toBe(first);
    expect(shannonEntropy(b)).toBe(0);
  });

  it('equals the reference on any bytes and any sub-range', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat(), fc.nat(), (bytes, x, y) => {
        const start = bytes.length ? x % (bytes.length + 1) : 0;
        const end = bytes.length ? start + (y % (bytes.length - start + 1)) : 0;
        const h = shannonEntropy(bytes, start, end);
        expect(h).toBeCloseTo(reference(bytes.subarray(start, end)), 9);
        expect(h).toBeGreaterThanOrEqual(0);
        expect(h).toBeLessThanOrEqual(Math.log2(Math.max(1, Math.min(end - start, 256))) + 1e-9);
      }),
    );
  });

  it('does not depend on byte order', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 200 }), (bytes) => {
        const reversed = Uint8Array.from(bytes).reverse();
        expect(shannonEntropy(reversed)).toBeCloseTo(shannonEntropy(bytes), 12);
      }),
    );
  });
});
