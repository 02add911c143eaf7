import { ExtData } from '@msgpack/msgpack';
import { describe, expect, it } from 'vitest';
import { createForwardDecoder, createForwardEncoder } from '../../src/sinks/fluent-codec.js';
import { EventTime, tagFor, toWireTime } from '../../src/sinks/fluent-event.js';
import { eventToJsonLine } from '../../src/sinks/fluent-event-json.js';

describe('forward codec', () => {
  it('encodes EventTime as ext type 0 (fixext8, big-endian seconds and nanoseconds)', () => {
    const bytes = createForwardEncoder().encode(new EventTime(0x01020304, 999_999_999));
    expect(Buffer.from(bytes).toString('hex')).toBe(
      `d700${'01020304'}${(999_999_999).toString(16).padStart(8, '0')}`,
    );
    const back = createForwardDecoder().decode(bytes);
    expect(back).toBeInstanceOf(EventTime);
    expect((back as EventTime).equals(new EventTime(0x01020304, 999_999_999))).toBe(true);
  });

  it('keeps 64-bit integers, integer times and msgpack timestamps exactly', () => {
    const big = 2n ** 63n - 7n;
    const ts = new ExtData(-1, Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8]));
    const entry = [1700000000, { id: big, neg: -(2n ** 62n), ts }];
    const bytes = createForwardEncoder().encode(entry);
    const back = createForwardDecoder().decode(bytes) as [number, Record<string, unknown>];
    expect(back[0]).toBe(1700000000);
    expect(back[1].id).toBe(big);
    expect(back[1].neg).toBe(-(2n ** 62n));
    expect(Buffer.from(createForwardEncoder().encode(back))).toEqual(Buffer.from(bytes));
  });

  it('never sends a float time', () => {
    expect(toWireTime(1700000000)).toBe(1700000000);
    const t = toWireTime(1700000000.25);
    expect(t).toBeInstanceOf(EventTime);
    expect((t as EventTime).seconds).toBe(1700000000);
    expect((t as EventTime).nanoseconds).toBe(250_000_000);
    expect(() => toWireTime(Number.NaN)).toThrow();
  });

  it('rejects out-of-range EventTime parts', () => {
    expect(() => new EventTime(-1, 0)).toThrow(RangeError);
    expect(() => new EventTime(1, 1_000_000_000)).toThrow(RangeError);
  });

  it('picks the tag from a record field or falls back', () => {
    expect(tagFor({ service: 'api' }, { tag: 'app', tagKey: 'service' })).toBe('api');
    expect(tagFor({ service: 3 }, { tag: 'app', tagKey: 'service' })).toBe('app');
    expect(tagFor({}, { tag: 'app' })).toBe('app');
  });

  it('writes events as JSON lines with every digit of a bigint and an ISO time', () => {
    const line = eventToJsonLine({
      tag: 'app.web',
      time: new EventTime(1700000000, 5),
      record: { id: 2n ** 64n - 1n, msg: 'a "quoted"\nline', raw: Buffer.from('bytes') },
    });
    expect(line.endsWith('\n')).toBe(true);
    expect(line.indexOf('\n')).toBe(line.length - 1);
    expect(line).toContain('"id":18446744073709551615');
    const parsed = JSON.parse(line);
    expect(parsed.tag).toBe('app.web');
    expect(parsed['@timestamp']).toBe('2023-11-14T22:13:20.000000005Z');
    expect(parsed.msg).toBe('a "quoted"\nline');
    expect(parsed.raw).toBe('bytes');
  });
});
