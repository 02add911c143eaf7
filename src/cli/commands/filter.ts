import { createWriteStream, openSync } from 'node:fs';
import { HushlogConfigError } from '../../errors.js';
import { StreamSink } from '../../pipeline/sink.js';
import { Diagnostics } from '../../report/diagnostics.js';
import { formatSummary } from '../../report/format-summary.js';
import { type CliIo, EXIT_FAILURE, EXIT_FINDINGS, EXIT_OK } from '../io.js';
import { exitForOutcome } from '../outcome.js';
import { openSources, runPipeline } from '../run-pipeline.js';
import type { Settings } from '../settings.js';

/** `hushlog [options] [files...]`: the pipe filter. */
export async function runFilter(
  files: readonly string[],
  settings: Settings,
  io: CliIo,
  warnings: string[],
): Promise<number> {
  const sources = openSources(files, io);
  const diag = openDiagnostics(io, settings.logFile);
  try {
    for (const w of warnings) diag.warn(w);
    const sink = openSink(io, settings.output);
    const run = await runPipeline(settings, sources, sink, io, diag, {});
    if (run.outcome.kind !== 'output-closed' && run.outcome.kind !== 'aborted') await sink.end();
    if (sink.failed?.kind === 'error') {
      diag.error(`${sink.name}: output could not be written (${sink.failed.code})`);
      return EXIT_FAILURE;
    }
    if (settings.summary) diag.report(formatSummary(run.stats.summary()));
    const failed = exitForOutcome(run, sink.name, diag);
    if (failed !== undefined) return failed;
    return settings.failOnFindings && run.stats.findings > 0 ? EXIT_FINDINGS : EXIT_OK;
  } finally {
    diag.close();
  }
}

export function openDiagnostics(io: CliIo, logFile: string | undefined): Diagnostics {
  try {
    return new Diagnostics(io.stderr, logFile);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    throw new HushlogConfigError('E_LOG_FILE', `cannot open log file (${code})`, { file: logFile });
  }
}

/** stdout, or FILE opened for appending now, so a bad path is a usage error before reading. */
function openSink(io: CliIo, output: string | undefined): StreamSink {
  if (!output) return new StreamSink(io.stdout, 'stdout', false);
  let fd: number;
  try {
    fd = openSync(output, 'a');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    throw new HushlogConfigError('E_OUTPUT', `cannot open output for appending (${code})`, { file: output });
  }
  // flush: fsync before close, so `exit 0` means the records are on disk (Fluentd's exec
  // output commits its chunk on exit 0 and would otherwise lose them in a crash).
  return new StreamSink(createWriteStream(output, { fd, flush: true }), output, true);
}
