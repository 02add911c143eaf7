/**
 * Post-processing shared by every source: what makes a value safe to register.
 *
 * - One trailing newline is removed: files and command output usually end with one, and
 *   the application that reads the secret strips it too.
 * - A multi-line value (a PEM key, a JSON credentials file) is registered line by line:
 *   applications log such values line by line, or re-encoded (JSON `\n` escapes) so that
 *   no single form of the whole value appears; each line is found on its own wherever it
 *   shows up. Lines are trimmed of surrounding whitespace (indentation is not the secret)
 *   and blank lines are skipped.
 * - Values shorter than `minLength` characters are refused with a warning: a short value
 *   ("test", "docker", a lone `{` of a JSON secret) would mask unrelated text everywhere.
 * - Duplicates are dropped; the first source that provided a value keeps it.
 *
 * Warnings name the source, the line and the length, never the value.
 */
import { MIN_PATTERN_BYTES } from '../engine/known-values.js';
import type { KnownValueSpec } from '../engine/types.js';
import { HushlogConfigError } from '../errors.js';
import type { SourceResult } from './source-result.js';

export const DEFAULT_MIN_LENGTH = 8;

/**
 * Validates a configured minimum length. Below the matcher's shortest indexable pattern
 * (4 bytes) a value could not be searched for at all, so such a setting is refused rather
 * than silently ignored.
 */
export function resolveMinLength(minLength: number | undefined): number {
  if (minLength === undefined) return DEFAULT_MIN_LENGTH;
  if (!Number.isInteger(minLength) || minLength < MIN_PATTERN_BYTES) {
    throw new HushlogConfigError(
      'KNOWN_VALUE_MIN_LENGTH',
      `known-value minimum length must be an integer of at least ${MIN_PATTERN_BYTES}`,
    );
  }
  return minLength;
}

/** Applies the rules above to raw values read by a source. */
export function normalizeValues(raw: readonly KnownValueSpec[], minLength?: number): SourceResult {
  const min = resolveMinLength(minLength);
  const values: KnownValueSpec[] = [];
  const warnings: string[] = [];
  for (const { source, value } of raw) {
    const lines = withoutTrailingNewline(value).split(/\r?\n/);
    if (lines.length === 1) {
      if (lines[0] !== '') accept(source, lines[0], min, values, warnings, source);
      continue;
    }
    lines.forEach((line, i) => {
      const trimmed = line.trim();
      if (trimmed !== '') accept(source, trimmed, min, values, warnings, `${source} line ${i + 1}`);
    });
  }
  return { values: dedupeValues(values), warnings };
}

function accept(
  source: string,
  value: string,
  min: number,
  values: KnownValueSpec[],
  warnings: string[],
  where: string,
): void {
  const length = codePointLength(value);
  if (length < min) {
    warnings.push(`${where}: value too short to mask safely (${length} < ${min} characters); not registered`);
    return;
  }
  values.push({ source, value });
}

/** Keeps the first occurrence of each value, in order. */
export function dedupeValues(values: readonly KnownValueSpec[]): KnownValueSpec[] {
  const seen = new Set<string>();
  const out: KnownValueSpec[] = [];
  for (const spec of values) {
    if (seen.has(spec.value)) continue;
    seen.add(spec.value);
    out.push(spec);
  }
  return out;
}

/** Concatenates source results in order, deduplicating values across sources. */
export function mergeResults(results: readonly SourceResult[]): SourceResult {
  return {
    values: dedupeValues(results.flatMap((result) => result.values)),
    warnings: results.flatMap((result) => result.warnings),
  };
}

function withoutTrailingNewline(value: string): string {
  if (value.endsWith('\r\n')) return value.slice(0, -2);
  if (value.endsWith('\n')) return value.slice(0, -1);
  return value;
}

function codePointLength(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}
