import type { RunSummary } from './run-stats.js';

/** Decimal kB or MB, as throughput tools report them. */
export function formatBytes(bytes: number): string {
  if (bytes < 1e6) return `${(bytes / 1e3).toFixed(1)} kB`;
  return `${(bytes / 1e6).toFixed(bytes >= 1e8 ? 0 : 2)} MB`;
}

export function throughputMBps(bytes: number, seconds: number): number {
  return seconds > 0 ? bytes / 1e6 / seconds : 0;
}

/** The `--summary` report: one headline plus one line per rule that fired. */
export function formatSummary(s: RunSummary): string[] {
  const rate = throughputMBps(s.bytesIn, s.seconds).toFixed(1);
  const lines = [
    `${s.records} records, ${formatBytes(s.bytesIn)} in ${s.seconds.toFixed(2)} s (${rate} MB/s), ` +
      `${s.findings} finding${s.findings === 1 ? '' : 's'}`,
  ];
  const extras: string[] = [];
  if (s.droppedRecords > 0) extras.push(`${s.droppedRecords} records dropped by rule`);
  if (s.failedTasks > 0) {
    extras.push(
      `${s.failedTasks} failed scrub task${s.failedTasks === 1 ? '' : 's'} ` +
        `(${s.withheldRecords} records, ${s.withheldWindows} windows withheld)`,
    );
  }
  if (s.invalidRecords > 0) extras.push(`${s.invalidRecords} malformed input records withheld`);
  if (s.reloads > 0 || s.reloadFailures > 0) {
    extras.push(`ruleset v${s.rulesetVersion} after ${s.reloads} reloads (${s.reloadFailures} failed)`);
  }
  if (extras.length > 0) lines.push(extras.join('; '));
  const width = Math.max(0, ...s.findingsByRule.map((r) => r.ruleId.length));
  for (const { ruleId, count } of s.findingsByRule) lines.push(`  ${ruleId.padEnd(width)}  ${count}`);
  return lines;
}
