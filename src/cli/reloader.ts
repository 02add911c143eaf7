import { isConfigError } from '../errors.js';
import type { BatchExecutor } from '../pipeline/executor.js';
import { errorClass } from '../pipeline/executor.js';
import type { Diagnostics } from '../report/diagnostics.js';
import type { RunStats } from '../report/run-stats.js';
import type { RulesetLoader } from './ruleset-loader.js';

/**
 * SIGHUP: rebuild the ruleset from its sources, compile it once to validate it, then switch.
 * Batches already submitted finish with the old version; a failed reload keeps the old one.
 * Requests arriving during a reload are folded into one more reload after it.
 */
export class Reloader {
  private running: Promise<void> | undefined;
  private again = false;

  constructor(
    private readonly loader: RulesetLoader,
    private readonly executor: BatchExecutor,
    private readonly stats: RunStats,
    private readonly diag: Diagnostics,
  ) {}

  request(): void {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.loop().finally(() => {
      this.running = undefined;
    });
  }

  /** Resolves when no reload is in progress (used before exit). */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  private async loop(): Promise<void> {
    do {
      this.again = false;
      await this.reloadOnce();
    } while (this.again);
  }

  private async reloadOnce(): Promise<void> {
    try {
      const { spec, warnings } = await this.loader.build();
      for (const w of warnings) this.diag.warn(w);
      const loaded = await this.executor.load(spec);
      this.loader.committed(loaded.version);
      this.stats.rulesetVersion = loaded.version;
      this.stats.reloads++;
      this.diag.info(
        `reloaded: ruleset v${loaded.version} (${loaded.rules} rules, ${loaded.knownValues} known values)`,
      );
    } catch (err) {
      this.stats.reloadFailures++;
      const why = isConfigError(err) ? err.message : `unexpected ${errorClass(err)}`;
      this.diag.error(`reload failed, keeping ruleset v${this.executor.version}: ${why}`);
    }
  }
}
