import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { scrubRecord } from '../../src/formats/record-scrub.js';
import { packChunks } from '../../src/sinks/fluent-chunk.js';
import { createForwardDecoder, createForwardEncoder } from '../../src/sinks/fluent-codec.js';
import type { ForwardEvent } from '../../src/sinks/fluent-event.js';
import { ReceivedEvent } from '../../src/sinks/fluent-received-event.js';
import { decodeMsgpackMessage } from '../../src/sources/forward-decode.js';
import { scrubForwardEvents } from '../../src/sources/forward-scrub.js';
import { containsSecret, SECRETS, scrubContext } from './scrub-events.js';

const limits = { maxFrameBytes: 1 << 24, maxDepth: 100, maxInflatedBytes: 1 << 24 };

async function packedEvents(records: Array<Record<string, unknown>>): Promise<ForwardEvent[]> {
  const enc = createForwardEncoder();
  const entries = Buffer.concat(records.map((r, i) => enc.encode([1700000000 + i, r])));
  const msg = await decodeMsgpackMessage(Buffer.from(enc.encode(['app', entries])), limits, () => {
    throw new Error('no time is missing');
  });
  if (msg.kind !== 'events') throw new Error('expected events');
  return msg.events;
}

/** The records of a PackedForward message as the peer would decode them. */
function wireRecords(message: Uint8Array): unknown[] {
  const [, entries] = createForwardDecoder().decode(message) as [string, Uint8Array];
  return [...createForwardDecoder().decodeMulti(entries)].map((e) => (e as [unknown, unknown])[1]);
}

const text = fc.oneof(
  fc.string(),
  fc.constantFrom(...SECRETS).map((s) => `token=${s}`),
  fc.constantFrom('password reset email sent', 'GET /health 200', 'api_key=', 'Bearer realm=x'),
);
const record = fc.dictionary(
  fc.constantFrom('msg', 'user', 'password', 'nested', 'n'),
  fc.oneof(
    text,
    fc.integer(),
    fc.array(text, { maxLength: 3 }),
    fc.dictionary(fc.constantFrom('token', 'k', 'v'), text),
  ),
);

describe('scrubForwardEvents', () => {
  it('sends exactly what a full record walk produces; clean records go out as the bytes received', async () => {
    const ctx = await scrubContext();
    await fc.assert(
      fc.asyncProperty(fc.array(record, { minLength: 1, maxLength: 20 }), async (records) => {
        const events = await packedEvents(records);
        expect(events.every((e) => e.source instanceof Uint8Array)).toBe(true);
        const fast = scrubForwardEvents(events, ctx);
        const [chunk] = await packChunks(fast.events, { maxChunkBytes: 1 << 24, requireAck: false });
        const wire = wireRecords(chunk.data);
        const full = (await packedEvents(records)).map((e) => scrubRecord(e.record, ctx).value);
        expect(wire).toEqual(full);
        expect(containsSecret(wire)).toBe(false);
        const passed = fast.events.filter(
          (e) => e instanceof ReceivedEvent && e.untouchedEntry() !== undefined,
        );
        for (const e of passed)
          expect(Buffer.from(chunk.data).includes(Buffer.from(e.source as Uint8Array))).toBe(true);
      }),
      { numRuns: 150 },
    );
  });

  it('reports findings with their event index, never the value', async () => {
    const ctx = await scrubContext();
    const events = await packedEvents([{ msg: 'clean' }, { msg: `token=${SECRETS[2]}` }]);
    const out = scrubForwardEvents(events, ctx);
    expect(out.findings.map((f) => f.event)).toEqual([1]);
    expect(JSON.stringify(out.findings)).not.toContain(SECRETS[2]);
  });
});
