import type { GlobalAllowlist, RuleSpec } from '../engine/types.js';
import { HushlogConfigError } from '../errors.js';
import type { RulePack } from './load-pack.js';
import { parseConfigFile } from './parse-config-file.js';
import { isRecord, stringList, validateRule } from './validate.js';

/**
 * Imports a gitleaks-format TOML config (Go regexp syntax is RE2's) into a RulePack.
 * What hushlog cannot honour on a stream (path/commit allowlists, `extend`) is reported
 * as a warning naming the rule, never skipped silently; a rule that only matches file
 * paths is refused, since a log line has no path.
 */
export function loadGitleaksConfig(path: string): { pack: RulePack; warnings: string[] } {
  const data = parseConfigFile(path, 'toml');
  if (!isRecord(data)) throw new HushlogConfigError('E_GITLEAKS', 'not a gitleaks config', { file: path });
  const warnings: string[] = [];
  if (data.extend !== undefined) {
    warnings.push(`${path}: [extend] is ignored (hushlog ships its own default pack; use it alongside)`);
  }
  const rawRules = data.rules ?? [];
  if (!Array.isArray(rawRules))
    throw new HushlogConfigError('E_GITLEAKS', '"rules" must be an array of tables', { file: path });
  const rules: RuleSpec[] = rawRules.map((raw, i) => importRule(raw, path, i, warnings));
  const globalAllow = mergeAllowlists(
    [data.allowlist, ...(Array.isArray(data.allowlists) ? data.allowlists : [])],
    path,
    'global',
    warnings,
  );
  const pack: RulePack = {
    id: typeof data.title === 'string' ? data.title : path,
    description: 'gitleaks config',
    origin: path,
    rules,
  };
  if (globalAllow) pack.allowlist = globalAllow;
  return { pack, warnings };
}

function importRule(raw: unknown, path: string, i: number, warnings: string[]): RuleSpec {
  if (!isRecord(raw))
    throw new HushlogConfigError('E_GITLEAKS', `rule #${i + 1} must be a table`, { file: path });
  const id =
    typeof raw.id === 'string'
      ? raw.id
          .toLowerCase()
          .replace(/[^a-z0-9._-]+/g, '-')
          .replace(/^[^a-z0-9]+/, '')
      : '';
  if (!id) throw new HushlogConfigError('E_GITLEAKS', `rule #${i + 1} has no usable id`, { file: path });
  if (typeof raw.regex !== 'string') {
    throw new HushlogConfigError(
      'E_GITLEAKS',
      'rule has no regex (path-only rules do not apply to log streams)',
      {
        file: path,
        ruleId: id,
      },
    );
  }
  const allow = mergeAllowlists(
    [raw.allowlist, ...(Array.isArray(raw.allowlists) ? raw.allowlists : [])],
    path,
    id,
    warnings,
  );
  const spec: Record<string, unknown> = {
    id,
    description: typeof raw.description === 'string' ? raw.description : '',
    regex: raw.regex,
    keywords: stringList(raw.keywords, 'keywords', { file: path, ruleId: id }),
  };
  if (raw.secretGroup !== undefined) spec.secretGroup = raw.secretGroup;
  if (raw.entropy !== undefined) spec.entropy = raw.entropy;
  if (allow) spec.allowlist = allow;
  return validateRule(spec, path, i);
}

function mergeAllowlists(
  list: unknown[],
  path: string,
  owner: string,
  warnings: string[],
): GlobalAllowlist | undefined {
  const regexes: string[] = [];
  const stopwords: string[] = [];
  for (const a of list) {
    if (a === undefined) continue;
    if (!isRecord(a))
      throw new HushlogConfigError('E_GITLEAKS', 'allowlist must be a table', { file: path, ruleId: owner });
    const hasPathConditions = a.paths !== undefined || a.commits !== undefined;
    if (hasPathConditions && a.condition === 'AND') {
      // Its path/commit half can never hold on a stream, so the whole entry can never allow:
      // dropping it masks more, never less.
      warnings.push(
        `${path}: ${owner}: an AND allowlist with paths/commits never applies to a stream; ignored`,
      );
      continue;
    }
    if (hasPathConditions)
      warnings.push(`${path}: ${owner}: allowlist paths/commits do not apply to log streams`);
    if (a.regexTarget !== undefined && a.regexTarget !== 'secret') {
      warnings.push(
        `${path}: ${owner}: allowlist regexTarget "${String(a.regexTarget)}" is applied to the secret`,
      );
    }
    regexes.push(...stringList(a.regexes, 'allowlist.regexes', { file: path, ruleId: owner }));
    stopwords.push(...stringList(a.stopwords, 'allowlist.stopwords', { file: path, ruleId: owner }));
  }
  return regexes.length || stopwords.length ? { regexes, stopwords } : undefined;
}
