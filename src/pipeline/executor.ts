import type { RulesetSpec } from '../engine/types.js';
import type { BatchShape } from './format-scrub.js';
import type { ScrubReply } from './task.js';

/** Why a batch could not be scrubbed. Messages never carry batch content. */
export type BatchFailureKind = 'error' | 'worker-exit' | 'timeout';

export class BatchFailure extends Error {
  constructor(
    readonly kind: BatchFailureKind,
    message: string,
  ) {
    super(message);
    this.name = 'BatchFailure';
  }
}

export interface LoadedRuleset {
  version: number;
  rules: number;
  knownValues: number;
}

/**
 * Runs the Scrubber on batches, on worker threads (PoolExecutor) or inline (InlineExecutor).
 * The pipeline only sees this interface, so it is the same code for `--workers 0` and N.
 */
export interface BatchExecutor {
  /** Version of the ruleset new batches are scrubbed with. */
  readonly version: number;
  /** A buffer the executor can scrub without copying (shared memory for workers). */
  allocate(size: number): Uint8Array;
  /** Compiles `spec` (validating it) and makes it the version for batches submitted afterwards. */
  load(spec: RulesetSpec): Promise<LoadedRuleset>;
  /**
   * Scrubs whole records. `task` is the 1-based submission number (fault injection, messages).
   * Rejects only with BatchFailure; the input stays readable by the caller afterwards.
   * `output` (from allocate(), not overlapping the input) is where the scrubbed bytes go when
   * they fit; the reply's output is then a view of it. After a failure it must not be reused:
   * a worker being torn down may still write to it.
   */
  scrub(input: Uint8Array, task: number, shape?: BatchShape, output?: Uint8Array): Promise<ScrubReply>;
  close(): Promise<void>;
}

/** A safe one-word description of an unexpected error: its class, never its message. */
export function errorClass(err: unknown): string {
  if (err instanceof Error) return err.name || 'Error';
  return typeof err;
}
