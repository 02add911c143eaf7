export class MalformedMsgpack extends Error {
  constructor(readonly offset: number) {
    super(`malformed msgpack at byte ${offset}`);
    this.name = 'MalformedMsgpack';
  }
}

/** True for a byte that can start a map (the only top-level record Fluentd writes). */
export function isMapHeader(b: number): boolean {
  return (b >= 0x80 && b <= 0x8f) || b === 0xde || b === 0xdf;
}

/**
 * End (exclusive) of the one msgpack object starting at `pos`, or -1 if buf[pos, to) holds
 * only part of it. Throws MalformedMsgpack on a byte no object starts with.
 */
export function msgpackObjectEnd(buf: Uint8Array, pos: number, to: number): number {
  return new MsgpackBoundaries(true).scan(buf, pos, to, true);
}

/**
 * Record boundaries in a stream of back-to-back msgpack objects, resumable across reads
 * (hand-written because @msgpack/msgpack decodes values but does not report their extent):
 * every byte is looked at once (payloads are skipped by length) and nothing but a partial
 * header (at most 5 bytes) is carried between calls, so a record larger than memory allows
 * can still be found to end, and withheld, without being buffered.
 */
export class MsgpackBoundaries {
  /** Objects still to read in the current record (0: between records). */
  private remaining = 0;
  /** Payload bytes still to skip (string, binary, extension data). */
  private skip = 0;
  private readonly carry = new Uint8Array(8);
  private carried = 0;
  readonly stateAtBoundary = 0;

  /** @param strict throw MalformedMsgpack instead of ending a bad record at the read's end. */
  constructor(private readonly strict = false) {}

  /** Where the last scan stopped consuming (`to`, or the first record end with `first`). */
  consumed = 0;

  /**
   * Consumes bytes[from, to) in stream order. Returns the offset just past the last record
   * that ends inside it, or -1. With `first`, stops consuming at the first record end and
   * returns it. A byte no msgpack object starts with ends a (bad) record at `to`.
   */
  scan(bytes: Uint8Array, from: number, to: number, first = false): number {
    try {
      return this.walk(bytes, from, to, first);
    } catch (err) {
      if (this.strict || !(err instanceof MalformedMsgpack)) throw err;
      // Not msgpack from here: end the batch at what was read, where the batch scrubber
      // withholds the bad stretch and resynchronises, and start afresh with the next read
      // (Fluentd writes whole chunks, so the next one starts with a record).
      this.reset();
      this.consumed = to;
      return to;
    }
  }

  private walk(bytes: Uint8Array, from: number, to: number, first: boolean): number {
    let last = -1;
    let i = from;
    while (i < to) {
      if (this.skip > 0) {
        const n = Math.min(this.skip, to - i);
        this.skip -= n;
        i += n;
      } else {
        // Assemble the header (possibly continuing one carried from the previous read).
        const marker = this.carried > 0 ? this.carry[0] : bytes[i];
        const size = headerSize(marker, i);
        const have = this.carried + (to - i);
        if (have < size) {
          this.carry.set(bytes.subarray(i, to), this.carried);
          this.carried += to - i;
          this.consumed = to;
          return last;
        }
        const take = size - this.carried;
        this.carry.set(bytes.subarray(i, i + take), this.carried);
        i += take;
        this.carried = 0;
        this.header(this.carry);
      }
      if (this.remaining === 0 && this.skip === 0 && this.carried === 0) {
        last = i;
        if (first) {
          this.consumed = i;
          return last;
        }
      }
    }
    this.consumed = to;
    return last;
  }

  /** True when no record is partly consumed (the stream may end here). */
  get atBoundary(): boolean {
    return this.remaining === 0 && this.skip === 0 && this.carried === 0;
  }

  /** Forget a partial record (after the framer gave up on it). */
  reset(): void {
    this.remaining = 0;
    this.skip = 0;
    this.carried = 0;
  }

  private header(h: Uint8Array): void {
    const b = h[0];
    if (this.remaining === 0) this.remaining = 1;
    this.remaining--;
    if (b <= 0x7f || b >= 0xe0) return;
    if (b <= 0x8f) {
      this.remaining += 2 * (b & 0x0f);
      return;
    }
    if (b <= 0x9f) {
      this.remaining += b & 0x0f;
      return;
    }
    if (b <= 0xbf) {
      this.skip = b & 0x1f;
      return;
    }
    const u16 = (h[1] << 8) | h[2];
    const u32 = ((h[1] << 24) >>> 0) + (h[2] << 16) + (h[3] << 8) + h[4];
    switch (b) {
      case 0xc4:
      case 0xd9:
        this.skip = h[1];
        return;
      case 0xc5:
      case 0xda:
        this.skip = u16;
        return;
      case 0xc6:
      case 0xdb:
        this.skip = u32;
        return;
      // ext 8/16/32: the type byte follows the length.
      case 0xc7:
        this.skip = h[1] + 1;
        return;
      case 0xc8:
        this.skip = u16 + 1;
        return;
      case 0xc9:
        this.skip = u32 + 1;
        return;
      case 0xca:
        this.skip = 4;
        return;
      case 0xcb:
        this.skip = 8;
        return;
      case 0xcc:
      case 0xd0:
        this.skip = 1;
        return;
      case 0xcd:
      case 0xd1:
        this.skip = 2;
        return;
      case 0xce:
      case 0xd2:
        this.skip = 4;
        return;
      case 0xcf:
      case 0xd3:
        this.skip = 8;
        return;
      case 0xd4:
        this.skip = 2;
        return;
      case 0xd5:
        this.skip = 3;
        return;
      case 0xd6:
        this.skip = 5;
        return;
      case 0xd7:
        this.skip = 9;
        return;
      case 0xd8:
        this.skip = 17;
        return;
      case 0xdc:
        this.remaining += u16;
        return;
      case 0xdd:
        this.remaining += u32;
        return;
      case 0xde:
        this.remaining += 2 * u16;
        return;
      case 0xdf:
        this.remaining += 2 * u32;
        return;
      default:
        // nil, false, true
        return;
    }
  }
}

/** Bytes of a header that must be read before its payload length (or child count) is known. */
function headerSize(b: number, at: number): number {
  if (b <= 0xbf || b >= 0xe0) return 1;
  switch (b) {
    case 0xc1:
      throw new MalformedMsgpack(at);
    case 0xc4:
    case 0xc7:
    case 0xd9:
      return 2;
    case 0xc5:
    case 0xc8:
    case 0xda:
    case 0xdc:
    case 0xde:
      return 3;
    case 0xc6:
    case 0xc9:
    case 0xdb:
    case 0xdd:
    case 0xdf:
      return 5;
    default:
      return 1;
  }
}
