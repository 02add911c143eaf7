import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Scrubber } from '../../src/engine/scrubber.js';
import { HushlogConfigError } from '../../src/errors.js';
import { compileRuleset } from '../../src/rules/compile.js';
import { buildRulesetSpec } from '../../src/rules/ruleset.js';
import { scrubberWith, scrubText, specWith, TEST_HASH_KEY } from '../helpers/ruleset.js';

const TOKEN = { id: 'tok', regex: 'tok_[A-Za-z0-9]{12}', keywords: ['tok_'] };

describe('Scrubber', () => {
  it('masks matches with the rule label and reports findings without the value', () => {
    const s = scrubberWith([TOKEN]);
    const input = Buffer.from('a\nkey tok_abcdefABCDEF end\nb tok_ZZZZZZZZZZZZ\n');
    const r = s.scrub(input);
    expect(Buffer.from(r.output).toString()).toBe('a\nkey [REDACTED:tok] end\nb [REDACTED:tok]\n');
    expect(r.findings.map((f) => [f.ruleId, f.record, f.offset, f.length])).toEqual([
      ['tok', 1, 6, 16],
      ['tok', 2, 29, 16],
    ]);
    expect(JSON.stringify(r.findings)).not.toContain('abcdef');
    expect(r.findings[0].fingerprint).toMatch(/^[0-9a-f]{16}$/);
  });

  it('returns the input untouched (same object) when nothing matches', () => {
    const s = scrubberWith([TOKEN]);
    const input = Buffer.from('nothing here tok_short\n');
    expect(s.scrub(input).output).toBe(input);
  });

  it("writes the output into the caller's buffer when it fits, else into a new one", () => {
    const s = scrubberWith([TOKEN]);
    const input = Buffer.from('key tok_abcdefABCDEF end\n');
    const expected = 'key [REDACTED:tok] end\n';
    const roomy = Buffer.alloc(64, 0x2a);
    const out = s.scrub(input, undefined, roomy).output;
    expect(out.buffer).toBe(roomy.buffer);
    expect(Buffer.from(out).toString()).toBe(expected);
    expect(roomy.subarray(expected.length).every((b) => b === 0x2a)).toBe(true);
    const tight = Buffer.alloc(expected.length - 1);
    const fresh = s.scrub(input, undefined, tight).output;
    expect(fresh.buffer).not.toBe(tight.buffer);
    expect(Buffer.from(fresh).toString()).toBe(expected);
  });

  it('masks only the secret group', () => {
    const s = scrubberWith([
      { id: 'pw', regex: '(?i)password=([^\\s&"]+)', keywords: ['password'], secretGroup: 1 },
    ]);
    expect(scrubText(s, 'login password=hunter22 ok')).toBe('login password=[REDACTED:pw] ok');
  });

  it('keeps every byte outside spans: CRLF, NUL, invalid UTF-8, no trailing newline', () => {
    const s = scrubberWith([TOKEN]);
    const input = Buffer.concat([
      Buffer.from([0xff, 0xfe, 0x00, 0x0d, 0x0a]),
      Buffer.from('x tok_abcdefABCDEF\r\n'),
      Buffer.from([0xc3, 0x28, 0x00]),
      Buffer.from(' tail'),
    ]);
    const out = Buffer.from(s.scrub(input).output);
    const expected = Buffer.concat([
      Buffer.from([0xff, 0xfe, 0x00, 0x0d, 0x0a]),
      Buffer.from('x [REDACTED:tok]\r\n'),
      Buffer.from([0xc3, 0x28, 0x00]),
      Buffer.from(' tail'),
    ]);
    expect(out.equals(expected)).toBe(true);
  });

  it('never eats a JSON quote nor splits an escape sequence', () => {
    // A sloppy user rule whose match runs across the closing quote and starts mid-escape.
    const s = scrubberWith([{ id: 'sloppy', regex: 'n?secret[^,]*', keywords: ['secret'] }]);
    const line = JSON.stringify({ a: 'x\nsecretvalue123', b: 1 });
    const out = scrubText(s, line);
    expect(() => JSON.parse(out)).not.toThrow();
    expect(out).not.toContain('secretvalue123');
    expect(Object.keys(JSON.parse(out))).toEqual(['a', 'b']);
  });

  it('extends a span that would end inside a \\u escape', () => {
    const s = scrubberWith([{ id: 'u', regex: 'pw:[a-z\\\\0-9]{6}', keywords: ['pw:'] }]);
    const line = '{"m":"pw:ab\\u00e9cd"}';
    const out = scrubText(s, line);
    expect(() => JSON.parse(out)).not.toThrow();
    expect(out).toBe('{"m":"[REDACTED:u]cd"}');
  });

  it('masks a multi-line match line by line, keeping the record count', () => {
    const s = scrubberWith([
      {
        id: 'pem',
        regex: '-----BEGIN [A-Z ]*PRIVATE KEY-----[\\s\\S]*?-----END [A-Z ]*PRIVATE KEY-----',
        keywords: ['private key-----'],
        multiline: true,
      },
    ]);
    const pem = '-----BEGIN RSA PRIVATE KEY-----\nMIIEabc\nQWERTY==\n-----END RSA PRIVATE KEY-----';
    const out = scrubText(s, `before\n${pem}\nafter\n`);
    expect(out).toBe('before\n[REDACTED:pem]\n[REDACTED:pem]\n[REDACTED:pem]\n[REDACTED:pem]\nafter\n');
  });

  it('merges overlapping rules so no tail of a specific key leaks', () => {
    const s = scrubberWith([
      { id: 'generic', regex: 'key=([A-Za-z0-9_]{6})', keywords: ['key='], secretGroup: 1 },
      { id: 'specific', regex: 'sk_[A-Za-z0-9]{20}', keywords: ['sk_'] },
    ]);
    // The generic rule covers only the first 6 bytes of the key: the union must hide all of it.
    expect(scrubText(s, 'key=sk_ABCDEFGHIJKLMNOPQRST!')).toBe('key=[REDACTED:specific]!');
    // Touching but not overlapping spans keep their own labels.
    expect(scrubText(s, 'key=ab12cdsk_ABCDEFGHIJKLMNOPQRST!')).toBe(
      'key=[REDACTED:generic][REDACTED:specific]!',
    );
  });

  it('finds a secret whose leading boundary is the trailing boundary of the previous one', () => {
    // The trailing boundary is consumed by the first match; the next search must still see it.
    const s = scrubberWith([
      {
        id: 'akid',
        regex: '(?:^|[^0-9A-Za-z_-])(AKIA[A-Z2-7]{16})(?:$|[^0-9A-Za-z_-])',
        keywords: ['akia'],
        secretGroup: 1,
      },
    ]);
    expect(scrubText(s, 'k AKIAIOSFODNN7EXAMPLE AKIAIOSFODNN7EXAMPLF,AKIAIOSFODNN7EXAMPLG')).toBe(
      'k [REDACTED:akid] [REDACTED:akid],[REDACTED:akid]',
    );
  });

  it('gives the same output whatever the rule order', () => {
    const a = { id: 'a', regex: 'AAA[0-9]{6}', keywords: ['aaa'] };
    const b = { id: 'b', regex: '[0-9]{6}BBB', keywords: ['bbb'] };
    const text = 'x AAA123456BBB y';
    expect(scrubText(scrubberWith([a, b]), text)).toBe(scrubText(scrubberWith([b, a]), text));
  });

  it('applies entropy, checksum-free allowlist and global stopword gates', () => {
    const rule = {
      id: 'tokv',
      regex: 'token=([A-Za-z0-9]{8,})',
      keywords: ['token='],
      secretGroup: 1,
      entropy: 3,
    };
    const s = scrubberWith([{ ...rule, allowlist: { stopwords: ['example'] } }], {
      stopwords: ['placeholder'],
    });
    expect(scrubText(s, 'token=aaaaaaaaaaaa')).toBe('token=aaaaaaaaaaaa');
    expect(scrubText(s, 'token=EXAMPLEq8Zr2Lk')).toBe('token=EXAMPLEq8Zr2Lk');
    expect(scrubText(s, 'token=PlaceHolder9x7Q')).toBe('token=PlaceHolder9x7Q');
    expect(scrubText(s, 'token=q8Zr2LkW5nT1')).toBe('token=[REDACTED:tokv]');
  });

  it('applies every allowlist regex, each with its own anchors and flags', () => {
    const s = scrubberWith([
      {
        id: 'tokv',
        regex: 'token=([A-Za-z0-9]{8,})',
        keywords: ['token='],
        secretGroup: 1,
        allowlist: { regexes: ['^0+$', '(?i)dummy', 'X{3}|Y{3}'] },
      },
    ]);
    expect(scrubText(s, 'token=00000000')).toBe('token=00000000');
    expect(scrubText(s, 'token=00000001')).toBe('token=[REDACTED:tokv]');
    expect(scrubText(s, 'token=abDUMMYcd')).toBe('token=abDUMMYcd');
    expect(scrubText(s, 'token=abYYYcd12')).toBe('token=abYYYcd12');
    // `(?i)` stays inside its own alternative: `X{3}` is still case-sensitive.
    expect(scrubText(s, 'token=abxxxcd12')).toBe('token=[REDACTED:tokv]');
    expect(() =>
      scrubberWith([{ id: 'bad', regex: 'a', allowlist: { regexes: ['ok', '(unclosed'] } }]),
    ).toThrow(/invalid RE2 regex/);
  });

  it('never re-masks its own labels (idempotent)', () => {
    const s = scrubberWith([{ id: 'any', regex: 'secret=(\\S+)', keywords: ['secret='], secretGroup: 1 }]);
    const once = scrubText(s, 'secret=abc123xyz');
    expect(once).toBe('secret=[REDACTED:any]');
    expect(scrubText(s, once)).toBe(once);
  });

  describe('actions', () => {
    const text = 'k tok_abcdefABCDEF\n';
    it('mask uses the fixed text', () => {
      const s = scrubberWith([{ ...TOKEN, action: { kind: 'mask', text: '****' } }]);
      expect(scrubText(s, text)).toBe('k ****\n');
    });
    it('hash is stable for the same key and value', () => {
      const s = scrubberWith([TOKEN], { defaultAction: { kind: 'hash' } });
      const out = scrubText(s, text);
      expect(out).toMatch(/^k \[REDACTED:tok:[0-9a-f]{8}\]\n$/);
      expect(scrubText(scrubberWith([TOKEN], { defaultAction: { kind: 'hash' } }), text)).toBe(out);
    });
    it('partial keeps the ends only when enough stays hidden', () => {
      const s = scrubberWith([{ ...TOKEN, action: { kind: 'partial', keepStart: 4, keepEnd: 2 } }]);
      expect(scrubText(s, text)).toBe('k tok_****EF\n');
      const greedy = scrubberWith([{ ...TOKEN, action: { kind: 'partial', keepStart: 8, keepEnd: 8 } }]);
      expect(scrubText(greedy, text)).toBe('k [REDACTED:tok]\n');
    });
    it('drop removes the whole record and counts it', () => {
      const s = scrubberWith([{ ...TOKEN, action: { kind: 'drop' } }]);
      const r = s.scrub(Buffer.from('keep1\nx tok_abcdefABCDEF y\nkeep2\nlast tok_abcdefABCDEF'));
      expect(Buffer.from(r.output).toString()).toBe('keep1\nkeep2\n');
      expect(r.droppedRecords).toBe(2);
    });
  });

  describe('refuses broken rules with the file and rule id', () => {
    const expectError = (rule: Parameters<typeof specWith>[0][0], message: RegExp) => {
      let err: unknown;
      try {
        compileRuleset(specWith([rule]));
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(HushlogConfigError);
      expect((err as Error).message).toMatch(/^inline\.toml: rule bad: /);
      expect((err as Error).message).toMatch(message);
    };
    it('invalid RE2 syntax', () => expectError({ id: 'bad', regex: 'a(?=b)' }, /invalid RE2 regex/));
    it('missing secret group', () =>
      expectError({ id: 'bad', regex: 'a(b)', secretGroup: 2 }, /secretGroup 2/));
    it('unknown checksum', () =>
      expectError({ id: 'bad', regex: 'ab', checksum: 'nope' }, /unknown checksum/));
    it('masks the same with regexes compiled on first use as with all compiled at load', async () => {
      const { spec } = await buildRulesetSpec({ defaultRules: true, hashKeyHex: TEST_HASH_KEY });
      const app = readFileSync(new URL('../../examples/app.log', import.meta.url));
      const eager = new Scrubber(compileRuleset(spec)).scrub(app);
      const lazy = new Scrubber(compileRuleset(spec, { validate: false })).scrub(app);
      expect(lazy.findings.length).toBeGreaterThan(5);
      expect(lazy.findings).toEqual(eager.findings);
      expect(Buffer.from(lazy.output).equals(Buffer.from(eager.output))).toBe(true);
    });
    it('only on first use when compiled without validation (a twin thread validated)', () => {
      const lazy = compileRuleset(specWith([{ id: 'bad', regex: 'a(?=b)', keywords: ['a'] }]), {
        validate: false,
      });
      expect(() => lazy.rules[0].re).toThrow(/^inline\.toml: rule bad: invalid RE2 regex/);
      const scrubber = new Scrubber(lazy);
      expect(() => scrubber.scrub(Buffer.from('ab\n'))).toThrow(HushlogConfigError);
    });
    it('duplicate ids', () => {
      expect(() =>
        compileRuleset(
          specWith([
            { id: 'bad', regex: 'a' },
            { id: 'bad', regex: 'b' },
          ]),
        ),
      ).toThrow(/rule bad: duplicate rule id/);
    });
  });
});

describe('countGroups', () => {
  it('agrees with RE2 on the groups of tricky patterns', async () => {
    const { countGroups } = await import('../../src/rules/regex-source.js');
    const RE2 = (await import('re2')).default;
    const patterns = [
      'a(b)c',
      '(?:x)(y)',
      '(?P<n>a)(?i:b)',
      '[(]\\((c)',
      '[]()](d)',
      '[^]()](e)',
      '\\[(f)\\]',
      '((a)|(b))',
      '(?<name>x)',
    ];
    for (const p of patterns) {
      const m = new RE2(`${p}|`).exec(Buffer.alloc(0)) as unknown as unknown[];
      expect(countGroups(p), p).toBe(m.length - 1);
    }
  });
});
