import { HushlogConfigError } from '../errors.js';
import { loadConfigFile } from './config-file.js';
import { CONFIG_ENV, settingsFromEnv } from './env-settings.js';
import { defaultSettings, parseSetting, type Scope, SETTINGS, type Settings } from './settings.js';

export interface SettingsInput {
  /** Raw values of the flags the user typed (commander value source `cli`), by setting key. */
  flags: Partial<Record<keyof Settings, unknown>>;
  /** `--config`, if typed. */
  configFlag?: string;
  env: NodeJS.ProcessEnv;
  /** Settings the running command understands; others in a shared config are ignored. */
  scopes: readonly Scope[];
}

/** flag > HUSHLOG_* > config file > default, key by key (a list from a higher source replaces, never merges). */
export function resolveSettings(input: SettingsInput): { settings: Settings; warnings: string[] } {
  const configPath = input.configFlag ?? nonEmpty(input.env[CONFIG_ENV]);
  const fromFile = configPath ? loadConfigFile(configPath) : {};
  const { settings: fromEnv, warnings } = settingsFromEnv(input.env);
  const fromFlags: Partial<Record<keyof Settings, unknown>> = {};
  for (const def of SETTINGS) {
    const raw = input.flags[def.key];
    if (raw === undefined) continue;
    const flagName = def.flag.replace(/^-\w, /, '').split(' ')[0];
    fromFlags[def.key] = parseSetting(def, raw, {
      where: { label: `option ${flagName}` },
      commaLists: false,
    });
  }
  const settings = defaultSettings() as unknown as Record<string, unknown>;
  for (const def of SETTINGS) {
    if (!input.scopes.includes(def.scope)) continue;
    for (const layer of [fromFile, fromEnv, fromFlags] as Array<Partial<Record<string, unknown>>>) {
      if (layer[def.key] !== undefined) settings[def.key] = layer[def.key];
    }
  }
  const merged = settings as unknown as Settings;
  deriveBatchShape(merged);
  if (merged.maxRecordBytes < merged.batchBytes) {
    throw new HushlogConfigError(
      'E_USAGE',
      `max-record-bytes (${merged.maxRecordBytes}) must be at least batch-bytes (${merged.batchBytes})`,
    );
  }
  return { settings: merged, warnings };
}

/**
 * Workers get big batches: a thread hand-off costs the same for 256 KiB as for 4 MiB, and on
 * two cores 4 MiB x 6 in flight ran 1.35x faster than 256 KiB x 8 (median of 5, BENCHMARKS.md).
 * Inline there is no hand-off, and small batches keep memory low.
 */
const POOL_BATCH_BYTES = 4 * 1024 * 1024;
const INLINE_BATCH_BYTES = 256 * 1024;

function deriveBatchShape(s: Settings): void {
  if (s.batchBytes === 0) {
    s.batchBytes = Math.min(s.workers > 0 ? POOL_BATCH_BYTES : INLINE_BATCH_BYTES, s.maxRecordBytes);
  }
  if (s.maxInFlight === 0) s.maxInFlight = s.workers > 0 ? Math.max(6, s.workers * 3) : 8;
}

function nonEmpty(v: string | undefined): string | undefined {
  return v === undefined || v === '' ? undefined : v;
}
