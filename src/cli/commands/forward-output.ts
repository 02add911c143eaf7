import { HushlogConfigError } from '../../errors.js';
import { recordEncoder } from '../../pipeline/output-records.js';
import { RecordSinkAdapter } from '../../pipeline/record-sink-adapter.js';
import type { Diagnostics } from '../../report/diagnostics.js';
import { formatSummary } from '../../report/format-summary.js';
import type { RecordSink } from '../../sinks/delivery-queue.js';
import { parseOutputUrl } from '../../sinks/url.js';
import { type ForwardingOutputOptions, finishDelivery, openRecordSink } from '../forwarding.js';
import { type CliIo, EXIT_FAILURE, EXIT_FINDINGS, EXIT_OK } from '../io.js';
import { exitForOutcome } from '../outcome.js';
import { openSources, runPipeline } from '../run-pipeline.js';
import type { Settings } from '../settings.js';
import { openDiagnostics } from './filter.js';

/** After a second stop signal, how long the output may still try to deliver. */
const ABORT_DELIVERY_MS = 2000;

/** The network output settings, for openRecordSink. */
export function outputOptions(settings: Settings, output: string): ForwardingOutputOptions {
  return {
    output,
    sharedKeyFile: settings.sharedKeyFile,
    spool: settings.spool,
    spoolMaxBytes: settings.spoolMaxBytes,
    tlsCaFile: settings.tlsCaFile,
    tlsCertFile: settings.tlsCertFile,
    tlsKeyFile: settings.tlsKeyFile,
  };
}

/** Opens the output and routes its transient warnings to the diagnostics. */
export async function openNetworkOutput(
  settings: Settings,
  output: string,
  diag: Diagnostics,
): Promise<RecordSink> {
  const sink = await openRecordSink(outputOptions(settings, output));
  sink.on('warning', (message) => diag.warn(message));
  return sink;
}

/**
 * `hushlog --output fluent://host:port|logstash://host:port [files...]`: the pipe filter whose
 * scrubbed output goes to a network output instead of a file. The pipeline is unchanged; only
 * its sink differs (RecordSinkAdapter), and the run ends with the delivery report.
 */
export async function runForwardOutput(
  files: readonly string[],
  settings: Settings,
  io: CliIo,
  warnings: string[],
  output: string,
): Promise<number> {
  const target = parseOutputUrl(output).kind;
  if (target !== 'fluent' && target !== 'logstash') {
    throw new HushlogConfigError('BAD_URL', '--output: expected a fluent:// or logstash:// URL');
  }
  const sources = openSources(files, io);
  const diag = openDiagnostics(io, settings.logFile);
  try {
    for (const w of warnings) diag.warn(w);
    const recordSink = await openNetworkOutput(settings, output, diag);
    const adapter = new RecordSinkAdapter(
      recordSink,
      (format) =>
        recordEncoder({
          format,
          target,
          tag: settings.tag,
          tagKey: settings.tagKey,
          timeKey: settings.timeKey,
          maxCarryBytes: settings.maxRecordBytes,
        }),
      settings.format === 'auto' ? 'text' : settings.format,
    );
    let run: Awaited<ReturnType<typeof runPipeline>>;
    try {
      run = await runPipeline(settings, sources, adapter, io, diag, { format: (f) => adapter.setFormat(f) });
    } catch (err) {
      // A config error before reading: nothing was accepted, nothing to wait for.
      await recordSink.close({ timeoutMs: 0 });
      throw err;
    }
    const aborted = run.outcome.kind === 'aborted';
    if (!aborted) await adapter.end();
    const timeoutMs = aborted
      ? Math.min(ABORT_DELIVERY_MS, settings.deliveryTimeoutMs)
      : settings.deliveryTimeoutMs;
    const lost = await finishDelivery(recordSink, timeoutMs, (line) => diag.error(line));
    if (adapter.failed) {
      diag.error(adapter.failedBecause ?? `${adapter.name}: output failed (${adapter.failed.kind})`);
      return EXIT_FAILURE;
    }
    if (settings.summary) diag.report(formatSummary(run.stats.summary()));
    // The pipeline's own failures (input, withheld batches) are reported first; loss comes after.
    const failed = exitForOutcome(run, adapter.name, diag);
    if (failed !== undefined) return failed;
    if (lost) return EXIT_FAILURE;
    return settings.failOnFindings && run.stats.findings > 0 ? EXIT_FINDINGS : EXIT_OK;
  } finally {
    diag.close();
  }
}
