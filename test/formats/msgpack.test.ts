import { decodeMulti, encode } from '@msgpack/msgpack';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { scrubMsgpackBatch } from '../../src/formats/msgpack-batch.js';
import { msgpackObjectEnd } from '../../src/formats/msgpack-boundaries.js';
import { decodeRecord, encodeRecord } from '../../src/formats/msgpack-codec.js';
import { StructureRules } from '../../src/formats/structure-rules.js';
import { scrubberWith } from '../helpers/ruleset.js';

const scrubber = scrubberWith([{ id: 'tok', regex: 'tok_[A-Za-z0-9]{16}', keywords: ['tok_'] }]);
const structure = new StructureRules({ secretKeys: ['password'], redactPaths: ['req.headers.cookie'] });
const ctx = { scrubber, structure, skipKeys: new Set(['tag', 'time']) };
const SECRET = 'tok_ABCDEFGH12345678';

describe('msgpackObjectEnd', () => {
  it('finds the end of every encoded value and reports partial input', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.jsonValue(), (a, b) => {
        const ea = encode(a);
        const both = Buffer.concat([ea, encode(b)]);
        expect(msgpackObjectEnd(both, 0, both.length)).toBe(ea.length);
        expect(msgpackObjectEnd(both, ea.length, both.length)).toBe(both.length);
        if (ea.length > 1) expect(msgpackObjectEnd(ea, 0, ea.length - 1)).toBe(-1);
      }),
    );
  });
});

describe('scrubMsgpackBatch', () => {
  it('masks strings at any depth, applies key and path rules, keeps tag/time/binary/ext/bigint', () => {
    const recs = [
      { tag: 'app.tok_ABCDEFGH12345678', time: 1700000000, msg: `key ${SECRET}`, n: 2n ** 62n },
      { nested: { list: ['a', { deep: SECRET }] }, bin: new Uint8Array([1, 2, 3]), password: 'hunter22' },
      { req: { headers: { cookie: 'sid=abc', host: 'x' } }, ok: true },
      { clean: 'nothing here', f: 1.5 },
    ];
    const batch = Buffer.concat(recs.map((r) => encodeRecord(r)));
    const r = scrubMsgpackBatch(batch, ctx);
    // biome-ignore lint/suspicious/noExplicitAny: decoded records are checked field by field below
    const out = [...decodeMulti(r.output, { useBigInt64: true })] as Array<Record<string, any>>;
    expect(out).toHaveLength(4);
    expect(out[0].tag).toBe(recs[0].tag);
    expect(out[0].time).toBe(1700000000);
    expect(out[0].msg).toBe('key [REDACTED:tok]');
    expect(out[0].n).toBe(2n ** 62n);
    expect(out[1].nested.list[1].deep).toBe('[REDACTED:tok]');
    expect([...out[1].bin]).toEqual([1, 2, 3]);
    expect(out[1].password).toBe('[REDACTED:secret-key]');
    expect(out[2].req.headers).toEqual({ cookie: '[REDACTED:redact-path]', host: 'x' });
    expect(out[3]).toEqual(recs[3]);
    expect(r.records).toBe(4);
    expect(r.findings.map((f) => [f.ruleId, f.record, f.path])).toEqual([
      ['tok', 0, 'msg'],
      ['tok', 1, 'nested.list.1.deep'],
      ['secret-key', 1, 'password'],
      ['redact-path', 2, 'req.headers.cookie'],
    ]);
    expect(JSON.stringify(r.findings)).not.toContain('hunter22');
  });

  it('copies records without candidates byte for byte (no re-encoding)', () => {
    // float32 would come back as float64 if re-encoded.
    const f32 = Buffer.from([0x81, 0xa1, 0x66, 0xca, 0x3f, 0xc0, 0x00, 0x00]);
    const r = scrubMsgpackBatch(f32, ctx);
    expect(r.output).toBe(f32);
  });

  it('replaces malformed input by a withheld record and resumes at the next map', () => {
    const good = encodeRecord({ msg: SECRET });
    const batch = Buffer.concat([good, Buffer.from([0xc1, 0xc1, 0x00]), good]);
    const r = scrubMsgpackBatch(batch, ctx);
    const out = [...decodeMulti(r.output)] as Array<Record<string, unknown>>;
    expect(out).toEqual([
      { msg: '[REDACTED:tok]' },
      { hushlog: 'record withheld: malformed msgpack input' },
      { msg: '[REDACTED:tok]' },
    ]);
    expect(r.withheld).toBe(1);
  });

  it('keeps any record valid and masks injected secrets (property)', () => {
    const withSecrets = fc.jsonValue().map((v) => ({ v, s: SECRET }));
    fc.assert(
      fc.property(fc.array(withSecrets, { minLength: 1, maxLength: 5 }), (recs) => {
        const batch = Buffer.concat(recs.map((r) => encodeRecord(r)));
        const out = [...decodeMulti(scrubMsgpackBatch(batch, ctx).output)];
        expect(out).toHaveLength(recs.length);
        expect(JSON.stringify(out)).not.toContain(SECRET);
      }),
      { numRuns: 200 },
    );
  });

  it('gives the same output when it skips the Scrubber for records with no keyword (property)', () => {
    // The reference scrubs every string of every decoded record.
    const always = scrubberWith([{ id: 'tok', regex: 'tok_[A-Za-z0-9]{16}', keywords: ['tok_'] }]);
    always.mayMatch = () => true;
    const reference = { ...ctx, scrubber: always };
    const text = fc.constantFrom('plain words', SECRET, `x ${SECRET} y`, 'tok_short', 'password', '');
    const record = fc.dictionary(
      fc.constantFrom('msg', 'password', 'user', 'req', 'n'),
      fc.oneof(text, fc.integer(), fc.dictionary(fc.constantFrom('headers', 'cookie', 'password'), text)),
    );
    fc.assert(
      fc.property(fc.array(record, { minLength: 1, maxLength: 6 }), (recs) => {
        const batch = Buffer.concat(recs.map((r) => encodeRecord(r)));
        const got = scrubMsgpackBatch(batch, ctx);
        const want = scrubMsgpackBatch(batch, reference);
        expect(Buffer.from(got.output).equals(Buffer.from(want.output))).toBe(true);
        expect(got.findings).toEqual(want.findings);
      }),
      { numRuns: 300 },
    );
  });

  it('round-trips extension values exactly', () => {
    const rec = decodeRecord(encode({ t: new Date(1700000000123), s: SECRET }));
    const r = scrubMsgpackBatch(Buffer.from(encodeRecord(rec)), ctx);
    const back = decodeRecord(r.output) as Record<string, unknown>;
    const t = back.t as { type: number; data: Uint8Array };
    const orig = (rec as Record<string, { type: number; data: Uint8Array }>).t;
    expect(t.type).toBe(-1);
    expect([...t.data]).toEqual([...orig.data]);
  });
});

describe('MsgpackBoundaries', () => {
  it('finds the same record ends however the stream is chunked (property)', async () => {
    const { MsgpackBoundaries } = await import('../../src/formats/msgpack-boundaries.js');
    const { ExtData } = await import('@msgpack/msgpack');
    const value = fc.oneof(
      fc.jsonValue(),
      fc.uint8Array({ maxLength: 300 }),
      fc.bigInt({ min: -(2n ** 63n), max: 2n ** 64n - 1n }),
      fc
        .tuple(fc.integer({ min: 0, max: 127 }), fc.uint8Array({ maxLength: 20 }))
        .map(([t, d]) => new ExtData(t, d)),
      fc.string({ minLength: 200, maxLength: 70000 }).map((s) => s.slice(0, 70000)),
    );
    fc.assert(
      fc.property(
        fc.array(fc.dictionary(fc.string({ maxLength: 5 }), value, { maxKeys: 4 }), {
          minLength: 1,
          maxLength: 6,
        }),
        fc.array(fc.integer({ min: 1, max: 50 }), { minLength: 1 }),
        (recs, sizes) => {
          const encoded = recs.map((r) => encode(r, { useBigInt64: true }));
          const stream = Buffer.concat(encoded);
          const expected: number[] = [];
          let at = 0;
          for (const e of encoded) {
            at += e.length;
            expected.push(at);
          }
          const b = new MsgpackBoundaries();
          const found: number[] = [];
          for (let pos = 0, k = 0; pos < stream.length; k++) {
            const n = sizes[k % sizes.length];
            const chunk = stream.subarray(pos, pos + n);
            // The finder returns the last record end inside each chunk.
            const end = b.scan(chunk, 0, chunk.length);
            if (end >= 0) found.push(pos + end);
            pos += chunk.length;
          }
          // The last boundary of each chunk must be among the true ends, and the final one is the end.
          for (const f of found) expect(expected).toContain(f);
          expect(found[found.length - 1]).toBe(stream.length);
          expect(b.atBoundary).toBe(true);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('ends a bad record at the end of the read on the never-used byte 0xc1, then starts afresh', async () => {
    const { MsgpackBoundaries } = await import('../../src/formats/msgpack-boundaries.js');
    const b = new MsgpackBoundaries();
    expect(b.scan(Buffer.from([0x81, 0xa1, 0x61, 0xc1, 0x00]), 0, 5)).toBe(5);
    expect(b.atBoundary).toBe(true);
    expect(b.scan(Buffer.from([0x80]), 0, 1)).toBe(1);
  });
});
