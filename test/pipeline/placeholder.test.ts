import { describe, expect, it } from 'vitest';
import {
  WITHHELD_JSON_RECORD,
  WITHHELD_RECORD,
  WITHHELD_WINDOW,
  withheldRecords,
  withheldWindow,
} from '../../src/pipeline/placeholder.js';

const text = (b: Uint8Array) => Buffer.from(b).toString();

describe('placeholders', () => {
  it('gives one line per record, JSON for JSON-object records, and keeps a missing last newline', () => {
    const input = Buffer.from('plain secret=abc\n  {"token":"abc"}\n\nlast {"x":1}');
    expect(text(withheldRecords(input))).toBe(
      `${WITHHELD_RECORD}\n${WITHHELD_JSON_RECORD}\n${WITHHELD_RECORD}\n${WITHHELD_RECORD}`,
    );
    expect(text(withheldRecords(Buffer.from('a\nb\n')))).toBe(`${WITHHELD_RECORD}\n${WITHHELD_RECORD}\n`);
    expect(JSON.parse(WITHHELD_JSON_RECORD)).toEqual({ hushlog: 'record withheld: scrub failed' });
    expect(withheldRecords(new Uint8Array(0))).toHaveLength(0);
  });

  it('keeps a window placeholder on the record line', () => {
    expect(text(withheldWindow(Buffer.from('abc')))).toBe(WITHHELD_WINDOW);
    expect(text(withheldWindow(Buffer.from('abc\n')))).toBe(`${WITHHELD_WINDOW}\n`);
  });
});
