/**
 * The event model shared by the forward server (input) and the forward and Logstash clients
 * (outputs). Times keep the exact wire form: an EventTime stays seconds + nanoseconds, an
 * integer stays an integer, so a relay never rounds a timestamp.
 */

const UINT32_MAX = 0xffffffff;
const NANOS_PER_SECOND = 1_000_000_000;

/** Fluentd's EventTime (msgpack ext type 0): unsigned 32-bit seconds and nanoseconds. */
export class EventTime {
  constructor(
    readonly seconds: number,
    readonly nanoseconds: number,
  ) {
    if (!Number.isInteger(seconds) || seconds < 0 || seconds > UINT32_MAX) {
      throw new RangeError('EventTime seconds must be an unsigned 32-bit integer');
    }
    if (!Number.isInteger(nanoseconds) || nanoseconds < 0 || nanoseconds >= NANOS_PER_SECOND) {
      throw new RangeError('EventTime nanoseconds must be an integer in [0, 1e9)');
    }
  }

  static fromMillis(ms: number): EventTime {
    const seconds = Math.floor(ms / 1000);
    return new EventTime(seconds, Math.round((ms - seconds * 1000) * 1_000_000) % NANOS_PER_SECOND);
  }

  /** Fractional seconds (JSON input, float times) to the exact-as-possible EventTime. */
  static fromSeconds(value: number): EventTime {
    const seconds = Math.floor(value);
    const nanos = Math.min(NANOS_PER_SECOND - 1, Math.round((value - seconds) * NANOS_PER_SECOND));
    return new EventTime(seconds, nanos);
  }

  static now(): EventTime {
    return EventTime.fromMillis(Date.now());
  }

  toMillis(): number {
    return this.seconds * 1000 + Math.floor(this.nanoseconds / 1_000_000);
  }

  /** ISO-8601 with nanosecond precision, for JSON outputs. */
  toISOString(): string {
    const base = new Date(this.seconds * 1000).toISOString().slice(0, 19);
    return `${base}.${String(this.nanoseconds).padStart(9, '0')}Z`;
  }

  equals(other: EventTime): boolean {
    return this.seconds === other.seconds && this.nanoseconds === other.nanoseconds;
  }
}

/** What the forward protocol allows on the wire: EventTime or integer seconds (never a float). */
export type ForwardTime = EventTime | number;

export interface ForwardEvent {
  tag: string;
  time: ForwardTime;
  /** The record as decoded: 64-bit integers are bigint, msgpack bin values are Uint8Array. */
  record: Record<string, unknown>;
  /**
   * The `[time, record]` msgpack bytes as received (PackedForward input only), for a cheap
   * keyword pre-check before scrubbing. Outputs encode `record`; only a ReceivedEvent whose
   * record was never read is sent as these bytes.
   */
  source?: Uint8Array;
}

/**
 * Normalises a time for sending. in_forward silently drops events whose time is a float, so a
 * fractional number becomes an EventTime; integers stay integers (a relay keeps their form).
 */
export function toWireTime(time: ForwardTime | bigint): ForwardTime {
  if (time instanceof EventTime) return time;
  if (typeof time === 'bigint') {
    if (time < 0n || time > BigInt(UINT32_MAX)) throw new RangeError('event time out of range');
    return Number(time);
  }
  if (!Number.isFinite(time) || time < 0)
    throw new RangeError('event time must be a finite, non-negative number');
  return Number.isInteger(time) ? time : EventTime.fromSeconds(time);
}

/** Whole seconds, for outputs that need one number. */
export function timeToSeconds(time: ForwardTime): number {
  return time instanceof EventTime ? time.seconds + time.nanoseconds / NANOS_PER_SECOND : time;
}

/** The tag of a record from a non-forward input: its `tagKey` field when a non-empty string, else `tag`. */
export function tagFor(record: Record<string, unknown>, opts: { tag: string; tagKey?: string }): string {
  if (opts.tagKey) {
    const v = record[opts.tagKey];
    if (typeof v === 'string' && v.length > 0) return v;
  }
  return opts.tag;
}
