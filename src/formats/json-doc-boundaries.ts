/**
 * Record boundaries in a stream of JSON documents (pretty-printed exports, concatenated
 * documents) or in one top-level array: each document, or each element of a top-level array,
 * is a record. A byte-level state machine that sees every byte once and never holds a
 * document in memory; stream-json's tokenizer was not used because it reports no byte
 * offsets, and hushlog must cut (and later rewrite) the original bytes exactly.
 */

/** Where a batch starts: between documents, or between elements of a top-level array. */
export const AT_TOP = 0;
export const IN_ARRAY = 1;

export class JsonDocBoundaries {
  private depth = 0;
  private inString = false;
  private escape = false;
  /** The top-level value being read is an array whose elements are the records. */
  private topArray = false;
  /** A scalar document (number, true...) is being read at depth 0. */
  private inScalar = false;
  private last = -1;
  /** Where the last scan stopped consuming (`to`, or earlier with `first`). */
  consumed = 0;
  /** Where a batch cut at the last boundary returned would start (AT_TOP or IN_ARRAY). */
  stateAtBoundary = AT_TOP;

  /**
   * Consumes buf[from, to) in stream order (every byte once); returns the offset just past the
   * last record that ends inside it, or -1. With `first`, stops consuming at the first one.
   */
  scan(buf: Uint8Array, from: number, to: number, first = false): number {
    this.last = -1;
    let { depth, inString, escape: escaped, topArray, inScalar } = this;
    const recordDepth = () => (topArray ? 1 : 0);
    let i = from;
    for (; i < to; i++) {
      if (first && this.last >= 0) break;
      const c = buf[i];
      if (inString) {
        if (escaped) escaped = false;
        else if (c === 0x5c) escaped = true;
        else if (c === 0x22) {
          inString = false;
          if (depth === recordDepth()) this.mark(i + 1, topArray);
        }
        continue;
      }
      if (inScalar) {
        if (isScalarByte(c)) continue;
        inScalar = false;
        this.mark(i, topArray);
      }
      switch (c) {
        case 0x22:
          inString = true;
          break;
        case 0x7b:
          depth++;
          break;
        case 0x5b:
          if (depth === 0 && !topArray) {
            topArray = true;
            depth = 1;
            // The bytes up to and including `[` form no record; cut after them.
            this.mark(i + 1, true);
          } else depth++;
          break;
        case 0x7d:
        case 0x5d:
          if (c === 0x5d && topArray && depth === 1) {
            topArray = false;
            depth = 0;
            this.mark(i + 1, false);
          } else if (depth > 0) {
            depth--;
            if (depth === recordDepth()) this.mark(i + 1, topArray);
          }
          break;
        case 0x2c:
          if (depth === recordDepth()) this.mark(i + 1, topArray);
          break;
        default:
          if (depth === recordDepth() && isScalarByte(c)) inScalar = true;
      }
    }
    Object.assign(this, { depth, inString, escape: escaped, topArray, inScalar });
    this.consumed = i;
    return this.last;
  }

  /** True when no record is partly consumed (the stream may end here). */
  get atBoundary(): boolean {
    return !this.inString && !this.inScalar && this.depth === (this.topArray ? 1 : 0);
  }

  private mark(end: number, inArray: boolean): void {
    this.last = end;
    this.stateAtBoundary = inArray ? IN_ARRAY : AT_TOP;
  }
}

function isScalarByte(c: number): boolean {
  // Digits, sign, exponent, decimal point and the letters of true/false/null.
  return (
    (c >= 0x30 && c <= 0x39) ||
    c === 0x2d ||
    c === 0x2b ||
    c === 0x2e ||
    (c >= 0x61 && c <= 0x7a) ||
    c === 0x45
  );
}
