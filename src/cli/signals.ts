import type { Diagnostics } from '../report/diagnostics.js';
import { takeEarlySignals } from './early-signals.js';

/**
 * First SIGTERM/SIGINT: keep reading until the input ends and drain everything (Fluentd closes
 * the child's stdin and sends SIGTERM right after; dying then loses what was in flight).
 * A second one stops now. SIGHUP asks for a reload.
 *
 * Installed before the ruleset is built, so a first signal during a slow start (many known
 * values) does not kill the process before it has read its input.
 */
export class SignalHandlers {
  private stops = 0;
  private abortAction: (() => void) | undefined;
  private reloadAction: (() => void) | undefined;
  private readonly onStop = (signal: NodeJS.Signals) => {
    this.stops++;
    if (this.stops === 1) {
      this.diag.info(`${signal}: finishing the input, then exiting (send it again to stop now)`);
    } else if (this.stops === 2) {
      this.diag.info(`${signal} again: writing what is scrubbed and stopping`);
      if (this.abortAction) this.abortAction();
      // Still starting up (compiling a large ruleset): nothing was read, nothing to flush.
      else process.exit(1);
    }
  };
  /** A SIGHUP that came before a reload was possible: the sources may have changed since read. */
  private reloadPending = false;
  private readonly onHup = () => {
    if (this.reloadAction) this.reloadAction();
    else this.reloadPending = true;
  };

  constructor(private readonly diag: Diagnostics) {
    process.on('SIGTERM', this.onStop);
    process.on('SIGINT', this.onStop);
    process.on('SIGHUP', this.onHup);
    // Stop signals that came while the CLI was loading count as if they came now.
    for (const signal of takeEarlySignals()) {
      if (signal === 'SIGHUP') this.onHup();
      else this.onStop(signal);
    }
  }

  onAbort(action: () => void): void {
    this.abortAction = action;
  }

  onReload(action: () => void): void {
    this.reloadAction = action;
    if (this.reloadPending) {
      this.reloadPending = false;
      action();
    }
  }

  uninstall(): void {
    process.off('SIGTERM', this.onStop);
    process.off('SIGINT', this.onStop);
    process.off('SIGHUP', this.onHup);
  }
}
