import { Scrubber } from '../engine/scrubber.js';
import type { RulesetSpec } from '../engine/types.js';
import { compileRuleset } from '../rules/compile.js';
import { type BatchExecutor, BatchFailure, errorClass, type LoadedRuleset } from './executor.js';
import { type FaultPlan, injectFault } from './fault-plan.js';
import { type BatchScrub, type BatchShape, formatScrubber, TEXT_BATCH } from './format-scrub.js';
import type { ScrubReply } from './task.js';

/**
 * `--workers 0`: the Scrubber runs on the main thread. No thread hand-off at all, which is the
 * baseline for the benchmark and enough for small setups; a batch time budget cannot be
 * enforced here (nothing can interrupt synchronous code on the thread that would do it).
 */
export class InlineExecutor implements BatchExecutor {
  private scrubber: BatchScrub | undefined;
  private current = 0;

  constructor(private readonly faults: FaultPlan) {}

  get version(): number {
    return this.current;
  }

  allocate(size: number): Uint8Array {
    return new Uint8Array(size);
  }

  async load(spec: RulesetSpec): Promise<LoadedRuleset> {
    this.scrubber = formatScrubber(spec, new Scrubber(compileRuleset(spec)));
    this.current = spec.version;
    return { version: spec.version, rules: spec.rules.length, knownValues: spec.knownValues.length };
  }

  async scrub(
    input: Uint8Array,
    task: number,
    shape: BatchShape = TEXT_BATCH,
    output?: Uint8Array,
  ): Promise<ScrubReply> {
    const scrubber = this.scrubber;
    if (!scrubber) throw new BatchFailure('error', 'no ruleset loaded');
    try {
      const fault = this.faults.faultFor(task);
      if (fault) injectFault(fault, false);
      return scrubber(input, shape, output);
    } catch (err) {
      throw new BatchFailure('error', `scrubber threw ${errorClass(err)}`);
    }
  }

  async close(): Promise<void> {
    this.scrubber = undefined;
  }
}
