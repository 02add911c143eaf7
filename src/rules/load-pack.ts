import { readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { GlobalAllowlist, RuleSpec } from '../engine/types.js';
import { HushlogConfigError } from '../errors.js';
import { parseConfigFile } from './parse-config-file.js';
import { isRecord, stringList, validateRule } from './validate.js';

/** One loaded pack file. A pack-level allowlist applies to every rule of the ruleset. */
export interface RulePack {
  id: string;
  description: string;
  origin: string;
  rules: RuleSpec[];
  allowlist?: GlobalAllowlist;
}

const PACK_EXTENSIONS = /\.(toml|ya?ml|json)$/i;

/** The bundled pack, shipped in the package's patterns/default (from src/ or dist/). */
export const BUNDLED_PACK_DIR = resolve(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  'patterns',
  'default',
);

export function loadRulePackFile(path: string): RulePack {
  const data = parseConfigFile(path);
  if (!isRecord(data))
    throw new HushlogConfigError('E_PACK', 'a rule pack must be a table/object', { file: path });
  for (const key of Object.keys(data)) {
    if (!['pack', 'rules', 'allowlist'].includes(key)) {
      throw new HushlogConfigError(
        'E_PACK',
        `unknown top-level key "${key}" (expected pack, allowlist, rules)`,
        {
          file: path,
        },
      );
    }
  }
  const meta = data.pack === undefined ? {} : data.pack;
  if (!isRecord(meta))
    throw new HushlogConfigError('E_PACK', '"pack" must be a table/object', { file: path });
  const rawRules = data.rules ?? [];
  if (!Array.isArray(rawRules))
    throw new HushlogConfigError('E_PACK', '"rules" must be an array of tables', { file: path });
  const pack: RulePack = {
    id: typeof meta.id === 'string' ? meta.id : path,
    description: typeof meta.description === 'string' ? meta.description : '',
    origin: path,
    rules: rawRules.map((r, i) => validateRule(r, path, i)),
  };
  if (data.allowlist !== undefined) {
    if (!isRecord(data.allowlist))
      throw new HushlogConfigError('E_PACK', '"allowlist" must be a table/object', { file: path });
    pack.allowlist = {
      regexes: stringList(data.allowlist.regexes, 'allowlist.regexes', { file: path }),
      stopwords: stringList(data.allowlist.stopwords, 'allowlist.stopwords', { file: path }),
    };
  }
  return pack;
}

/** A pack file, or every pack file in a directory (sorted, so the order is stable). */
export function loadRulePackPath(path: string): RulePack[] {
  let isDir: boolean;
  try {
    isDir = statSync(path).isDirectory();
  } catch (err) {
    throw new HushlogConfigError(
      'E_READ',
      `cannot read rules (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
      {
        file: path,
      },
    );
  }
  if (!isDir) return [loadRulePackFile(path)];
  const files = readdirSync(path)
    .filter((f) => PACK_EXTENSIONS.test(f) && !f.startsWith('.'))
    .sort();
  if (files.length === 0)
    throw new HushlogConfigError('E_PACK', 'no rule pack files (.toml, .yaml, .json) in directory', {
      file: path,
    });
  return files.map((f) => loadRulePackFile(join(path, f)));
}

export function loadBundledPacks(): RulePack[] {
  return loadRulePackPath(BUNDLED_PACK_DIR);
}
