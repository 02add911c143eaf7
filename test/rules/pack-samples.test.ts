import { readFileSync } from 'node:fs';
import RE2 from 're2';
import { describe, expect, it } from 'vitest';
import { Scrubber } from '../../src/engine/scrubber.js';
import { compileRuleset } from '../../src/rules/compile.js';
import { loadBundledPacks } from '../../src/rules/load-pack.js';
import { TEST_HASH_KEY } from '../helpers/ruleset.js';

const packs = loadBundledPacks();
const rules = packs.flatMap((p) => p.rules);
const scrubber = new Scrubber(
  compileRuleset({
    version: 1,
    rules,
    knownValues: [],
    options: {
      defaultAction: { kind: 'label' },
      hashKeyHex: TEST_HASH_KEY,
      minKnownValueLength: 8,
      allowlist: {
        regexes: packs.flatMap((p) => p.allowlist?.regexes ?? []),
        stopwords: packs.flatMap((p) => p.allowlist?.stopwords ?? []),
      },
    },
  }),
);

function spansOf(line: string) {
  return scrubber.findSpans(Buffer.from(line));
}

/** The secret the rule itself extracts from a sample, found independently of the Scrubber. */
function secretsOf(rule: (typeof rules)[number], line: string): string[] {
  const re = new RE2(rule.regex, 'g');
  const out: string[] = [];
  for (let m = re.exec(line); m !== null; m = re.exec(line)) {
    const s = m[rule.secretGroup ?? 0];
    if (s) out.push(s);
    if (m[0].length === 0) re.lastIndex++;
  }
  return out;
}

describe('bundled rule pack', () => {
  it('has at least 150 rules with unique ids and samples', () => {
    expect(rules.length).toBeGreaterThanOrEqual(150);
    expect(new Set(rules.map((r) => r.id)).size).toBe(rules.length);
    for (const r of rules) {
      expect(r.samples?.positive.length ?? 0, r.id).toBeGreaterThanOrEqual(2);
      expect(r.samples?.negative.length ?? 0, r.id).toBeGreaterThanOrEqual(2);
      expect(r.keywords.length, `${r.id} has keywords`).toBeGreaterThan(0);
    }
  });

  describe.each(rules.map((r) => [r.id, r] as const))('%s', (_id, rule) => {
    it('fires on every positive sample and masks the whole secret', () => {
      for (const line of rule.samples?.positive ?? []) {
        const ids = spansOf(line).map((s) => s.ruleId);
        expect(ids, `positive sample of ${rule.id}: ${line}`).toContain(rule.id);
        const out = Buffer.from(scrubber.scrub(Buffer.from(line)).output).toString();
        for (const secret of secretsOf(rule, line)) {
          if (secret.length >= 6) expect(out, `${rule.id} leaves its secret visible`).not.toContain(secret);
        }
      }
    });
    it('stays silent on every negative sample', () => {
      for (const line of rule.samples?.negative ?? []) {
        expect(
          spansOf(line).map((s) => s.ruleId),
          `negative sample of ${rule.id}: ${line}`,
        ).not.toContain(rule.id);
      }
    });
  });

  it('fires on nothing in the precision corpus', () => {
    const lines = readFileSync(new URL('../fixtures/precision.txt', import.meta.url), 'utf8')
      .split('\n')
      .filter((l) => l.length > 0);
    expect(lines.length).toBeGreaterThanOrEqual(60);
    const noisy = lines
      .map((line) => ({ line, ids: spansOf(line).map((s) => s.ruleId) }))
      .filter((x) => x.ids.length > 0);
    expect(noisy).toEqual([]);
  });
});
