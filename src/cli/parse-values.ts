import type { ActionSpec } from '../engine/types.js';
import { HushlogConfigError } from '../errors.js';
import { validateAction } from '../rules/validate.js';

/**
 * Typed values from the three places settings come from (flags, HUSHLOG_* variables, config
 * file). `where` names the place in messages: `option --workers`, `HUSHLOG_WORKERS`,
 * `key "workers"` (with the config file as `file`).
 */
export interface Where {
  label: string;
  file?: string;
}

export function usageError(where: Where, message: string): HushlogConfigError {
  return new HushlogConfigError('E_USAGE', `${where.label}: ${message}`, { file: where.file });
}

/** Shows a user-typed setting in a message; settings are names and numbers, never secrets. */
function shown(raw: unknown): string {
  const text = typeof raw === 'string' ? raw : JSON.stringify(raw);
  return JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}...` : text);
}

export function parseInteger(raw: unknown, where: Where, min: number): number {
  const n =
    typeof raw === 'number' ? raw : typeof raw === 'string' && /^\s*-?\d+\s*$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(n) || n < min)
    throw usageError(where, `expected an integer >= ${min}, got ${shown(raw)}`);
  return n;
}

const SIZE_UNITS: Record<string, number> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };

/** Bytes: `262144`, `256k`, `256KiB`, `1m`, `64MiB` (k, m, g are binary multiples). */
export function parseSize(raw: unknown, where: Where, min: number): number {
  let n = NaN;
  if (typeof raw === 'number') n = raw;
  else if (typeof raw === 'string') {
    const m = /^\s*(\d+(?:\.\d+)?)\s*([kmg]?)(?:i?b)?\s*$/i.exec(raw);
    if (m) n = Math.round(Number(m[1]) * SIZE_UNITS[m[2].toLowerCase()]);
  }
  if (!Number.isSafeInteger(n) || n < min) {
    throw usageError(where, `expected a size >= ${min} bytes (e.g. 256k, 1m), got ${shown(raw)}`);
  }
  return n;
}

export function parseBoolean(raw: unknown, where: Where): boolean {
  if (typeof raw === 'boolean') return raw;
  if (typeof raw === 'string') {
    const v = raw.trim().toLowerCase();
    if (['1', 'true', 'yes', 'on'].includes(v)) return true;
    if (['0', 'false', 'no', 'off', ''].includes(v)) return false;
  }
  throw usageError(where, `expected true or false, got ${shown(raw)}`);
}

export function parseChoice(raw: unknown, where: Where, choices: readonly string[]): string {
  if (typeof raw === 'string' && choices.includes(raw.trim())) return raw.trim();
  throw usageError(where, `expected one of ${choices.join(', ')}, got ${shown(raw)}`);
}

export function parseString(raw: unknown, where: Where): string {
  if (typeof raw !== 'string' || raw === '')
    throw usageError(where, `expected a non-empty string, got ${shown(raw)}`);
  return raw;
}

/** A list from a config array, a single string, or (`splitCommas`) a comma-separated string. */
export function parseStringList(raw: unknown, where: Where, splitCommas: boolean): string[] {
  const items = Array.isArray(raw) ? raw : [raw];
  const out: string[] = [];
  for (const item of items) {
    const text = parseString(item, where);
    for (const part of splitCommas ? text.split(',') : [text]) {
      const trimmed = part.trim();
      if (trimmed !== '') out.push(trimmed);
    }
  }
  return out;
}

/**
 * Action syntax shared by flags, env and config: `label`, `hash`, `drop`, `mask`,
 * `mask:TEXT`, `partial`, `partial:START:END`; config files may also give the object form.
 */
export function parseAction(raw: unknown, where: Where): ActionSpec {
  let candidate: unknown = raw;
  if (typeof raw === 'string') {
    const [kind, ...rest] = raw.split(':');
    const spec: Record<string, unknown> = { kind };
    if (kind === 'mask' && rest.length > 0) spec.text = rest.join(':');
    else if (kind === 'partial' && rest.length > 0) {
      if (rest.length !== 2)
        throw usageError(where, 'partial takes partial:START:END (bytes kept at each end)');
      spec.keepStart = parseInteger(rest[0], where, 0);
      spec.keepEnd = parseInteger(rest[1], where, 0);
    } else if (rest.length > 0) throw usageError(where, `action ${shown(kind)} takes no argument`);
    candidate = spec;
  }
  return validateAction(candidate, where.label, { file: where.file });
}

/** `ID=ACTION` items (flags, env) or a `{ id: action }` map (config). */
export function parseActionMap(raw: unknown, where: Where): Record<string, ActionSpec> {
  const out: Record<string, ActionSpec> = {};
  if (raw !== null && typeof raw === 'object' && !Array.isArray(raw)) {
    for (const [id, action] of Object.entries(raw))
      out[id] = parseAction(action, { ...where, label: `${where.label}.${id}` });
    return out;
  }
  for (const item of parseStringList(raw, where, true)) {
    const eq = item.indexOf('=');
    if (eq <= 0) throw usageError(where, `expected RULE-ID=ACTION, got ${shown(item)}`);
    out[item.slice(0, eq)] = parseAction(item.slice(eq + 1), where);
  }
  return out;
}

/**
 * Commands for secrets: argv arrays (config), or command lines split like a shell would split
 * words (quotes, backslash) but with no expansion and no shell started.
 */
export function parseCommandList(raw: unknown, where: Where, splitCommas: boolean): string[][] {
  const items = Array.isArray(raw) ? raw : [raw];
  const out: string[][] = [];
  for (const item of items) {
    if (Array.isArray(item)) {
      const argv = item.map((a) => parseString(a, where));
      if (argv.length === 0) throw usageError(where, 'a command needs at least a program name');
      out.push(argv);
      continue;
    }
    const lines = splitCommas ? parseString(item, where).split(',') : [parseString(item, where)];
    for (const line of lines) {
      const argv = splitWords(line, where);
      if (argv.length > 0) out.push(argv);
    }
  }
  return out;
}

export function splitWords(line: string, where: Where): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote) {
      if (c === quote) quote = undefined;
      else if (c === '\\' && quote === '"' && i + 1 < line.length) word += line[++i];
      else word += c;
    } else if (c === '"' || c === "'") {
      quote = c;
      inWord = true;
    } else if (c === '\\' && i + 1 < line.length) {
      word += line[++i];
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (quote) throw usageError(where, 'unterminated quote in command');
  if (inWord) words.push(word);
  return words;
}
