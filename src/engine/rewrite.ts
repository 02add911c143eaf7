import { alignSpanEnd, alignSpanStart, isStructuralByte } from './json-safety.js';
import type { ActionSpec } from './types.js';

/** A merged span with everything the rewrite needs decided. */
export interface PlannedSpan {
  start: number;
  end: number;
  ruleId: string;
  action: ActionSpec;
  /** HMAC-SHA256 of the secret bytes, hex; the `hash` action shows its first 8 digits. */
  fingerprintHex: string;
  /** Replace the whole span by one JSON string (a masked non-string JSON value). */
  quote?: boolean;
}

const PARTIAL_FILL = Buffer.from('****');
const DEFAULT_MASK = '[REDACTED]';

/** The text that replaces one run of secret bytes. Kept ASCII and JSON-safe by construction. */
export function replacementText(action: ActionSpec, ruleId: string, fingerprintHex: string): string {
  switch (action.kind) {
    case 'mask':
      return action.text ?? DEFAULT_MASK;
    case 'hash':
      return `[REDACTED:${ruleId}:${fingerprintHex.slice(0, 8)}]`;
    default:
      return `[REDACTED:${ruleId}]`;
  }
}

/**
 * One pass over the input: bytes outside spans are copied untouched; inside a span every run
 * between structural bytes (line breaks, unescaped quotes) is replaced, so masking never
 * changes the record count nor the JSON structure. `dropped` lists [start, end) byte ranges of
 * whole records to remove. Returns the input itself when nothing changes (no copy), else
 * the output in `into` when it fits there.
 */
export function rewrite(
  buf: Uint8Array,
  spans: readonly PlannedSpan[],
  dropped: ReadonlyArray<readonly [number, number]>,
  into?: Uint8Array,
): Uint8Array {
  if (spans.length === 0 && dropped.length === 0) return buf;
  const pieces: Uint8Array[] = [];
  let cursor = 0;
  let d = 0;
  const copyTo = (until: number) => {
    // Copies buf[cursor, until) minus dropped records.
    while (cursor < until) {
      while (d < dropped.length && dropped[d][1] <= cursor) d++;
      if (d < dropped.length && dropped[d][0] <= cursor) {
        cursor = Math.min(until, dropped[d][1]);
        continue;
      }
      const stop = d < dropped.length ? Math.min(until, dropped[d][0]) : until;
      pieces.push(buf.subarray(cursor, stop));
      cursor = stop;
    }
  };
  for (const span of clipToKept(spans, dropped)) {
    if (span.end <= cursor) continue;
    copyTo(span.start);
    emitSpan(buf, span, pieces);
    cursor = Math.max(cursor, span.end);
  }
  copyTo(buf.length);
  return join(pieces, into);
}

/** Concatenates the pieces into `into` when they fit (see Scrubber.scrub), else a new buffer. */
function join(pieces: readonly Uint8Array[], into: Uint8Array | undefined): Uint8Array {
  let total = 0;
  for (const p of pieces) total += p.length;
  const out = into && total <= into.length ? into.subarray(0, total) : Buffer.allocUnsafe(total);
  let at = 0;
  for (const p of pieces) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Removes the parts of spans that fall inside dropped records (both lists sorted). */
function clipToKept(
  spans: readonly PlannedSpan[],
  dropped: ReadonlyArray<readonly [number, number]>,
): PlannedSpan[] {
  if (dropped.length === 0) return spans as PlannedSpan[];
  const out: PlannedSpan[] = [];
  for (const span of spans) {
    let start = span.start;
    for (const [ds, de] of dropped) {
      if (de <= start) continue;
      if (ds >= span.end) break;
      if (ds > start) out.push({ ...span, start, end: ds });
      start = Math.max(start, de);
    }
    if (start < span.end) out.push({ ...span, start, end: span.end });
  }
  return out;
}

function emitSpan(buf: Uint8Array, span: PlannedSpan, pieces: Uint8Array[]): void {
  const { start, end } = span;
  if (span.quote) {
    const text = replacementText(
      span.action.kind === 'partial' ? { kind: 'label' } : span.action,
      span.ruleId,
      span.fingerprintHex,
    );
    pieces.push(Buffer.from(`"${text}"`));
    return;
  }
  const runs: Array<[number, number]> = [];
  let runStart = start;
  for (let i = start; i < end; i++) {
    if (isStructuralByte(buf, i, 0)) {
      if (i > runStart) runs.push([runStart, i]);
      runStart = i + 1;
    }
  }
  if (end > runStart) runs.push([runStart, end]);

  if (span.action.kind === 'partial' && runs.length === 1 && emitPartial(buf, span, pieces)) return;
  const text = Buffer.from(replacementText(span.action, span.ruleId, span.fingerprintHex));
  let pos = start;
  for (const [s, e] of runs) {
    if (s > pos) pieces.push(buf.subarray(pos, s));
    pieces.push(text);
    pos = e;
  }
  if (end > pos) pieces.push(buf.subarray(pos, end));
}

/** Keeps a prefix and suffix visible only when enough of the secret stays hidden. */
function emitPartial(buf: Uint8Array, span: PlannedSpan, pieces: Uint8Array[]): boolean {
  const { start, end } = span;
  const keepStart = span.action.keepStart ?? 4;
  const keepEnd = span.action.keepEnd ?? 4;
  let a = alignSpanStart(buf, start + keepStart, start, end);
  let b = alignSpanEnd(buf, end - keepEnd, start, end);
  // Never cut a UTF-8 character in two.
  while (a > start && (buf[a] & 0xc0) === 0x80) a--;
  while (b < end && (buf[b] & 0xc0) === 0x80) b++;
  const hidden = b - a;
  if (hidden < 8 || hidden * 2 < end - start) return false;
  pieces.push(buf.subarray(start, a), PARTIAL_FILL, buf.subarray(b, end));
  return true;
}
