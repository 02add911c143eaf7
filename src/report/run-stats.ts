import type { Finding } from '../engine/types.js';

/** Plain numbers describing a run; rule ids and counts only, never a value or fingerprint. */
export interface RunSummary {
  records: number;
  bytesIn: number;
  bytesOut: number;
  seconds: number;
  findings: number;
  findingsByRule: Array<{ ruleId: string; count: number }>;
  droppedRecords: number;
  /** Scrub tasks (batches or windows) that failed and were replaced by placeholders. */
  failedTasks: number;
  withheldRecords: number;
  withheldWindows: number;
  /** Malformed input records (invalid JSON/msgpack) replaced by a notice record. */
  invalidRecords: number;
  rulesetVersion: number;
  reloads: number;
  reloadFailures: number;
}

/** Counters the pipeline updates as results are written, in order. */
export class RunStats {
  private readonly started: number;
  private finished: number | undefined;
  records = 0;
  bytesIn = 0;
  bytesOut = 0;
  findings = 0;
  droppedRecords = 0;
  failedTasks = 0;
  withheldRecords = 0;
  withheldWindows = 0;
  invalidRecords = 0;
  rulesetVersion = 0;
  reloads = 0;
  reloadFailures = 0;
  private readonly byRule = new Map<string, number>();

  constructor(private readonly clock: () => number = () => performance.now()) {
    this.started = clock();
  }

  addFindings(findings: readonly Finding[]): void {
    for (const f of findings) {
      this.byRule.set(f.ruleId, (this.byRule.get(f.ruleId) ?? 0) + 1);
    }
    this.findings += findings.length;
  }

  /** Freezes the elapsed time (call once the output is flushed). */
  finish(): void {
    this.finished ??= this.clock();
  }

  seconds(): number {
    return ((this.finished ?? this.clock()) - this.started) / 1000;
  }

  summary(): RunSummary {
    const findingsByRule = [...this.byRule]
      .map(([ruleId, count]) => ({ ruleId, count }))
      .sort((a, b) => b.count - a.count || a.ruleId.localeCompare(b.ruleId));
    return {
      records: this.records,
      bytesIn: this.bytesIn,
      bytesOut: this.bytesOut,
      seconds: this.seconds(),
      findings: this.findings,
      findingsByRule,
      droppedRecords: this.droppedRecords,
      failedTasks: this.failedTasks,
      withheldRecords: this.withheldRecords,
      withheldWindows: this.withheldWindows,
      invalidRecords: this.invalidRecords,
      rulesetVersion: this.rulesetVersion,
      reloads: this.reloads,
      reloadFailures: this.reloadFailures,
    };
  }
}
