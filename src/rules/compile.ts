import RE2 from 're2';
import { KeywordScanner } from '../engine/keyword-scanner.js';
import { KnownValueMatcher, type SharedKnownValueTables } from '../engine/known-values.js';
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
  readonly index: number;
  readonly id: string;
  readonly re: RE2;
  readonly group: number;
  readonly minEntropy: number;
  readonly checksum?: ChecksumValidator;
  readonly allowlist: CompiledAllowlist;
  /** The regex cannot match a line missing every literal of one set (required-literals.ts). */
  readonly required: Buffer[][] | null;
  /** For `LEADING_BOUNDARY(TOKEN)` rules: TOKEN alone, found without RE2's submatch engine. */
  readonly locator: TokenLocator | null;
  readonly action: ActionSpec;
  readonly priority: number;
  readonly multiline: boolean;
}

export interface CompileOptions {
  /**
   * Compile every regex now, so a broken one refuses the ruleset at load (default). False
   * for a thread whose twin already validated the same spec: regexes then compile on first
   * use, and most rules of the bundled pack never run on a given stream (68 of 296 on the
   * benchmark corpus), which saved a worker ~150 ms of start-up CPU.
   */
  validate?: boolean;
  /** The spec's known-value tables, built by another thread: attached, not built again. */
  knownTables?: SharedKnownValueTables;
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

/** Compiles the automata and (see CompileOptions) every regex; a broken rule refuses the whole ruleset. */
export function compileRuleset(spec: RulesetSpec, opts: CompileOptions = {}): CompiledRuleset {
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
    return new LazyRule(rule, index, defaultAction, opts.validate !== false);
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
    known: knownValues.length
      ? opts.knownTables
        ? KnownValueMatcher.fromShared(opts.knownTables)
        : KnownValueMatcher.build(knownValues)
      : null,
    knownSources: knownValues.map((v) => v.source),
    globalAllowlist: compileAllowlist(spec.options.allowlist ?? {}, undefined),
    defaultAction,
    hashKey: Buffer.from(spec.options.hashKeyHex, 'hex'),
  };
}

/**
 * Compiles every regex a ruleset built with `validate: false` has not compiled yet; throws
 * what compileRuleset would have thrown for a broken rule.
 */
export function validateCompiled(compiled: CompiledRuleset): void {
  for (const rule of compiled.rules) {
    void rule.re;
    void rule.allowlist;
  }
}

/**
 * A rule whose cheap checks ran at construction and whose regexes, and the analyses built on
 * them, are made on first use. Getters keep one object shape for the scrubber's hot loop.
 */
class LazyRule implements CompiledRule {
  readonly id: string;
  readonly group: number;
  readonly minEntropy: number;
  readonly checksum?: ChecksumValidator;
  readonly action: ActionSpec;
  readonly priority: number;
  readonly multiline: boolean;
  private readonly where: { file?: string; ruleId: string };
  private reValue: RE2 | undefined;
  private allowlistValue: CompiledAllowlist | undefined;
  private requiredValue: Buffer[][] | null | undefined;
  private locatorValue: TokenLocator | null | undefined;

  constructor(
    private readonly spec: RuleSpec,
    readonly index: number,
    defaultAction: ActionSpec,
    validate: boolean,
  ) {
    this.id = spec.id;
    this.where = { file: spec.origin, ruleId: spec.id };
    // Regex first: RE2's message says more about a broken rule than the group count does.
    if (validate) void this.re;
    this.group = spec.secretGroup ?? 0;
    const groups = countGroups(spec.regex);
    if (!Number.isInteger(this.group) || this.group < 0 || this.group > groups) {
      throw new HushlogConfigError(
        'E_RULE_GROUP',
        `secretGroup ${this.group} does not exist (the regex has ${groups} capture groups)`,
        this.where,
      );
    }
    if (spec.checksum) {
      this.checksum = checksumValidators[spec.checksum];
      if (!this.checksum) {
        throw new HushlogConfigError(
          'E_RULE_CHECKSUM',
          `unknown checksum "${spec.checksum}" (known: ${Object.keys(checksumValidators).join(', ')})`,
          this.where,
        );
      }
    }
    this.minEntropy = spec.entropy ?? 0;
    this.action = spec.action
      ? validateAction(spec.action, `rule ${spec.id} action`, this.where)
      : defaultAction;
    this.priority = spec.priority ?? 0;
    this.multiline = spec.multiline ?? false;
    if (validate) void this.allowlist;
  }

  get re(): RE2 {
    this.reValue ??= compileRegex(this.spec.regex, 'gd', this.where);
    return this.reValue;
  }

  get allowlist(): CompiledAllowlist {
    this.allowlistValue ??= compileAllowlist(this.spec.allowlist ?? {}, this.where);
    return this.allowlistValue;
  }

  get required(): Buffer[][] | null {
    if (this.requiredValue === undefined) {
      const sets = requiredLiterals(this.spec.regex);
      this.requiredValue = sets?.map((set) => set.map((l) => Buffer.from(l, 'utf8'))) ?? null;
    }
    return this.requiredValue;
  }

  get locator(): TokenLocator | null {
    if (this.locatorValue === undefined) this.locatorValue = tokenLocator(this.spec.regex, this.group);
    return this.locatorValue;
  }
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
