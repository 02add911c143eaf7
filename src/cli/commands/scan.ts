import { Writable } from 'node:stream';
import { StreamSink } from '../../pipeline/sink.js';
import type { LocatedFinding } from '../../pipeline/task.js';
import { formatSummary } from '../../report/format-summary.js';
import { type CliIo, EXIT_FINDINGS, EXIT_OK } from '../io.js';
import { exitForOutcome } from '../outcome.js';
import { openSources, runPipeline } from '../run-pipeline.js';
import type { Settings } from '../settings.js';
import { openDiagnostics } from './filter.js';

export interface ScanOptions {
  /** Only the per-rule counts, no line per finding. */
  countsOnly: boolean;
}

/**
 * `hushlog scan`: report-only, for CI and audits. Scrubs like the filter but discards the
 * output; prints `source:line:col rule-id length=N fingerprint=F` per finding (no values) and
 * the summary; exit 3 when anything was found.
 */
export async function runScan(
  files: readonly string[],
  settings: Settings,
  scan: ScanOptions,
  io: CliIo,
  warnings: string[],
): Promise<number> {
  const sources = openSources(files, io);
  const diag = openDiagnostics(io, settings.logFile);
  try {
    for (const w of warnings) diag.warn(w);
    const discard = new Writable({ write: (_chunk, _enc, done) => done() });
    const sink = new StreamSink(discard, 'scan', true);
    const finding = scan.countsOnly
      ? undefined
      : (f: LocatedFinding, where: { source: string; line: number }) =>
          io.stdout.write(`${formatLocated(f, where)}\n`);
    const run = await runPipeline(settings, sources, sink, io, diag, { finding });
    const summary = run.stats.summary();
    for (const line of formatSummary(summary)) io.stdout.write(`${line}\n`);
    const failed = exitForOutcome(run, sink.name, diag);
    if (failed !== undefined) return failed;
    return summary.findings > 0 ? EXIT_FINDINGS : EXIT_OK;
  } finally {
    diag.close();
  }
}

export function formatLocated(f: LocatedFinding, where: { source: string; line: number }): string {
  const rule = f.source ? `${f.ruleId}(${f.source})` : f.ruleId;
  return `${where.source}:${where.line}:${f.column} ${rule} length=${f.length} fingerprint=${f.fingerprint}`;
}
