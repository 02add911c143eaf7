import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { gzip as gzipCallback } from 'node:zlib';
import type { Encoder } from '@msgpack/msgpack';
import { createForwardEncoder } from './fluent-codec.js';
import { type ForwardEvent, toWireTime } from './fluent-event.js';
import { ReceivedEvent } from './fluent-received-event.js';

const gzip = promisify(gzipCallback);

/** Room kept in a chunk for the message envelope: array header, tag, bin header, option map. */
const ENVELOPE_RESERVE = 128;

/** Record sent in place of one the encoder refused (nesting deeper than msgpack's limit, odd values). */
export const UNENCODABLE_PLACEHOLDER = Object.freeze({
  hushlog_error: 'record could not be encoded and was replaced',
});

export interface ChunkOptions {
  /**
   * Upper bound of one encoded message. in_forward drops oversized chunks without an ack, so a
   * client that sent one would retry it forever; keep this under the peer's chunk_size_limit.
   * A single event larger than this still goes out, alone in its chunk.
   */
  maxChunkBytes: number;
  /** Ask for an ack (`chunk` option). Without it delivery is at-most-once. */
  requireAck: boolean;
  /** CompressedPackedForward (gzip) instead of PackedForward. */
  compress?: boolean;
}

/** One PackedForward message ready for the wire; `key` is its chunk id (the ack names it). */
export interface PackedChunk {
  data: Uint8Array;
  records: number;
  key?: string;
  /** Events replaced by UNENCODABLE_PLACEHOLDER. */
  replaced: number;
}

/**
 * Packs events into PackedForward messages: consecutive events with one tag share a message,
 * each message stays under maxChunkBytes, order is kept.
 */
export async function packChunks(
  events: readonly ForwardEvent[],
  opts: ChunkOptions,
): Promise<PackedChunk[]> {
  const encoder = createForwardEncoder();
  const out: PackedChunk[] = [];
  let tag: string | undefined;
  let parts: Uint8Array[] = [];
  let size = 0;
  let replaced = 0;

  const flush = async () => {
    if (tag === undefined || parts.length === 0) return;
    out.push(await buildMessage(encoder, tag, parts, size, replaced, opts));
    parts = [];
    size = 0;
    replaced = 0;
  };

  for (const event of events) {
    const entry = encodeEntry(encoder, event);
    const budget = opts.maxChunkBytes - ENVELOPE_RESERVE - Buffer.byteLength(event.tag);
    if (event.tag !== tag || (parts.length > 0 && size + entry.bytes.length > budget)) {
      await flush();
      tag = event.tag;
    }
    parts.push(entry.bytes);
    size += entry.bytes.length;
    if (entry.replaced) replaced++;
  }
  await flush();
  return out;
}

function encodeEntry(encoder: Encoder, event: ForwardEvent): { bytes: Uint8Array; replaced: boolean } {
  // A received record nobody read goes out byte for byte (see ReceivedEvent for why that is safe).
  const untouched = event instanceof ReceivedEvent ? event.untouchedEntry() : undefined;
  if (untouched) return { bytes: untouched, replaced: false };
  const time = toWireTime(event.time);
  try {
    return { bytes: encoder.encode([time, event.record]), replaced: false };
  } catch {
    // The record cannot be represented (too deep, unsupported value); its content is never echoed.
    return { bytes: encoder.encode([time, UNENCODABLE_PLACEHOLDER]), replaced: true };
  }
}

async function buildMessage(
  encoder: Encoder,
  tag: string,
  parts: Uint8Array[],
  size: number,
  replaced: number,
  opts: ChunkOptions,
): Promise<PackedChunk> {
  let entries: Uint8Array = Buffer.concat(parts, size);
  const option: Record<string, unknown> = { size: parts.length };
  let key: string | undefined;
  if (opts.requireAck) {
    key = randomBytes(16).toString('base64');
    option.chunk = key;
  }
  if (opts.compress) {
    entries = await gzip(entries);
    option.compressed = 'gzip';
  }
  return { data: encoder.encode([tag, entries, option]), records: parts.length, key, replaced };
}
