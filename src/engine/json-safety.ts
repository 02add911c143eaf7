/**
 * Keeps a masked span from breaking JSON (or any backslash-escaped text): a span never
 * starts or ends inside an escape sequence (`\n`, `\"`, `\u00e9`), since `\[REDACTED]` or a
 * dangling `\u00` would be invalid JSON. Spans only grow here, so nothing secret is uncovered.
 */

const BACKSLASH = 0x5c;
const LOWER_U = 0x75;

/** True if the backslash at `p` starts an escape (an odd run of backslashes ends at p). */
function isEscaping(buf: Uint8Array, p: number, lo: number): boolean {
  let n = 0;
  for (let i = p; i >= lo && buf[i] === BACKSLASH; i--) n++;
  return (n & 1) === 1;
}

/** Start and length of the escape sequence covering position `pos` strictly after its backslash, if any. */
function escapeAround(buf: Uint8Array, pos: number, lo: number, hi: number): [number, number] | undefined {
  // The longest escape is `\uXXXX` (6 bytes), so its backslash is at most 5 bytes back.
  for (let p = pos - 1; p >= lo && p >= pos - 5; p--) {
    if (buf[p] !== BACKSLASH) continue;
    if (!isEscaping(buf, p, lo)) return undefined;
    const len = p + 1 < hi && buf[p + 1] === LOWER_U ? 6 : 2;
    return p + len > pos ? [p, len] : undefined;
  }
  return undefined;
}

/** Moves `start` back to the beginning of an escape sequence it would split. */
export function alignSpanStart(buf: Uint8Array, start: number, lo: number, hi: number): number {
  const esc = escapeAround(buf, start, lo, hi);
  return esc ? esc[0] : start;
}

/** Moves `end` (exclusive) forward past an escape sequence it would split. */
export function alignSpanEnd(buf: Uint8Array, end: number, lo: number, hi: number): number {
  const esc = escapeAround(buf, end, lo, hi);
  return esc ? Math.min(hi, esc[0] + esc[1]) : end;
}

/**
 * Bytes a replacement must not swallow: line breaks (so a record count never changes) and
 * unescaped double quotes (so a span can never join or split JSON strings).
 */
export function isStructuralByte(buf: Uint8Array, i: number, lo: number): boolean {
  const b = buf[i];
  if (b === 0x0a || b === 0x0d) return true;
  return b === 0x22 && !(i > lo && isEscaping(buf, i - 1, lo));
}
