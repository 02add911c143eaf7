import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { countRecords } from '../../src/pipeline/records.js';
import { scrubberWith } from '../helpers/ruleset.js';

const scrubber = scrubberWith([
  { id: 'tok', regex: 'tok_[A-Za-z0-9]{16}', keywords: ['tok_'] },
  {
    id: 'pw',
    regex: '(?i)password["\\\\]*[=:]\\s*["\\\\]*([^\\s"\\\\,}]{6,})',
    keywords: ['password'],
    secretGroup: 1,
  },
  {
    id: 'pem',
    regex: '-----BEGIN PRIVATE KEY-----[\\s\\S]*?-----END PRIVATE KEY-----',
    keywords: ['-----begin private key'],
    multiline: true,
  },
]);

const secret = fc.oneof(
  fc
    .string({ unit: fc.constantFrom(...'ABCDEFabcdef0123456789'.split('')), minLength: 16, maxLength: 16 })
    .map((s) => `tok_${s}`),
  fc
    .string({ unit: fc.constantFrom(...'abcxyz123!$%'.split('')), minLength: 6, maxLength: 12 })
    .map((s) => `password=${s}`),
  fc.constant('-----BEGIN PRIVATE KEY-----\nMIIBVQIBADANBg\n-----END PRIVATE KEY-----'),
);
const filler = fc.string({ unit: fc.constantFrom(...'ab \t\r\n"\\{}:,é\u0000'.split('')), maxLength: 20 });
const text = fc.array(fc.oneof(filler, secret), { maxLength: 12 }).map((parts) => parts.join(''));

/** Output with labels removed must equal input with span bytes removed, structural bytes kept. */
function strip(output: Buffer): Buffer {
  return Buffer.from(output.toString('latin1').replace(/\[REDACTED:[a-z0-9._-]+\]/g, ''), 'latin1');
}

describe('Scrubber properties', () => {
  it('is byte-exact outside masked spans', () => {
    fc.assert(
      fc.property(text, (t) => {
        const input = Buffer.from(t);
        const r = scrubber.scrub(input);
        const kept: number[] = [];
        let cursor = 0;
        for (const f of r.findings) {
          for (let i = cursor; i < f.offset; i++) kept.push(input[i]);
          // Inside a span only line breaks and unescaped quotes survive.
          for (let i = f.offset; i < f.offset + f.length; i++) {
            const b = input[i];
            if (b === 0x0a || b === 0x0d) kept.push(b);
            else if (b === 0x22) {
              let n = 0;
              for (let j = i - 1; j >= 0 && input[j] === 0x5c; j--) n++;
              if (n % 2 === 0) kept.push(b);
            }
          }
          cursor = f.offset + f.length;
        }
        for (let i = cursor; i < input.length; i++) kept.push(input[i]);
        expect(strip(Buffer.from(r.output)).equals(Buffer.from(kept))).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('keeps the record count', () => {
    fc.assert(
      fc.property(text, (t) => {
        const r = scrubber.scrub(Buffer.from(t));
        const out = Buffer.from(r.output).toString('latin1');
        expect(out.split('\n').length).toBe(Buffer.from(t).toString('latin1').split('\n').length);
        expect(r.records).toBe(countRecords(Buffer.from(t)));
      }),
      { numRuns: 300 },
    );
  });

  it('is idempotent', () => {
    fc.assert(
      fc.property(text, (t) => {
        const once = Buffer.from(scrubber.scrub(Buffer.from(t)).output);
        const twice = Buffer.from(scrubber.scrub(once).output);
        expect(twice.equals(once)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('keeps valid JSON valid with the same keys and non-secret values', () => {
    const leaf = fc.oneof(fc.string({ maxLength: 8 }), secret, fc.integer(), fc.boolean(), fc.constant(null));
    const value = fc.letrec((tie) => ({
      node: fc.oneof(
        { depthSize: 'small' },
        leaf,
        fc.array(tie('node'), { maxLength: 4 }),
        fc.dictionary(fc.string({ maxLength: 6 }), tie('node'), { maxKeys: 4 }),
      ),
    })).node;
    fc.assert(
      fc.property(value, (v) => {
        const line = JSON.stringify({ msg: v, level: 30 });
        const out = Buffer.from(scrubber.scrub(Buffer.from(line)).output).toString();
        const parsed = JSON.parse(out);
        expect(parsed.level).toBe(30);
        expect(out).not.toMatch(/tok_[A-Za-z0-9]{16}/);
        expect(out).not.toContain('MIIBVQIBADANBg');
      }),
      { numRuns: 500 },
    );
  });

  it('never throws on arbitrary bytes', () => {
    fc.assert(
      // Up to a few KiB, so the keyword scan's WebAssembly path (and its record count) runs too.
      fc.property(fc.uint8Array({ maxLength: 3000, size: 'max' }), (bytes) => {
        expect(scrubber.scrub(Buffer.from(bytes)).records).toBe(countRecords(bytes));
      }),
      { numRuns: 500 },
    );
  });
});
