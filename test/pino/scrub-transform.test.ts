import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BatchScrubber } from '../../src/pino/batch-scrubber.js';
import { ScrubLinesTransform } from '../../src/pino/scrub-transform.js';
import { scrubberWith } from '../helpers/ruleset.js';

const SECRET = 'sk-test-0123456789abcdef';
const LABEL = '[REDACTED:known-value]';
const scrubber = scrubberWith([], { knownValues: [{ source: 'test:key', value: SECRET }] });
const batches = new BatchScrubber((input) => scrubber.scrub(input));

/** Feeds `bytes` cut at the given lengths (cycled), one chunk per turn of the event loop. */
function chunked(bytes: Buffer, sizes: number[]): Readable {
  const chunks: Buffer[] = [];
  for (let at = 0, i = 0; at < bytes.length; i++) {
    const size = sizes[i % sizes.length];
    chunks.push(bytes.subarray(at, at + size));
    at += size;
  }
  return Readable.from(chunks, { objectMode: false });
}

async function run(source: Readable, slow = false): Promise<{ text: string; pushes: number }> {
  const parts: Buffer[] = [];
  await pipeline(
    source,
    new ScrubLinesTransform(batches),
    new Writable({
      objectMode: true,
      highWaterMark: 1,
      write(chunk: Buffer | string, _enc, cb) {
        parts.push(Buffer.from(chunk));
        if (slow) setTimeout(cb, 1);
        else cb();
      },
    }),
  );
  return { text: Buffer.concat(parts).toString('utf8'), pushes: parts.length };
}

const line = (i: number) => JSON.stringify({ level: 30, i, msg: i % 7 === 0 ? `clé ${SECRET} ✓` : 'ok ✓' });

describe('ScrubLinesTransform', () => {
  it('scrubs every line, in order, one Scrubber call per chunk, wherever the chunks cut', async () => {
    const lines = Array.from({ length: 500 }, (_, i) => line(i));
    const input = Buffer.from(`${lines.join('\n')}\n`);
    // 997-byte chunks cut lines, multi-byte characters and the secret itself anywhere.
    const out = await run(chunked(input, [997]));
    expect(out.text).toBe(`${lines.map((l) => l.replace(SECRET, LABEL)).join('\n')}\n`);
    expect(out.pushes).toBeLessThanOrEqual(Math.ceil(input.length / 997) + 1);
  });

  it('scrubs a last record that has no newline', async () => {
    const out = await run(chunked(Buffer.from(`{"a":1}\n{"msg":"${SECRET}"}`), [5]));
    expect(out.text).toBe(`{"a":1}\n{"msg":"${LABEL}"}`);
  });

  it('keeps every line through a slow consumer (backpressure)', async () => {
    const lines = Array.from({ length: 4000 }, (_, i) => `${line(i)}${' '.repeat(200)}`);
    const out = await run(chunked(Buffer.from(`${lines.join('\n')}\n`), [64 * 1024]), true);
    const got = out.text.trimEnd().split('\n');
    expect(got).toHaveLength(4000);
    expect(got.every((l, i) => JSON.parse(l).i === i)).toBe(true);
    expect(out.text).not.toContain(SECRET);
  });

  it('gives the same bytes however the input is cut (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.oneof(fc.constant(SECRET), fc.string({ maxLength: 30 }), fc.constant('é✓😀')), {
          minLength: 1,
          maxLength: 40,
        }),
        fc.array(fc.integer({ min: 1, max: 120 }), { minLength: 1, maxLength: 20 }),
        fc.boolean(),
        async (msgs, sizes, finalNewline) => {
          const text =
            msgs.map((msg, i) => JSON.stringify({ i, msg })).join('\n') + (finalNewline ? '\n' : '');
          const out = await run(chunked(Buffer.from(text), sizes));
          expect(out.text).toBe(batches.scrub(text).output.toString());
          expect(out.text).not.toContain(SECRET);
        },
      ),
      { numRuns: 60 },
    );
  });
});
