import { serialize } from 'node:v8';
import { Piscina } from 'piscina';
import type { SharedKnownValueTables } from '../engine/known-values.js';
import type { RulesetSpec } from '../engine/types.js';
import { HushlogConfigError } from '../errors.js';
import { type BatchExecutor, BatchFailure, errorClass, type LoadedRuleset } from './executor.js';
import type { FaultPlan } from './fault-plan.js';
import { type BatchShape, TEXT_BATCH } from './format-scrub.js';
import type { CompileReply, CompileTask, ScrubReply, ScrubTask } from './task.js';

export interface PoolExecutorOptions {
  workers: number;
  /** A batch not scrubbed within this budget (queueing included) fails closed; its worker is killed. */
  batchTimeoutMs: number;
  faults: FaultPlan;
  /** Called for errors of idle workers, which have no batch to fail. */
  onWorkerError: (message: string) => void;
  /** Compiled worker module; defaults to the sibling scrub-worker.js. */
  workerFile?: URL;
}

const DEFAULT_WORKER = new URL('./scrub-worker.js', import.meta.url);

/** Scrubs batches on a piscina pool of worker threads, one batch per task. */
export class PoolExecutor implements BatchExecutor {
  private readonly pool: Piscina;
  private current:
    | { version: number; ruleset: SharedArrayBuffer; known: SharedKnownValueTables | undefined }
    | undefined;

  constructor(private readonly opts: PoolExecutorOptions) {
    this.pool = new Piscina({
      filename: (opts.workerFile ?? DEFAULT_WORKER).href,
      minThreads: opts.workers,
      maxThreads: opts.workers,
      // One task at a time per worker: a crash then fails only the batch that caused it.
      concurrentTasksPerWorker: 1,
      atomics: 'sync',
    });
    // Unhandled, an idle worker's error would kill the process; the stream must go on.
    this.pool.on('error', (err: unknown) =>
      opts.onWorkerError(`worker failed while idle (${errorClass(err)})`),
    );
  }

  get version(): number {
    return this.current?.version ?? 0;
  }

  allocate(size: number): Uint8Array {
    return new Uint8Array(new SharedArrayBuffer(size));
  }

  async load(spec: RulesetSpec): Promise<LoadedRuleset> {
    const bytes = serialize(spec);
    const ruleset = new SharedArrayBuffer(bytes.length);
    new Uint8Array(ruleset).set(bytes);
    // One compile task per worker: every thread has the version built before batches need
    // it (no compile latency on a batch). Only one of them compiles every regex, which is
    // what refuses a broken ruleset; the others compile each rule's regexes the first time
    // it runs. Known values are built once, by that first worker, in shared memory, and the
    // others attach to its tables: at 100k values each build costs ~1 s and ~120 MB.
    let replies: CompileReply[];
    let known: SharedKnownValueTables | undefined;
    try {
      const task = { kind: 'compile', version: spec.version, ruleset } as const;
      const run = (t: CompileTask) => this.pool.run(t) as Promise<CompileReply>;
      const first = run({ ...task, validate: true, share: true });
      // Attaching needs the first worker's tables, so with known values the others wait for it.
      const firstReply = spec.knownValues.length > 0 ? await first : undefined;
      known = firstReply?.ok ? firstReply.known : undefined;
      const rest =
        firstReply?.ok === false
          ? []
          : Array.from({ length: this.opts.workers - 1 }, () => run({ ...task, validate: false, known }));
      replies = await Promise.all([first, ...rest]);
    } catch (err) {
      throw new HushlogConfigError(
        'E_RULESET',
        `ruleset v${spec.version} could not be compiled (${errorClass(err)})`,
      );
    }
    const refused = replies.find((r) => !r.ok);
    if (refused && !refused.ok) throw new HushlogConfigError('E_RULESET', refused.message);
    // Switching here is atomic for the pipeline: every batch submitted from now on carries it.
    this.current = { version: spec.version, ruleset, known };
    return { version: spec.version, rules: spec.rules.length, knownValues: spec.knownValues.length };
  }

  async scrub(
    input: Uint8Array,
    task: number,
    shape: BatchShape = TEXT_BATCH,
    output?: Uint8Array,
  ): Promise<ScrubReply> {
    const current = this.current;
    if (!current) throw new BatchFailure('error', 'no ruleset loaded');
    const shared = input.buffer instanceof SharedArrayBuffer ? input : this.toShared(input);
    const message: ScrubTask = {
      kind: 'scrub',
      version: current.version,
      ruleset: current.ruleset,
      input: shared.buffer as SharedArrayBuffer,
      offset: shared.byteOffset,
      length: shared.byteLength,
      shape,
    };
    if (current.known) message.known = current.known;
    if (output?.buffer instanceof SharedArrayBuffer) {
      message.output = { buffer: output.buffer, offset: output.byteOffset, length: output.byteLength };
    }
    const fault = this.opts.faults.faultFor(task);
    if (fault) message.fault = fault;
    const budget = new AbortController();
    const timer = setTimeout(() => budget.abort(), this.opts.batchTimeoutMs);
    try {
      return (await this.pool.run(message, { signal: budget.signal })) as ScrubReply;
    } catch (err) {
      if (budget.signal.aborted) {
        throw new BatchFailure(
          'timeout',
          `exceeded the ${this.opts.batchTimeoutMs} ms batch budget; worker replaced`,
        );
      }
      if (err instanceof Error && /^worker exited/.test(err.message)) {
        throw new BatchFailure('worker-exit', 'worker exited; replaced');
      }
      throw new BatchFailure('error', `scrubber threw ${errorClass(err)}`);
    } finally {
      clearTimeout(timer);
    }
  }

  private toShared(input: Uint8Array): Uint8Array {
    const copy = this.allocate(input.byteLength);
    copy.set(input);
    return copy;
  }

  async close(): Promise<void> {
    await this.pool.destroy();
  }
}
