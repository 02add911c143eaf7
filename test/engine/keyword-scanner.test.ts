import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KeywordScanner } from '../../src/engine/keyword-scanner.js';

function naive(keywords: string[], hay: Buffer): Array<[number, number]> {
  const lower = Buffer.from(hay.toString('latin1').toLowerCase(), 'latin1');
  const out: Array<[number, number]> = [];
  keywords.forEach((k, ki) => {
    const kb = Buffer.from(k.toLowerCase(), 'latin1');
    for (let i = lower.indexOf(kb); i >= 0; i = lower.indexOf(kb, i + 1)) out.push([i + kb.length, ki]);
  });
  return out.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
}

function scanAll(scanner: KeywordScanner, hay: Buffer, from = 0, to = hay.length): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  scanner.scan(hay, from, to, (end, k) => out.push([end, k]));
  return out.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
}

/** The scanner's hits over hay[from, end): in order of end offset, exactly the naive search's. */
function expectNaiveHitsInOrder(scanner: KeywordScanner, kws: string[], hay: Buffer, from: number): void {
  const got: Array<[number, number]> = [];
  scanner.scan(hay, from, hay.length, (end, k) => got.push([end, k]));
  for (let i = 1; i < got.length; i++) expect(got[i][0]).toBeGreaterThanOrEqual(got[i - 1][0]);
  const expected = naive(kws, hay.subarray(from)).map(([e, k]) => [e + from, k] as [number, number]);
  expect(got.slice().sort((a, b) => a[0] - b[0] || a[1] - b[1])).toEqual(expected);
}

describe('KeywordScanner', () => {
  it('finds keywords case-insensitively, including overlapping and nested ones', () => {
    const kws = ['sk-', 'sk-proj-', 'key', 'api_key', 'proj'];
    const s = new KeywordScanner(kws);
    const hay = Buffer.from('x SK-PROJ-abc API_KEY=1 monkey');
    expect(scanAll(s, hay)).toEqual(naive(kws, hay));
    expect(scanAll(s, hay).length).toBe(6);
  });

  it('agrees with a naive search on random inputs', () => {
    const alphabet = fc.constantFrom(...'abAB-_k=\n'.split(''));
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.string({ unit: alphabet, minLength: 1, maxLength: 4 }), {
          minLength: 1,
          maxLength: 8,
          selector: (k) => k.toLowerCase(),
        }),
        fc.string({ unit: alphabet, maxLength: 200 }),
        (kws, text) => {
          const hay = Buffer.from(text, 'latin1');
          expect(scanAll(new KeywordScanner(kws), hay)).toEqual(naive(kws, hay));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('reports the same hits, in order, through the WebAssembly scan (chunks, split streams)', () => {
    const alphabet = fc.constantFrom(...'abAB-_k=\n'.split(''));
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.string({ unit: alphabet, minLength: 1, maxLength: 6 }), {
          minLength: 1,
          maxLength: 8,
          selector: (k) => k.toLowerCase(),
        }),
        // fast-check keeps strings short unless told: the splits need a few hundred bytes.
        fc.string({ unit: alphabet, minLength: 50, maxLength: 400, size: 'max' }),
        fc.integer({ min: 2, max: 64 }),
        fc.integer({ min: 1, max: 16 }),
        fc.nat(20),
        (kws, text, chunk, splitMin, cut) => {
          const hay = Buffer.from(text, 'latin1');
          const from = Math.min(cut, hay.length);
          expectNaiveHitsInOrder(
            new KeywordScanner(kws, { wasmMin: 0, wasm: { chunk, splitMin } }),
            kws,
            hay,
            from,
          );
        },
      ),
      { numRuns: 500 },
    );
  });

  it('reports the same hits through the four-stream block scan, keywords across every stream boundary', () => {
    // Blocks are 32 KiB of four 8 KiB streams; only inputs that long reach that loop.
    const QUARTER = 8192;
    const alphabet = 'abAB-_k=\n';
    fc.assert(
      fc.property(
        fc.uniqueArray(
          fc.string({ unit: fc.constantFrom(...alphabet.split('')), minLength: 1, maxLength: 40 }),
          {
            minLength: 1,
            maxLength: 6,
            selector: (k) => k.toLowerCase(),
          },
        ),
        fc.integer({ min: 4 * QUARTER, max: 10 * QUARTER }),
        fc.integer(),
        fc.constantFrom(undefined, 4 * QUARTER, 5 * QUARTER + 3, 9 * QUARTER - 1),
        fc.nat(100),
        (kws, length, seed, chunk, from) => {
          const hay = Buffer.alloc(length);
          let x = seed | 1;
          for (let i = 0; i < length; i++) {
            x ^= x << 13;
            x ^= x >>> 17;
            x ^= x << 5;
            hay[i] = alphabet.charCodeAt((x >>> 0) % alphabet.length);
          }
          // Plant every keyword so that it ends at each stream boundary and one byte to either side.
          for (let b = QUARTER; b + 1 < length; b += QUARTER) {
            kws.forEach((k, i) => {
              const end = b - 1 + ((b / QUARTER + i) % 3);
              if (end - k.length >= 0) hay.write(k, end - k.length, 'latin1');
            });
          }
          expectNaiveHitsInOrder(
            new KeywordScanner(kws, { wasmMin: 0, wasm: chunk ? { chunk } : {} }),
            kws,
            hay,
            from,
          );
        },
      ),
      { numRuns: 40 },
    );
  });

  it('returns the newline count of the scanned range, on the JS path and in WebAssembly', () => {
    const newlines = (b: Uint8Array) => b.reduce((n, x) => n + (x === 0x0a ? 1 : 0), 0);
    fc.assert(
      fc.property(
        // Bytes biased to `\n` and `\n`'s neighbours, at lengths that leave SIMD tails of every size.
        fc
          .uint8Array({ minLength: 0, maxLength: 700, size: 'max' })
          .map((b) => b.map((x) => (x < 96 ? 0x0a : x < 128 ? 0x0b : x))),
        fc.integer({ min: 2, max: 200 }),
        fc.nat(40),
        fc.nat(40),
        (bytes, chunk, cutFrom, cutTo) => {
          const hay = Buffer.from(bytes);
          const from = Math.min(cutFrom, hay.length);
          const to = Math.max(from, hay.length - cutTo);
          const want = newlines(hay.subarray(from, to));
          const wasm = new KeywordScanner(['ab'], { wasmMin: 0, wasm: { chunk, splitMin: 8 } });
          const js = new KeywordScanner(['ab'], { wasmMin: Number.POSITIVE_INFINITY });
          expect(wasm.scan(hay, from, to, () => {})).toBe(want);
          expect(js.scan(hay, from, to, () => {})).toBe(want);
        },
      ),
      { numRuns: 500 },
    );
    const big = Buffer.alloc(300_000, 0x61);
    for (let i = 7; i < big.length; i += 97) big[i] = 0x0a;
    expect(new KeywordScanner(['zz']).scan(big, 0, big.length, () => {})).toBe(newlines(big));
  });

  it('respects the from/to window', () => {
    const s = new KeywordScanner(['abc']);
    const hay = Buffer.from('abcabcabc');
    expect(scanAll(s, hay, 1, 8)).toEqual([[6, 0]]);
  });

  it('passes non-ASCII and NUL bytes through without false hits', () => {
    const s = new KeywordScanner(['token']);
    const hay = Buffer.concat([Buffer.from([0, 0xff, 0xc3]), Buffer.from('TOKEN é'), Buffer.from([0])]);
    expect(scanAll(s, hay)).toEqual([[8, 0]]);
  });
});
