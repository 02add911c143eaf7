import { once } from 'node:events';
import pino from 'pino';
import { HushlogConfigError } from '../errors.js';

/** pino's own SonicBoom, as `pino.destination()` builds it (EPIPE handling included). */
export type SonicDestination = ReturnType<typeof pino.destination>;

export interface DestinationOptions {
  sync: boolean;
  mkdir: boolean;
  append: boolean;
}

/** Opens a file descriptor or path the way pino/file does; writes before `ready` are buffered. */
export function openDestination(target: number | string, opts: DestinationOptions): SonicDestination {
  return pino.destination({ dest: target, sync: opts.sync, mkdir: opts.mkdir, append: opts.append });
}

/** Like openDestination, but resolves once the file is open; an open failure is a config error. */
export async function openReadyDestination(
  target: number | string,
  opts: DestinationOptions,
): Promise<SonicDestination> {
  const dest = openDestination(target, opts);
  if (typeof target === 'number') return dest;
  try {
    await once(dest, 'ready');
  } catch (err) {
    throw destinationError(target, err);
  }
  return dest;
}

export function destinationError(target: number | string, err: unknown): HushlogConfigError {
  const code = (err as NodeJS.ErrnoException | undefined)?.code ?? 'error';
  return new HushlogConfigError('PINO_DESTINATION', `cannot open hushlog/pino destination (${code})`, {
    file: String(target),
  });
}

/** Resolves when the destination has flushed and closed (or was already closed). */
export function whenClosed(dest: SonicDestination): Promise<void> {
  const state = dest as unknown as { destroyed?: boolean; closed?: boolean };
  if (state.destroyed || state.closed) return Promise.resolve();
  return new Promise((resolve) => {
    dest.once('close', () => resolve());
    dest.once('error', () => resolve());
  });
}
