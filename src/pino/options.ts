import { HushlogConfigError } from '../errors.js';
import type { RulesetOptions } from '../rules/ruleset.js';

/**
 * Options of the pino transport stage and of the in-process stream: the ruleset options the
 * CLI uses too (detector packs, known-value sources, actions, `secretKeys` / `redactPaths` /
 * `structureAction` for JSON keys and paths), plus where to write. Everything is plain data
 * because pino structured-clones transport options into its worker thread.
 */
export interface HushlogPinoOptions extends Omit<RulesetOptions, 'format'> {
  /**
   * Standalone use: a file descriptor (1 = stdout) or a file path. The stage then writes the
   * scrubbed lines there itself instead of handing them to the next pipeline stage.
   */
  destination?: number | string;
  /** Create missing parent directories of a `destination` path (default false). */
  mkdir?: boolean;
  /** Append to an existing `destination` file instead of truncating it (default true). */
  append?: boolean;
  /** Write to `destination` synchronously (default false; slower, nothing buffered in memory). */
  sync?: boolean;
}

/** The pino-specific options after validation. */
export interface PinoSinkOptions {
  destination?: number | string;
  mkdir: boolean;
  append: boolean;
  sync: boolean;
}

const PINO_ONLY_KEYS = ['destination', 'mkdir', 'append', 'sync'] as const;

const RULESET_KEYS = [
  'defaultRules',
  'rulePaths',
  'gitleaksConfigs',
  'secretsEnv',
  'secretsFiles',
  'secretsDirs',
  'secretsCommands',
  'knownValues',
  'action',
  'ruleActions',
  'disableRules',
  'hashKeyHex',
  'hashKeyFile',
  'minKnownValueLength',
  'secretKeys',
  'redactPaths',
  'structureAction',
  'env',
] as const satisfies ReadonlyArray<keyof HushlogPinoOptions>;

// Fails to compile when RulesetOptions gains a field RULESET_KEYS does not list yet. `format`
// is left out on purpose: pino always writes JSON lines.
type AssertNone<T extends never> = T;
type UnlistedRulesetKeys = AssertNone<
  Exclude<keyof RulesetOptions, (typeof RULESET_KEYS)[number] | 'format'>
>;

/**
 * What pino and thread-stream add to a single target's options on their way to the worker
 * (`pino.transport({ target, options, levels, dedupe })`): not the user's, so ignored.
 */
const PINO_INJECTED_KEYS = ['$context', 'pinoWillSendConfig', 'levels', 'dedupe'] as const;

/** A misspelt option (`secretEnv`) would silently leave secrets unmasked: refuse it instead. */
const KNOWN_KEYS = new Set<string | UnlistedRulesetKeys>([...PINO_ONLY_KEYS, ...RULESET_KEYS]);

/**
 * Splits user options into the ruleset part (validated by buildRulesetSpec) and the pino part
 * (validated here). Throws HushlogConfigError naming the option, never echoing a value.
 */
export function splitPinoOptions(options: HushlogPinoOptions | undefined): {
  ruleset: RulesetOptions;
  sink: PinoSinkOptions;
} {
  const opts: HushlogPinoOptions = options ?? {};
  if (typeof opts !== 'object' || Array.isArray(opts)) {
    throw new HushlogConfigError('PINO_BAD_OPTIONS', 'hushlog/pino options must be an object');
  }
  const ruleset: RulesetOptions & Record<string, unknown> = { ...opts };
  for (const key of PINO_INJECTED_KEYS) delete ruleset[key];
  for (const key of Object.keys(ruleset)) {
    if (!KNOWN_KEYS.has(key)) {
      throw new HushlogConfigError('PINO_BAD_OPTIONS', `hushlog/pino: unknown option "${key}"`);
    }
  }
  for (const key of PINO_ONLY_KEYS) delete ruleset[key];

  // The ruleset builder trusts these shapes (the CLI's config loader checks them first).
  checkStringList(opts.secretKeys, 'secretKeys');
  checkStringList(opts.redactPaths, 'redactPaths');

  const { destination } = opts;
  if (destination !== undefined) {
    const validFd = typeof destination === 'number' && Number.isInteger(destination) && destination >= 0;
    const validPath = typeof destination === 'string' && destination.length > 0;
    if (!validFd && !validPath) {
      throw new HushlogConfigError(
        'PINO_BAD_DESTINATION',
        'hushlog/pino option "destination" must be a file descriptor number or a file path',
      );
    }
  }
  return {
    ruleset,
    sink: {
      destination,
      mkdir: booleanOption(opts.mkdir, 'mkdir', false),
      append: booleanOption(opts.append, 'append', true),
      sync: booleanOption(opts.sync, 'sync', false),
    },
  };
}

function booleanOption(value: unknown, name: string, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') {
    throw new HushlogConfigError('PINO_BAD_OPTIONS', `hushlog/pino option "${name}" must be true or false`);
  }
  return value;
}

function checkStringList(value: unknown, name: string): void {
  if (value === undefined) return;
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string' || v.length === 0)) {
    throw new HushlogConfigError(
      'PINO_BAD_OPTIONS',
      `hushlog/pino option "${name}" must be an array of non-empty strings`,
    );
  }
}
