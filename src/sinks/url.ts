import { isIP } from 'node:net';
import { HushlogConfigError } from '../errors.js';

/**
 * `--output fluent://host:port` | `fluent+tls://` | `logstash://host:port` | `logstash+tls://`
 * and `--input forward://host:port` | `forward+tls://`. Credentials never go in a URL (they would
 * end up in process listings and messages): the shared key comes from --shared-key-file.
 */

export type EndpointKind = 'fluent' | 'logstash' | 'forward';

export interface Endpoint {
  kind: EndpointKind;
  /** Host name or IP address (IPv6 without brackets). */
  host: string;
  port: number;
  tls: boolean;
}

const OUTPUT_KINDS: readonly EndpointKind[] = ['fluent', 'logstash'];
const INPUT_KINDS: readonly EndpointKind[] = ['forward'];
const DEFAULT_PORTS: Partial<Record<EndpointKind, number>> = { fluent: 24224, forward: 24224 };
const SCHEME = /^([a-z]+)(\+tls)?:\/\//i;

/** Whether the text names a forwarding endpoint at all (as opposed to a file path or `-`). */
export function isEndpointUrl(
  text: string,
  kinds: readonly EndpointKind[] = [...OUTPUT_KINDS, ...INPUT_KINDS],
): boolean {
  const m = SCHEME.exec(text);
  return m !== null && kinds.includes(m[1].toLowerCase() as EndpointKind);
}

export function parseOutputUrl(text: string): Endpoint {
  return parseEndpoint(text, OUTPUT_KINDS, '--output');
}

export function parseInputUrl(text: string): Endpoint {
  return parseEndpoint(text, INPUT_KINDS, '--input');
}

export function parseEndpoint(text: string, kinds: readonly EndpointKind[], flag: string): Endpoint {
  const m = SCHEME.exec(text);
  const scheme = m?.[1].toLowerCase();
  if (!m || !kinds.includes(scheme as EndpointKind)) {
    const schemes = kinds.flatMap((k) => [`${k}://`, `${k}+tls://`]).join(', ');
    throw new HushlogConfigError('BAD_URL', `${flag}: expected ${schemes} followed by host:port`);
  }
  const kind = scheme as EndpointKind;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new HushlogConfigError('BAD_URL', `${flag}: ${kind} URL is not host:port`);
  }
  if (url.username || url.password) {
    throw new HushlogConfigError(
      'BAD_URL',
      `${flag}: credentials in the URL are not accepted (they would show in process listings); use --shared-key-file`,
    );
  }
  if ((url.pathname && url.pathname !== '/') || url.search || url.hash) {
    throw new HushlogConfigError('BAD_URL', `${flag}: ${kind} URL takes host:port only, no path or query`);
  }
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (!host) throw new HushlogConfigError('BAD_URL', `${flag}: ${kind} URL has no host`);
  const port = url.port ? Number(url.port) : DEFAULT_PORTS[kind];
  if (port === undefined) throw new HushlogConfigError('BAD_URL', `${flag}: ${kind} URL needs a port`);
  if (!Number.isInteger(port) || port < 0 || port > 65535 || (port === 0 && kind !== 'forward')) {
    throw new HushlogConfigError('BAD_URL', `${flag}: port out of range`);
  }
  return { kind, host, port, tls: Boolean(m[2]) };
}

/** `scheme://host:port` for messages (IPv6 bracketed). */
export function formatDestination(e: Endpoint): string {
  const host = isIP(e.host) === 6 ? `[${e.host}]` : e.host;
  return `${e.kind}${e.tls ? '+tls' : ''}://${host}:${e.port}`;
}
