import type { WriteStream } from 'node:tty';
import { HushlogConfigError } from '../errors.js';
import type { BatchExecutor } from '../pipeline/executor.js';
import { FaultPlan } from '../pipeline/fault-plan.js';
import { InlineExecutor } from '../pipeline/inline-executor.js';
import { Pipeline, type PipelineEvents, type PipelineOutcome } from '../pipeline/pipeline.js';
import { PoolExecutor } from '../pipeline/pool-executor.js';
import type { OutputSink } from '../pipeline/sink.js';
import { fileSource, type InputSource, stdinSource } from '../pipeline/sources.js';
import type { Diagnostics } from '../report/diagnostics.js';
import { ProgressBar } from '../report/progress-bar.js';
import { RunStats } from '../report/run-stats.js';
import type { CliIo } from './io.js';
import { Reloader } from './reloader.js';
import { RulesetLoader, rulesetOptions } from './ruleset-loader.js';
import type { Settings } from './settings.js';
import { SignalHandlers } from './signals.js';

/** Overlap of windows over records longer than --max-record-bytes (documented in docs/cli.md). */
export const WINDOW_OVERLAP_BYTES = 64 * 1024;
/** Longest an open PEM block may hold back a timer flush. */
const PEM_HOLD_MS = 250;

/** Inputs named on the command line (`-` is stdin), checked before anything starts. */
export function openSources(files: readonly string[], io: CliIo): InputSource[] {
  if (files.length === 0) return [stdinSource(io.stdin)];
  return files.map((file) => {
    if (file === '-') return stdinSource(io.stdin);
    try {
      return fileSource(file);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? 'error';
      throw new HushlogConfigError('E_INPUT', `cannot read input (${code})`, { file });
    }
  });
}

export interface PipelineRun {
  outcome: PipelineOutcome;
  stats: RunStats;
}

/**
 * Everything between parsed settings and a finished stream, shared by the filter and `scan`:
 * ruleset, executor, signals (drain / stop / reload), progress bar, then the pipeline.
 * Config problems throw HushlogConfigError before any input is read.
 */
export async function runPipeline(
  settings: Settings,
  sources: readonly InputSource[],
  sink: OutputSink,
  io: CliIo,
  diag: Diagnostics,
  events: Omit<PipelineEvents, 'failure'>,
): Promise<PipelineRun> {
  const signals = new SignalHandlers(diag);
  try {
    return await runWithSignals(settings, sources, sink, io, diag, events, signals);
  } finally {
    signals.uninstall();
  }
}

async function runWithSignals(
  settings: Settings,
  sources: readonly InputSource[],
  sink: OutputSink,
  io: CliIo,
  diag: Diagnostics,
  events: Omit<PipelineEvents, 'failure'>,
  signals: SignalHandlers,
): Promise<PipelineRun> {
  const stats = new RunStats();
  const faults = FaultPlan.fromEnv(io.env);
  const loader = new RulesetLoader(rulesetOptions(settings, io.env));
  const { spec, warnings } = await loader.build();
  for (const w of warnings) diag.warn(w);
  const executor: BatchExecutor =
    settings.workers === 0
      ? new InlineExecutor(faults)
      : new PoolExecutor({
          workers: settings.workers,
          batchTimeoutMs: settings.batchTimeoutMs,
          faults,
          onWorkerError: (message) => diag.error(message),
        });
  try {
    const loaded = await executor.load(spec);
    loader.committed(loaded.version);
    stats.rulesetVersion = loaded.version;
  } catch (err) {
    await executor.close();
    throw err;
  }

  const pipeline = new Pipeline(
    executor,
    sink,
    stats,
    {
      batchBytes: settings.batchBytes,
      flushMs: settings.flushMs,
      maxRecordBytes: settings.maxRecordBytes,
      maxInFlight: settings.maxInFlight,
      windowOverlap: WINDOW_OVERLAP_BYTES,
      holdMs: PEM_HOLD_MS,
      format: settings.format,
    },
    { ...events, failure: (message) => diag.error(message) },
  );
  const reloader = new Reloader(loader, executor, stats, diag);
  signals.onAbort(() => pipeline.abort());
  signals.onReload(() => reloader.request());
  const progress = startProgress(settings, sources, io, stats, diag);
  let outcome: PipelineOutcome;
  try {
    outcome = await pipeline.run(sources);
  } finally {
    progress?.stop();
    diag.clearLine = undefined;
  }
  if (outcome.kind !== 'aborted') {
    await reloader.idle();
    await executor.close();
  }
  return { outcome, stats };
}

function startProgress(
  settings: Settings,
  sources: readonly InputSource[],
  io: CliIo,
  stats: RunStats,
  diag: Diagnostics,
): ProgressBar | undefined {
  if (!settings.progress || !io.stderr.isTTY) return undefined;
  if (sources.some((s) => s.size === undefined)) return undefined;
  const total = sources.reduce((n, s) => n + (s.size ?? 0), 0);
  const bar = new ProgressBar(io.stderr as WriteStream, total, () => stats.bytesIn);
  diag.clearLine = () => bar.clear();
  return bar;
}
