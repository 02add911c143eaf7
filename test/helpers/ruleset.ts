import { Scrubber } from '../../src/engine/scrubber.js';
import type { ActionSpec, KnownValueSpec, RuleSpec, RulesetSpec } from '../../src/engine/types.js';
import { compileRuleset } from '../../src/rules/compile.js';

export const TEST_HASH_KEY = '0123456789abcdef'.repeat(4);

export function specWith(
  rules: Array<Partial<RuleSpec> & Pick<RuleSpec, 'id' | 'regex'>>,
  extra: { knownValues?: KnownValueSpec[]; defaultAction?: ActionSpec; stopwords?: string[] } = {},
): RulesetSpec {
  return {
    version: 1,
    rules: rules.map((r) => ({ description: '', keywords: [], origin: 'inline.toml', ...r })),
    knownValues: extra.knownValues ?? [],
    options: {
      defaultAction: extra.defaultAction ?? { kind: 'label' },
      hashKeyHex: TEST_HASH_KEY,
      minKnownValueLength: 8,
      allowlist: { stopwords: extra.stopwords ?? [], regexes: [] },
    },
  };
}

export function scrubberWith(...args: Parameters<typeof specWith>): Scrubber {
  return new Scrubber(compileRuleset(specWith(...args)));
}

export function scrubText(scrubber: Scrubber, text: string | Buffer): string {
  const input = typeof text === 'string' ? Buffer.from(text) : text;
  return Buffer.from(scrubber.scrub(input).output).toString('latin1');
}
