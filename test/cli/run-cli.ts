import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The real launcher; it imports dist/, so the tree must be built (`npm run build`). */
export const BIN = fileURLToPath(new URL('../../bin/hushlog.js', import.meta.url));
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

if (!existsSync(new URL('../../dist/cli/main.js', import.meta.url))) {
  throw new Error('dist/cli/main.js is missing: run `npm run build` before the CLI tests');
}

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: Buffer;
  stderr: string;
}

/** An environment without the runner's HUSHLOG_* variables, plus `extra`. */
export function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('HUSHLOG_')) env[k] = v;
  return { ...env, ...extra };
}

export function spawnCli(args: string[], env: NodeJS.ProcessEnv = {}): ChildProcessWithoutNullStreams {
  const child = spawn(process.execPath, [BIN, ...args], { env: cleanEnv(env), cwd: ROOT });
  // Tests that stop a child early may still be writing to it.
  child.stdin.on('error', () => {});
  return child;
}

/** Collects a child's output and waits for it to exit. */
export function finished(child: ChildProcessWithoutNullStreams): Promise<CliResult> {
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout.on('data', (c: Buffer) => out.push(c));
  child.stderr.on('data', (c: Buffer) => err.push(c));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) =>
      resolve({ code, signal, stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString() }),
    );
  });
}

export async function runCli(
  args: string[],
  input?: string | Buffer,
  env: NodeJS.ProcessEnv = {},
): Promise<CliResult> {
  const child = spawnCli(args, env);
  const done = finished(child);
  child.stdin.end(input ?? '');
  return done;
}

/** Resolves once the child's stderr has printed something matching `pattern`. */
export function stderrMatch(child: ChildProcessWithoutNullStreams, pattern: RegExp): Promise<void> {
  let seen = '';
  return new Promise((resolve) => {
    const onData = (c: Buffer) => {
      seen += c.toString();
      if (pattern.test(seen)) {
        child.stderr.off('data', onData);
        resolve();
      }
    };
    child.stderr.on('data', onData);
  });
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
