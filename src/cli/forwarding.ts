import { readFile } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import type tls from 'node:tls';
import { HushlogConfigError } from '../errors.js';
import type { RecordScrubContext } from '../formats/record-scrub.js';
import { type EventShape, lineRecord, recordEvent } from '../pipeline/output-records.js';
import type { RecordSink } from '../sinks/delivery-queue.js';
import { EventTime, type ForwardEvent } from '../sinks/fluent-event.js';
import { FluentForwardSink } from '../sinks/fluent-forward-client.js';
import { LogstashSink } from '../sinks/logstash-client.js';
import { SpoolOutbox } from '../sinks/spool.js';
import { isEndpointUrl, parseInputUrl, parseOutputUrl } from '../sinks/url.js';
import { scrubForwardEvents } from '../sources/forward-scrub.js';
import { ForwardServer } from '../sources/forward-server.js';

/**
 * Glue between CLI settings and the forwarding layer (`--output fluent://|logstash://`,
 * `--input forward://`). Independent of the Settings type on purpose: the command passes the
 * few values it has. Nothing here prints a secret: key files are read, never echoed.
 */

export interface ForwardingOutputOptions {
  /** `fluent://`, `fluent+tls://`, `logstash://` or `logstash+tls://`. */
  output: string;
  /** `--shared-key-file` (fluent only). */
  sharedKeyFile?: string;
  /** `--spool DIR` and `--spool-max-bytes`. */
  spool?: string;
  spoolMaxBytes?: number;
  /** TLS material for the `+tls` schemes (PEM files). */
  tlsCaFile?: string;
  tlsCertFile?: string;
  tlsKeyFile?: string;
}

export { isEndpointUrl };

/** Opens the network output named by `--output` (config errors throw HushlogConfigError). */
export async function openRecordSink(opts: ForwardingOutputOptions): Promise<RecordSink> {
  const endpoint = parseOutputUrl(opts.output);
  if (endpoint.kind === 'logstash' && opts.sharedKeyFile) {
    throw new HushlogConfigError('E_SHARED_KEY', '--shared-key-file applies to fluent:// outputs only');
  }
  const sharedKey = opts.sharedKeyFile ? await readSharedKey(opts.sharedKeyFile) : undefined;
  const tlsOptions = endpoint.tls ? await readTlsOptions(opts) : undefined;
  const outbox = opts.spool
    ? await SpoolOutbox.open({ dir: opts.spool, maxBytes: opts.spoolMaxBytes })
    : undefined;
  const common = { host: endpoint.host, port: endpoint.port, tls: tlsOptions, outbox };
  return endpoint.kind === 'fluent'
    ? new FluentForwardSink({ ...common, sharedKey })
    : new LogstashSink(common);
}

/** The shared key: the file's content without its final newline; an empty key is refused. */
export async function readSharedKey(file: string): Promise<string> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    throw new HushlogConfigError('E_SHARED_KEY', `cannot read the shared key file (${code})`, { file });
  }
  const key = text.replace(/\r?\n$/, '');
  if (!key) throw new HushlogConfigError('E_SHARED_KEY', 'the shared key file is empty', { file });
  return key;
}

async function readTlsOptions(opts: ForwardingOutputOptions): Promise<tls.ConnectionOptions> {
  const read = async (file: string | undefined, what: string) => {
    if (!file) return undefined;
    try {
      return await readFile(file);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? 'error';
      throw new HushlogConfigError('E_TLS', `cannot read the TLS ${what} (${code})`, { file });
    }
  };
  const [ca, cert, key] = await Promise.all([
    read(opts.tlsCaFile, 'CA'),
    read(opts.tlsCertFile, 'certificate'),
    read(opts.tlsKeyFile, 'key'),
  ]);
  return { ca, cert, key };
}

/** `--tag` (default `hushlog`), `--tag-key`, `--time-key`. */
export type TagOptions = EventShape;

/**
 * Scrubbed output lines (from the byte pipeline) as forward events for a fluent:// output. A
 * line holding a JSON object is sent as that record; any other line as `{message: line}`.
 * Note: JSON.parse rounds integers above 2^53; use the forward input for exact 64-bit values.
 * The CLI streams through `recordEncoder` (output-records.ts), which also carries lines split
 * across writes; this is the same conversion for one complete piece of text.
 */
export function linesToEvents(bytes: Uint8Array, opts: TagOptions = {}): ForwardEvent[] {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  const now = EventTime.now();
  const events: ForwardEvent[] = [];
  for (const line of text.split('\n')) {
    if (line.length === 0) continue;
    events.push(recordEvent(lineRecord(line), opts, now));
  }
  return events;
}

export interface ForwardRelayOptions {
  /** `--input forward://host:port` (or `forward+tls://`). */
  input: string;
  sharedKeyFile?: string;
  tlsCertFile?: string;
  tlsKeyFile?: string;
  /** Scrubbing context built from the compiled ruleset; a function when it can be reloaded. */
  scrub: RecordScrubContext | (() => RecordScrubContext);
  sink: RecordSink;
  /** Called with the number of findings and dropped records of each batch (for the summary). */
  onScrubbed?: (findings: number, dropped: number) => void;
}

/**
 * Starts the scrubbing relay: forward input -> scrub -> the output's queue. A batch is acked
 * upstream only once the sink accepted it, so a full queue holds the agents back.
 */
export async function startForwardRelay(opts: ForwardRelayOptions): Promise<ForwardServer> {
  const endpoint = parseInputUrl(opts.input);
  const sharedKey = opts.sharedKeyFile ? await readSharedKey(opts.sharedKeyFile) : undefined;
  let tlsOptions: tls.TlsOptions | undefined;
  if (endpoint.tls) {
    if (!opts.tlsCertFile || !opts.tlsKeyFile) {
      throw new HushlogConfigError('E_TLS', 'forward+tls:// needs a certificate and a key file');
    }
    tlsOptions = { cert: await readFile(opts.tlsCertFile), key: await readFile(opts.tlsKeyFile) };
  }
  const server = new ForwardServer({
    host: endpoint.host,
    port: endpoint.port,
    tls: tlsOptions,
    sharedKey,
    onBatch: async (batch) => {
      // Inline on the main thread: one batch is scrubbed by exactly one ruleset version.
      const ctx = typeof opts.scrub === 'function' ? opts.scrub() : opts.scrub;
      const out = scrubForwardEvents(batch.events, ctx);
      opts.onScrubbed?.(out.findings.length, out.dropped);
      if (out.events.length > 0) await opts.sink.write(out.events);
    },
  });
  try {
    await server.listen();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    throw new HushlogConfigError('E_INPUT', `cannot listen on ${opts.input} (${code})`);
  }
  return server;
}

/**
 * The end of a run with a network output: flush, wait for confirmation up to timeoutMs, say
 * what was not delivered (on `report`: a stream gets a `hushlog: ` line, a function the bare
 * reason). Returns 1 when records were lost (not even spooled).
 */
export async function finishDelivery(
  sink: RecordSink,
  timeoutMs: number,
  report: Writable | ((line: string) => void),
): Promise<0 | 1> {
  const result = await sink.close({ timeoutMs });
  const lost = result.undelivered - result.spooled;
  const reason =
    result.reason ??
    (result.undelivered > 0 ? `${sink.destination}: ${result.undelivered} records undelivered` : undefined);
  if (reason) {
    if (typeof report === 'function') report(reason);
    else report.write(`hushlog: ${reason}\n`);
  }
  return lost > 0 ? 1 : 0;
}
