import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { scrubJsonlBatch, WITHHELD_JSON_LINE } from '../../src/formats/jsonl-batch.js';
import { StructureRules } from '../../src/formats/structure-rules.js';
import { scrubberWith } from '../helpers/ruleset.js';

const scrubber = scrubberWith([{ id: 'tok', regex: 'tok_[A-Za-z0-9]{16}', keywords: ['tok_'] }]);
const structure = new StructureRules({
  secretKeys: ['password', 'token'],
  redactPaths: ['req.headers.cookie', 'users[*].ssn'],
});
const SECRET = 'tok_ABCDEFGH12345678';

function run(text: string, invalid: 'scan' | 'withhold' = 'scan') {
  const r = scrubJsonlBatch(Buffer.from(text), scrubber, structure, invalid);
  return { ...r, text: Buffer.from(r.output).toString() };
}

describe('scrubJsonlBatch', () => {
  it('applies value, key and path rules in place, keeping big integers, order and spacing', () => {
    const line = `{"id": 12345678901234567890, "password":"hunter22", "pin_token": 4242, "req":{"headers":{"cookie":"sid=1","host":"h"}}, "users":[{"ssn":"123-45"}], "msg":"k=${SECRET}", "max_tokens": 100}\n`;
    const r = run(line);
    expect(r.text).toBe(
      '{"id": 12345678901234567890, "password":"[REDACTED:secret-key]", "pin_token": "[REDACTED:secret-key]", "req":{"headers":{"cookie":"[REDACTED:redact-path]","host":"h"}}, "users":[{"ssn":"[REDACTED:redact-path]"}], "msg":"k=[REDACTED:tok]", "max_tokens": 100}\n',
    );
    expect(r.findings.map((f) => f.ruleId)).toEqual([
      'secret-key',
      'secret-key',
      'redact-path',
      'redact-path',
      'tok',
    ]);
  });

  it('scans a non-JSON line as text, or withholds it', () => {
    const text = `plain ${SECRET}\n{"ok":1}\n{"broken": \n`;
    expect(run(text).text).toBe('plain [REDACTED:tok]\n{"ok":1}\n{"broken": \n');
    const w = run(text, 'withhold');
    expect(w.text).toBe(`${WITHHELD_JSON_LINE}\n{"ok":1}\n${WITHHELD_JSON_LINE}\n`);
    expect(w.withheld).toBe(2);
  });

  it('withholds a line with invalid UTF-8 in withhold mode', () => {
    const bad = Buffer.concat([Buffer.from('{"a":"'), Buffer.from([0xff]), Buffer.from('"}\n')]);
    const r = scrubJsonlBatch(bad, scrubber, structure, 'withhold');
    expect(Buffer.from(r.output).toString()).toBe(`${WITHHELD_JSON_LINE}\n`);
  });

  it('keeps any JSON valid with the same keys and non-secret values (property)', () => {
    // Secrets injected into strings at random depths; key names avoid the secret-key rules.
    const plainKey = fc.string({ maxLength: 6 }).filter((k) => !/pass|token/i.test(k));
    const str = fc.oneof(
      fc.string({ maxLength: 10 }),
      fc.constant(SECRET),
      fc.string({ maxLength: 5 }).map((s) => `${s}${SECRET}"\\\n${s}`),
    );
    const value = fc.letrec((tie) => ({
      v: fc.oneof(
        { depthSize: 'small' },
        str,
        fc.integer(),
        fc.double({ noNaN: true, noDefaultInfinity: true }),
        fc.boolean(),
        fc.constant(null),
        fc.array(tie('v'), { maxLength: 4 }),
        fc.dictionary(plainKey, tie('v'), { maxKeys: 4 }),
      ),
    })).v;
    const strip = (v: unknown): unknown =>
      JSON.parse(
        JSON.stringify(v, (_k, x) => (typeof x === 'string' ? x.replaceAll(SECRET, '[REDACTED:tok]') : x)),
      );
    fc.assert(
      fc.property(fc.array(value, { minLength: 1, maxLength: 4 }), (values) => {
        const text = `${values.map((v) => JSON.stringify({ record: v })).join('\n')}\n`;
        const r = run(text, 'withhold');
        expect(r.withheld).toBe(0);
        const lines = r.text.split('\n').slice(0, -1);
        expect(lines).toHaveLength(values.length);
        lines.forEach((l, i) => {
          expect(JSON.parse(l)).toEqual(strip({ record: values[i] }));
        });
        expect(r.text).not.toContain(SECRET);
      }),
      { numRuns: 300 },
    );
  });
});
