import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { scrubJsonDocBatch } from '../../src/formats/json-doc-batch.js';
import { AT_TOP, IN_ARRAY, JsonDocBoundaries } from '../../src/formats/json-doc-boundaries.js';
import { StructureRules } from '../../src/formats/structure-rules.js';
import { scrubberWith } from '../helpers/ruleset.js';

const scrubber = scrubberWith([{ id: 'tok', regex: 'tok_[A-Za-z0-9]{16}', keywords: ['tok_'] }]);
const structure = new StructureRules({ secretKeys: ['password'], redactPaths: [] });
const SECRET = 'tok_ABCDEFGH12345678';

/** Feeds text in the given chunk sizes and cuts at each boundary, like the framer does. */
function cutAll(text: string, sizes: number[]): Array<{ text: string; state: number }> {
  const bytes = Buffer.from(text);
  const b = new JsonDocBoundaries();
  const out: Array<{ text: string; state: number }> = [];
  let held = Buffer.alloc(0);
  let state = AT_TOP;
  let pos = 0;
  let i = 0;
  while (pos < bytes.length) {
    const n = Math.max(1, sizes[i++ % sizes.length] ?? 7);
    const chunk = bytes.subarray(pos, pos + n);
    pos += n;
    held = Buffer.concat([held, chunk]);
    const cut = b.scan(held, held.length - chunk.length, held.length);
    if (cut > 0) {
      out.push({ text: held.subarray(0, cut).toString(), state });
      state = b.stateAtBoundary;
      held = held.subarray(cut);
    }
  }
  if (held.length) out.push({ text: held.toString(), state });
  return out;
}

describe('JsonDocBoundaries', () => {
  it('cuts a top-level array between elements and a document sequence between documents', () => {
    const arr = '[\n  {"a": "x,}]"},\n  {"b": [1, 2]},\n  "s", 42\n]\n{"next": 1} {"n": 2}\n';
    const parts = cutAll(arr, [1000]);
    expect(parts.map((p) => p.text).join('')).toBe(arr);
    const pieces = cutAll(arr, [1]);
    expect(pieces.map((p) => p.text).join('')).toBe(arr);
    // Every cut lands between records: each piece holds whole values only.
    expect(pieces.map((p) => p.text.trim()).filter((t) => t.length > 0)).toEqual([
      '[',
      '{"a": "x,}]"}',
      ',',
      '{"b": [1, 2]}',
      ',',
      '"s"',
      ',',
      '42',
      ']',
      '{"next": 1}',
      '{"n": 2}',
    ]);
    expect(pieces.find((p) => p.text.includes('"b"'))?.state).toBe(IN_ARRAY);
    expect(pieces.find((p) => p.text.includes('next'))?.state).toBe(AT_TOP);
  });

  it('gives batches that scrub the same however the input is chunked (property)', () => {
    const doc = fc.jsonValue().map((v) => JSON.stringify({ v, s: SECRET, password: 'pw-12345' }, null, 2));
    fc.assert(
      fc.property(
        fc.array(doc, { minLength: 1, maxLength: 5 }),
        fc.boolean(),
        fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1 }),
        (docs, asArray, sizes) => {
          const text = asArray ? `[${docs.join(',\n')}]\n` : `${docs.join('\n')}\n`;
          const whole = scrubJsonDocBatch(Buffer.from(text), AT_TOP, scrubber, structure);
          const pieces = cutAll(text, sizes).map((p) =>
            Buffer.from(
              scrubJsonDocBatch(Buffer.from(p.text), p.state, scrubber, structure).output,
            ).toString(),
          );
          expect(pieces.join('')).toBe(Buffer.from(whole.output).toString());
          const parsed = asArray
            ? JSON.parse(pieces.join(''))
            : pieces
                .join('')
                .trim()
                .split(/\n(?=\{)/)
                .map((d) => JSON.parse(d));
          expect(parsed).toHaveLength(docs.length);
          expect(pieces.join('')).not.toContain(SECRET);
          expect(pieces.join('')).not.toContain('pw-12345');
          expect(whole.records).toBe(docs.length);
        },
      ),
      { numRuns: 150 },
    );
  });
});
