import fc from 'fast-check';
import RE2 from 're2';
import { describe, expect, it } from 'vitest';
import { Scrubber } from '../../src/engine/scrubber.js';
import type { RuleSpec } from '../../src/engine/types.js';
import { type CompiledRule, compileRuleset } from '../../src/rules/compile.js';
import { loadBundledPacks } from '../../src/rules/load-pack.js';
import { LEADING_BOUNDARY, tokenLocator } from '../../src/rules/token-locator.js';
import { specWith } from '../helpers/ruleset.js';

/** One rule, scrubbed with its locator and with the whole regex; no keywords nor gates. */
function bothWays(regex: string) {
  const compiled = compileRuleset(specWith([{ id: 'r', regex, secretGroup: 1 }]));
  expect(compiled.rules[0].locator, regex).not.toBeNull();
  // The same rules with no locator: everything else reads through to the compiled rule.
  const whole = {
    ...compiled,
    rules: compiled.rules.map((r): CompiledRule => Object.create(r, { locator: { value: null } })),
  };
  const located = new Scrubber(compiled);
  const reference = new Scrubber(whole);
  const spans = (s: Scrubber, buf: Buffer) => s.findSpans(buf).map((x) => [x.start, x.end]);
  return (buf: Buffer): void => {
    expect(spans(located, buf), buf.toString('hex')).toEqual(spans(reference, buf));
  };
}

/** Bytes around token starts where the boundary is decided: escapes, hex, UTF-8 good and bad. */
const EDGES = [
  ' ',
  'x',
  'Z',
  '9',
  '_',
  '-',
  '.',
  '"',
  '=',
  '\n',
  '\\',
  'n',
  't',
  '%',
  '%4',
  '%41',
  'f',
  'a',
  'é',
  '€',
  '😀',
  '\u00a0',
].map((s) => Buffer.from(s));
const BAD_UTF8 = [
  [0xff],
  [0xa9],
  [0xc3],
  [0xe2, 0x82],
  [0xed, 0xa0, 0x80],
  [0xc0, 0x80],
  [0xf0, 0x9f, 0x98],
].map((b) => Buffer.from(b));

function inputs(tokens: Buffer[]) {
  return fc
    .array(fc.constantFrom(...EDGES, ...BAD_UTF8, ...tokens, ...tokens), { maxLength: 14 })
    .map((parts) => Buffer.concat(parts));
}

describe('token locator', () => {
  it('recognises only LEADING_BOUNDARY followed by one capture group that is the secret', () => {
    expect(tokenLocator(`${LEADING_BOUNDARY}(sk-[a-z]{4})`, 1)).not.toBeNull();
    expect(tokenLocator(`${LEADING_BOUNDARY}(sk-[a-z]{4})`, 0)).toBeNull();
    expect(tokenLocator(`${LEADING_BOUNDARY}(sk-[a-z]{4})x`, 1)).toBeNull();
    expect(tokenLocator(`${LEADING_BOUNDARY}(sk)-(x)`, 1)).toBeNull();
    expect(tokenLocator(`${LEADING_BOUNDARY}(sk-(x))`, 1)).toBeNull();
    expect(tokenLocator(`${LEADING_BOUNDARY}(sk-(?:x)[)])`, 1)).not.toBeNull();
    expect(tokenLocator(`${LEADING_BOUNDARY}(?P<s>sk-x)`, 1)).toBeNull();
    expect(tokenLocator(`(?i)${LEADING_BOUNDARY}(sk-x)`, 1)).toBeNull();
    expect(tokenLocator(`x${LEADING_BOUNDARY}(sk-x)`, 1)).toBeNull();
  });

  it('finds what the whole rule finds, for tokens starting with tricky characters', () => {
    const cases: Array<[string, string[]]> = [
      ['tok_[A-Za-z0-9]{4,}', ['tok_abcd', 'tok_ABCDEFGH', 'tok_']],
      ['[0-9a-f]{4,}', ['41ab', 'ffff00', '4']],
      ['n[a-z]{3,}', ['nabc', 'ntoken', 'nn']],
      ['(?i:é[a-z]+)', ['éabc', 'Éxyz']],
      ['[^ ]{3}x', ['abcx', 'éx', '€x']],
      ['.{2,4}', ['ab', 'abcd']],
      ['\\bkey[0-9]+', ['key1', 'key42']],
    ];
    for (const [token, samples] of cases) {
      const check = bothWays(`${LEADING_BOUNDARY}(${token})`);
      fc.assert(fc.property(inputs(samples.map((s) => Buffer.from(s))), check), { numRuns: 400 });
    }
  });

  it('finds what the whole rule finds for every bundled rule it applies to', () => {
    const rules = loadBundledPacks().flatMap((p) => p.rules) as RuleSpec[];
    const located = rules.filter((r) => tokenLocator(r.regex, r.secretGroup ?? 0));
    expect(located.length).toBeGreaterThan(100);
    for (const rule of located) {
      // The rule's own secrets, cut out of its samples by its own regex.
      const re = new RE2(rule.regex, 'g');
      const tokens: Buffer[] = [];
      for (const line of rule.samples?.positive ?? []) {
        re.lastIndex = 0;
        for (let m = re.exec(line); m !== null; m = re.exec(line)) if (m[1]) tokens.push(Buffer.from(m[1]));
      }
      expect(tokens.length, rule.id).toBeGreaterThan(0);
      const check = bothWays(rule.regex);
      fc.assert(fc.property(inputs(tokens), check), { numRuns: 30 });
    }
  });
});
