/**
 * Cuts a forward connection's byte stream into whole messages before any decoding, so that a
 * message's size and nesting are bounded before memory is spent on it (a peer announcing a 4 GiB
 * string is refused at its header, not after buffering it). Decoding proper is left to
 * @msgpack/msgpack; this only reads type headers to find where a message ends.
 */

export class FrameError extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'FrameError';
  }
}

export interface FrameLimits {
  /** Largest message accepted, in bytes. */
  maxFrameBytes: number;
  /** Deepest array/map nesting accepted. */
  maxDepth: number;
}

export interface FrameSplitter {
  /** Appends bytes; returns the messages completed by them, in order. Throws FrameError. */
  push(chunk: Buffer): Buffer[];
  /** Bytes held for an incomplete message. */
  readonly buffered: number;
}

type Scan = { complete: true; length: number } | { complete: false; needed: number };

/** Where one msgpack value starting at `start` ends, or how many bytes are needed to know. */
export function scanMsgpack(buf: Uint8Array, start: number, limits: FrameLimits): Scan {
  const len = buf.length;
  let pos = start;
  // Items still expected at each open nesting level.
  const stack: number[] = [1];
  while (stack.length > 0) {
    const top = stack.length - 1;
    if (stack[top] === 0) {
      stack.pop();
      continue;
    }
    stack[top]--;
    if (pos >= len) return { complete: false, needed: pos + 1 - start };
    const b = buf[pos];
    let header = 1;
    let payload = 0;
    let children = 0;
    if (b <= 0x7f || b >= 0xe0 || b === 0xc0 || b === 0xc2 || b === 0xc3) {
      // fixint, nil, bool
    } else if (b >= 0x80 && b <= 0x8f) children = (b & 0x0f) * 2;
    else if (b >= 0x90 && b <= 0x9f) children = b & 0x0f;
    else if (b >= 0xa0 && b <= 0xbf) payload = b & 0x1f;
    else {
      const fixed = FIXED_SIZES[b];
      if (fixed !== undefined) header = fixed;
      else {
        const spec = VARIABLE[b];
        if (!spec) throw new FrameError(`invalid msgpack type byte 0x${b.toString(16)}`);
        header = 1 + spec.lenBytes + (spec.ext ? 1 : 0);
        if (pos + 1 + spec.lenBytes > len)
          return { complete: false, needed: pos + 1 + spec.lenBytes - start };
        const n = readLength(buf, pos + 1, spec.lenBytes);
        if (spec.kind === 'array') children = n;
        else if (spec.kind === 'map') children = n * 2;
        else payload = n;
      }
    }
    pos += header + payload;
    if (pos - start > limits.maxFrameBytes || children > limits.maxFrameBytes) {
      throw new FrameError(`message larger than ${limits.maxFrameBytes} bytes`);
    }
    if (children > 0) {
      if (stack.length >= limits.maxDepth) throw new FrameError(`nesting deeper than ${limits.maxDepth}`);
      stack.push(children);
    }
  }
  if (pos > len) return { complete: false, needed: pos - start };
  return { complete: true, length: pos - start };
}

const FIXED_SIZES: Record<number, number> = {
  202: 5, // float32
  203: 9, // float64
  204: 2,
  205: 3,
  206: 5,
  207: 9, // uint8..64
  208: 2,
  209: 3,
  210: 5,
  211: 9, // int8..64
  212: 3,
  213: 4,
  214: 6,
  215: 10,
  216: 18, // fixext 1..16 (type byte + data)
};

interface VariableSpec {
  lenBytes: 1 | 2 | 4;
  kind: 'bytes' | 'array' | 'map';
  ext?: boolean;
}

const VARIABLE: Record<number, VariableSpec> = {
  196: { lenBytes: 1, kind: 'bytes' }, // bin8
  197: { lenBytes: 2, kind: 'bytes' },
  198: { lenBytes: 4, kind: 'bytes' },
  199: { lenBytes: 1, kind: 'bytes', ext: true }, // ext8
  200: { lenBytes: 2, kind: 'bytes', ext: true },
  201: { lenBytes: 4, kind: 'bytes', ext: true },
  217: { lenBytes: 1, kind: 'bytes' }, // str8
  218: { lenBytes: 2, kind: 'bytes' },
  219: { lenBytes: 4, kind: 'bytes' },
  220: { lenBytes: 2, kind: 'array' },
  221: { lenBytes: 4, kind: 'array' },
  222: { lenBytes: 2, kind: 'map' },
  223: { lenBytes: 4, kind: 'map' },
};

function readLength(buf: Uint8Array, at: number, bytes: 1 | 2 | 4): number {
  if (bytes === 1) return buf[at];
  if (bytes === 2) return (buf[at] << 8) | buf[at + 1];
  return buf[at] * 0x1000000 + ((buf[at + 1] << 16) | (buf[at + 2] << 8) | buf[at + 3]);
}

/** Splits concatenated msgpack messages. Rescans only once enough bytes arrived to progress. */
export class MsgpackSplitter implements FrameSplitter {
  private chunks: Buffer[] = [];
  private size = 0;
  private needed = 1;

  constructor(private readonly limits: FrameLimits) {}

  get buffered(): number {
    return this.size;
  }

  push(chunk: Buffer): Buffer[] {
    this.chunks.push(chunk);
    this.size += chunk.length;
    const out: Buffer[] = [];
    while (this.size >= this.needed && this.size > 0) {
      const buf = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks, this.size);
      this.chunks = [buf];
      const scan = scanMsgpack(buf, 0, this.limits);
      if (!scan.complete) {
        this.needed = scan.needed;
        break;
      }
      out.push(buf.subarray(0, scan.length));
      const rest = buf.subarray(scan.length);
      this.chunks = rest.length > 0 ? [rest] : [];
      this.size = rest.length;
      this.needed = 1;
    }
    if (this.size > this.limits.maxFrameBytes) {
      throw new FrameError(`message larger than ${this.limits.maxFrameBytes} bytes`);
    }
    return out;
  }
}

const WHITESPACE = new Set([0x20, 0x09, 0x0a, 0x0d]);

/**
 * Splits concatenated JSON arrays/objects (in_forward's JSON fallback). A byte-level state
 * machine that keeps its state between chunks, so each byte is looked at once.
 */
export class JsonSplitter implements FrameSplitter {
  private chunks: Buffer[] = [];
  private size = 0;
  private depth = 0;
  private inString = false;
  private escaped = false;

  constructor(private readonly limits: FrameLimits) {}

  get buffered(): number {
    return this.size;
  }

  push(chunk: Buffer): Buffer[] {
    const out: Buffer[] = [];
    let from = 0;
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i];
      if (this.depth === 0) {
        if (WHITESPACE.has(b)) {
          from = i + 1;
          continue;
        }
        if (b !== 0x5b && b !== 0x7b) throw new FrameError('JSON input must be arrays or objects');
      }
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (b === 0x5c) this.escaped = true;
        else if (b === 0x22) this.inString = false;
        continue;
      }
      if (b === 0x22) this.inString = true;
      else if (b === 0x5b || b === 0x7b) {
        if (++this.depth > this.limits.maxDepth)
          throw new FrameError(`nesting deeper than ${this.limits.maxDepth}`);
      } else if (b === 0x5d || b === 0x7d) {
        if (--this.depth === 0) {
          this.chunks.push(chunk.subarray(from, i + 1));
          out.push(Buffer.concat(this.chunks));
          this.chunks = [];
          this.size = 0;
          from = i + 1;
        }
      }
    }
    if (from < chunk.length) {
      this.chunks.push(chunk.subarray(from));
      this.size += chunk.length - from;
    }
    if (this.size > this.limits.maxFrameBytes) {
      throw new FrameError(`message larger than ${this.limits.maxFrameBytes} bytes`);
    }
    return out;
  }
}
