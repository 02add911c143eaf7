import { createHash, timingSafeEqual } from 'node:crypto';
import { bytesToText } from './fluent-codec.js';

/**
 * Forward protocol v1 shared-key handshake, both sides:
 *   server HELO ['HELO', {nonce, auth, keepalive}]
 *   client PING ['PING', hostname, salt, sha512_hex(salt+hostname+nonce+key), user, sha512_hex(auth+user+pass)]
 *   server PONG ['PONG', ok, reason, hostname, sha512_hex(salt+server_hostname+nonce+key)]
 * Messages arrive decoded with `rawStrings`, so every str is bytes: nonces and salts are random
 * bytes that some peers type as str, and UTF-8 decoding would corrupt them.
 */

type Bytes = Uint8Array | string;

function sha512Hex(...parts: Bytes[]): string {
  const h = createHash('sha512');
  for (const p of parts) h.update(p);
  return h.digest('hex');
}

export function sharedKeyDigest(salt: Bytes, hostname: string, nonce: Bytes, sharedKey: string): string {
  return sha512Hex(salt, hostname, nonce, sharedKey);
}

export function passwordDigest(authSalt: Bytes, username: string, password: string): string {
  return sha512Hex(authSalt, username, password);
}

function sameDigest(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function asBytes(v: unknown): Uint8Array | undefined {
  if (v instanceof Uint8Array) return v;
  if (typeof v === 'string') return Buffer.from(v);
  return undefined;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array);
}

/** The first element of a handshake message, or undefined. */
export function handshakeKind(msg: unknown): string | undefined {
  if (!Array.isArray(msg) || msg.length === 0) return undefined;
  const kind = bytesToText(msg[0]);
  return kind === 'HELO' || kind === 'PING' || kind === 'PONG' ? kind : undefined;
}

export interface Helo {
  nonce: Uint8Array;
  /** Non-empty when the server also wants user/password authentication. */
  authSalt: Uint8Array;
  keepalive: boolean;
}

export function parseHelo(msg: unknown): Helo | undefined {
  if (handshakeKind(msg) !== 'HELO' || !Array.isArray(msg) || msg.length !== 2 || !isRecord(msg[1])) {
    return undefined;
  }
  const nonce = asBytes(msg[1].nonce);
  if (!nonce) return undefined;
  return {
    nonce,
    authSalt: asBytes(msg[1].auth) ?? new Uint8Array(0),
    keepalive: msg[1].keepalive !== false,
  };
}

export function buildHelo(helo: Helo): unknown[] {
  return ['HELO', { nonce: helo.nonce, auth: helo.authSalt, keepalive: helo.keepalive }];
}

export interface ClientCredentials {
  selfHostname: string;
  sharedKey: string;
  username?: string;
  password?: string;
}

export function buildPing(creds: ClientCredentials, helo: Helo, salt: string): unknown[] {
  const wantsUser = helo.authSalt.length > 0;
  return [
    'PING',
    creds.selfHostname,
    salt,
    sharedKeyDigest(salt, creds.selfHostname, helo.nonce, creds.sharedKey),
    wantsUser ? (creds.username ?? '') : '',
    wantsUser ? passwordDigest(helo.authSalt, creds.username ?? '', creds.password ?? '') : '',
  ];
}

export interface Ping {
  hostname: string;
  salt: Uint8Array;
  digest: string;
  username: string;
  passwordDigest: string;
}

export function parsePing(msg: unknown): Ping | undefined {
  if (handshakeKind(msg) !== 'PING' || !Array.isArray(msg) || msg.length !== 6) return undefined;
  const hostname = bytesToText(msg[1]);
  const salt = asBytes(msg[2]);
  const digest = bytesToText(msg[3]);
  const username = bytesToText(msg[4]);
  const pwd = bytesToText(msg[5]);
  if (
    hostname === undefined ||
    !salt ||
    digest === undefined ||
    username === undefined ||
    pwd === undefined
  ) {
    return undefined;
  }
  return { hostname, salt, digest, username, passwordDigest: pwd };
}

export type AuthOutcome = { ok: true } | { ok: false; reason: string };

/** Server side: checks a PING against the nonce sent in HELO. Reasons match Fluentd's wording. */
export function verifyPing(
  ping: Ping,
  server: { selfHostname: string; sharedKey: string; nonce: Uint8Array },
): AuthOutcome {
  if (ping.hostname === server.selfHostname) {
    return { ok: false, reason: 'same hostname between input and output: invalid configuration' };
  }
  const expected = sharedKeyDigest(ping.salt, ping.hostname, server.nonce, server.sharedKey);
  if (!sameDigest(expected, ping.digest)) return { ok: false, reason: 'shared_key mismatch' };
  return { ok: true };
}

export function buildPong(outcome: AuthOutcome, selfHostname: string, digest: string): unknown[] {
  return ['PONG', outcome.ok, outcome.ok ? '' : outcome.reason, selfHostname, outcome.ok ? digest : ''];
}

/** Server side: the digest that proves to the client that the server knows the key too. */
export function pongDigest(
  ping: Ping,
  server: { selfHostname: string; sharedKey: string; nonce: Uint8Array },
): string {
  return sharedKeyDigest(ping.salt, server.selfHostname, server.nonce, server.sharedKey);
}

/** Client side: checks the server's PONG. The reason comes from the peer and never holds our key. */
export function checkPong(
  msg: unknown,
  client: { selfHostname: string; sharedKey: string; salt: string; nonce: Uint8Array },
): AuthOutcome {
  if (handshakeKind(msg) !== 'PONG' || !Array.isArray(msg) || msg.length !== 5) {
    return { ok: false, reason: 'malformed PONG' };
  }
  const serverHostname = bytesToText(msg[3]) ?? '';
  if (msg[1] !== true) {
    return { ok: false, reason: `peer refused authentication: ${printable(bytesToText(msg[2]) ?? '')}` };
  }
  if (serverHostname === client.selfHostname) {
    return { ok: false, reason: 'same hostname between input and output: invalid configuration' };
  }
  const expected = sharedKeyDigest(client.salt, serverHostname, client.nonce, client.sharedKey);
  if (!sameDigest(expected, bytesToText(msg[4]) ?? '')) {
    return { ok: false, reason: 'peer does not know the shared key (PONG digest mismatch)' };
  }
  return { ok: true };
}

/** Peer-supplied text made safe for a one-line message. */
export function printable(text: string, max = 200): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping control bytes is the point
  const clean = text.replace(/[\u0000-\u001f\u007f]/g, ' ');
  return clean.length > max ? `${clean.slice(0, max)}...` : clean;
}
