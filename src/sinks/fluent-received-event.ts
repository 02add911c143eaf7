import type { Decoder } from '@msgpack/msgpack';
import { createForwardDecoder } from './fluent-codec.js';
import type { ForwardEvent, ForwardTime } from './fluent-event.js';

/** Sent in place of a received record that turns out not to decode (a record is never passed on unread). */
export const UNDECODABLE_PLACEHOLDER = Object.freeze({
  hushlog_error: 'record could not be decoded and was replaced',
});

let decoder: Decoder | undefined;

/**
 * An event from a PackedForward input whose record is decoded only when first read. Most
 * records carry nothing to mask: the relay checks their bytes for keywords and, when there is
 * none, never reads `record`, and the output then sends the received `[time, record]` bytes as
 * they are. That shortcut is safe by construction: `untouchedEntry()` returns bytes only while
 * `record` was never read nor replaced, so anything that looked at or changed the record gets it
 * re-encoded from the object.
 */
export class ReceivedEvent implements ForwardEvent {
  declare record: Record<string, unknown>;
  #record: Record<string, unknown> | undefined;
  readonly #recordOffset: number;
  readonly #timeIsWireSafe: boolean;

  /**
   * @param source the `[time, record]` entry exactly as received
   * @param recordOffset where the record's map starts in `source`
   * @param timeIsWireSafe whether the received time can go out unchanged (EventTime or a non-zero integer)
   */
  constructor(
    readonly tag: string,
    readonly time: ForwardTime,
    readonly source: Uint8Array,
    recordOffset: number,
    timeIsWireSafe: boolean,
  ) {
    this.#recordOffset = recordOffset;
    this.#timeIsWireSafe = timeIsWireSafe;
    // An own, enumerable accessor rather than a prototype getter: a spread copy or a
    // structuredClone (a worker hand-off) then carries the decoded record instead of losing it.
    Object.defineProperty(this, 'record', RECORD_PROPERTY);
  }

  /** @internal the accessor's getter. */
  readRecord(): Record<string, unknown> {
    if (this.#record === undefined) {
      decoder ??= createForwardDecoder();
      try {
        const value = decoder.decode(this.source.subarray(this.#recordOffset));
        this.#record = isMap(value) ? value : { ...UNDECODABLE_PLACEHOLDER };
      } catch {
        this.#record = { ...UNDECODABLE_PLACEHOLDER };
      }
    }
    return this.#record;
  }

  /** @internal the accessor's setter. */
  writeRecord(value: Record<string, unknown>): void {
    this.#record = value;
  }

  /** The received entry bytes, if they may be sent as they are; undefined once `record` was read or set. */
  untouchedEntry(): Uint8Array | undefined {
    return this.#record === undefined && this.#timeIsWireSafe ? this.source : undefined;
  }
}

const RECORD_PROPERTY: PropertyDescriptor = {
  enumerable: true,
  configurable: false,
  get(this: ReceivedEvent) {
    return this.readRecord();
  },
  set(this: ReceivedEvent, value: Record<string, unknown>) {
    this.writeRecord(value);
  },
};

function isMap(value: unknown): value is Record<string, unknown> {
  return (
    typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array)
  );
}
