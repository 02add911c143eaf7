import { ExtData } from '@msgpack/msgpack';
import type { FormatName } from '../engine/types.js';
import { JsonDocBoundaries } from '../formats/json-doc-boundaries.js';
import { msgpackObjectEnd } from '../formats/msgpack-boundaries.js';
import { decodeRecord } from '../formats/msgpack-codec.js';
import { EventTime, type ForwardEvent, type ForwardTime, tagFor, toWireTime } from '../sinks/fluent-event.js';

/**
 * Turns the pipeline's scrubbed output (a byte stream in the input's format) into what a
 * network output takes: forward events, or JSON lines for Logstash. Works on the scrubbed
 * bytes only, after the Scrubber: nothing here decides what is secret.
 */

/** How records become events: `--tag`, `--tag-key`, `--time-key`. */
export interface EventShape {
  /** Tag of every event (default `hushlog`). */
  tag?: string;
  /** A record field holding the tag, used when it is a non-empty string. */
  tagKey?: string;
  /** A record field holding the event time (integer seconds, EventTime, float or ISO-8601). */
  timeKey?: string;
}

/** `events` for fluent:// (and decoded formats to logstash://), `json-lines` for logstash:// line input. */
export type OutputTarget = 'fluent' | 'logstash';

/** What one push produced: events, JSON lines, or nothing yet (a record still incomplete). */
export type RecordBatch = ForwardEvent[] | Uint8Array;

/**
 * Stateful: records may straddle pushes (an over-long line arrives in windows), so an
 * incomplete tail is carried to the next push, up to `maxCarryBytes`; beyond that the tail is
 * cut and sent as a record of its own, which keeps memory bounded.
 */
export interface RecordEncoder {
  push(bytes: Uint8Array): RecordBatch;
  /** The stream ended: whatever is carried becomes the last record. */
  end(): RecordBatch;
}

export interface EncoderOptions extends EventShape {
  format: FormatName;
  target: OutputTarget;
  maxCarryBytes: number;
}

const NEWLINE = 0x0a;
const EMPTY: ForwardEvent[] = [];

export function recordEncoder(opts: EncoderOptions): RecordEncoder {
  switch (opts.format) {
    case 'msgpack':
      return new MsgpackEncoder(opts);
    case 'json':
      return new JsonDocEncoder(opts);
    default:
      return new LineEncoder(opts);
  }
}

/** The record a line stands for: the JSON object it holds, or `{message: line}`. */
export function lineRecord(line: string): Record<string, unknown> {
  return parseObject(line) ?? { message: line };
}

/** A forward event for a record, with tag and time taken from its fields when configured. */
export function recordEvent(
  record: Record<string, unknown>,
  shape: EventShape,
  now: EventTime,
): ForwardEvent {
  const tag = tagFor(record, { tag: shape.tag ?? 'hushlog', tagKey: shape.tagKey });
  const time = shape.timeKey ? (timeOf(record[shape.timeKey]) ?? now) : now;
  return { tag, time, record };
}

/** A record's time field as a wire time; undefined when absent or not a time. */
export function timeOf(value: unknown): ForwardTime | undefined {
  try {
    if (value instanceof EventTime) return value;
    if (typeof value === 'number' || typeof value === 'bigint') return toWireTime(value);
    if (
      value instanceof ExtData &&
      value.type === 0 &&
      value.data instanceof Uint8Array &&
      value.data.length === 8
    ) {
      const view = new DataView(value.data.buffer, value.data.byteOffset, 8);
      return new EventTime(view.getUint32(0), view.getUint32(4));
    }
    if (typeof value === 'string') {
      const ms = Date.parse(value);
      return Number.isFinite(ms) && ms >= 0 ? EventTime.fromMillis(ms) : undefined;
    }
  } catch {
    // Out of range (negative, beyond 2106): the event gets "now" instead of being refused.
  }
  return undefined;
}

/** text / jsonl: one record per line; empty lines carry no record and are skipped. */
class LineEncoder implements RecordEncoder {
  private carry: Buffer[] = [];
  private carried = 0;

  constructor(private readonly opts: EncoderOptions) {}

  push(bytes: Uint8Array): RecordBatch {
    const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const last = buf.lastIndexOf(NEWLINE);
    if (last < 0) {
      this.hold(buf);
      if (this.carried <= this.opts.maxCarryBytes) return this.encode([]);
      return this.encode([this.takeCarry()]);
    }
    const head =
      this.carried > 0 ? Buffer.concat([...this.carry, buf.subarray(0, last)]) : buf.subarray(0, last);
    this.carry = [];
    this.carried = 0;
    if (last + 1 < buf.length) this.hold(buf.subarray(last + 1));
    return this.encode(head.toString('utf8').split('\n'));
  }

  end(): RecordBatch {
    return this.encode(this.carried > 0 ? [this.takeCarry()] : []);
  }

  private hold(piece: Buffer): void {
    // Copied: the pipeline reuses its batch buffers once the write is done.
    this.carry.push(Buffer.from(piece));
    this.carried += piece.length;
  }

  private takeCarry(): string {
    const text = Buffer.concat(this.carry).toString('utf8');
    this.carry = [];
    this.carried = 0;
    return text;
  }

  private encode(lines: string[]): RecordBatch {
    const kept = lines.map(stripCr).filter((l) => l.length > 0);
    if (this.opts.target === 'logstash') return jsonLines(kept);
    const now = EventTime.now();
    return kept.length === 0 ? EMPTY : kept.map((l) => recordEvent(lineRecord(l), this.opts, now));
  }
}

/**
 * Logstash json_lines: a line holding a JSON object goes as it is (every digit of its numbers
 * kept); any other line becomes `{"message": line}`.
 */
function jsonLines(lines: readonly string[]): Uint8Array {
  let out = '';
  for (const line of lines) out += `${parseObject(line) ? line : JSON.stringify({ message: line })}\n`;
  return Buffer.from(out);
}

/** msgpack: back-to-back values; maps are records, anything else becomes `{message: value}`. */
class MsgpackEncoder implements RecordEncoder {
  private carry: Uint8Array = new Uint8Array(0);

  constructor(private readonly opts: EncoderOptions) {}

  push(bytes: Uint8Array): RecordBatch {
    const buf = this.carry.length > 0 ? Buffer.concat([this.carry, bytes]) : bytes;
    const now = EventTime.now();
    const events: ForwardEvent[] = [];
    let pos = 0;
    for (;;) {
      const end = msgpackObjectEnd(buf, pos, buf.length);
      if (end < 0) break;
      events.push(recordEvent(asRecord(decodeRecord(buf.subarray(pos, end))), this.opts, now));
      pos = end;
    }
    if (buf.length - pos > this.opts.maxCarryBytes) {
      // The pipeline withholds over-long msgpack records, so this only guards against a bug.
      throw new RangeError('a msgpack record exceeds the output carry bound');
    }
    this.carry = pos < buf.length ? Uint8Array.from(buf.subarray(pos)) : new Uint8Array(0);
    return events;
  }

  end(): RecordBatch {
    if (this.carry.length > 0) throw new RangeError('the msgpack output ended inside a record');
    return EMPTY;
  }
}

/**
 * json: a stream of documents, or the elements of a top-level array, each a record. The
 * boundary scanner the framer uses finds where each ends; separators and brackets between them
 * are dropped. Pretty-printed records are re-serialised (json_lines needs one line each).
 */
class JsonDocEncoder implements RecordEncoder {
  private finder = new JsonDocBoundaries();
  private carry: Buffer = Buffer.alloc(0);

  constructor(private readonly opts: EncoderOptions) {}

  push(bytes: Uint8Array): RecordBatch {
    const scanned = this.carry.length;
    const buf = Buffer.concat([this.carry, bytes]);
    const texts: string[] = [];
    let start = 0;
    let pos = scanned;
    while (pos < buf.length) {
      const end = this.finder.scan(buf, pos, buf.length, true);
      pos = this.finder.consumed;
      if (end < 0) break;
      texts.push(buf.toString('utf8', start, end));
      start = end;
    }
    if (buf.length - start > this.opts.maxCarryBytes) {
      texts.push(buf.toString('utf8', start));
      start = buf.length;
      // The scanner is mid-record; a fresh one resynchronises at the next document.
      this.finder = new JsonDocBoundaries();
    }
    this.carry = Buffer.from(buf.subarray(start));
    return this.encode(texts);
  }

  end(): RecordBatch {
    const rest = this.carry.toString('utf8');
    this.carry = Buffer.alloc(0);
    return this.encode([rest]);
  }

  private encode(texts: string[]): RecordBatch {
    const records: Record<string, unknown>[] = [];
    for (const t of texts) {
      // The scanner also cuts after an array's `[`, its `]` and each `,`: those pieces hold no record.
      const text = t.trim();
      if (text.length === 0 || text === '[' || text === ']' || text === ',') continue;
      records.push(jsonRecord(text));
    }
    if (this.opts.target === 'logstash') {
      return Buffer.from(records.map((r) => `${JSON.stringify(r)}\n`).join(''));
    }
    const now = EventTime.now();
    return records.map((r) => recordEvent(r, this.opts, now));
  }
}

function jsonRecord(text: string): Record<string, unknown> {
  try {
    return asRecord(JSON.parse(text));
  } catch {
    return { message: text };
  }
}

function asRecord(value: unknown): Record<string, unknown> {
  if (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    !(value instanceof Uint8Array)
  ) {
    return value as Record<string, unknown>;
  }
  return { message: typeof value === 'string' ? value : JSON.stringify(value, bigintAsString) };
}

function bigintAsString(_key: string, v: unknown): unknown {
  return typeof v === 'bigint' ? v.toString() : v;
}

function parseObject(line: string): Record<string, unknown> | undefined {
  if (line.charCodeAt(0) !== 0x7b) return undefined;
  try {
    const v: unknown = JSON.parse(line);
    return typeof v === 'object' && v !== null && !Array.isArray(v)
      ? (v as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

function stripCr(line: string): string {
  return line.endsWith('\r') ? line.slice(0, -1) : line;
}
