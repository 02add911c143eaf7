import { describe, expect, it } from 'vitest';
import { BatchScrubber, WITHHELD_MESSAGE } from '../../src/pino/batch-scrubber.js';
import { scrubberWith } from '../helpers/ruleset.js';

const SECRET = 'correct-horse-battery-staple';
const scrubber = scrubberWith([], { knownValues: [{ source: 'test:secret', value: SECRET }] });
const batcher = () => new BatchScrubber((input) => scrubber.scrub(input));

describe('BatchScrubber', () => {
  it('hands back the very batch (string or Buffer) when nothing is masked', () => {
    const text = '{"level":30,"msg":"nothing to see"}\n{"level":30,"msg":"still nothing"}\n';
    expect(batcher().scrub(text).output).toBe(text);
    const bytes = Buffer.from(text);
    expect(batcher().scrub(bytes).output).toBe(bytes);
  });

  it('masks every record of a text or byte batch and reports record indexes', () => {
    const batch = `{"msg":"a ${SECRET}"}\n{"msg":"clean"}\n{"msg":"b ${SECRET}"}`;
    const expected =
      '{"msg":"a [REDACTED:known-value]"}\n{"msg":"clean"}\n{"msg":"b [REDACTED:known-value]"}';
    for (const input of [batch, Buffer.from(batch)]) {
      const out = batcher().scrub(input);
      expect(out.output.toString()).toBe(expected);
      expect(out.findings.map((f) => [f.ruleId, f.record, f.source])).toEqual([
        ['known-value', 0, 'test:secret'],
        ['known-value', 2, 'test:secret'],
      ]);
    }
  });

  it('fails closed: a throwing scrubber yields one valid placeholder per record and no input byte', () => {
    const broken = new BatchScrubber(() => {
      throw new Error(`bug while looking at ${SECRET}`);
    });
    const batch = `{"msg":"${SECRET}"}\n{"msg":"two"}\n{"msg":"three, no newline"}`;
    for (const input of [batch, Buffer.from(batch)]) {
      const out = broken.scrub(input);
      const text = out.output.toString();
      expect(text).not.toContain(SECRET);
      expect(text).not.toContain('two');
      const lines = text
        .trimEnd()
        .split('\n')
        .map((l) => JSON.parse(l));
      expect(lines).toHaveLength(3);
      for (const l of lines) expect(l).toMatchObject({ level: 50, msg: WITHHELD_MESSAGE });
      expect(out.withheldRecords).toBe(3);
    }
    expect(broken.withheldTotal).toBe(6);
  });
});
