import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FluentServer, type FluentServerOptions } from '@fluent-org/logger';

/** Test peers: the third-party in_forward-compatible server, raw TCP listeners, certificates. */

export interface ReceivedEntry {
  tag: string;
  time: unknown;
  record: Record<string, unknown>;
}

export interface Peer {
  server: FluentServer;
  port: number;
  entries: ReceivedEntry[];
  close(): Promise<void>;
}

export async function startFluentPeer(port = 0, options: FluentServerOptions = {}): Promise<Peer> {
  const server = new FluentServer({ ...options, listenOptions: { host: '127.0.0.1', port } });
  const entries: ReceivedEntry[] = [];
  server.on('entry', (tag: string, time: unknown, record: Record<string, unknown>) =>
    entries.push({ tag, time, record }),
  );
  await server.listen();
  return { server, port: server.port as number, entries, close: () => server.close() };
}

export async function waitFor(check: () => boolean, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** A TCP listener that keeps what it reads per connection and can drop connections. */
export async function startRawListener(
  onSocket: (socket: net.Socket, received: Buffer[]) => void = () => {},
): Promise<{ port: number; connections: Buffer[][]; sockets: net.Socket[]; close(): Promise<void> }> {
  const connections: Buffer[][] = [];
  const sockets: net.Socket[] = [];
  const server = net.createServer((socket) => {
    const received: Buffer[] = [];
    connections.push(received);
    sockets.push(socket);
    socket.on('data', (d) => received.push(d));
    socket.on('error', () => {});
    onSocket(socket, received);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    connections,
    sockets,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

/** A throwaway self-signed certificate for localhost / 127.0.0.1. */
export function selfSignedCert(): { key: Buffer; cert: Buffer } {
  const dir = mkdtempSync(join(tmpdir(), 'hushlog-cert-'));
  const key = join(dir, 'key.pem');
  const cert = join(dir, 'cert.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      key,
      '-out',
      cert,
      '-days',
      '1',
      '-subj',
      '/CN=localhost',
      '-addext',
      'subjectAltName=DNS:localhost,IP:127.0.0.1',
    ],
    { stdio: 'ignore' },
  );
  return { key: readFileSync(key), cert: readFileSync(cert) };
}
