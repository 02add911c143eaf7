/**
 * Finds the byte ranges of selected values in one JSON text without building objects, so
 * they can be masked in place: every other byte stays as written (no re-serialisation, so big
 * integers, key order and spacing survive).
 */

/** Which rule, if any, claims the value at a location (keys; array indexes as decimal text). */
export type LocationMatcher = (location: readonly string[]) => string | undefined;

export interface ValueSpan {
  /** String values: the bytes between the quotes. Numbers: the number itself. */
  start: number;
  end: number;
  ruleId: string;
  /** A number (not a string): replace it by a quoted string as a whole. */
  whole: boolean;
}

/** Deeper nesting is left to the value rules alone; real records are shallow. */
const MAX_DEPTH = 256;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

class Malformed extends Error {}

/**
 * Spans of the values (and, below a matched key, of every string and number leaf) that the
 * matcher selects in buf[from, to). `complete` is false when the text is not one valid JSON
 * value; spans found before the error are still returned (masking more is never less safe).
 */
export function findJsonValueSpans(
  buf: Uint8Array,
  from: number,
  to: number,
  match: LocationMatcher,
): { spans: ValueSpan[]; complete: boolean } {
  const spans: ValueSpan[] = [];
  let end = scanJsonValue(buf, from, to, match, spans);
  while (end >= 0 && end < to && isSpace(buf[end])) end++;
  return { spans, complete: end === to };
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

/**
 * Scans the one JSON value starting at (or after whitespace from) `from`, appending the
 * matched spans to `out`. Returns the index just past the value, or -1 if it is malformed.
 */
export function scanJsonValue(
  buf: Uint8Array,
  from: number,
  to: number,
  match: LocationMatcher,
  out: ValueSpan[],
): number {
  const scanner = new Scanner(buf, from, to, match);
  try {
    scanner.value(0, undefined);
  } catch (err) {
    if (err instanceof Malformed) return -1;
    throw err;
  } finally {
    out.push(...scanner.spans);
  }
  return scanner.pos;
}

class Scanner {
  readonly spans: ValueSpan[] = [];
  private readonly location: string[] = [];
  pos: number;

  constructor(
    private readonly buf: Uint8Array,
    from: number,
    private readonly to: number,
    private readonly match: LocationMatcher,
  ) {
    this.pos = from;
  }

  skipSpace(): void {
    const { buf, to } = this;
    let p = this.pos;
    while (p < to) {
      const c = buf[p];
      if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) break;
      p++;
    }
    this.pos = p;
  }

  /** `claimed`: the rule of an enclosing matched key; all leaves below it are masked. */
  value(depth: number, claimed: string | undefined): void {
    if (depth > MAX_DEPTH) throw new Malformed();
    this.skipSpace();
    if (this.pos >= this.to) throw new Malformed();
    const c = this.buf[this.pos];
    if (c === 0x7b) this.object(depth, claimed);
    else if (c === 0x5b) this.array(depth, claimed);
    else if (c === QUOTE) {
      const start = this.pos + 1;
      const end = this.stringEnd(start);
      if (claimed && end > start) this.spans.push({ start, end, ruleId: claimed, whole: false });
      this.pos = end + 1;
    } else this.scalar(claimed);
  }

  private object(depth: number, claimed: string | undefined): void {
    this.pos++;
    this.skipSpace();
    if (this.buf[this.pos] === 0x7d) {
      this.pos++;
      return;
    }
    for (;;) {
      this.skipSpace();
      if (this.buf[this.pos] !== QUOTE) throw new Malformed();
      const keyStart = this.pos + 1;
      const keyEnd = this.stringEnd(keyStart);
      this.pos = keyEnd + 1;
      this.skipSpace();
      if (this.buf[this.pos] !== 0x3a) throw new Malformed();
      this.pos++;
      this.location.push(this.keyText(keyStart, keyEnd));
      this.value(depth + 1, claimed ?? this.match(this.location));
      this.location.pop();
      this.skipSpace();
      const c = this.buf[this.pos++];
      if (c === 0x7d) return;
      if (c !== 0x2c) throw new Malformed();
    }
  }

  private array(depth: number, claimed: string | undefined): void {
    this.pos++;
    this.skipSpace();
    if (this.buf[this.pos] === 0x5d) {
      this.pos++;
      return;
    }
    for (let index = 0; ; index++) {
      this.location.push(String(index));
      this.value(depth + 1, claimed ?? this.match(this.location));
      this.location.pop();
      this.skipSpace();
      const c = this.buf[this.pos++];
      if (c === 0x5d) return;
      if (c !== 0x2c) throw new Malformed();
    }
  }

  private scalar(claimed: string | undefined): void {
    const { buf, to } = this;
    const start = this.pos;
    let p = start;
    while (p < to) {
      const c = buf[p];
      if (c === 0x2c || c === 0x7d || c === 0x5d || c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09)
        break;
      p++;
    }
    if (p === start) throw new Malformed();
    const first = buf[start];
    const isNumber = first === 0x2d || (first >= 0x30 && first <= 0x39);
    if (!isNumber) {
      const word = Buffer.from(buf.buffer, buf.byteOffset + start, p - start).toString('latin1');
      if (word !== 'true' && word !== 'false' && word !== 'null') throw new Malformed();
    } else if (claimed) {
      this.spans.push({ start, end: p, ruleId: claimed, whole: true });
    }
    this.pos = p;
  }

  /** Index of the closing quote of a string whose content starts at `from`. */
  private stringEnd(from: number): number {
    const { buf, to } = this;
    for (let p = from; p < to; p++) {
      const c = buf[p];
      if (c === QUOTE) return p;
      if (c === BACKSLASH) p++;
      else if (c < 0x20) throw new Malformed();
    }
    throw new Malformed();
  }

  private keyText(start: number, end: number): string {
    const b = Buffer.from(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
    // Search the key only: a search to the end of the batch would make every key cost O(batch).
    if (b.subarray(start, end).indexOf(BACKSLASH) < 0) return b.toString('utf8', start, end);
    try {
      return JSON.parse(b.toString('utf8', start - 1, end + 1)) as string;
    } catch {
      throw new Malformed();
    }
  }
}
