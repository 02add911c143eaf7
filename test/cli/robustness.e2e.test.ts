import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { WITHHELD_RECORD } from '../../src/pipeline/placeholder.js';
import { finished, ROOT, runCli, sleep, spawnCli, stderrMatch } from './run-cli.js';

/** A known secret planted in test inputs, masked through --secrets-env. */
const SECRET = 'hush-e2e-secret-7f3a9c21';
const SECRET_ENV = { TEST_HUSH_SECRET: SECRET };
const SECRET_ARGS = ['--secrets-env', 'TEST_HUSH_*'];

/** What the CLI writes in place of SECRET (asked from the CLI itself, not assumed). */
async function secretLabel(): Promise<string> {
  const res = await runCli(SECRET_ARGS, `<${SECRET}>\n`, SECRET_ENV);
  const m = /^<(.+)>\n$/.exec(res.stdout.toString());
  if (!m) throw new Error('could not learn the label');
  return m[1];
}

function numberedLines(count: number, secretEvery: number): string[] {
  return Array.from({ length: count }, (_, i) =>
    i % secretEvery === 0 ? `${i} login token=${SECRET} done` : `${i} ${'payload '.repeat(i % 13)}ok`,
  );
}

/**
 * At most this many pauses per feed: tiny chunk sizes with a pause after each (a case the
 * generator does produce) would otherwise take minutes to feed 100 KB and time the test out.
 */
const MAX_PAUSES = 200;

/** Writes `data` to the child's stdin in the given chunk sizes, pausing as told, then ends it. */
async function feed(
  stdin: NodeJS.WritableStream,
  data: Buffer,
  sizes: number[],
  pauses: number[],
): Promise<void> {
  let pos = 0;
  let i = 0;
  let paused = 0;
  while (pos < data.length) {
    const size = sizes[i % sizes.length];
    const pause = pauses[i % pauses.length];
    i++;
    if (!stdin.write(data.subarray(pos, pos + size))) await new Promise((r) => stdin.once('drain', r));
    pos += size;
    if (pause > 0 && paused < MAX_PAUSES) {
      paused++;
      await sleep(pause);
    }
  }
  stdin.end();
}

function rssKiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0);
}

describe('pipeline invariants on the real binary (e2e)', () => {
  it('keeps order and count and masks, whatever the chunk sizes and delays', async () => {
    const label = await secretLabel();
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 50, max: 3000 }),
        fc.array(fc.integer({ min: 1, max: 70_000 }), { minLength: 1, maxLength: 5 }),
        fc.array(fc.constantFrom(0, 0, 0, 2, 15), { minLength: 1, maxLength: 5 }),
        fc.constantFrom('0', '2'),
        async (count, sizes, pauses, workers) => {
          const lines = numberedLines(count, 7);
          const input = Buffer.from(`${lines.join('\n')}\n`);
          const child = spawnCli([...SECRET_ARGS, '--workers', workers, '--batch-bytes', '8k'], SECRET_ENV);
          const done = finished(child);
          await feed(child.stdin, input, sizes, pauses);
          const res = await done;
          expect(res.code).toBe(0);
          const expected = `${lines.map((l) => l.replaceAll(SECRET, label)).join('\n')}\n`;
          expect(res.stdout.toString()).toBe(expected);
        },
      ),
      { numRuns: 5 },
    );
    // Five real processes with start-up and deliberate delays: on a loaded 2-core machine one
    // run can take well over 10 s, so the default 60 s budget is too tight for five.
  }, 240_000);

  it('passes binary and invalid UTF-8 through byte for byte', async () => {
    let seed = 12345;
    const bytes = Buffer.alloc(3 * 1024 * 1024);
    for (let i = 0; i < bytes.length; i++) {
      seed = (seed * 1103515245 + 12345) >>> 0;
      bytes[i] = seed >>> 24;
    }
    const res = await runCli(['--workers', '2', '--batch-bytes', '64k'], bytes);
    expect(res.code).toBe(0);
    expect(res.stdout.equals(bytes)).toBe(true);
  });

  it('sends a line written to a quiet pipe within tens of milliseconds', async () => {
    const child = spawnCli(['--workers', '2']);
    const done = finished(child);
    const arrivals: number[] = [];
    child.stdout.on('data', () => arrivals.push(performance.now()));
    child.stdin.write('warm-up line\n');
    while (arrivals.length === 0) await sleep(10);
    await sleep(300);
    const sent = performance.now();
    child.stdin.write('quiet line\n');
    while (arrivals.length < 2) await sleep(2);
    expect(arrivals[1] - sent).toBeLessThan(100);
    child.stdin.end();
    expect((await done).code).toBe(0);
  });

  it('masks secrets anywhere in a 100 MB line, window edges included', async () => {
    const label = await secretLabel();
    const filler = Buffer.from('lorem ipsum dolor sit amet consectetur ');
    const size = 100 * 1024 * 1024;
    const line = Buffer.alloc(size + 1);
    for (let pos = 0; pos < size; pos += filler.length)
      filler.copy(line, pos, 0, Math.min(filler.length, size - pos));
    // A secret every ~1 MB at drifting offsets, so some straddle window edges.
    const offsets: number[] = [];
    for (let k = 1; k < 100; k++) offsets.push(k * 1_048_576 - 12 + ((k * 7919) % 4099) - 2000);
    for (const o of offsets) line.write(SECRET, o);
    line[size] = 0x0a;
    const input = Buffer.concat([Buffer.from('before\n'), line, Buffer.from('after\n')]);
    const res = await runCli([...SECRET_ARGS, '--workers', '2'], input, SECRET_ENV);
    expect(res.code).toBe(0);
    expect(res.stdout.includes(SECRET)).toBe(false);
    const expected = Buffer.from(input.toString('latin1').replaceAll(SECRET, label), 'latin1');
    expect(res.stdout.length).toBe(expected.length);
    expect(res.stdout.equals(expected)).toBe(true);
  }, 120_000);

  it('keeps memory bounded while the reader of stdout is stalled', async () => {
    const child = spawnCli(['--workers', '2', '--batch-bytes', '256k']);
    const done = finished(child);
    child.stdout.pause();
    const chunk = Buffer.from(`${'stalled reader line with some words in it '.repeat(20)}\n`.repeat(1200));
    let accepted = 0;
    let blocked = false;
    while (accepted < 400 * 1024 * 1024) {
      const ok = child.stdin.write(chunk);
      accepted += chunk.length;
      if (!ok) {
        const drained = await Promise.race([
          new Promise((r) => child.stdin.once('drain', () => r(true))),
          sleep(1500).then(() => false),
        ]);
        if (!drained) {
          blocked = true;
          break;
        }
      }
    }
    expect(blocked).toBe(true);
    // In flight: 16 batches of 256 KiB plus pipe and stream buffers.
    expect(accepted).toBeLessThan(16 * 1024 * 1024);
    const rss = rssKiB(child.pid as number);
    expect(rss).toBeLessThan(200 * 1024);
    child.kill('SIGKILL');
    await done;
  });
});

describe('fail closed (e2e)', () => {
  const input = `${numberedLines(400, 3).join('\n')}\n`;

  it('a worker crash withholds only that batch, loses no record and leaks nothing', async () => {
    const res = await runCli(
      [...SECRET_ARGS, '--workers', '2', '--batch-bytes', '4k', '--flush-ms', '1000'],
      input,
      {
        ...SECRET_ENV,
        HUSHLOG_TEST_FAULT: 'crash:2',
      },
    );
    expect(res.code).toBe(1);
    const out = res.stdout.toString();
    expect(out.includes(SECRET)).toBe(false);
    const lines = out.split('\n');
    expect(lines).toHaveLength(401);
    const withheld = lines.filter((l) => l === WITHHELD_RECORD).length;
    expect(withheld).toBeGreaterThan(0);
    lines.forEach((l, i) => {
      if (l !== WITHHELD_RECORD && i < 400) expect(l.startsWith(`${i} `)).toBe(true);
    });
    expect(res.stderr).toMatch(
      new RegExp(`task 2 \\(stdin lines \\d+-\\d+\\): worker exited; replaced; ${withheld} records withheld`),
    );
    expect(res.stderr.includes(SECRET)).toBe(false);
  });

  it('a batch over its time budget is withheld and its worker replaced', async () => {
    const res = await runCli(
      [...SECRET_ARGS, '--workers', '2', '--batch-bytes', '4k', '--batch-timeout-ms', '500'],
      input,
      { ...SECRET_ENV, HUSHLOG_TEST_FAULT: 'hang:1' },
    );
    expect(res.code).toBe(1);
    const lines = res.stdout.toString().split('\n');
    expect(lines).toHaveLength(401);
    expect(lines[0]).toBe(WITHHELD_RECORD);
    expect(lines[399]).toMatch(/^399 /);
    expect(res.stderr).toMatch(
      /task 1 \(stdin lines 1-\d+\): exceeded the 500 ms batch budget; worker replaced/,
    );
  });
});

describe('signals (e2e)', () => {
  it('a failed SIGHUP reload keeps the running ruleset and the stream going', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hushlog-hup-'));
    const envFile = join(dir, 'app.env');
    writeFileSync(envFile, 'API_TOKEN=kept-value-0003\n');
    const child = spawnCli(['--secrets-file', envFile, '--workers', '2']);
    const done = finished(child);
    const started = new Promise((r) => child.stdout.once('data', r));
    child.stdin.write('warm\n');
    await started;
    rmSync(envFile);
    const failed = stderrMatch(child, /reload failed, keeping ruleset v1: .*app\.env/);
    child.kill('SIGHUP');
    await failed;
    child.stdin.end('x kept-value-0003 y\n');
    const res = await done;
    expect(res.code).toBe(0);
    expect(res.stdout.toString()).toMatch(/^warm\nx \S+ y\n$/);
    expect(res.stdout.toString()).not.toContain('kept-value-0003');
  });

  it('SIGTERM mid-stream: keeps reading until EOF, drains everything, exits 0', async () => {
    const lines = numberedLines(20_000, 11);
    const all = Buffer.from(`${lines.join('\n')}\n`);
    const half = all.lastIndexOf(0x0a, all.length >> 1) + 1;
    const child = spawnCli([...SECRET_ARGS, '--workers', '2'], SECRET_ENV);
    const done = finished(child);
    const draining = stderrMatch(child, /SIGTERM: finishing the input/);
    const started = new Promise((r) => child.stdout.once('data', r));
    child.stdin.write(all.subarray(0, half));
    await started;
    child.kill('SIGTERM');
    await draining;
    await sleep(200);
    expect(child.exitCode).toBeNull();
    child.stdin.end(all.subarray(half));
    const res = await done;
    expect(res.code).toBe(0);
    const out = res.stdout.toString().split('\n');
    expect(out).toHaveLength(lines.length + 1);
    expect(out[lines.length - 1]).toMatch(new RegExp(`^${lines.length - 1} `));
    expect(res.stdout.includes(SECRET)).toBe(false);
  });

  it('a second SIGTERM stops now, exit 1, without waiting for EOF', async () => {
    const child = spawnCli(['--workers', '2']);
    const done = finished(child);
    const echoed = new Promise((r) => child.stdout.once('data', r));
    child.stdin.write('one\ntwo\n');
    await echoed;
    child.kill('SIGTERM');
    await sleep(100);
    child.kill('SIGTERM');
    const res = await Promise.race([done, sleep(5000).then(() => undefined)]);
    expect(res).toBeDefined();
    expect(res?.code).toBe(1);
    expect(res?.stdout.toString()).toBe('one\ntwo\n');
    expect(res?.stderr).toMatch(/stopped before the end of input/);
  });

  it('a stop signal that arrives while the CLI is still loading is remembered, not fatal', async () => {
    // The launcher's first step, then a SIGTERM before anything else could handle it.
    const script = `
      const { captureEarlySignals, takeEarlySignals } = await import(${JSON.stringify(join(ROOT, 'dist/cli/early-signals.js'))});
      captureEarlySignals();
      process.kill(process.pid, 'SIGTERM');
      setTimeout(() => console.log(JSON.stringify(takeEarlySignals())), 50);`;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script]);
    const res = await finished(child);
    expect(res.code).toBe(0);
    expect(res.stdout.toString()).toBe('["SIGTERM"]\n');
  });

  it('SIGHUP reloads a changed secrets file; batches after it use the new version', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hushlog-hup-'));
    const envFile = join(dir, 'app.env');
    writeFileSync(envFile, 'API_TOKEN=first-value-0001\n');
    const child = spawnCli(['--secrets-file', envFile, '--workers', '2']);
    const done = finished(child);
    const chunks: string[] = [];
    child.stdout.on('data', (c: Buffer) => chunks.push(c.toString()));
    const waitOutput = async (n: number) => {
      while (chunks.join('').split('\n').length <= n) await sleep(10);
    };
    child.stdin.write('a first-value-0001 b second-value-0002\n');
    await waitOutput(1);
    writeFileSync(envFile, 'API_TOKEN=second-value-0002\n');
    const reloaded = stderrMatch(child, /reloaded: ruleset v2 \(\d+ rules, 1 known values\)/);
    child.kill('SIGHUP');
    await reloaded;
    child.stdin.write('c first-value-0001 d second-value-0002\n');
    await waitOutput(2);
    child.stdin.end();
    const res = await done;
    expect(res.code).toBe(0);
    const [before, after] = chunks.join('').split('\n');
    expect(before).toMatch(/^a \S+ b second-value-0002$/);
    expect(before).not.toContain('first-value-0001');
    expect(after).toMatch(/^c first-value-0001 d \S+$/);
    expect(after).not.toContain('second-value-0002');
  });
});
