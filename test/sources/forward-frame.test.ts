import { encode } from '@msgpack/msgpack';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FrameError, JsonSplitter, MsgpackSplitter, scanMsgpack } from '../../src/sources/forward-frame.js';

const limits = { maxFrameBytes: 1 << 20, maxDepth: 100 };

function splitAll(splitter: { push(b: Buffer): Buffer[] }, bytes: Buffer, cuts: number[]): Buffer[] {
  const out: Buffer[] = [];
  let prev = 0;
  for (const c of [...cuts.filter((x) => x > 0 && x < bytes.length).sort((a, b) => a - b), bytes.length]) {
    out.push(...splitter.push(bytes.subarray(prev, c)));
    prev = c;
  }
  return out;
}

describe('msgpack framing', () => {
  it('finds message ends for every type however the stream is cut', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(
            fc.string(),
            fc.anything({
              maxDepth: 3,
              withBigInt: false,
              withTypedArray: false,
              withMap: false,
              withSet: false,
              withDate: false,
              withNullPrototype: false,
              withObjectString: false,
              withBoxedValues: false,
              withSparseArray: false,
            }),
          ),
          { minLength: 1, maxLength: 8 },
        ),
        fc.array(fc.nat(), { maxLength: 6 }),
        (messages, cutSeeds) => {
          const parts = messages.map((m) => Buffer.from(encode(m, { ignoreUndefined: true })));
          const bytes = Buffer.concat(parts);
          const frames = splitAll(
            new MsgpackSplitter(limits),
            bytes,
            cutSeeds.map((s) => s % (bytes.length + 1)),
          );
          expect(frames.map((f) => f.toString('hex'))).toEqual(parts.map((p) => p.toString('hex')));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('handles bin32, ext and 64-bit headers', () => {
    const bytes = Buffer.from(encode(['t', new Uint8Array(70_000), 2n ** 63n, 1.5], { useBigInt64: true }));
    expect(scanMsgpack(bytes, 0, limits)).toEqual({ complete: true, length: bytes.length });
    const partial = scanMsgpack(bytes.subarray(0, 10), 0, limits);
    expect(partial.complete).toBe(false);
    if (!partial.complete) expect(partial.needed).toBeGreaterThan(70_000);
  });

  it('refuses a message announcing more than the limit, at its header', () => {
    const header = Buffer.from([0x93, 0xa1, 0x74, 0xc6, 0x7f, 0xff, 0xff, 0xff]);
    expect(() => new MsgpackSplitter(limits).push(header)).toThrow(/larger than/);
    const hugeArray = Buffer.from([0xdd, 0xff, 0xff, 0xff, 0xff]);
    expect(() => new MsgpackSplitter(limits).push(hugeArray)).toThrow(FrameError);
  });

  it('refuses nesting beyond the limit and the never-used type byte', () => {
    const deep = Buffer.concat([Buffer.alloc(200, 0x91), Buffer.from([0xc0])]);
    expect(() => new MsgpackSplitter(limits).push(deep)).toThrow(/nesting/);
    expect(() => new MsgpackSplitter(limits).push(Buffer.from([0xc1]))).toThrow(/type byte/);
  });
});

describe('JSON framing', () => {
  it('splits concatenated arrays and objects, strings with brackets and escapes included', () => {
    const text = '["a",1,{"m":"x]}\\"["}]\n  ["b",[[1,{"k":"v"}]]]{"o":[1,2]}';
    for (let cut = 0; cut <= text.length; cut++) {
      const frames = splitAll(new JsonSplitter(limits), Buffer.from(text), [cut]);
      expect(frames.map((f) => JSON.parse(f.toString()))).toEqual([
        ['a', 1, { m: 'x]}"[' }],
        ['b', [[1, { k: 'v' }]]],
        { o: [1, 2] },
      ]);
    }
  });

  it('refuses top-level scalars and oversize messages', () => {
    expect(() => new JsonSplitter(limits).push(Buffer.from('42'))).toThrow(FrameError);
    const big = Buffer.from(`["t", "${'x'.repeat(2000)}`);
    expect(() => new JsonSplitter({ maxFrameBytes: 1000, maxDepth: 10 }).push(big)).toThrow(/larger than/);
  });
});
