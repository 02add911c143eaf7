import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type {
  ActionSpec,
  FormatSpec,
  GlobalAllowlist,
  KnownValueSpec,
  RuleSpec,
  RulesetSpec,
} from '../engine/types.js';
import { HushlogConfigError } from '../errors.js';
import { StructureRules } from '../formats/structure-rules.js';
import { loadKnownValues } from '../secrets/index.js';
import { loadGitleaksConfig } from './gitleaks.js';
import { loadBundledPacks, loadRulePackPath, type RulePack } from './load-pack.js';
import { validateAction } from './validate.js';

/** Everything that decides what gets masked, as plain data (CLI flags, config file, pino options). */
export interface RulesetOptions {
  /** Load the bundled pack in patterns/default (default true). */
  defaultRules?: boolean;
  /** User packs: files (.toml/.yaml/.yml/.json) or directories of them. */
  rulePaths?: string[];
  /** gitleaks-format TOML configs. */
  gitleaksConfigs?: string[];
  /** Environment variable name globs whose values are known secrets. */
  secretsEnv?: string[];
  /** dotenv files. */
  secretsFiles?: string[];
  /** One-file-per-secret directories (Kubernetes, Vault Agent, CSI). */
  secretsDirs?: string[];
  /** argv arrays printing KEY=VALUE lines. */
  secretsCommands?: string[][];
  /** Literal values (library use). */
  knownValues?: KnownValueSpec[];
  /** Default action for every rule without its own (default: label). */
  action?: ActionSpec;
  /** Per rule id overrides. */
  ruleActions?: Record<string, ActionSpec>;
  /** Rule ids to leave out. */
  disableRules?: string[];
  /** HMAC key for fingerprints and the `hash` action: hex, or a file holding it. Random per process if none. */
  hashKeyHex?: string;
  hashKeyFile?: string;
  /** Known values shorter than this are refused with a warning (default 8). */
  minKnownValueLength?: number;
  /** JSON/msgpack key names whose values are always masked (key-rules.ts; default none). */
  secretKeys?: string[];
  /** pino/fast-redact paths whose values are always masked. */
  redactPaths?: string[];
  /** Action for key/path matches (default: `action`). */
  structureAction?: ActionSpec;
  /** Record format of the batches the ruleset will scrub. */
  format?: FormatSpec;
  env?: NodeJS.ProcessEnv;
}

export const DEFAULT_MIN_KNOWN_VALUE_LENGTH = 8;

/** Loads every rule and secret source named by the options into one versioned RulesetSpec. */
export async function buildRulesetSpec(
  opts: RulesetOptions,
  version = 1,
): Promise<{ spec: RulesetSpec; warnings: string[] }> {
  const warnings: string[] = [];
  const packs: RulePack[] = [];
  if (opts.defaultRules !== false) packs.push(...loadBundledPacks());
  for (const p of opts.rulePaths ?? []) packs.push(...loadRulePackPath(p));
  for (const g of opts.gitleaksConfigs ?? []) {
    const imported = loadGitleaksConfig(g);
    packs.push(imported.pack);
    warnings.push(...imported.warnings);
  }
  const rules = selectRules(packs, opts);
  const allowlist = mergeAllowlists(packs);

  const minLength = opts.minKnownValueLength ?? DEFAULT_MIN_KNOWN_VALUE_LENGTH;
  const loaded = await loadKnownValues({
    envGlobs: opts.secretsEnv,
    dotenvFiles: opts.secretsFiles,
    dirs: opts.secretsDirs,
    commands: opts.secretsCommands,
    minLength,
    env: opts.env,
  });
  warnings.push(...loaded.warnings);
  const knownValues = [...loaded.values];
  for (const v of opts.knownValues ?? []) {
    if (v.value.length < minLength) {
      warnings.push(`${v.source}: value shorter than ${minLength} characters refused`);
    } else knownValues.push(v);
  }

  const spec: RulesetSpec = {
    version,
    rules,
    knownValues,
    options: {
      defaultAction: validateAction(opts.action ?? { kind: 'label' }, 'action'),
      hashKeyHex: resolveHashKey(opts),
      minKnownValueLength: minLength,
      allowlist,
      structure: {
        secretKeys: opts.secretKeys ?? [],
        redactPaths: opts.redactPaths ?? [],
        ...(opts.structureAction ? { action: validateAction(opts.structureAction, 'structure action') } : {}),
      },
    },
  };
  if (opts.format) spec.format = opts.format;
  // Fail now, naming the path, rather than in every worker.
  new StructureRules(spec.options.structure);
  return { spec, warnings };
}

function selectRules(packs: RulePack[], opts: RulesetOptions): RuleSpec[] {
  const disabled = new Set(opts.disableRules ?? []);
  const rules = packs.flatMap((p) => p.rules).filter((r) => !disabled.has(r.id));
  const known = new Set(rules.map((r) => r.id));
  for (const id of disabled) {
    if (!packs.some((p) => p.rules.some((r) => r.id === id))) {
      throw new HushlogConfigError('E_RULE_UNKNOWN', 'cannot disable: no such rule', { ruleId: id });
    }
  }
  const overrides = opts.ruleActions ?? {};
  for (const id of Object.keys(overrides)) {
    if (!known.has(id))
      throw new HushlogConfigError('E_RULE_UNKNOWN', 'action override for a rule that is not loaded', {
        ruleId: id,
      });
  }
  return rules.map((r) =>
    overrides[r.id] ? { ...r, action: validateAction(overrides[r.id], 'action', { ruleId: r.id }) } : r,
  );
}

function mergeAllowlists(packs: RulePack[]): GlobalAllowlist {
  return {
    regexes: packs.flatMap((p) => p.allowlist?.regexes ?? []),
    stopwords: packs.flatMap((p) => p.allowlist?.stopwords ?? []),
  };
}

function resolveHashKey(opts: RulesetOptions): string {
  if (opts.hashKeyHex !== undefined) {
    if (!/^(?:[0-9a-fA-F]{2}){16,}$/.test(opts.hashKeyHex)) {
      throw new HushlogConfigError('E_HASH_KEY', 'hash key must be at least 32 hex digits');
    }
    return opts.hashKeyHex.toLowerCase();
  }
  if (opts.hashKeyFile !== undefined) {
    let raw: Buffer;
    try {
      raw = readFileSync(opts.hashKeyFile);
    } catch (err) {
      throw new HushlogConfigError(
        'E_READ',
        `cannot read hash key (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
        {
          file: opts.hashKeyFile,
        },
      );
    }
    const text = raw.toString('utf8').trim();
    if (text.length < 16)
      throw new HushlogConfigError('E_HASH_KEY', 'hash key file holds fewer than 16 characters', {
        file: opts.hashKeyFile,
      });
    return Buffer.from(text, 'utf8').toString('hex');
  }
  // One key per process, shared by every worker through the spec, so fingerprints agree.
  return randomBytes(32).toString('hex');
}
