import type { RulesetSpec } from '../engine/types.js';
import { DEFAULT_SECRET_KEYS } from '../formats/key-rules.js';
import { buildRulesetSpec, type RulesetOptions } from '../rules/ruleset.js';
import { HASH_KEY_ENV } from './env-settings.js';
import type { Settings } from './settings.js';

export function rulesetOptions(settings: Settings, env: NodeJS.ProcessEnv): RulesetOptions {
  const hashKeyHex = env[HASH_KEY_ENV];
  return {
    defaultRules: settings.defaultRules,
    rulePaths: settings.rules,
    gitleaksConfigs: settings.gitleaksConfig,
    secretsEnv: settings.secretsEnv,
    secretsFiles: settings.secretsFile,
    secretsDirs: settings.secretsDir,
    secretsCommands: settings.secretsCommand,
    action: settings.action,
    ruleActions: settings.ruleAction,
    disableRules: settings.disableRule,
    hashKeyHex: hashKeyHex === '' ? undefined : hashKeyHex,
    hashKeyFile: settings.hashKeyFile,
    minKnownValueLength: settings.minKnownValueLength,
    secretKeys: [...(settings.defaultSecretKeys ? DEFAULT_SECRET_KEYS : []), ...settings.secretKey],
    redactPaths: settings.redactPath,
    format: {
      name: settings.format === 'auto' ? 'text' : settings.format,
      invalidRecords: settings.invalidRecords,
      keepKeys: settings.keepKey,
    },
    env,
  };
}

/**
 * Builds successive ruleset versions from the same options (start, then every SIGHUP): sources
 * and packs are read again each time. Without a configured key, the random HMAC key of the
 * first version is kept, so fingerprints stay comparable across reloads.
 */
export class RulesetLoader {
  private lastVersion = 0;
  private randomKey: string | undefined;

  constructor(private readonly options: RulesetOptions) {}

  async build(): Promise<{ spec: RulesetSpec; warnings: string[] }> {
    const keyed = this.options.hashKeyHex !== undefined || this.options.hashKeyFile !== undefined;
    const opts = keyed || !this.randomKey ? this.options : { ...this.options, hashKeyHex: this.randomKey };
    const built = await buildRulesetSpec(opts, this.lastVersion + 1);
    if (!keyed) this.randomKey ??= built.spec.options.hashKeyHex;
    return built;
  }

  /** Marks a version as in use; the next build gets the one after it. */
  committed(version: number): void {
    this.lastVersion = Math.max(this.lastVersion, version);
  }
}
