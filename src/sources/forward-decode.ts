import { promisify } from 'node:util';
import { gunzip as gunzipCallback } from 'node:zlib';
import type { Decoder } from '@msgpack/msgpack';
import { handshakeKind, type Ping, parsePing } from '../sinks/fluent-auth.js';
import { bytesToText, createForwardDecoder } from '../sinks/fluent-codec.js';
import { EventTime, type ForwardEvent, type ForwardTime } from '../sinks/fluent-event.js';
import { ReceivedEvent } from '../sinks/fluent-received-event.js';
import { FrameError, type FrameLimits, scanMsgpack } from './forward-frame.js';

const gunzip = promisify(gunzipCallback);

/** Forward protocol v1 modes, plus the JSON fallback. */
export type ForwardMode = 'message' | 'forward' | 'packed-forward' | 'compressed-packed-forward' | 'json';

export type ClientMessage =
  | { kind: 'ping'; ping: Ping }
  | {
      kind: 'events';
      mode: ForwardMode;
      events: ForwardEvent[];
      /** Chunk id the client wants acked. */
      chunk?: string;
      /** Entries skipped because they were not [time, map] (in_forward's skip_invalid_event). */
      invalid: number;
    };

export interface DecodeLimits extends FrameLimits {
  /** Ceiling of a CompressedPackedForward payload once inflated. */
  maxInflatedBytes: number;
}

/**
 * Decodes one msgpack message. Throws FrameError (the connection is then closed and counted)
 * for anything that is not a forward message; the reason never quotes content.
 */
export async function decodeMsgpackMessage(
  frame: Buffer,
  limits: DecodeLimits,
  now: () => EventTime,
): Promise<ClientMessage> {
  // Fluentd's out_forward types PackedForward entries as str32 and handshake salts may be random
  // bytes typed as str: decoding those as UTF-8 would corrupt them, so such messages are decoded
  // with raw strings (the tag and option values are then converted explicitly).
  const raw = secondElementIsStr(frame, limits);
  let value: unknown;
  try {
    value = (raw ? rawDecoder() : textDecoder()).decode(frame);
  } catch {
    throw new FrameError('invalid msgpack');
  }
  if (!Array.isArray(value)) throw new FrameError('message is not an array');
  const kind = handshakeKind(value);
  if (kind === 'PING') {
    const ping = parsePing(raw ? value : rawDecoder().decode(frame));
    if (!ping) throw new FrameError('malformed PING');
    return { kind: 'ping', ping };
  }
  if (kind) throw new FrameError(`unexpected ${kind} from a client`);

  const tag = bytesToText(value[0]);
  if (tag === undefined || value.length < 2 || value.length > 4)
    throw new FrameError('not a forward message');
  const second = value[1];
  if (second instanceof Uint8Array || typeof second === 'string') {
    if (value.length > 3) throw new FrameError('not a forward message');
    const option = readOption(value[2]);
    const compressed = option.compressed === 'gzip';
    let entries = typeof second === 'string' ? Buffer.from(second) : second;
    if (compressed) entries = await inflate(entries, limits.maxInflatedBytes);
    const { events, invalid } = decodePackedEntries(tag, entries, limits, now);
    return {
      kind: 'events',
      mode: compressed ? 'compressed-packed-forward' : 'packed-forward',
      events,
      chunk: option.chunk,
      invalid,
    };
  }
  if (Array.isArray(second)) {
    if (value.length > 3) throw new FrameError('not a forward message');
    const option = readOption(value[2]);
    const { events, invalid } = toEvents(tag, second, now);
    return { kind: 'events', mode: 'forward', events, chunk: option.chunk, invalid };
  }
  if (value.length < 3) throw new FrameError('not a forward message');
  const option = readOption(value[3]);
  const { events, invalid } = toEvents(tag, [[second, value[2]]], now);
  return { kind: 'events', mode: 'message', events, chunk: option.chunk, invalid };
}

/** Decodes one JSON message (same shapes as msgpack, no PackedForward: JSON has no binary). */
export function decodeJsonMessage(frame: Buffer, now: () => EventTime): ClientMessage {
  let value: unknown;
  try {
    value = JSON.parse(frame.toString('utf8'));
  } catch {
    throw new FrameError('invalid JSON');
  }
  if (!Array.isArray(value) || typeof value[0] !== 'string' || value.length < 2 || value.length > 4) {
    throw new FrameError('not a forward message');
  }
  const tag = value[0];
  if (Array.isArray(value[1])) {
    if (value.length > 3) throw new FrameError('not a forward message');
    const { events, invalid } = toEvents(tag, value[1], now);
    return { kind: 'events', mode: 'json', events, chunk: readOption(value[2]).chunk, invalid };
  }
  if (value.length < 3) throw new FrameError('not a forward message');
  const { events, invalid } = toEvents(tag, [[value[1], value[2]]], now);
  return { kind: 'events', mode: 'json', events, chunk: readOption(value[3]).chunk, invalid };
}

let sharedTextDecoder: Decoder | undefined;
let sharedRawDecoder: Decoder | undefined;
// Decoders are synchronous and reentrancy-safe (the library clones when re-entered), so one of each is shared.
function textDecoder(): Decoder {
  sharedTextDecoder ??= createForwardDecoder();
  return sharedTextDecoder;
}
function rawDecoder(): Decoder {
  sharedRawDecoder ??= createForwardDecoder({ rawStrings: true });
  return sharedRawDecoder;
}

/** Whether the message is an array whose second element is typed str. */
function secondElementIsStr(frame: Buffer, limits: FrameLimits): boolean {
  const head = frame[0];
  let offset: number;
  if (head >= 0x90 && head <= 0x9f) offset = 1;
  else if (head === 0xdc) offset = 3;
  else return false;
  if (offset >= frame.length) return false;
  const first = scanMsgpack(frame, offset, limits);
  if (!first.complete) return false;
  const b = frame[offset + first.length];
  return (b >= 0xa0 && b <= 0xbf) || b === 0xd9 || b === 0xda || b === 0xdb;
}

interface ForwardOption {
  chunk?: string;
  compressed?: string;
}

function readOption(value: unknown): ForwardOption {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value) || value instanceof Uint8Array) {
    throw new FrameError('option is not a map');
  }
  const o = value as Record<string, unknown>;
  const chunk = o.chunk === undefined || o.chunk === null ? undefined : bytesToText(o.chunk);
  if (o.chunk !== undefined && o.chunk !== null && chunk === undefined)
    throw new FrameError('chunk option is not a string');
  const compressed = o.compressed === undefined ? undefined : bytesToText(o.compressed);
  if (compressed !== undefined && compressed !== 'gzip' && compressed !== 'text') {
    throw new FrameError('unsupported compression');
  }
  return { chunk, compressed };
}

async function inflate(data: Uint8Array, maxBytes: number): Promise<Uint8Array> {
  try {
    return await gunzip(data, { maxOutputLength: maxBytes });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new FrameError(`compressed entries inflate beyond ${maxBytes} bytes`);
    }
    throw new FrameError('invalid gzip data');
  }
}

/**
 * PackedForward entries: each is scanned (size and depth bounds), its time decoded, its record
 * left encoded inside a ReceivedEvent until something reads it.
 */
function decodePackedEntries(
  tag: string,
  entries: Uint8Array,
  limits: FrameLimits,
  now: () => EventTime,
): { events: ForwardEvent[]; invalid: number } {
  const buf = Buffer.isBuffer(entries)
    ? entries
    : Buffer.from(entries.buffer, entries.byteOffset, entries.byteLength);
  const entryLimits = { ...limits, maxFrameBytes: buf.length };
  const events: ForwardEvent[] = [];
  let invalid = 0;
  let pos = 0;
  while (pos < buf.length) {
    const scan = scanMsgpack(buf, pos, entryLimits);
    if (!scan.complete) throw new FrameError('truncated packed entries');
    const entry = buf.subarray(pos, pos + scan.length);
    pos += scan.length;
    const event = receivedEvent(tag, entry, entryLimits, now);
    if (event) events.push(event);
    else invalid++;
  }
  return { events, invalid };
}

const FIXARRAY_2 = 0x92;

/** One `[time, map]` entry as a ReceivedEvent, or undefined if it is not one. */
function receivedEvent(
  tag: string,
  entry: Buffer,
  limits: FrameLimits,
  now: () => EventTime,
): ReceivedEvent | undefined {
  if (entry[0] !== FIXARRAY_2 || entry.length < 3) return undefined;
  const timeScan = scanMsgpack(entry, 1, limits);
  if (!timeScan.complete) return undefined;
  const recordOffset = 1 + timeScan.length;
  if (!isMapHeader(entry[recordOffset])) return undefined;
  let raw: unknown;
  try {
    raw = textDecoder().decode(entry.subarray(1, recordOffset));
  } catch {
    return undefined;
  }
  const time = readTime(raw, now);
  if (time === undefined) return undefined;
  const wireSafe =
    raw instanceof EventTime || ((typeof raw === 'number' || typeof raw === 'bigint') && raw === time);
  return new ReceivedEvent(tag, time, entry, recordOffset, wireSafe);
}

function isMapHeader(b: number | undefined): boolean {
  return b !== undefined && ((b >= 0x80 && b <= 0x8f) || b === 0xde || b === 0xdf);
}

function toEvents(
  tag: string,
  entries: unknown[],
  now: () => EventTime,
): { events: ForwardEvent[]; invalid: number } {
  const events: ForwardEvent[] = [];
  let invalid = 0;
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i];
    if (!Array.isArray(entry) || entry.length !== 2) {
      invalid++;
      continue;
    }
    const time = readTime(entry[0], now);
    const record = entry[1];
    if (time === undefined || !isPlainRecord(record)) {
      invalid++;
      continue;
    }
    events.push({ tag, time, record });
  }
  return { events, invalid };
}

/** in_forward replaces a missing or zero time with now; floats become EventTime (never re-sent as floats). */
function readTime(value: unknown, now: () => EventTime): ForwardTime | undefined {
  if (value instanceof EventTime) return value;
  if (value === null || value === undefined || value === 0 || value === 0n) return now();
  if (typeof value === 'bigint') return value > 0n && value <= 0xffffffffn ? Number(value) : undefined;
  if (typeof value === 'number' && Number.isFinite(value) && value > 0 && value <= 0xffffffff) {
    return Number.isInteger(value) ? value : EventTime.fromSeconds(value);
  }
  return undefined;
}

function isPlainRecord(value: unknown): value is Record<string, unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    !(value instanceof Uint8Array) &&
    !(value instanceof EventTime)
  );
}
