import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KnownValueMatcher, type KnownValueMatcherTuning } from '../../src/engine/known-values.js';
import type { KnownValueSpec } from '../../src/engine/types.js';
import { encodedForms } from '../../src/secrets/encodings.js';

type Match = [start: number, end: number, valueIndex: number];

function scanAll(matcher: KnownValueMatcher, buf: Uint8Array, from = 0, to = buf.length): Match[] {
  const found: Match[] = [];
  matcher.scan(buf, from, to, (start, end, valueIndex) => found.push([start, end, valueIndex]));
  return sortMatches(found);
}

/** Every occurrence of every encoded form of every value, by indexOf. */
function oracle(values: readonly KnownValueSpec[], buf: Uint8Array, from = 0, to = buf.length): Match[] {
  const hay = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  const found: Match[] = [];
  values.forEach((spec, valueIndex) => {
    for (const form of encodedForms(spec.value)) {
      for (
        let at = hay.indexOf(form, from);
        at !== -1 && at + form.length <= to;
        at = hay.indexOf(form, at + 1)
      ) {
        found.push([at, at + form.length, valueIndex]);
      }
    }
  });
  return sortMatches(found);
}

function sortMatches(matches: Match[]): Match[] {
  return matches.sort((a, b) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2]);
}

const spec = (value: string, i = 0): KnownValueSpec => ({ source: `test:${i}`, value });
const bytes = (text: string): Uint8Array => new Uint8Array(Buffer.from(text));

describe('KnownValueMatcher', () => {
  it('attached to shared tables (another thread built them), finds exactly what the builder finds', () => {
    const value = fc.string({
      unit: fc.constantFrom(...'abcXYZ019+/=%"é'.split('')),
      minLength: 8,
      maxLength: 24,
    });
    fc.assert(
      fc.property(
        fc.uniqueArray(value, { minLength: 1, maxLength: 6 }),
        // Each piece: noise, or one of the values in one of its encoded forms.
        fc.array(fc.tuple(fc.nat(), fc.nat(), fc.string({ maxLength: 12 })), { maxLength: 12 }),
        fc.boolean(),
        (values, picks, wasm) => {
          const specs = values.map((v, i) => spec(v, i));
          const pieces = picks.map(([v, f, noise]) => {
            if (v % 3 === 0) return noise;
            const forms = encodedForms(values[v % values.length]);
            return `${noise}${Buffer.from(forms[f % forms.length]).toString('latin1')}`;
          });
          const tuning: KnownValueMatcherTuning = { wasmMin: wasm ? 0 : Number.POSITIVE_INFINITY };
          const built = KnownValueMatcher.build(specs, tuning);
          const tables = built.toShared();
          for (const a of [
            tables.bytes,
            tables.filter,
            tables.windowSlots,
            tables.anchorSlots,
            tables.value,
          ]) {
            expect(a.buffer).toBeInstanceOf(SharedArrayBuffer);
          }
          const attached = KnownValueMatcher.fromShared(structuredClone(tables), tuning);
          const hay = new Uint8Array(Buffer.from(pieces.join(' '), 'latin1'));
          expect(scanAll(attached, hay)).toEqual(scanAll(built, hay));
          expect(scanAll(attached, hay)).toEqual(oracle(specs, hay));
          expect(attached.memoryBytes).toBe(built.memoryBytes);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('finds a raw value and reports the value index', () => {
    const values = [spec('sk-live-0123456789abcdef', 0), spec('another-secret-value', 1)];
    const m = KnownValueMatcher.build(values);
    const text = 'token=sk-live-0123456789abcdef user=x pass=another-secret-value;';
    expect(scanAll(m, bytes(text))).toEqual([
      [6, 30, 0],
      [43, 63, 1],
    ]);
  });

  it('finds the encoded forms: JSON-escaped, URL-encoded, base64 inside a blob, hex', () => {
    const value = 'p@ss/w"rd é-12345';
    const m = KnownValueMatcher.build([spec(value)]);
    const raw = Buffer.from(value);
    const haystacks = [
      JSON.stringify({ password: value }),
      JSON.stringify({ password: value }).replaceAll('/', '\\/'),
      `https://example.com/?p=${encodeURIComponent(value)}&x=1`,
      `Authorization: Basic ${Buffer.from(`admin:${value}`).toString('base64')}`,
      `blob=${Buffer.concat([Buffer.from('xy'), raw, Buffer.from('z')]).toString('base64url')}`,
      `data: ${Buffer.from(`${value}\n`).toString('base64')}`,
      `dump ${raw.toString('hex').toUpperCase()} end`,
    ];
    for (const text of haystacks) expect(scanAll(m, bytes(text)).length, text).toBeGreaterThan(0);
  });

  it('reports overlapping occurrences and occurrences at both buffer edges', () => {
    const m = KnownValueMatcher.build([spec('abababab')]);
    expect(scanAll(m, bytes('ababababab'))).toEqual([
      [0, 8, 0],
      [2, 10, 0],
    ]);
  });

  it('respects from/to: occurrences crossing a bound are not reported', () => {
    const m = KnownValueMatcher.build([spec('0123456789ABCDEFGH')]);
    const buf = bytes('xx0123456789ABCDEFGHyy0123456789ABCDEFGH');
    expect(scanAll(m, buf)).toEqual([
      [2, 20, 0],
      [22, 40, 0],
    ]);
    expect(scanAll(m, buf, 3)).toEqual([[22, 40, 0]]);
    expect(scanAll(m, buf, 0, 39)).toEqual([[2, 20, 0]]);
    expect(scanAll(m, buf, 2, 20)).toEqual([[2, 20, 0]]);
    expect(scanAll(m, buf, 2, 19)).toEqual([]);
  });

  it('works on a view into a larger buffer (byteOffset)', () => {
    const m = KnownValueMatcher.build([spec('view-offset-secret-42')]);
    const big = Buffer.from('garbage-prefix|view-offset-secret-42|suffix');
    const view = big.subarray(15);
    expect(scanAll(m, view)).toEqual([[0, 21, 0]]);
  });

  it('matches hex in either case but not other case variants of the raw value', () => {
    const m = KnownValueMatcher.build([spec('MixedCaseSecret1')]);
    const hex = Buffer.from('MixedCaseSecret1').toString('hex');
    expect(scanAll(m, bytes(`${hex} ${hex.toUpperCase()}`))).toHaveLength(2);
    expect(scanAll(m, bytes('mixedcasesecret1 MIXEDCASESECRET1'))).toEqual([]);
  });

  it('handles no values and buffers shorter than a window', () => {
    expect(KnownValueMatcher.build([]).patternCount).toBe(0);
    expect(scanAll(KnownValueMatcher.build([]), bytes('anything at all'))).toEqual([]);
    expect(scanAll(KnownValueMatcher.build([spec('abcdefgh')]), bytes('abc'))).toEqual([]);
  });

  it('refuses patterns shorter than 4 bytes without naming the value', () => {
    expect(() => KnownValueMatcher.build([spec('ab9', 7)])).toThrow(/known value #0 \(test:7\)/);
    try {
      KnownValueMatcher.build([spec('ab9', 7)]);
    } catch (err) {
      expect(String(err)).not.toContain('ab9');
    }
  });

  it('derives the window and stride from the shortest pattern', () => {
    const short = KnownValueMatcher.build([spec('abcdefgh')]);
    expect([short.window, short.stride]).toEqual([4, 5]);
    const long = KnownValueMatcher.build([spec(`${'a'.repeat(20)}bcdefghijk`)]);
    expect(long.window).toBe(8);
    expect(long.stride).toBe(23);
  });

  const tunings: KnownValueMatcherTuning[] = [
    {},
    { window: 4 },
    { window: 4, maxStride: 1 },
    { maxStride: 3 },
    // The WebAssembly filter loop, with chunks small enough to cut through windows.
    { wasmMin: 0 },
    { wasmMin: 0, wasm: { chunk: 1 } },
    { window: 4, wasmMin: 0, wasm: { chunk: 7 } },
    { window: 4, maxStride: 1, wasmMin: 0, wasm: { chunk: 3 } },
    { maxStride: 3, wasmMin: 0, wasm: { chunk: 5 } },
  ];
  const alphabet = fc.constantFrom(...'abAB01+/=%\\"é'.split(''));
  const valueArb = fc.array(alphabet, { minLength: 8, maxLength: 20 }).map((chars) => chars.join(''));

  it('agrees with an indexOf oracle on random values and haystacks (property)', () => {
    fc.assert(
      fc.property(
        fc.array(valueArb, { minLength: 1, maxLength: 6 }),
        fc.array(fc.oneof(fc.nat(), fc.string({ maxLength: 6 }), alphabet), { maxLength: 30 }),
        fc.nat(),
        fc.nat(),
        fc.constantFrom(...tunings),
        (valueTexts, pieces, cutA, cutB) => {
          const values = valueTexts.map((v, i) => spec(v, i));
          // Plant values and their encoded forms between random fragments.
          const parts: Buffer[] = pieces.map((piece) => {
            if (typeof piece === 'number') {
              const forms = encodedForms(valueTexts[piece % valueTexts.length]);
              return Buffer.from(forms[Math.floor(piece / valueTexts.length) % forms.length]);
            }
            return Buffer.from(piece);
          });
          const buf = new Uint8Array(Buffer.concat(parts));
          const from = buf.length ? cutA % (buf.length + 1) : 0;
          const to = from + (buf.length - from ? cutB % (buf.length - from + 1) : 0);
          for (const tuning of tunings) {
            const m = KnownValueMatcher.build(values, tuning);
            expect(scanAll(m, buf, from, to)).toEqual(oracle(values, buf, from, to));
            expect(scanAll(m, buf)).toEqual(oracle(values, buf));
          }
        },
      ),
      { numRuns: 150 },
    );
  });

  it('agrees with the oracle when values of very different lengths share windows', () => {
    const values = ['aaaaaaaa', 'aaaaaaaab', 'a'.repeat(40), 'baaaaaaaaaaaaaaaaaaa'].map(spec);
    const buf = bytes(`${'a'.repeat(50)}b${'a'.repeat(30)}`);
    for (const tuning of tunings) {
      const m = KnownValueMatcher.build(values, tuning);
      expect(scanAll(m, buf)).toEqual(oracle(values, buf));
    }
  });

  it('agrees with the oracle when many values share long prefixes and suffixes', () => {
    const values = [
      ...Array.from(
        { length: 50 },
        (_, i) => `https://hooks.example.com/services/T0/B0/${String(i).padStart(6, '0')}`,
      ),
      ...Array.from({ length: 50 }, (_, i) => `${String(i * 7919).padStart(8, '0')}@corp.example.com`),
      'sk-proj-AAAAAAAAA',
      'sk-proj-AAAAAAAAB',
    ].map(spec);
    const text = [
      ...values.filter((_, i) => i % 3 === 0).map((v) => `post ${v.value} ok`),
      `partial https://hooks.example.com/services/T0/B0/00001 and sk-proj-AAAAAAAA end`,
      JSON.stringify(values.slice(60, 70).map((v) => v.value)),
    ].join('\n');
    for (const tuning of tunings) {
      const m = KnownValueMatcher.build(values, tuning);
      expect(scanAll(m, bytes(text))).toEqual(oracle(values, bytes(text)));
    }
  });

  it('stays fast when thousands of values share a long prefix', () => {
    const values = Array.from({ length: 5000 }, (_, i) =>
      spec(`https://hooks.example.com/services/T0/B0/${i * 7919 + 100000}`, i),
    );
    values.push(spec('0123456789abcdef', 5000)); // a short value keeps the stride small
    const started = performance.now();
    const m = KnownValueMatcher.build(values);
    const lines = Array.from(
      { length: 5000 },
      (_, i) => `GET https://hooks.example.com/services/T0/B0/${i}x status=200`,
    );
    const buf = bytes(lines.join('\n'));
    let matches = 0;
    m.scan(buf, 0, buf.length, () => matches++);
    // Verifying every pattern behind the shared windows would take minutes here.
    expect(performance.now() - started).toBeLessThan(10_000);
    expect(matches).toBe(0);
  });

  it('builds 100,000 values and finds planted ones', () => {
    const alphabet62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
    let seed = 12345;
    const next = () => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed >>> 8;
    };
    const values = Array.from({ length: 100_000 }, (_, i) => {
      let v = '';
      const len = 16 + (next() % 49);
      for (let k = 0; k < len; k++) v += alphabet62[next() % 62];
      return spec(v, i);
    });
    const started = performance.now();
    const m = KnownValueMatcher.build(values);
    const buildMs = performance.now() - started;
    // The target is < 3 s; a loose bound keeps the test meaningful on a loaded CI machine.
    expect(buildMs).toBeLessThan(20_000);
    expect(m.patternCount).toBeGreaterThan(500_000);
    const planted = [17, 54_321, 99_999];
    const line = `start ${values[17].value} mid ${Buffer.from(values[54_321].value).toString('base64')} ${JSON.stringify(values[99_999].value)} end`;
    const found = new Set(scanAll(m, bytes(line)).map(([, , v]) => v));
    for (const v of planted) expect(found.has(v)).toBe(true);
  });
});
