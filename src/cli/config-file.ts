import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { HushlogConfigError } from '../errors.js';
import { yaml } from '../rules/lazy-yaml.js';
import { configBaseDir, parseSetting, type Settings, settingDef } from './settings.js';

/**
 * Reads a YAML or JSON config file whose keys mirror the long flags in camelCase
 * (`secretsEnv`, `batchBytes`, ...). Unknown keys and wrong types are errors naming the key
 * and the file; relative paths resolve against the file's directory.
 */
export function loadConfigFile(path: string): Partial<Settings> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    throw new HushlogConfigError('E_CONFIG_READ', `cannot read config file (${code})`, { file: path });
  }
  const data = parseConfigText(text, path);
  if (data === null || data === undefined) return {};
  if (typeof data !== 'object' || Array.isArray(data)) {
    throw new HushlogConfigError('E_CONFIG', 'the top level must be a mapping of setting names', {
      file: path,
    });
  }
  const out: Partial<Record<keyof Settings, unknown>> = {};
  const baseDir = configBaseDir(path);
  for (const [key, raw] of Object.entries(data as Record<string, unknown>)) {
    const def = settingDef(key);
    if (!def) throw new HushlogConfigError('E_CONFIG_KEY', `unknown key "${key}"`, { file: path });
    if (raw === null) continue;
    out[def.key] = parseSetting(def, raw, {
      where: { label: `key "${key}"`, file: path },
      commaLists: false,
      baseDir,
    });
  }
  return out as Partial<Settings>;
}

/** Parse errors carry a position and a code, not a snippet: config files may sit near secrets. */
function parseConfigText(text: string, path: string): unknown {
  if (extname(path).toLowerCase() === '.json') {
    try {
      return JSON.parse(text);
    } catch (err) {
      const pos = /position (\d+)/.exec((err as Error).message);
      const line = pos ? text.slice(0, Number(pos[1])).split('\n').length : undefined;
      throw new HushlogConfigError('E_CONFIG_SYNTAX', 'not valid JSON', { file: path, line });
    }
  }
  const doc = yaml().parseDocument(text, { prettyErrors: true });
  const error = doc.errors[0];
  if (error) {
    const line = error.linePos?.[0]?.line;
    throw new HushlogConfigError('E_CONFIG_SYNTAX', `not valid YAML (${error.code})`, { file: path, line });
  }
  return doc.toJS();
}
