import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { createForwardEncoder } from '../../src/sinks/fluent-codec.js';
import { EventTime } from '../../src/sinks/fluent-event.js';
import { ReceivedEvent, UNDECODABLE_PLACEHOLDER } from '../../src/sinks/fluent-received-event.js';
import { decodeJsonMessage, decodeMsgpackMessage } from '../../src/sources/forward-decode.js';
import { FrameError } from '../../src/sources/forward-frame.js';

const limits = { maxFrameBytes: 1 << 20, maxDepth: 100, maxInflatedBytes: 1 << 20 };
const NOW = new EventTime(1800000000, 1);
const now = () => NOW;
const enc = (v: unknown) => Buffer.from(createForwardEncoder().encode(v));
const entries = (...list: unknown[]) => Buffer.concat(list.map(enc));

/** PackedForward the way Fluentd's out_forward writes it: entries typed str32, not bin. */
function fluentdStr32Packed(tag: string, packed: Buffer, option: Record<string, unknown>): Buffer {
  const head = Buffer.alloc(5);
  head[0] = 0xdb;
  head.writeUInt32BE(packed.length, 1);
  return Buffer.concat([Buffer.from([0x93]), enc(tag), head, packed, enc(option)]);
}

describe('decodeMsgpackMessage', () => {
  const t = new EventTime(1700000000, 123_456_789);

  it('decodes Message mode with its chunk option', async () => {
    const m = await decodeMsgpackMessage(enc(['app', t, { a: 'x' }, { chunk: 'c1' }]), limits, now);
    expect(m).toMatchObject({ kind: 'events', mode: 'message', chunk: 'c1', invalid: 0 });
    if (m.kind === 'events') expect(m.events).toEqual([{ tag: 'app', time: t, record: { a: 'x' } }]);
  });

  it('decodes Forward mode', async () => {
    const m = await decodeMsgpackMessage(
      enc([
        'app',
        [
          [t, { a: 1 }],
          [1700000001, { a: 2 }],
        ],
        { size: 2 },
      ]),
      limits,
      now,
    );
    expect(m).toMatchObject({ kind: 'events', mode: 'forward' });
    if (m.kind === 'events') expect(m.events.map((e) => e.record.a)).toEqual([1, 2]);
  });

  it('decodes PackedForward with bin entries and with Fluentd str32 entries alike', async () => {
    const packed = entries([t, { a: 'é-ü', big: 2n ** 60n }], [1700000001, { b: Buffer.from([0xff, 0x00]) }]);
    const asBin = await decodeMsgpackMessage(enc(['app', packed, { chunk: 'k' }]), limits, now);
    const asStr = await decodeMsgpackMessage(
      fluentdStr32Packed('app', packed, { chunk: 'k', size: 2 }),
      limits,
      now,
    );
    for (const m of [asBin, asStr]) {
      expect(m).toMatchObject({ kind: 'events', mode: 'packed-forward', chunk: 'k' });
      if (m.kind !== 'events') continue;
      const e = m.events[0];
      expect([e.tag, e.time, e.record]).toEqual(['app', t, { a: 'é-ü', big: 2n ** 60n }]);
      expect(Buffer.from(m.events[1].record.b as Uint8Array)).toEqual(Buffer.from([0xff, 0x00]));
    }
  });

  it('keeps PackedForward records encoded until read; unreadable ones become a placeholder', async () => {
    const good = enc([t, { a: 1 }]);
    // A map whose key is an array: well-formed msgpack, not a record the decoder accepts.
    const odd = Buffer.concat([Buffer.from([0x92]), enc(1700000000), Buffer.from([0x81, 0x91, 0x01, 0x02])]);
    const m = await decodeMsgpackMessage(enc(['app', Buffer.concat([good, odd])]), limits, now);
    if (m.kind !== 'events') throw new Error('expected events');
    const [a, b] = m.events as ReceivedEvent[];
    expect(a).toBeInstanceOf(ReceivedEvent);
    expect(Buffer.from(a.untouchedEntry() as Uint8Array)).toEqual(good);
    expect(a.record).toEqual({ a: 1 });
    expect(a.untouchedEntry()).toBeUndefined();
    expect(b.record).toEqual(UNDECODABLE_PLACEHOLDER);
    expect(b.untouchedEntry()).toBeUndefined();
  });

  it('never passes on a received entry whose time had to change', async () => {
    const packed = entries([0, { a: 1 }], [1700000000.5, { a: 2 }], [1700000000, { a: 3 }]);
    const m = await decodeMsgpackMessage(enc(['app', packed]), limits, now);
    if (m.kind !== 'events') throw new Error('expected events');
    expect((m.events as ReceivedEvent[]).map((e) => e.untouchedEntry() !== undefined)).toEqual([
      false,
      false,
      true,
    ]);
  });

  it('decodes CompressedPackedForward and bounds the inflated size', async () => {
    const packed = entries([t, { a: 1 }], [t, { a: 2 }]);
    const m = await decodeMsgpackMessage(enc(['app', gzipSync(packed), { compressed: 'gzip' }]), limits, now);
    expect(m).toMatchObject({ kind: 'events', mode: 'compressed-packed-forward' });
    const bomb = gzipSync(entries(...Array.from({ length: 100 }, () => [t, { pad: 'z'.repeat(20_000) }])));
    await expect(
      decodeMsgpackMessage(enc(['app', bomb, { compressed: 'gzip' }]), limits, now),
    ).rejects.toThrow(/inflate beyond/);
  });

  it('turns float times into EventTime and nil/0 times into now; skips entries that are not [time, map]', async () => {
    const m = await decodeMsgpackMessage(
      enc([
        'app',
        [[1700000000.5, { a: 1 }], [null, { a: 2 }], [0, { a: 3 }], [1, 'not a map'], ['bad time', {}], [1]],
      ]),
      limits,
      now,
    );
    if (m.kind !== 'events') throw new Error('expected events');
    expect(m.events.map((e) => e.time)).toEqual([new EventTime(1700000000, 500_000_000), NOW, NOW]);
    expect(m.invalid).toBe(3);
  });

  it('decodes a PING with random-byte salt exactly', async () => {
    const salt = Buffer.from([0xc3, 0x28, 0xff, 0x00]);
    const head = Buffer.from([0x96]);
    const saltStr = Buffer.concat([Buffer.from([0xa4]), salt]);
    const frame = Buffer.concat([
      head,
      enc('PING'),
      enc('client-host'),
      saltStr,
      enc('d'.repeat(128)),
      enc(''),
      enc(''),
    ]);
    const m = await decodeMsgpackMessage(frame, limits, now);
    expect(m.kind).toBe('ping');
    if (m.kind === 'ping') {
      expect(Buffer.from(m.ping.salt)).toEqual(salt);
      expect(m.ping.hostname).toBe('client-host');
    }
  });

  it('rejects what is not a forward message, without quoting it', async () => {
    const bad = [
      enc({ secret: 'value' }),
      enc(['tag']),
      enc([1, 2, 3]),
      enc(['t', 5, { a: 1 }, 'opt']),
      Buffer.from([0x93, 0xa1, 0x74, 0xc1, 0xc0]),
    ];
    for (const frame of bad) {
      const err = await decodeMsgpackMessage(frame, limits, now).catch((e) => e);
      expect(err).toBeInstanceOf(FrameError);
      expect(String(err.message)).not.toContain('value');
    }
  });
});

describe('decodeJsonMessage', () => {
  it('decodes Message and Forward shapes', () => {
    const m = decodeJsonMessage(Buffer.from('["app", 1700000000, {"a": "b"}, {"chunk": "j1"}]'), now);
    expect(m).toMatchObject({ kind: 'events', mode: 'json', chunk: 'j1' });
    const f = decodeJsonMessage(
      Buffer.from('["app", [[1700000000.25, {"a": 1}], [1700000001, {"a": 2}]]]'),
      now,
    );
    if (f.kind !== 'events') throw new Error('expected events');
    expect(f.events).toHaveLength(2);
    expect(f.events[0].time).toEqual(new EventTime(1700000000, 250_000_000));
  });

  it('rejects JSON that is not a forward message', () => {
    expect(() => decodeJsonMessage(Buffer.from('{"tag": "x"}'), now)).toThrow(FrameError);
    expect(() => decodeJsonMessage(Buffer.from('["app", 1'), now)).toThrow(/invalid JSON/);
  });
});
