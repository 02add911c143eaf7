import { execFileSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const DIST_TRANSPORT = join(ROOT, 'dist', 'pino', 'transport.js');

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

function isFresh(): boolean {
  try {
    return statSync(DIST_TRANSPORT).mtimeMs >= newestSource(join(ROOT, 'src'));
  } catch {
    return false;
  }
}

/**
 * pino runs transports from compiled JS in a worker thread, so the worker tests need dist/.
 * Rebuilds when src/ is newer; emits even if another module of the tree has type errors
 * right now, and serialises concurrent builds with a lock.
 */
export function ensureDist(): void {
  if (isFresh()) return;
  try {
    execFileSync(
      'flock',
      [
        '/tmp/hushlog-dist-build.lock',
        'node_modules/.bin/tsc',
        '-p',
        'tsconfig.json',
        '--noEmitOnError',
        'false',
      ],
      { cwd: ROOT, stdio: 'ignore', timeout: 300_000 },
    );
  } catch {
    // tsc exits non-zero for type errors in files still being written; it has emitted anyway.
  }
  statSync(DIST_TRANSPORT);
}
