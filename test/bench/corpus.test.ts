import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 as zlibCrc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  type CorpusLine,
  corpusBuffer,
  corpusEntries,
  corpusLines,
  knownValuesFor,
  plantedCorpus,
  writeCorpusFile,
} from '../../bench/corpus.js';

function take<T>(gen: Generator<T>, n: number): T[] {
  const out: T[] = [];
  for (const item of gen) {
    out.push(item);
    if (out.length >= n) break;
  }
  return out;
}

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** Independent re-implementation of the GitHub checksum, on node's own CRC32. */
function githubChecksumOk(token: string): boolean {
  const body = token.slice(4, 34);
  let n = zlibCrc32(body);
  let enc = '';
  while (n > 0) {
    enc = BASE62[n % 62] + enc;
    n = Math.floor(n / 62);
  }
  return token.slice(34) === enc.padStart(6, '0');
}

describe('corpus generator', () => {
  it('gives the same bytes for the same seed and different bytes for another', () => {
    const a = corpusBuffer({ seed: 7, bytes: 300_000, knownValues: knownValuesFor(7, 10) });
    const b = corpusBuffer({ seed: 7, bytes: 300_000, knownValues: knownValuesFor(7, 10) });
    const c = corpusBuffer({ seed: 8, bytes: 300_000, knownValues: knownValuesFor(7, 10) });
    expect(a.equals(b)).toBe(true);
    expect(a.equals(c)).toBe(false);
  });

  it('returns whole lines about the requested size', () => {
    const buf = corpusBuffer({ seed: 3, bytes: 1_000_000 });
    expect(buf.length).toBeGreaterThanOrEqual(1_000_000);
    // At most one line (long JSON lines stay under ~20 KB) past the requested size.
    expect(buf.length).toBeLessThan(1_000_000 + 20_000);
    expect(buf[buf.length - 1]).toBe(10);
  });

  it('writes to disk exactly what corpusBuffer returns', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hushlog-corpus-'));
    try {
      const path = join(dir, 'corpus.log');
      const opts = { seed: 11, bytes: 2_500_000 };
      const written = writeCorpusFile(path, opts);
      const onDisk = readFileSync(path);
      expect(onDisk.equals(corpusBuffer(opts))).toBe(true);
      expect(written.bytes).toBe(onDisk.length);
      expect(written.lines).toBe(onDisk.toString('utf8').split('\n').length - 1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('plantedCorpus returns the same bytes and a map of its planted lines', () => {
    const opts = { seed: 12, bytes: 1_500_000, secretRate: 0.02 };
    const { buffer, planted } = plantedCorpus(opts);
    expect(buffer.equals(corpusBuffer(opts))).toBe(true);
    const lines = buffer.toString('utf8').split('\n');
    expect(planted.size).toBeGreaterThan(100);
    for (const [n, entry] of planted) {
      expect(lines[n]).toBe(entry.text);
      expect(entry.secret !== undefined || entry.trap !== undefined).toBe(true);
    }
  });

  it('puts a secret on about secretRate of the lines', () => {
    for (const secretRate of [0.005, 0.05]) {
      const entries = take(corpusEntries({ seed: 21, secretRate }), 200_000);
      const secretLines = entries.filter((e) => e.secret && !e.secret.continuation).length;
      const rate = secretLines / entries.length;
      // 200k lines: the binomial standard deviation is under 3% of the mean at 0.005.
      expect(rate).toBeGreaterThan(secretRate * 0.85);
      expect(rate).toBeLessThan(secretRate * 1.15);
    }
  });

  it('records each secret value verbatim in its line, and none leaks into clean lines', () => {
    const known = knownValuesFor(5, 20);
    const entries = take(corpusEntries({ seed: 5, secretRate: 0.05, knownValues: known }), 50_000);
    const values = new Set<string>();
    for (const e of entries) {
      for (const v of e.secret?.values ?? []) {
        expect(e.text.includes(v)).toBe(true);
        values.add(v);
      }
    }
    // Strong-prefix shapes occur only on lines that declare a secret (traps included).
    const shaped = /sk-proj-|sk-ant-api03-|\bghp_|\bhf_[A-Za-z0-9]{34}|\bgsk_|xox[bp]-|\bAKIA[A-Z2-7]{16}\b/;
    const clean = entries.filter((e) => !e.secret);
    for (const e of clean) {
      if (shaped.test(e.text)) expect(e.text).toContain('AKIAIOSFODNN7EXAMPLE');
    }
    expect(values.size).toBeGreaterThan(1000);
  });

  it('plants known values in raw, JSON, URL and base64 forms', () => {
    const known = ['plain-known-value-1', 'with "quote" and \\ slash', 'ünïcødé+/=?&value'];
    const entries = take(
      corpusEntries({ seed: 9, secretRate: 0.2, knownValueShare: 1, knownValues: known }),
      20_000,
    );
    const forms = new Map<string, number>();
    for (const e of entries) {
      if (e.secret?.kind !== 'known-value') continue;
      forms.set(e.secret.form ?? '?', (forms.get(e.secret.form ?? '?') ?? 0) + 1);
      const [v] = e.secret.values as [string];
      const decode: Record<string, (x: string) => string> = {
        raw: (x) => x,
        json: (x) => JSON.parse(`"${x}"`),
        url: decodeURIComponent,
        base64: (x) => Buffer.from(x, 'base64').toString('utf8'),
        'base64-newline': (x) => Buffer.from(x, 'base64').toString('utf8').replace(/\n$/, ''),
      };
      expect(known).toContain(decode[e.secret.form as string]?.(v));
    }
    expect([...forms.keys()].sort()).toEqual(['base64', 'base64-newline', 'json', 'raw', 'url']);
  });

  it('emits valid UTF-8, non-ASCII text, parseable JSON lines and multi-line stack traces', () => {
    const buf = corpusBuffer({ seed: 13, bytes: 3_000_000 });
    // A round trip through a string replaces invalid sequences with U+FFFD, changing the bytes.
    expect(Buffer.from(buf.toString('utf8')).equals(buf)).toBe(true);
    const lines = buf.toString('utf8').split('\n').slice(0, -1);
    let json = 0;
    let long = 0;
    for (const line of lines) {
      if (line.startsWith('{')) {
        const rec = JSON.parse(line) as { level: number; msg: string };
        expect(typeof rec.msg).toBe('string');
        json++;
        if (line.length > 2000) long++;
      }
    }
    expect(json / lines.length).toBeGreaterThan(0.3);
    expect(long).toBeGreaterThan(0);
    expect(lines.some((l) => Buffer.byteLength(l) > l.length)).toBe(true);
    expect(lines.some((l) => /\p{Extended_Pictographic}/u.test(l))).toBe(true);
    expect(lines.some((l) => /^\tat [\w.]+\(\w+\.java:\d+\)$/.test(l))).toBe(true);
    expect(lines.some((l) => /^ {4}at .+:\d+:\d+\)$/.test(l))).toBe(true);
    expect(lines.some((l) => /^\S+ - - \[\d\d\/\w{3}\/\d{4}:/.test(l))).toBe(true);
    expect(lines.some((l) => /^time=\S+ level=\w+ msg="/.test(l))).toBe(true);
  });

  it('makes GitHub tokens whose checksum verifies', () => {
    const entries = take(corpusEntries({ seed: 17, secretRate: 0.2 }), 20_000);
    const tokens = entries.filter((e) => e.secret?.kind === 'github').flatMap((e) => e.secret?.values ?? []);
    expect(tokens.length).toBeGreaterThan(50);
    for (const t of tokens) {
      expect(t).toMatch(/^gh[pousr]_[0-9A-Za-z]{36}$/);
      expect(githubChecksumOk(t)).toBe(true);
    }
  });

  it('emits precision traps, including the classic look-alikes', () => {
    const entries: CorpusLine[] = take(corpusEntries({ seed: 19, trapRate: 0.1 }), 30_000);
    const traps = entries.filter((e) => e.trap);
    expect(traps.length / entries.length).toBeGreaterThan(0.05);
    const kinds = new Set(traps.map((e) => e.trap));
    for (const k of ['uuid', 'sha256', 'git-sha', 'words', 'placeholder'])
      expect(kinds.has(k as never)).toBe(true);
    expect(traps.some((e) => e.text.includes('password reset email sent'))).toBe(true);
    expect(traps.every((e) => !e.secret)).toBe(true);
  });

  it('emits a PEM block as separate lines, its body marked as continuation', () => {
    const entries = take(corpusEntries({ seed: 23, secretRate: 0.5 }), 40_000);
    const begin = entries.findIndex((e) => /^-----BEGIN [A-Z ]*PRIVATE KEY-----$/.test(e.text));
    expect(begin).toBeGreaterThan(-1);
    expect(entries[begin]?.secret?.kind).toBe('pem');
    expect(entries[begin + 1]?.secret?.continuation).toBe(true);
    expect(entries[begin + 1]?.text).toMatch(/^[A-Za-z0-9+/=]{1,64}$/);
  });

  it('generates distinct base62 known values of 16-64 chars, deterministically', () => {
    const values = knownValuesFor(1, 1000);
    expect(new Set(values).size).toBe(1000);
    for (const v of values) expect(v).toMatch(/^[0-9A-Za-z]{16,64}$/);
    expect(knownValuesFor(1, 1000)).toEqual(values);
    expect(knownValuesFor(2, 10)).not.toEqual(values.slice(0, 10));
  });

  it('corpusLines yields the same text as corpusEntries', () => {
    const a = take(corpusLines({ seed: 4 }), 1000);
    const b = take(corpusEntries({ seed: 4 }), 1000).map((e) => e.text);
    expect(a).toEqual(b);
  });
});
