import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HushlogConfigError } from '../../src/errors.js';
import { loadGitleaksConfig } from '../../src/rules/gitleaks.js';
import { loadRulePackFile, loadRulePackPath } from '../../src/rules/load-pack.js';

const dir = mkdtempSync(join(tmpdir(), 'hushlog-pack-'));
function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

function errorOf(fn: () => unknown): HushlogConfigError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(HushlogConfigError);
    return e as HushlogConfigError;
  }
  throw new Error('expected an error');
}

describe('rule pack loading', () => {
  it('loads TOML, YAML and JSON packs to the same rules', () => {
    const toml = file(
      'a.toml',
      `[pack]\nid = "mine"\n[[rules]]\nid = "my-token"\nregex = '''myt_[a-z0-9]{10}'''\nkeywords = ["myt_"]\n[rules.action]\nkind = "mask"\ntext = "XXX"\n`,
    );
    const yaml = file(
      'b.yaml',
      'rules:\n  - id: my-token\n    regex: "myt_[a-z0-9]{10}"\n    keywords: [myt_]\n    action: {kind: mask, text: XXX}\n',
    );
    const json = file(
      'c.json',
      JSON.stringify({
        rules: [
          {
            id: 'my-token',
            regex: 'myt_[a-z0-9]{10}',
            keywords: ['myt_'],
            action: { kind: 'mask', text: 'XXX' },
          },
        ],
      }),
    );
    const strip = (p: string) => loadRulePackFile(p).rules.map(({ origin, ...r }) => r);
    expect(strip(toml)).toEqual(strip(yaml));
    expect(strip(json)).toEqual(strip(toml));
    expect(loadRulePackFile(toml).rules[0].origin).toBe(toml);
  });

  it('names file and line for a syntax error, without quoting the text', () => {
    const p = file('bad.toml', '[[rules]]\nid = "x"\nregex = "sk_live_SECRETSECRET\n');
    const err = errorOf(() => loadRulePackFile(p));
    expect(err.message).toMatch(new RegExp(`^${p}:\\d+: invalid TOML`));
    expect(err.message).not.toContain('SECRETSECRET');
  });

  it('names file and rule id for a bad field', () => {
    const p = file('field.toml', '[[rules]]\nid = "x1"\nregex = "a"\nentropy = 99\n');
    expect(errorOf(() => loadRulePackFile(p)).message).toBe(
      `${p}: rule x1: entropy must be a number from 0 to 8`,
    );
    const q = file('unknown.toml', '[[rules]]\nid = "x2"\nregex = "a"\nkeyword = ["a"]\n');
    expect(errorOf(() => loadRulePackFile(q)).message).toBe(`${q}: rule x2: unknown field "keyword"`);
  });

  it('refuses unsafe mask text', () => {
    const p = file(
      'mask.toml',
      '[[rules]]\nid = "x3"\nregex = "a"\n[rules.action]\nkind = "mask"\ntext = "a\\"b"\n',
    );
    expect(errorOf(() => loadRulePackFile(p)).message).toMatch(
      /rule x3: action: text must be printable ASCII/,
    );
  });

  it('loads a directory of packs in name order and refuses an empty one', () => {
    const d = mkdtempSync(join(tmpdir(), 'hushlog-packdir-'));
    writeFileSync(join(d, 'z.toml'), '[[rules]]\nid = "z"\nregex = "z"\n');
    writeFileSync(join(d, 'a.json'), '{"rules":[{"id":"a","regex":"a"}]}');
    writeFileSync(join(d, 'notes.txt'), 'ignored');
    expect(loadRulePackPath(d).flatMap((p) => p.rules.map((r) => r.id))).toEqual(['a', 'z']);
    const empty = mkdtempSync(join(tmpdir(), 'hushlog-empty-'));
    expect(errorOf(() => loadRulePackPath(empty)).code).toBe('E_PACK');
  });
});

describe('gitleaks import', () => {
  it('imports rules, keywords, secretGroup, entropy and allowlists', () => {
    const p = file(
      'gitleaks.toml',
      `title = "custom"
[extend]
useDefault = true
[[rules]]
id = "Acme-API-Key"
description = "Acme key"
regex = '''(?i)acme[_-]?key\\s*=\\s*([a-z0-9]{24})'''
secretGroup = 1
entropy = 3.2
keywords = ["acme"]
[[rules.allowlists]]
stopwords = ["example"]
regexes = ['''^0+$''']
[[rules.allowlists]]
condition = "AND"
paths = ['''test/''']
regexes = ['''.*''']
[allowlist]
stopwords = ["dummy"]
`,
    );
    const { pack, warnings } = loadGitleaksConfig(p);
    expect(pack.rules).toHaveLength(1);
    const r = pack.rules[0];
    expect(r.id).toBe('acme-api-key');
    expect(r.secretGroup).toBe(1);
    expect(r.entropy).toBe(3.2);
    expect(r.keywords).toEqual(['acme']);
    expect(r.allowlist).toEqual({ regexes: ['^0+$'], stopwords: ['example'] });
    expect(pack.allowlist?.stopwords).toEqual(['dummy']);
    expect(warnings.some((w) => w.includes('[extend]'))).toBe(true);
    expect(warnings.some((w) => w.includes('AND allowlist'))).toBe(true);
  });

  it('refuses path-only rules instead of skipping them', () => {
    const p = file('paths.toml', `[[rules]]\nid = "pkcs12-file"\npath = '''\\.p12$'''\n`);
    expect(errorOf(() => loadGitleaksConfig(p)).message).toMatch(/rule pkcs12-file: rule has no regex/);
  });
});
