import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { packChunks, UNENCODABLE_PLACEHOLDER } from '../../src/sinks/fluent-chunk.js';
import { createForwardDecoder } from '../../src/sinks/fluent-codec.js';
import { EventTime, type ForwardEvent } from '../../src/sinks/fluent-event.js';

function unpack(data: Uint8Array, compressed = false) {
  const msg = createForwardDecoder().decode(data) as [string, Uint8Array, Record<string, unknown>];
  const raw = compressed ? gunzipSync(msg[1]) : msg[1];
  const entries = [...createForwardDecoder().decodeMulti(raw)] as Array<[unknown, Record<string, unknown>]>;
  return { tag: msg[0], option: msg[2], entries, entriesIsBin: msg[1] instanceof Uint8Array };
}

const events = (n: number, tag = 'app', size = 100): ForwardEvent[] =>
  Array.from({ length: n }, (_, i) => ({
    tag,
    time: new EventTime(1700000000 + i, i),
    record: { i, msg: 'x'.repeat(size) },
  }));

describe('packChunks', () => {
  it('packs PackedForward messages with bin entries, size and a chunk id', async () => {
    const [chunk] = await packChunks(events(3), { maxChunkBytes: 1 << 20, requireAck: true });
    const m = unpack(chunk.data);
    expect(m.tag).toBe('app');
    expect(m.entriesIsBin).toBe(true);
    expect(m.option.size).toBe(3);
    expect(m.option.chunk).toBe(chunk.key);
    expect(Buffer.from(chunk.key as string, 'base64')).toHaveLength(16);
    expect(m.entries.map((e) => e[1].i)).toEqual([0, 1, 2]);
    expect((m.entries[2][0] as EventTime).nanoseconds).toBe(2);
    expect(chunk.records).toBe(3);
  });

  it('keeps every message under maxChunkBytes and the order of events', async () => {
    const chunks = await packChunks(events(500, 'app', 200), { maxChunkBytes: 8 * 1024, requireAck: true });
    expect(chunks.length).toBeGreaterThan(10);
    const seen: number[] = [];
    for (const c of chunks) {
      expect(c.data.byteLength).toBeLessThanOrEqual(8 * 1024);
      seen.push(...unpack(c.data).entries.map((e) => e[1].i as number));
    }
    expect(seen).toEqual(Array.from({ length: 500 }, (_, i) => i));
    expect(new Set(chunks.map((c) => c.key)).size).toBe(chunks.length);
  });

  it('starts a new message when the tag changes', async () => {
    const evs = [...events(2, 'a'), ...events(1, 'b'), ...events(2, 'a')];
    const chunks = await packChunks(evs, { maxChunkBytes: 1 << 20, requireAck: false });
    expect(chunks.map((c) => unpack(c.data).tag)).toEqual(['a', 'b', 'a']);
    expect(chunks.every((c) => c.key === undefined && unpack(c.data).option.chunk === undefined)).toBe(true);
  });

  it('sends an event larger than the bound alone', async () => {
    const evs = [...events(1, 'a', 10), ...events(1, 'a', 20_000), ...events(1, 'a', 10)];
    const chunks = await packChunks(evs, { maxChunkBytes: 4096, requireAck: true });
    expect(chunks.map((c) => c.records)).toEqual([1, 1, 1]);
  });

  it('compresses as CompressedPackedForward', async () => {
    const [chunk] = await packChunks(events(50), {
      maxChunkBytes: 1 << 20,
      requireAck: true,
      compress: true,
    });
    const m = unpack(chunk.data, true);
    expect(m.option.compressed).toBe('gzip');
    expect(m.entries).toHaveLength(50);
  });

  it('replaces a record the encoder refuses with a placeholder, never echoing it', async () => {
    let deep: Record<string, unknown> = { secret: 'sk-should-not-leak' };
    for (let i = 0; i < 200; i++) deep = { d: deep };
    const chunks = await packChunks([{ tag: 't', time: 1, record: deep }], {
      maxChunkBytes: 1 << 20,
      requireAck: true,
    });
    expect(chunks[0].replaced).toBe(1);
    expect(unpack(chunks[0].data).entries[0][1]).toEqual(UNENCODABLE_PLACEHOLDER);
    expect(Buffer.from(chunks[0].data).toString('latin1')).not.toContain('sk-should-not-leak');
  });
});
