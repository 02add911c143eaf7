import fc from 'fast-check';
import RE2 from 're2';
import { describe, expect, it } from 'vitest';
import { requiredLiterals } from '../../src/rules/required-literals.js';

describe('requiredLiterals', () => {
  it('finds the vendor prefix behind the bundled boundary prefix', () => {
    const boundary = String.raw`(?:^|[^0-9A-Za-z_-]|\\[nrt]|%[0-9A-Fa-f]{2})`;
    expect(requiredLiterals(`${boundary}(A3-[A-Z0-9]{6}-[A-Z0-9]{5})`)).toEqual([['A3-']]);
    expect(requiredLiterals(`${boundary}((?:AKIA|ABIA|ACCA)[A-Z2-7]{16})`)).toEqual([
      ['AKIA', 'ABIA', 'ACCA'],
    ]);
    expect(requiredLiterals(String.raw`\b(sk-ant-(?:oat|ort)01-[A-Za-z0-9_-]{80})`)).toEqual([
      ['sk-ant-oat01-', 'sk-ant-ort01-'],
    ]);
  });

  it('keeps every required set, most selective first, dropping sets another implies', () => {
    expect(requiredLiterals('ab[0-9]+abcdef')).toEqual([['abcdef']]);
    expect(requiredLiterals('(?:xy|zw)[0-9]abc')).toEqual([['abc'], ['xy', 'zw']]);
    expect(requiredLiterals(String.raw`x\.y`)).toEqual([['x.y']]);
    expect(requiredLiterals(String.raw`a\x41\x{42}`)).toEqual([['aAB']]);
    // A lone `@` is worth a search, a lone `:` or letter is not.
    expect(requiredLiterals(String.raw`(?i)[a-z]+:\\?/[^@]*:([^@]+)@`)).toEqual([['@']]);
    // A literal containing another of its set adds nothing: `--user` holds `-u`.
    expect(requiredLiterals('(?:-u|--user) ')).toEqual([['-u ']]);
  });

  it('expands case-insensitive letters, with the scope RE2 gives the flags', () => {
    expect(requiredLiterals('(?i)a-9')).toEqual([['a-9', 'A-9']]);
    // Four case variants are more searches than the precheck is worth.
    expect(requiredLiterals('(?i)ab')).toBeNull();
    expect(requiredLiterals('(?i:k)9-z')).toEqual([['k9-z', 'K9-z', '\u212a9-z']]);
    expect(requiredLiterals('(?i:x)-(?:abc)')).toEqual([['x-abc', 'X-abc']]);
    // `(?i)` inside a group ends with the group.
    expect(requiredLiterals('(?:(?i)q)XYZ')).toEqual([['qXYZ', 'QXYZ']]);
    expect(requiredLiterals('(?i)(?-i)XYZ')).toEqual([['XYZ']]);
    expect(requiredLiterals('(?i)(?:-u|--user)')).toEqual([['-u', '-U']]);
  });

  it('knows no requirement where a match may lack every literal', () => {
    expect(requiredLiterals('a?bc?')).toBeNull();
    expect(requiredLiterals('(?:ab)*')).toBeNull();
    expect(requiredLiterals('(?:abc|)')).toBeNull();
    expect(requiredLiterals('x|yz')).toBeNull();
    expect(requiredLiterals('ab{0}')).toBeNull();
    expect(requiredLiterals('[A-Z]{20}')).toBeNull();
    expect(requiredLiterals('(?:ab)+')).toEqual([['ab']]);
  });

  it('gives up on syntax it does not model', () => {
    expect(requiredLiterals(String.raw`\Qab.c\E`)).toBeNull();
    expect(requiredLiterals('(?i)é-token')).toBeNull();
    expect(requiredLiterals('(?P=name)')).toBeNull();
  });

  // Soundness: whenever RE2 matches, the matched text holds a literal of every required set.
  const atomArb = fc.oneof(
    fc.constantFrom(
      'a',
      'b',
      'k',
      's',
      'A',
      'K',
      '-',
      '_',
      String.raw`\.`,
      '[ab]',
      '[^a]',
      '.',
      String.raw`\d`,
      '^',
      '$',
      String.raw`\b`,
      '@',
      ':',
      '(?:-u|--user)',
    ),
  );
  type Gen = fc.Arbitrary<string>;
  const regexArb: Gen = fc.letrec<{ re: string; piece: string }>((tie) => ({
    piece: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      atomArb,
      fc.tuple(tie('re'), fc.constantFrom('(?:', '(', '(?i:', '(?i)(?:')).map(([r, open]) => `${open}${r})`),
      fc
        .tuple(tie('piece'), fc.constantFrom('*', '+', '?', '{2}', '{1,3}', '{0,2}', '+?'))
        .map(([p, q]) => (/^[\^$]$|^\\b$/.test(p) ? p : `(?:${p})${q}`)),
    ),
    re: fc.oneof(
      fc.array(tie('piece'), { minLength: 1, maxLength: 6 }).map((ps) => ps.join('')),
      fc.tuple(tie('re'), tie('re')).map(([x, y]) => `${x}|${y}`),
    ),
  })).re;
  const textArb = fc.string({
    unit: fc.constantFrom(
      '@',
      ':',
      'u',
      'U',
      'e',
      'r',
      'a',
      'b',
      'k',
      's',
      'A',
      'B',
      'K',
      'S',
      '-',
      '_',
      '.',
      '1',
      ' ',
      '\u212a',
      '\u017f',
    ),
    maxLength: 40,
  });

  it('is sound: every RE2 match contains a required literal (property)', () => {
    fc.assert(
      fc.property(regexArb, fc.array(textArb, { minLength: 1, maxLength: 20 }), (source, texts) => {
        let re: RE2;
        try {
          re = new RE2(source, 'g');
        } catch {
          return; // not valid RE2: nothing to check
        }
        const req = requiredLiterals(source);
        if (!req) return;
        for (const text of texts) {
          const buf = Buffer.from(text);
          re.lastIndex = 0;
          for (let m = re.exec(buf); m !== null; m = re.exec(buf)) {
            const matched = Buffer.from(m[0]);
            for (const set of req) {
              const hit = set.some((l) => matched.includes(Buffer.from(l)));
              expect(hit, `${source} on ${JSON.stringify(text)}: ${JSON.stringify(set)}`).toBe(true);
            }
            if (m[0].length === 0) re.lastIndex++;
          }
        }
      }),
      { numRuns: 3000 },
    );
  });
});
