import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  base64Forms,
  encodedForms,
  encodedFormTexts,
  hexForms,
  jsonForms,
  MIN_ENCODED_FORM_BYTES,
  urlForms,
} from '../../src/secrets/encodings.js';

const texts = (value: string): string[] => encodedFormTexts(value);

describe('encodedForms', () => {
  it('starts with the raw UTF-8 bytes and returns distinct patterns', () => {
    const value = 'pässwörd/"<x>+1 2';
    const forms = encodedForms(value);
    expect(Buffer.from(forms[0]).toString('utf8')).toBe(value);
    const keys = forms.map((f) => Buffer.from(f).toString('latin1'));
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('keeps only the raw form when it is shorter than the encoded-form floor', () => {
    const forms = texts('abcd');
    expect(forms[0]).toBe('abcd');
    for (const form of forms.slice(1))
      expect(Buffer.byteLength(form)).toBeGreaterThanOrEqual(MIN_ENCODED_FORM_BYTES);
    // 'abcd' base64 unpadded is 'YWJjZA' (6 chars): dropped; padded 'YWJjZA==' (8): kept.
    expect(forms).not.toContain('YWJjZA');
    expect(forms).toContain('YWJjZA==');
    expect(forms).toContain('61626364');
  });

  it('a plain base62 value yields raw, base64 and hex forms only', () => {
    const value = 'Zk3m9QpLr2Xv8TnB';
    const forms = texts(value);
    expect(forms).toContain(value);
    expect(forms).toContain(Buffer.from(value).toString('base64'));
    expect(forms).toContain(Buffer.from(`${value}\n`).toString('base64'));
    expect(forms).toContain(Buffer.from(value).toString('hex'));
    expect(forms).toContain(Buffer.from(value).toString('hex').toUpperCase());
    // No JSON or URL form differs from the raw value.
    expect(forms.filter((f) => f.includes('%') || f.includes('\\'))).toEqual([]);
  });
});

/** ASCII (controls included), any grapheme, lone surrogates and the JS line separators. */
const anyText = fc
  .array(
    fc.oneof(
      fc.string({ unit: 'binary-ascii', minLength: 1, maxLength: 1 }),
      fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }),
      fc.constantFrom('\ud800', '\udfff', '\u2028', '\u2029'),
    ),
    { minLength: 1, maxLength: 30 },
  )
  .map((chars) => chars.join(''));

describe('JSON forms', () => {
  it('include JSON.stringify, the \\/ variant and the ASCII-only \\uXXXX variants', () => {
    const value = 'pä/ss"w\\ord\n\t😀<&>';
    const forms = jsonForms(value);
    const standard = JSON.stringify(value).slice(1, -1);
    expect(forms).toContain(standard);
    expect(forms).toContain(standard.replaceAll('/', '\\/'));
    expect(forms.some((f) => f.includes('p\\u00e4') && f.includes('\\ud83d\\ude00'))).toBe(true);
    expect(forms.some((f) => f.includes('p\\u00E4') && f.includes('\\uD83D\\uDE00'))).toBe(true);
    // Go's HTML-safe escaping.
    expect(forms.some((f) => f.includes('\\u003c\\u0026\\u003e'))).toBe(true);
    for (const form of forms) expect(texts(value)).toContain(form);
  });

  it('every form decodes back to the value (property)', () => {
    fc.assert(
      fc.property(anyText, (value) => {
        for (const form of jsonForms(value)) expect(JSON.parse(`"${form}"`)).toBe(value);
        expect(jsonForms(value)).toContain(JSON.stringify(value).slice(1, -1));
      }),
    );
  });

  it('escapes lone surrogates as JSON.stringify does', () => {
    const value = 'abc\ud800defgh';
    expect(jsonForms(value)).toContain(JSON.stringify(value).slice(1, -1));
    expect(JSON.stringify(value)).toContain('\\ud800');
  });
});

describe('URL forms', () => {
  it('include encodeURIComponent, form encoding with +, and lower-case hex', () => {
    const value = "p@ss w/rd!'é~*";
    const forms = urlForms(Buffer.from(value));
    expect(forms).toContain(encodeURIComponent(value));
    expect(forms).toContain(new URLSearchParams({ k: value }).toString().slice(2));
    expect(forms).toContain(encodeURIComponent(value).replace(/%[0-9A-F]{2}/g, (h) => h.toLowerCase()));
    for (const form of forms) expect(texts(value)).toContain(form);
  });

  it('every form decodes back to the value (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 30 }), (value) => {
        for (const form of urlForms(Buffer.from(value))) {
          expect(decodeURIComponent(form.replaceAll('+', ' '))).toBe(value);
        }
      }),
    );
  });
});

describe('base64 forms', () => {
  const value = 'hunter2-but-longer';

  it('include the value alone (padded, unpadded, with a newline) in both alphabets', () => {
    const raw = Buffer.from('s3cr3t?>?>value!');
    const forms = base64Forms(raw);
    expect(forms).toContain(raw.toString('base64'));
    expect(forms).toContain(raw.toString('base64url'));
    expect(forms).toContain(Buffer.concat([raw, Buffer.from('\n')]).toString('base64'));
  });

  it('find the value embedded at offsets 0, 1 and 2 inside random bytes', () => {
    const forms = texts(value);
    for (let offset = 0; offset < 6; offset++) {
      const blob = Buffer.concat([randomBytes(offset), Buffer.from(value), randomBytes(5)]);
      for (const encoding of ['base64', 'base64url'] as const) {
        const encoded = blob.toString(encoding);
        expect(forms.some((f) => f.length >= MIN_ENCODED_FORM_BYTES && encoded.includes(f))).toBe(true);
      }
    }
  });

  it('find any embedded value at any offset (property)', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 8, maxLength: 40 }),
        fc.uint8Array({ maxLength: 12 }),
        fc.uint8Array({ maxLength: 12 }),
        (v, before, after) => {
          const blob = Buffer.concat([before, Buffer.from(v), after]);
          const forms = texts(v);
          for (const encoding of ['base64', 'base64url'] as const) {
            const encoded = blob.toString(encoding);
            expect(forms.some((f) => encoded.includes(f))).toBe(true);
          }
        },
      ),
    );
  });

  it('the aligned forms are exactly the characters fixed by the value', () => {
    const raw = Buffer.from('abcdefghijkl');
    const encode = (before: number[], after: number[]) =>
      Buffer.concat([Buffer.from(before), raw, Buffer.from(after)]).toString('base64');
    // Alignment 1: the value covers bits 8..104; characters 2..16 (bits 12..102) are stable.
    const middle = encode([0], []).slice(2, 17);
    expect(base64Forms(raw)).toContain(middle);
    expect(encode([255], [255, 255]).slice(2, 17)).toBe(middle);
    // One more character on either side depends on the neighbours.
    expect(encode([0], [0]).slice(1, 17)).not.toBe(encode([255], [0]).slice(1, 17));
    expect(encode([0], [0]).slice(2, 18)).not.toBe(encode([0], [255]).slice(2, 18));
  });
});

describe('hex forms', () => {
  it('lower and upper case', () => {
    expect(hexForms(Buffer.from('Key=é'))).toEqual(['4b65793dc3a9', '4B65793DC3A9']);
  });
});
