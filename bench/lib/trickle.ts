/**
 * Latency on a trickle: one line every `intervalMs` into a filter's stdin, each stamped with
 * a sequence number; the added latency of a line is the time it shows up on the filter's
 * stdout minus the time it was written. Measures what a quiet service sees: how long a log
 * line sits in the filter before it reaches the collector.
 */
import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';

export interface TrickleResult {
  /** From spawn until the first (warm-up) line came out: start-up, ruleset compile, workers. */
  startupMs: number;
  sent: number;
  /** Lines that came out before stdin was closed (later ones waited for end of input). */
  receivedLive: number;
  latenciesMs: number[];
}

export async function trickleLatency(
  command: string,
  args: readonly string[],
  opts: { intervalMs: number; durationMs: number; cwd?: string },
): Promise<TrickleResult> {
  const child = spawn(command, args, { cwd: opts.cwd, stdio: ['pipe', 'pipe', 'pipe'] });
  const sentAt = new Map<number, bigint>();
  const spawnedAt = process.hrtime.bigint();
  let firstOut: (() => void) | undefined;
  const warmedUp = new Promise<void>((resolve) => {
    firstOut = resolve;
  });
  const latencies: number[] = [];
  let receivedLive = 0;
  let stdinClosed = false;
  let partial = '';
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-2000);
  });
  child.stdout.on('data', (d: Buffer) => {
    const now = process.hrtime.bigint();
    const text = partial + d.toString('utf8');
    const lines = text.split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      if (line.includes('"warmup":true')) firstOut?.();
      const m = /"seq":(\d+)/.exec(line);
      const at = m ? sentAt.get(Number(m[1])) : undefined;
      if (at === undefined) continue;
      latencies.push(Number(now - at) / 1e6);
      if (!stdinClosed) receivedLive++;
    }
  });
  const exited = new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', resolve);
  });

  // The measured lines start once a warm-up line made it through: start-up is reported apart.
  child.stdin.write('{"level":30,"warmup":true,"msg":"warm-up"}\n');
  await Promise.race([warmedUp, exited.then(() => undefined)]);
  const startupMs = Number(process.hrtime.bigint() - spawnedAt) / 1e6;

  const count = Math.floor(opts.durationMs / opts.intervalMs);
  const t0 = performance.now();
  for (let seq = 0; seq < count; seq++) {
    // Absolute schedule, so a late timer does not push every later line back.
    const wait = t0 + seq * opts.intervalMs - performance.now();
    if (wait > 0) await sleep(wait);
    const line = `{"level":30,"time":${Date.now()},"pid":${process.pid},"hostname":"bench","seq":${seq},"msg":"trickle line ${seq}"}\n`;
    sentAt.set(seq, process.hrtime.bigint());
    child.stdin.write(line);
  }
  // Give the last line the same chance as the others before closing its input.
  await sleep(Math.max(opts.intervalMs, 1000));
  stdinClosed = true;
  child.stdin.end();
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  const code = await exited;
  clearTimeout(timer);
  if (code !== 0)
    throw new Error(`${command} exited ${code}: ${stderr.trim().split('\n').slice(-2).join(' | ')}`);
  return { startupMs, sent: count, receivedLive, latenciesMs: latencies };
}
