import { decode, ExtData, ExtensionCodec, encode } from '@msgpack/msgpack';

/**
 * Decoding and encoding that round-trip a record exactly: 64-bit integers as bigint, and
 * every extension (msgpack timestamps included) kept as raw ExtData, so a re-encoded record
 * differs from its input only where a value was masked.
 */
const rawExtensions = new ExtensionCodec();
rawExtensions.register({
  type: -1,
  // Timestamps are decoded to ExtData below; this encoder is never handed anything else.
  encode: () => null,
  decode: (data: Uint8Array) => new ExtData(-1, data),
});

const OPTIONS = { useBigInt64: true, extensionCodec: rawExtensions } as const;

export function decodeRecord(bytes: Uint8Array): unknown {
  return decode(bytes, OPTIONS);
}

export function encodeRecord(value: unknown): Uint8Array {
  return encode(value, OPTIONS);
}
