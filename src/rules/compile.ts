import RE2 from 're2';
import { KeywordScanner } from '../engine/keyword-scanner.js';
import { KnownValueMatcher } from '../engine/known-values.js';
import type { ActionSpec, GlobalAllowlist, RuleAllowlist, RuleSpec, RulesetSpec } from '../engine/types.js';
import { HushlogConfigError } from '../errors.js';
import { type ChecksumValidator, checksumValidators } from './checksums.js';
import { countGroups } from './regex-source.js';
import { requiredLiterals } from './required-literals.js';
import { type TokenLocator, tokenLocator } from './token-locator.js';
import { validateAction } from './validate.js';

export interface CompiledAllowlist {
  /** Every allowlist regex as one alternation: one native call per candidate, not one each. */
  regex: RE2 | null;
  /** Lower-cased. */
  stopwords: string[];
}

export interface CompiledRule {
  index: number;
  id: string;
  re: RE2;
  group: number;
  minEntropy: number;
  checksum?: ChecksumValidator;
  allowlist: CompiledAllowlist;
  /** The regex cannot match a line missing every literal of one set (required-literals.ts). */
  required: Buffer[][] | null;
  /** For `LEADING_BOUNDARY(TOKEN)` rules: TOKEN alone, found without RE2's submatch engine. */
  locator: TokenLocator | null;
  action: ActionSpec;
  priority: number;
  multiline: boolean;
}

/** A ruleset ready to scrub with. Built in each worker from the same plain RulesetSpec. */
export interface CompiledRuleset {
  version: number;
  rules: CompiledRule[];
  keywordScanner: KeywordScanner;
  /** Keyword index -> indexes of the rules it triggers. */
  keywordRules: Int32Array[];
  /** Rules without keywords: they run over every batch. */
  alwaysRules: number[];
  known: KnownValueMatcher | null;
  /** Value index -> source name (never the value). */
  knownSources: string[];
  knownValueAction?: ActionSpec;
  globalAllowlist: CompiledAllowlist;
  defaultAction: ActionSpec;
  hashKey: Buffer;
}

/** Compiles every regex and automaton; a broken rule refuses the whole ruleset. */
export function compileRuleset(spec: RulesetSpec): CompiledRuleset {
  const defaultAction = validateAction(spec.options.defaultAction, 'default action');
  const seen = new Set<string>();
  const rules = spec.rules.map((rule, index) => {
    if (seen.has(rule.id)) {
      throw new HushlogConfigError('E_RULE_DUPLICATE', 'duplicate rule id', {
        file: rule.origin,
        ruleId: rule.id,
      });
    }
    seen.add(rule.id);
    return compileRule(rule, index, defaultAction);
  });

  const keywordIndex = new Map<string, number>();
  const keywordRuleLists: number[][] = [];
  const alwaysRules: number[] = [];
  spec.rules.forEach((rule, idx) => {
    if (rule.keywords.length === 0) {
      alwaysRules.push(idx);
      return;
    }
    for (const raw of rule.keywords) {
      const kw = raw.toLowerCase();
      let k = keywordIndex.get(kw);
      if (k === undefined) {
        k = keywordRuleLists.length;
        keywordIndex.set(kw, k);
        keywordRuleLists.push([]);
      }
      if (!keywordRuleLists[k].includes(idx)) keywordRuleLists[k].push(idx);
    }
  });

  const knownValues = spec.knownValues;
  return {
    version: spec.version,
    rules,
    keywordScanner: new KeywordScanner([...keywordIndex.keys()]),
    keywordRules: keywordRuleLists.map((l) => Int32Array.from(l)),
    alwaysRules,
    known: knownValues.length ? KnownValueMatcher.build(knownValues) : null,
    knownSources: knownValues.map((v) => v.source),
    globalAllowlist: compileAllowlist(spec.options.allowlist ?? {}, undefined),
    defaultAction,
    hashKey: Buffer.from(spec.options.hashKeyHex, 'hex'),
  };
}

function compileRule(rule: RuleSpec, index: number, defaultAction: ActionSpec): CompiledRule {
  const where = { file: rule.origin, ruleId: rule.id };
  const re = compileRegex(rule.regex, 'gd', where);
  const group = rule.secretGroup ?? 0;
  const groups = countGroups(rule.regex);
  if (!Number.isInteger(group) || group < 0 || group > groups) {
    throw new HushlogConfigError(
      'E_RULE_GROUP',
      `secretGroup ${group} does not exist (the regex has ${groups} capture groups)`,
      where,
    );
  }
  let checksum: ChecksumValidator | undefined;
  if (rule.checksum) {
    checksum = checksumValidators[rule.checksum];
    if (!checksum) {
      throw new HushlogConfigError(
        'E_RULE_CHECKSUM',
        `unknown checksum "${rule.checksum}" (known: ${Object.keys(checksumValidators).join(', ')})`,
        where,
      );
    }
  }
  return {
    index,
    id: rule.id,
    re,
    group,
    minEntropy: rule.entropy ?? 0,
    checksum,
    allowlist: compileAllowlist(rule.allowlist ?? {}, where),
    required: requiredLiterals(rule.regex)?.map((set) => set.map((l) => Buffer.from(l, 'utf8'))) ?? null,
    locator: tokenLocator(rule.regex, group),
    action: rule.action ? validateAction(rule.action, `rule ${rule.id} action`, where) : defaultAction,
    priority: rule.priority ?? 0,
    multiline: rule.multiline ?? false,
  };
}

function compileAllowlist(
  allow: RuleAllowlist | GlobalAllowlist,
  where: { file?: string; ruleId?: string } | undefined,
): CompiledAllowlist {
  const sources = allow.regexes ?? [];
  // Each alone first, so an error names the regex RE2 refused, then their union.
  for (const r of sources) compileRegex(r, '', where ?? {});
  return {
    regex: sources.length ? compileRegex(sources.map((r) => `(?:${r})`).join('|'), '', where ?? {}) : null,
    stopwords: (allow.stopwords ?? []).map((w) => w.toLowerCase()),
  };
}

function compileRegex(source: string, flags: string, where: { file?: string; ruleId?: string }): RE2 {
  try {
    return new RE2(source, flags);
  } catch (err) {
    throw new HushlogConfigError('E_RULE_REGEX', `invalid RE2 regex: ${(err as Error).message}`, where);
  }
}
