import { Scrubber } from '../../engine/scrubber.js';
import { HushlogConfigError } from '../../errors.js';
import type { RecordScrubContext } from '../../formats/record-scrub.js';
import { StructureRules } from '../../formats/structure-rules.js';
import type { Diagnostics } from '../../report/diagnostics.js';
import { compileRuleset } from '../../rules/compile.js';
import { isEndpointUrl } from '../../sinks/url.js';
import type { MalformedInfo } from '../../sources/forward-server.js';
import { takeEarlySignals } from '../early-signals.js';
import { finishDelivery, startForwardRelay } from '../forwarding.js';
import { type CliIo, EXIT_FAILURE, EXIT_OK } from '../io.js';
import { RulesetLoader, rulesetOptions } from '../ruleset-loader.js';
import type { Settings } from '../settings.js';
import { openDiagnostics } from './filter.js';
import { openNetworkOutput } from './forward-output.js';

/** How long stopping waits for batches being handled (their acks) before cutting connections. */
const INPUT_CLOSE_MS = 5000;

/**
 * `hushlog --input forward://host:port --output fluent://...|logstash://...`: the scrubbing
 * relay. Events are scrubbed inline on the main thread (decoded records, not byte batches, so
 * the worker pool's batch path does not apply; the pass-through check in scrubForwardEvents
 * keeps records without a keyword cheap). An agent's batch is acked only after the output
 * accepted it. Runs until SIGTERM/SIGINT; SIGHUP reloads rules and secret sources.
 */
export async function runRelay(
  files: readonly string[],
  settings: Settings,
  io: CliIo,
  warnings: string[],
  input: string,
): Promise<number> {
  if (files.length > 0) {
    throw new HushlogConfigError('E_INPUT', '--input forward:// reads from the network; give no input files');
  }
  const output = settings.output;
  if (!output || !isEndpointUrl(output, ['fluent', 'logstash'])) {
    throw new HushlogConfigError(
      'E_OUTPUT',
      '--input forward:// needs --output fluent://HOST[:PORT] or logstash://HOST:PORT',
    );
  }
  const diag = openDiagnostics(io, settings.logFile);
  const stop = new StopSignals(diag);
  try {
    for (const w of warnings) diag.warn(w);
    const loader = new RulesetLoader(rulesetOptions(settings, io.env));
    let ctx = await loadContext(loader, diag);
    const sink = await openNetworkOutput(settings, output, diag);
    let fatal: string | undefined;
    sink.on('error', (err) => {
      fatal ??= err.message;
      stop.trigger();
    });
    const counts = { findings: 0, dropped: 0 };
    let server: Awaited<ReturnType<typeof startForwardRelay>>;
    try {
      server = await startForwardRelay({
        input,
        sharedKeyFile: settings.inputSharedKeyFile,
        tlsCertFile: settings.inputTlsCertFile,
        tlsKeyFile: settings.inputTlsKeyFile,
        scrub: () => ctx,
        sink,
        onScrubbed: (findings, dropped) => {
          counts.findings += findings;
          counts.dropped += dropped;
        },
      });
    } catch (err) {
      await sink.close({ timeoutMs: 0 });
      throw err;
    }
    const report = (what: string) => (info: MalformedInfo) =>
      diag.warn(`${input}: ${info.remote}: ${what}: ${info.reason}`);
    server.on('malformed', report('malformed input, connection closed'));
    server.on('auth-failure', report('authentication failed'));
    server.on('rejected', report('batch not acked'));
    server.on('error', (err: NodeJS.ErrnoException) => {
      diag.error(`${input}: input failed (${err.code ?? err.name})`);
      stop.trigger();
    });
    const addr = server.address();
    diag.info(`relaying forward://${addr.host}:${addr.port} -> ${sink.destination}`);
    stop.onReload(() => {
      loadContext(loader, diag).then(
        (next) => {
          ctx = next;
        },
        (err: unknown) => diag.error(`reload failed, keeping the current rules: ${(err as Error).message}`),
      );
    });

    await stop.stopped;
    await server.close({ timeoutMs: Math.min(INPUT_CLOSE_MS, settings.deliveryTimeoutMs) });
    const lost = await finishDelivery(sink, settings.deliveryTimeoutMs, (line) => diag.error(line));
    if (settings.summary) {
      const c = server.counters;
      diag.report([
        `relay: ${c.events} events received, ${counts.findings} findings, ${counts.dropped} dropped; ` +
          `${c.malformed} malformed connections, ${c.authFailures} authentication failures, ${c.rejectedBatches} batches not acked`,
      ]);
    }
    if (fatal !== undefined) {
      diag.error(fatal);
      return EXIT_FAILURE;
    }
    return lost ? EXIT_FAILURE : EXIT_OK;
  } finally {
    stop.uninstall();
    diag.close();
  }
}

/** Compiles the ruleset for inline record scrubbing (the same spec the workers would get). */
async function loadContext(loader: RulesetLoader, diag: Diagnostics): Promise<RecordScrubContext> {
  const { spec, warnings } = await loader.build();
  for (const w of warnings) diag.warn(w);
  const ctx: RecordScrubContext = {
    scrubber: new Scrubber(compileRuleset(spec)),
    structure: new StructureRules(spec.options.structure),
    structureAction: spec.options.structure?.action,
    skipKeys: new Set(spec.format?.keepKeys ?? []),
  };
  loader.committed(spec.version);
  return ctx;
}

/**
 * First SIGTERM/SIGINT: stop accepting, deliver what was accepted, exit. A second one exits at
 * once (records still queued are lost, and the exit code says so). Installed before the
 * ruleset is built so a signal during a slow start is not lost.
 */
class StopSignals {
  private resolve: () => void = () => {};
  readonly stopped = new Promise<void>((r) => {
    this.resolve = r;
  });
  private stops = 0;
  private reload: (() => void) | undefined;
  private readonly onStop = (signal: NodeJS.Signals) => {
    this.stops++;
    if (this.stops === 1) {
      this.diag.info(`${signal}: no longer accepting; delivering what was accepted, then exiting`);
      this.trigger();
    } else {
      this.diag.error(`${signal} again: exiting now; records not yet delivered are lost`);
      process.exit(EXIT_FAILURE);
    }
  };
  private readonly onHup = () => this.reload?.();

  constructor(private readonly diag: Diagnostics) {
    process.on('SIGTERM', this.onStop);
    process.on('SIGINT', this.onStop);
    process.on('SIGHUP', this.onHup);
    for (const signal of takeEarlySignals()) if (signal !== 'SIGHUP') this.onStop(signal);
  }

  trigger(): void {
    this.resolve();
  }

  onReload(action: () => void): void {
    this.reload = action;
  }

  uninstall(): void {
    process.off('SIGTERM', this.onStop);
    process.off('SIGINT', this.onStop);
    process.off('SIGHUP', this.onHup);
  }
}
