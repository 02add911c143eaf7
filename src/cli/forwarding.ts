import { readFile } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import type tls from 'node:tls';
import { HushlogConfigError } from '../errors.js';
import type { RecordScrubContext } from '../formats/record-scrub.js';
import type { RecordSink } from '../sinks/delivery-queue.js';
import { EventTime, type ForwardEvent, tagFor } from '../sinks/fluent-event.js';
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

export interface TagOptions {
  /** `--tag` (default `hushlog`). */
  tag?: string;
  /** `--tag-key`: a record field holding the tag. */
  tagKey?: string;
}

/**
 * Scrubbed output lines (from the byte pipeline) as forward events for a fluent:// output. A
 * line holding a JSON object is sent as that record; any other line as `{message: line}`.
 * Note: JSON.parse rounds integers above 2^53; use the forward input for exact 64-bit values.
 */
export function linesToEvents(bytes: Uint8Array, opts: TagOptions = {}): ForwardEvent[] {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  const time = EventTime.now();
  const tag = opts.tag ?? 'hushlog';
  const events: ForwardEvent[] = [];
  for (const line of text.split('\n')) {
    if (line.length === 0) continue;
    const record = parseObject(line) ?? { message: line };
    events.push({ tag: tagFor(record, { tag, tagKey: opts.tagKey }), time, record });
  }
  return events;
}

function parseObject(line: string): Record<string, unknown> | undefined {
  if (line.charCodeAt(0) !== 0x7b) return undefined;
  try {
    const v: unknown = JSON.parse(line);
    return typeof v === 'object' && v !== null && !Array.isArray(v)
      ? (v as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

export interface ForwardRelayOptions {
  /** `--input forward://host:port` (or `forward+tls://`). */
  input: string;
  sharedKeyFile?: string;
  tlsCertFile?: string;
  tlsKeyFile?: string;
  /** Scrubbing context built from the compiled ruleset. */
  scrub: RecordScrubContext;
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
      const out = scrubForwardEvents(batch.events, opts.scrub);
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
 * what was not delivered on stderr. Returns 1 when records were lost (not even spooled).
 */
export async function finishDelivery(sink: RecordSink, timeoutMs: number, stderr: Writable): Promise<0 | 1> {
  const result = await sink.close({ timeoutMs });
  if (result.reason) stderr.write(`hushlog: ${result.reason}\n`);
  return result.undelivered - result.spooled > 0 ? 1 : 0;
}
