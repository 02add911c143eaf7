import type {
  ActionKind,
  ActionSpec,
  Confidence,
  RuleAllowlist,
  RuleSamples,
  RuleSpec,
} from '../engine/types.js';
import { HushlogConfigError } from '../errors.js';

/** Rule ids appear inside replacement labels, so they must stay JSON- and log-safe. */
export const RULE_ID_PATTERN = /^[a-z0-9][a-z0-9._-]*$/;
const ACTION_KINDS: readonly ActionKind[] = ['label', 'mask', 'partial', 'hash', 'drop'];
const CONFIDENCES: readonly Confidence[] = ['low', 'medium', 'high'];
const RULE_KEYS = new Set([
  'id',
  'description',
  'regex',
  'keywords',
  'secretGroup',
  'entropy',
  'checksum',
  'allowlist',
  'confidence',
  'action',
  'multiline',
  'priority',
  'samples',
]);

type Where = { file?: string; ruleId?: string };

function fail(code: string, message: string, where: Where): never {
  throw new HushlogConfigError(code, message, where);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function stringList(v: unknown, name: string, where: Where): string[] {
  if (v === undefined) return [];
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string'))
    fail('E_RULE_FIELD', `${name} must be a list of strings`, where);
  return v as string[];
}

/** Replacement text must not be able to break JSON or a log line. */
export function validateAction(raw: unknown, name: string, where: Where = {}): ActionSpec {
  if (!isRecord(raw)) fail('E_ACTION', `${name} must be a table/object with a "kind"`, where);
  const kind = raw.kind;
  if (typeof kind !== 'string' || !ACTION_KINDS.includes(kind as ActionKind)) {
    fail('E_ACTION', `${name}: kind must be one of ${ACTION_KINDS.join(', ')}`, where);
  }
  const action: ActionSpec = { kind: kind as ActionKind };
  if (raw.text !== undefined) {
    if (typeof raw.text !== 'string' || !/^[\x20-\x7e]*$/.test(raw.text) || /["\\]/.test(raw.text)) {
      fail('E_ACTION', `${name}: text must be printable ASCII without quotes or backslashes`, where);
    }
    action.text = raw.text;
  }
  for (const key of ['keepStart', 'keepEnd'] as const) {
    const v = raw[key];
    if (v === undefined) continue;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 16) {
      fail('E_ACTION', `${name}: ${key} must be an integer from 0 to 16`, where);
    }
    action[key] = v;
  }
  return action;
}

function validateAllowlist(raw: unknown, where: Where): RuleAllowlist | undefined {
  if (raw === undefined) return undefined;
  if (!isRecord(raw)) fail('E_RULE_FIELD', 'allowlist must be a table/object', where);
  return {
    regexes: stringList(raw.regexes, 'allowlist.regexes', where),
    stopwords: stringList(raw.stopwords, 'allowlist.stopwords', where),
  };
}

function validateSamples(raw: unknown, where: Where): RuleSamples | undefined {
  if (raw === undefined) return undefined;
  if (!isRecord(raw)) fail('E_RULE_FIELD', 'samples must be a table/object', where);
  return {
    positive: stringList(raw.positive, 'samples.positive', where),
    negative: stringList(raw.negative, 'samples.negative', where),
  };
}

/** Turns one parsed rule table into a RuleSpec, or refuses it naming the file and rule. */
export function validateRule(raw: unknown, origin: string, position: number): RuleSpec {
  if (!isRecord(raw)) fail('E_RULE_FIELD', `rule #${position + 1} must be a table/object`, { file: origin });
  const id = raw.id;
  if (typeof id !== 'string' || !RULE_ID_PATTERN.test(id)) {
    fail('E_RULE_ID', `rule #${position + 1}: id must match ${RULE_ID_PATTERN.source}`, { file: origin });
  }
  const where = { file: origin, ruleId: id };
  for (const key of Object.keys(raw)) {
    if (!RULE_KEYS.has(key)) fail('E_RULE_FIELD', `unknown field "${key}"`, where);
  }
  if (typeof raw.regex !== 'string' || raw.regex.length === 0)
    fail('E_RULE_FIELD', 'regex must be a non-empty string', where);
  const num = (key: string, min: number, max: number): number | undefined => {
    const v = raw[key];
    if (v === undefined) return undefined;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max)
      fail('E_RULE_FIELD', `${key} must be a number from ${min} to ${max}`, where);
    return v;
  };
  const confidence = raw.confidence;
  if (confidence !== undefined && !CONFIDENCES.includes(confidence as Confidence)) {
    fail('E_RULE_FIELD', `confidence must be one of ${CONFIDENCES.join(', ')}`, where);
  }
  const keywords = stringList(raw.keywords, 'keywords', where);
  if (keywords.some((k) => k.length === 0)) fail('E_RULE_FIELD', 'keywords must not be empty strings', where);
  if (raw.checksum !== undefined && typeof raw.checksum !== 'string')
    fail('E_RULE_FIELD', 'checksum must be a string', where);
  if (raw.multiline !== undefined && typeof raw.multiline !== 'boolean')
    fail('E_RULE_FIELD', 'multiline must be true or false', where);
  if (raw.description !== undefined && typeof raw.description !== 'string')
    fail('E_RULE_FIELD', 'description must be a string', where);
  const rule: RuleSpec = {
    id,
    description: (raw.description as string | undefined) ?? '',
    regex: raw.regex,
    keywords,
    origin,
  };
  const secretGroup = num('secretGroup', 0, 99);
  if (secretGroup !== undefined) rule.secretGroup = secretGroup;
  const entropy = num('entropy', 0, 8);
  if (entropy !== undefined) rule.entropy = entropy;
  const priority = num('priority', -1000, 1000);
  if (priority !== undefined) rule.priority = priority;
  if (raw.checksum !== undefined) rule.checksum = raw.checksum as string;
  if (confidence !== undefined) rule.confidence = confidence as Confidence;
  if (raw.multiline !== undefined) rule.multiline = raw.multiline as boolean;
  const allowlist = validateAllowlist(raw.allowlist, where);
  if (allowlist) rule.allowlist = allowlist;
  if (raw.action !== undefined) rule.action = validateAction(raw.action, 'action', where);
  const samples = validateSamples(raw.samples, where);
  if (samples) rule.samples = samples;
  return rule;
}

export { isRecord, stringList, validateAllowlist };
