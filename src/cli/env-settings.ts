import { FAULT_ENV } from '../pipeline/fault-plan.js';
import { envName, parseSetting, SETTINGS, type Settings } from './settings.js';

/** HUSHLOG_* variables that are not settings but are read elsewhere. */
export const CONFIG_ENV = 'HUSHLOG_CONFIG';
export const HASH_KEY_ENV = 'HUSHLOG_HASH_KEY';
const OTHER_KNOWN = new Set([CONFIG_ENV, HASH_KEY_ENV, FAULT_ENV]);

/** Settings from HUSHLOG_* variables; lists are comma-separated. Unknown names become warnings. */
export function settingsFromEnv(env: NodeJS.ProcessEnv): { settings: Partial<Settings>; warnings: string[] } {
  const out: Partial<Record<keyof Settings, unknown>> = {};
  const known = new Set(OTHER_KNOWN);
  for (const def of SETTINGS) {
    const name = envName(def.key);
    known.add(name);
    const raw = env[name];
    if (raw === undefined) continue;
    out[def.key] = parseSetting(def, raw, { where: { label: name }, commaLists: true });
  }
  const warnings = Object.keys(env)
    .filter((name) => name.startsWith('HUSHLOG_') && !known.has(name))
    .map((name) => `${name} is not a hushlog setting (ignored)`);
  return { settings: out as Partial<Settings>, warnings };
}
