import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeMulti } from '@msgpack/msgpack';
import { describe, expect, it } from 'vitest';
import { BIN, cleanEnv } from '../cli/run-cli.js';
import { type Format, jsonChunk, msgpackChunk, runExecFilter } from './emulator.js';

// Shapes the bundled pack masks; fake values.
const OPENAI = `sk-proj-${'Ab3dE5fG7h'.repeat(5)}abcdefghT3BlbkFJ${'Zy9xW8vU7t'.repeat(5)}abcdefgh`;
const GITHUB = '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';
const SECRETS = [OPENAI, GITHUB, 'hunter2-Correct-Horse'];

function record(i: number): Record<string, unknown> {
  const base: Record<string, unknown> = {
    tag: 'app.access',
    time: 1700000000 + i,
    seq: i,
    msg: `request ${i} ok`,
  };
  if (i % 7 === 0) base.msg = `calling openai with key ${OPENAI}`;
  if (i % 11 === 0) base.headers = { authorization: `token ${GITHUB}` };
  if (i % 13 === 0) base.db = { password: 'hunter2-Correct-Horse' };
  return base;
}

function chunksOf(format: Format, total: number, perChunk: number): Buffer[] {
  const chunks: Buffer[] = [];
  for (let start = 0; start < total; start += perChunk) {
    const recs = Array.from({ length: Math.min(perChunk, total - start) }, (_, k) => record(start + k));
    chunks.push(format === 'json' ? jsonChunk(recs) : msgpackChunk(recs));
  }
  return chunks;
}

describe.each(['json', 'msgpack'] as const)('Fluentd exec_filter with %s', (format) => {
  it('loses, reorders and leaks nothing across 10k-record chunks and a Fluentd shutdown', async () => {
    const total = 30_000;
    const run = await runExecFilter(format, chunksOf(format, total, 10_000));
    expect(run.invalid).toEqual([]);
    expect(run.code).toBe(0);
    expect(run.shutdownMs).toBeLessThan(5000);
    expect(run.records).toHaveLength(total);
    const text = JSON.stringify(run.records, (_k, v) => (typeof v === 'bigint' ? v.toString() : v));
    for (const s of SECRETS) expect(text).not.toContain(s);
    run.records.forEach((r, i) => {
      const rec = r as Record<string, unknown>;
      expect(rec.seq).toBe(i);
      // Tag and time come back untouched.
      expect(rec.tag).toBe('app.access');
      expect(rec.time).toBe(1700000000 + i);
    });
    const masked = run.records[0] as {
      msg: string;
      headers: { authorization: string };
      db: { password: string };
    };
    expect(masked.msg).toContain('[REDACTED:');
    expect(masked.headers.authorization).toMatch(/REDACTED/);
    expect(masked.db.password).toBe('[REDACTED:secret-key]');
  });

  it('replaces a malformed input record by a valid notice and goes on', async () => {
    const good = format === 'json' ? jsonChunk([record(1)]) : msgpackChunk([record(1)]);
    const bad = format === 'json' ? Buffer.from('{"broken": \n') : Buffer.from([0xc1]);
    const run = await runExecFilter(format, [good, bad, good]);
    expect(run.invalid).toEqual([]);
    expect(run.code).toBe(0);
    const notices = run.records.filter((r) => (r as { hushlog?: string }).hushlog !== undefined);
    expect(notices).toHaveLength(1);
    expect(run.records.filter((r) => (r as { seq?: number }).seq === 1)).toHaveLength(2);
  });
});

describe('Fluentd exec (out_exec) with a chunk file', () => {
  it('reads the chunk, never changes it, appends masked records to --output and prints nothing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hushlog-exec-'));
    const chunk = join(dir, 'buffer.b5f3.log');
    const out = join(dir, 'clean.msgpack');
    const bytes = msgpackChunk(Array.from({ length: 500 }, (_, i) => record(i)));
    writeFileSync(chunk, bytes);
    for (let round = 0; round < 2; round++) {
      const stdout = execFileSync(
        process.execPath,
        [BIN, '--format', 'msgpack', '--keep-key', 'tag,time', '--output', out, chunk],
        {
          env: cleanEnv(),
        },
      );
      expect(stdout.length).toBe(0);
    }
    expect(readFileSync(chunk).equals(bytes)).toBe(true);
    const written = [...decodeMulti(readFileSync(out))];
    expect(written).toHaveLength(1000);
    const text = JSON.stringify(written);
    for (const s of SECRETS) expect(text).not.toContain(s);
  });

  it('exits non-zero when the output cannot be written, so Fluentd retries the chunk', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hushlog-exec-'));
    const chunk = join(dir, 'chunk.log');
    writeFileSync(chunk, jsonChunk([record(7)]));
    let status = 0;
    try {
      execFileSync(
        process.execPath,
        [BIN, '--format', 'jsonl', '--output', join(dir, 'missing', 'out.log'), chunk],
        {
          env: cleanEnv(),
          stdio: 'pipe',
        },
      );
    } catch (err) {
      status = (err as { status: number }).status;
    }
    expect(status).not.toBe(0);
  });
});
