import { Decoder, Encoder, ExtData, ExtensionCodec, encodeTimestampExtension } from '@msgpack/msgpack';
import { EventTime } from './fluent-event.js';

/** Forward protocol v1: EventTime is msgpack ext type 0, 8 bytes, big-endian seconds then nanoseconds. */
export const EVENT_TIME_EXT_TYPE = 0;

function createExtensionCodec(): ExtensionCodec {
  const codec = new ExtensionCodec();
  codec.register({
    type: EVENT_TIME_EXT_TYPE,
    encode: (value: unknown) => {
      if (!(value instanceof EventTime)) return null;
      const out = new Uint8Array(8);
      const view = new DataView(out.buffer);
      view.setUint32(0, value.seconds);
      view.setUint32(4, value.nanoseconds);
      return out;
    },
    decode: (data: Uint8Array) => {
      // Fluent Bit and Fluentd always send 8 bytes; anything else is not an EventTime.
      if (data.byteLength !== 8) throw new RangeError('EventTime ext must be 8 bytes');
      const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
      return new EventTime(view.getUint32(0), view.getUint32(4));
    },
  });
  // msgpack timestamps (ext -1) inside records stay raw: decoding them to Date would drop the
  // nanoseconds, and a relay must send back what it received.
  codec.register({
    type: -1,
    encode: (value: unknown) => (value instanceof Date ? encodeTimestampExtension(value) : null),
    decode: (data: Uint8Array) => new ExtData(-1, data),
  });
  return codec;
}

const extensionCodec = createExtensionCodec();

export interface ForwardDecoderLimits {
  /** Largest str/bin/ext value accepted (defaults to the library's UINT32_MAX). */
  maxValueBytes?: number;
}

/**
 * Encoder for forward messages: bigint goes out as int64/uint64 so 64-bit integers that came in
 * survive a relay; EventTime goes out as ext type 0.
 */
export function createForwardEncoder(): Encoder {
  return new Encoder({ extensionCodec, useBigInt64: true, ignoreUndefined: true });
}

/**
 * Decoder for forward messages. `rawStrings` returns str values as bytes: needed where a peer
 * sends binary data typed as str (Fluentd's out_forward sends PackedForward entries as str32,
 * and handshake nonces and salts are random bytes).
 */
export function createForwardDecoder(opts: { rawStrings?: boolean } & ForwardDecoderLimits = {}): Decoder {
  return new Decoder({
    extensionCodec,
    useBigInt64: true,
    rawStrings: opts.rawStrings ?? false,
    ...(opts.maxValueBytes !== undefined
      ? {
          maxStrLength: opts.maxValueBytes,
          maxBinLength: opts.maxValueBytes,
          maxExtLength: opts.maxValueBytes,
        }
      : {}),
  });
}

const textDecoder = new TextDecoder('utf-8', { fatal: false });

/** A str decoded with `rawStrings` (or a bin) as text; anything else is not text. */
export function bytesToText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (value instanceof Uint8Array) return textDecoder.decode(value);
  return undefined;
}
