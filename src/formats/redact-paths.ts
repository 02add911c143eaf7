import { HushlogConfigError } from '../errors.js';

/** `*` in a path: matches any one object key or array index. */
export const ANY: unique symbol = Symbol('any');
export type PathSegment = string | typeof ANY;

/** A parsed redact path plus the literal key a line must contain before it can match. */
export interface RedactPath {
  text: string;
  segments: PathSegment[];
  /** Last non-wildcard, non-index segment: the cheap prefilter's needle. */
  anchorKey: string;
}

const DIGITS = /^\d+$/;

/**
 * Parses pino/fast-redact path syntax: `a.b`, `a["b-c"]`, `a['b']`, `a[0]`, `a[*]`, `*.b`.
 * Array indexes are kept as their decimal text so one comparison covers `a.0` and `a[0]`, as
 * JavaScript property access (and so pino's own redact) does.
 */
export function parseRedactPath(text: string): RedactPath {
  const segments: PathSegment[] = [];
  let i = 0;
  const fail = (why: string): never => {
    throw new HushlogConfigError('E_REDACT_PATH', `redact path ${JSON.stringify(text)}: ${why}`);
  };
  while (i < text.length) {
    const c = text[i];
    if (c === '[') {
      const close = findBracketEnd(text, i + 1) ?? fail('unclosed "["');
      segments.push(
        parseBracket(text.slice(i + 1, close)) ?? fail('bracket must hold a quoted key, an index or *'),
      );
      i = close + 1;
    } else {
      if (c === '.') {
        if (segments.length === 0) fail('starts with "."');
        i++;
      }
      let end = i;
      while (end < text.length && text[end] !== '.' && text[end] !== '[') end++;
      if (end === i) fail('empty segment');
      const name = text.slice(i, end);
      if (name.includes(']') || name.includes('"') || name.includes("'")) fail('stray quote or "]"');
      segments.push(name === '*' ? ANY : name);
      i = end;
    }
  }
  if (segments.length === 0) fail('empty path');
  const anchor = [...segments].reverse().find((s): s is string => s !== ANY && !DIGITS.test(s));
  if (anchor === undefined) {
    fail(
      'needs at least one literal key name (paths made only of * or indexes would force a parse of every line)',
    );
  }
  return { text, segments, anchorKey: anchor as string };
}

function findBracketEnd(text: string, from: number): number | undefined {
  const quote = text[from];
  if (quote === '"' || quote === "'") {
    for (let j = from + 1; j < text.length; j++) {
      if (text[j] === '\\') j++;
      else if (text[j] === quote) return text[j + 1] === ']' ? j + 1 : undefined;
    }
    return undefined;
  }
  const close = text.indexOf(']', from);
  return close < 0 ? undefined : close;
}

function parseBracket(inner: string): PathSegment | undefined {
  if (inner === '*') return ANY;
  if (DIGITS.test(inner)) return String(Number(inner));
  const quote = inner[0];
  if ((quote === '"' || quote === "'") && inner.length >= 2 && inner.endsWith(quote)) {
    return inner.slice(1, -1).replace(/\\(.)/g, '$1');
  }
  return undefined;
}

/** True if a concrete location (object keys and array indexes as text) matches the path. */
export function pathMatches(segments: readonly PathSegment[], location: readonly string[]): boolean {
  if (segments.length !== location.length) return false;
  for (let i = 0; i < segments.length; i++) {
    const s = segments[i];
    if (s !== ANY && s !== location[i]) return false;
  }
  return true;
}
