/**
 * Loading the CLI (re2, piscina, the rule packs) takes a few hundred milliseconds, and Fluentd
 * may send SIGTERM right after starting a child. The launcher calls captureEarlySignals() before
 * loading anything else, so such a signal is remembered instead of killing the process; the
 * command then takes the signals over (or gives them their default effect back).
 * This module must stay free of imports: it runs before everything else is loaded.
 */
const SIGNALS: readonly NodeJS.Signals[] = ['SIGTERM', 'SIGINT', 'SIGHUP'];
const captured: NodeJS.Signals[] = [];
let capturing = false;

function record(signal: NodeJS.Signals): void {
  captured.push(signal);
}

export function captureEarlySignals(): void {
  if (capturing) return;
  capturing = true;
  for (const s of SIGNALS) process.on(s, record);
}

/** Stops capturing and returns what arrived so far, in order. */
export function takeEarlySignals(): NodeJS.Signals[] {
  if (capturing) for (const s of SIGNALS) process.off(s, record);
  capturing = false;
  return captured.splice(0);
}

/** For commands that do not handle signals: stop capturing and let a captured stop signal act now. */
export function releaseEarlySignals(): void {
  const stop = takeEarlySignals().find((s) => s !== 'SIGHUP');
  if (stop) process.kill(process.pid, stop);
}
