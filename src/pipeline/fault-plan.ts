import { HushlogConfigError } from '../errors.js';
import type { FaultKind } from './task.js';

/**
 * TEST-ONLY fault injection, read from `HUSHLOG_TEST_FAULT` (e.g. `crash:3,throw:5,hang:7`):
 * the Nth scrub task (1-based, in submission order) makes its worker exit, throw, or spin until
 * the batch time budget kills it. Inert unless the variable is set; exists so the e2e tests can
 * prove the fail-closed path on the real binary.
 */
export const FAULT_ENV = 'HUSHLOG_TEST_FAULT';

export class FaultPlan {
  private constructor(private readonly faults: ReadonlyMap<number, FaultKind>) {}

  static none(): FaultPlan {
    return new FaultPlan(new Map());
  }

  static fromEnv(env: NodeJS.ProcessEnv): FaultPlan {
    const raw = env[FAULT_ENV];
    if (raw === undefined || raw === '') return FaultPlan.none();
    const faults = new Map<number, FaultKind>();
    for (const item of raw.split(',')) {
      const m = /^(crash|throw|hang):([1-9]\d*)$/.exec(item.trim());
      if (!m) {
        throw new HushlogConfigError(
          'E_TEST_FAULT',
          `${FAULT_ENV}: expected KIND:N[,KIND:N] with KIND crash|throw|hang`,
        );
      }
      faults.set(Number(m[2]), m[1] as FaultKind);
    }
    return new FaultPlan(faults);
  }

  /** The fault for the task with this 1-based sequence number, if any. */
  faultFor(task: number): FaultKind | undefined {
    return this.faults.get(task);
  }
}

/** Runs the fault inside the thread that scrubs (worker or, for `throw`, the main thread). */
export function injectFault(kind: FaultKind, inWorker: boolean): void {
  if (kind === 'crash' && inWorker) process.exit(70);
  if (kind === 'hang' && inWorker) {
    // Busy loop, not a timer: models a scrub stuck in CPU, which only terminate() can stop.
    for (;;) {}
  }
  throw new Error('injected test fault');
}
