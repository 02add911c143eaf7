import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureDist } from './dist.js';
import { FIXTURES } from './helpers.js';

const PASSWORD = 'db-pass-Hq2Lx9Vb7Nc4';
const LINES = 20_000;
let dir: string;

beforeAll(() => {
  ensureDist();
  dir = mkdtempSync(join(tmpdir(), 'hushlog-pino-exit-'));
});

/** Runs a fixture app; sends SIGTERM once it has logged, if asked. Resolves with its exit code. */
function runApp(script: string, args: string[], sigterm: boolean): Promise<number | null> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(FIXTURES, script), ...args], {
      env: { ...process.env, APP_DB_PASSWORD: PASSWORD },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    child.stdout.on('data', (chunk: Buffer) => {
      if (sigterm && chunk.toString().includes('logged')) child.kill('SIGTERM');
    });
    child.once('error', reject);
    child.once('exit', (code) => resolve(code));
  });
}

function checkLog(file: string, extra: string[]): void {
  const text = readFileSync(file, 'utf8');
  expect(text).not.toContain(PASSWORD);
  const msgs = text
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l).msg);
  expect(msgs).toHaveLength(LINES + extra.length);
  expect(msgs.slice(0, LINES).every((m) => m === 'connecting with [REDACTED:known-value]')).toBe(true);
  expect(msgs.slice(LINES)).toEqual(extra);
}

describe('no log line lost on shutdown', () => {
  it.each(['transport', 'stream'])('SIGTERM with the documented recipe (%s)', async (mode) => {
    const file = join(dir, `sigterm-${mode}.log`);
    expect(await runApp('sigterm-app.mjs', [file, String(LINES), mode], true)).toBe(0);
    checkLog(file, ['shutting down']);
  });

  it('process.exit() right after logging, in-process stream, no shutdown code', async () => {
    const file = join(dir, 'exit.log');
    expect(await runApp('exit-app.mjs', [file, String(LINES)], false)).toBe(0);
    checkLog(file, []);
  });
});
