import { decodeMulti, encode } from '@msgpack/msgpack';
import { spawnCli } from '../cli/run-cli.js';

/**
 * A Fluentd out_exec_filter emulator (the behaviour measured on Fluentd 1.16, see
 * shared/reference/integrations.md): writes whole buffer chunks to the child's stdin, reads its
 * stdout with a streaming parser, then shuts down as Fluentd does: stdin closed, SIGTERM ~1 ms
 * later, output still read until the child exits.
 */
export interface EmulatorRun {
  records: unknown[];
  /** Output that did not parse as a record (Fluentd would stop reading the child here). */
  invalid: string[];
  code: number | null;
  signal: NodeJS.Signals | null;
  shutdownMs: number;
  stderr: string;
}

export type Format = 'json' | 'msgpack';

export async function runExecFilter(
  format: Format,
  chunks: Buffer[],
  extraArgs: string[] = [],
): Promise<EmulatorRun> {
  const args =
    format === 'json'
      ? ['--format', 'jsonl', '--invalid-records', 'withhold', '--keep-key', 'tag,time', ...extraArgs]
      : ['--format', 'msgpack', '--keep-key', 'tag,time', ...extraArgs];
  const child = spawnCli([...args, '--workers', '2', '--flush-ms', '10']);
  const out: Buffer[] = [];
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => out.push(c));
  child.stderr.on('data', (c: Buffer) => {
    stderr += c.toString();
  });
  const exited = new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
    child.on('close', (code, signal) => resolve([code, signal])),
  );
  const firstOutput = new Promise((r) => child.stdout.once('data', r));
  for (const chunk of chunks) {
    if (!child.stdin.write(chunk)) await new Promise((r) => child.stdin.once('drain', r));
  }
  // Fluentd's child has long been running when shutdown comes (chunks flush every second):
  // wait until it answered once, so the test exercises shutdown, not process start-up.
  await Promise.race([firstOutput, new Promise((r) => setTimeout(r, 10_000))]);
  const t0 = performance.now();
  child.stdin.end();
  await new Promise((r) => setTimeout(r, 1));
  child.kill('SIGTERM');
  const [code, signal] = await exited;
  const shutdownMs = performance.now() - t0;
  const bytes = Buffer.concat(out);
  const records: unknown[] = [];
  const invalid: string[] = [];
  if (format === 'json') {
    const lines = bytes.toString('utf8').split('\n');
    if (lines[lines.length - 1] === '') lines.pop();
    for (const l of lines) {
      try {
        records.push(JSON.parse(l));
      } catch {
        invalid.push(l);
      }
    }
  } else {
    try {
      for (const r of decodeMulti(bytes, { useBigInt64: true })) records.push(r);
    } catch (err) {
      invalid.push((err as Error).message);
    }
  }
  return { records, invalid, code, signal, shutdownMs, stderr };
}

/** Fluentd's json formatter: one compact object per line. */
export function jsonChunk(records: object[]): Buffer {
  return Buffer.from(records.map((r) => `${JSON.stringify(r)}\n`).join(''));
}

/** Fluentd's msgpack formatter: maps back to back. */
export function msgpackChunk(records: object[]): Buffer {
  return Buffer.concat(records.map((r) => encode(r, { useBigInt64: true })));
}
