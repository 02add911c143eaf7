import { describe, expect, it } from 'vitest';
import { WITHHELD_WINDOW } from '../../src/pipeline/placeholder.js';
import type { ScrubReply } from '../../src/pipeline/task.js';
import { chooseCut, WindowedRecordScanner } from '../../src/pipeline/windowed-record.js';
import { asyncScrub, concat, keyedValue, rng, scrubberFor, token } from './scrub-helpers.js';

const OPTS = { stride: 1000, overlap: 120, margin: 30, allocate: (n: number) => new Uint8Array(n) };

/** A long record of filler with secrets planted at the given offsets (some straddle window edges). */
function plantedRecord(length: number, seed: number, every: number): { record: Buffer; secrets: string[] } {
  const rand = rng(seed);
  const chars: string[] = [];
  const secrets: string[] = [];
  while (chars.join('').length < length) {
    const filler = 'lorem ipsum '.repeat(Math.floor(rand() * every) + 1);
    chars.push(filler);
    if (rand() < 0.5) {
      const t = token(rand);
      secrets.push(t);
      chars.push(t);
    } else {
      const v = keyedValue(rand);
      secrets.push(v);
      chars.push(`key=${v}`);
    }
  }
  return { record: Buffer.from(`${chars.join('')}\n`), secrets };
}

async function scanInParts(
  scanner: WindowedRecordScanner,
  record: Buffer,
  partSizes: number[],
): Promise<{ output: Buffer; failures: string[] }> {
  const outputs: Uint8Array[] = [];
  const failures: string[] = [];
  let pos = 0;
  let i = 0;
  while (pos < record.length) {
    const end = Math.min(record.length, pos + partSizes[i++ % partSizes.length]);
    for (const piece of await scanner.push(record.subarray(pos, end), end === record.length)) {
      outputs.push(piece.output);
      if (piece.failure) failures.push(piece.failure);
    }
    pos = end;
  }
  return { output: concat(outputs), failures };
}

describe('WindowedRecordScanner', () => {
  it('gives the same bytes as scrubbing the whole record at once, secrets across window edges included', async () => {
    const scrubber = scrubberFor();
    for (let seed = 1; seed <= 40; seed++) {
      const { record, secrets } = plantedRecord(20_000, seed, 12);
      const whole = Buffer.from(scrubber.scrub(record).output);
      const scanner = new WindowedRecordScanner(asyncScrub(scrubber), OPTS);
      const { output, failures } = await scanInParts(scanner, record, [777, 64, 3001]);
      expect(failures).toEqual([]);
      expect(output.equals(whole)).toBe(true);
      for (const s of secrets) expect(output.includes(s)).toBe(false);
    }
  });

  it('reports findings at record offsets and 1-based columns', async () => {
    const scrubber = scrubberFor();
    const record = Buffer.from(`${'x'.repeat(2500)}tok_abcdefghij0123456789${'y'.repeat(2500)}\n`);
    const scanner = new WindowedRecordScanner(asyncScrub(scrubber), OPTS);
    const pieces = await scanner.push(record, true);
    const findings = pieces.flatMap((p) => p.findings);
    expect(findings.map((f) => [f.ruleId, f.offset, f.column, f.length])).toEqual([
      ['test-token', 2500, 2501, 24],
    ]);
  });

  it('withholds a window whose scan fails and goes on with the rest of the record', async () => {
    const scrubber = scrubberFor();
    const inner = asyncScrub(scrubber);
    let calls = 0;
    const failing = async (bytes: Uint8Array): Promise<ScrubReply> => {
      calls++;
      if (calls === 2) {
        const err = new Error('worker exited; replaced');
        err.name = 'BatchFailure';
        throw err;
      }
      return inner(bytes);
    };
    const { record, secrets } = plantedRecord(6000, 7, 12);
    const scanner = new WindowedRecordScanner(failing, OPTS);
    const { output, failures } = await scanInParts(scanner, record, [6000]);
    expect(failures).toHaveLength(1);
    expect(failures[0]).toContain('worker exited');
    expect(output.includes(WITHHELD_WINDOW)).toBe(true);
    for (const s of secrets) expect(output.includes(s)).toBe(false);
    expect(output[output.length - 1]).toBe(0x0a);
  });

  it('fails closed, never open, when secrets are too dense to cut between them', async () => {
    const scrubber = scrubberFor();
    // Every alignment of the 20-byte `key=VALUE` period against the window edges.
    for (let shift = 0; shift < 20; shift++) {
      const rand = rng(100 + shift);
      const secrets: string[] = [];
      let text = '.'.repeat(shift);
      while (text.length < 5000) {
        const v = keyedValue(rand);
        secrets.push(v);
        text += `key=${v}`;
      }
      const record = Buffer.from(`${text}\n`);
      const scanner = new WindowedRecordScanner(asyncScrub(scrubber), OPTS);
      const { output } = await scanInParts(scanner, record, [5000]);
      for (const s of secrets) expect(output.includes(s)).toBe(false);
    }
  });
});

describe('chooseCut', () => {
  it('keeps a margin from spans when it can, else cuts at a span edge, else gives up', () => {
    expect(chooseCut([], 100, 10)).toBe(100);
    expect(chooseCut([[95, 105]], 100, 10)).toBe(85);
    expect(chooseCut([[5, 105]], 100, 10)).toBe(5);
    expect(chooseCut([[0, 105]], 100, 10)).toBe(0);
    expect(
      chooseCut(
        [
          [80, 90],
          [92, 101],
        ],
        100,
        5,
      ),
    ).toBe(75);
  });
});
