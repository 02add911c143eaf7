import { crc32 } from 'node:zlib';

/**
 * Offline validators that a rule can name in its `checksum` field. A validator sees the
 * candidate secret (the rule's secret group) and says whether it has the internal structure
 * of the real credential. They are precision gates: a look-alike string that fails one is
 * not a finding. They never throw and never reveal the value.
 */
export type ChecksumValidator = (secret: string) => boolean;

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** CRC32 (IEEE) of the text, base62-encoded and zero-padded to 6 characters. */
export function base62Crc32(text: string): string {
  let n = crc32(text);
  let out = '';
  while (n > 0) {
    out = BASE62[n % 62] + out;
    n = Math.floor(n / 62);
  }
  return out.padStart(6, '0');
}

const GITHUB_CLASSIC = /^gh[pousr]_([A-Za-z0-9]{30})([A-Za-z0-9]{6})$/;
const NPM_TOKEN = /^npm_([A-Za-z0-9]{30})([A-Za-z0-9]{6})$/;

/**
 * GitHub classic tokens (and npm tokens, which copied the scheme): prefix, 30 random base62
 * characters, then the CRC32 of those 30 characters (the prefix is not hashed) in 6 base62
 * digits. Checked against a published sample token: the CRC covers the random part only.
 */
function prefixedBase62Crc(pattern: RegExp): ChecksumValidator {
  return (secret) => {
    const m = pattern.exec(secret);
    return m !== null && base62Crc32(m[1]) === m[2];
  };
}

const B64_STD = /^[A-Za-z0-9+/]+={0,2}$/;
const B64_URL = /^[A-Za-z0-9_-]+={0,2}$/;

/** Strict base64 (either alphabet, padding optional); null if the text is not base64. */
function decodeBase64(text: string): Buffer | null {
  if (!B64_STD.test(text) && !B64_URL.test(text)) return null;
  const body = text.replace(/=+$/, '');
  if (body.length % 4 === 1) return null;
  return Buffer.from(body, body.includes('-') || body.includes('_') ? 'base64url' : 'base64');
}

/** Decoded UTF-8 text, or null if the bytes are not valid UTF-8. */
function utf8(bytes: Buffer): string | null {
  const text = bytes.toString('utf8');
  return text.includes('\uFFFD') ? null : text;
}

function parseJsonObject(text: string | null): Record<string, unknown> | null {
  if (text === null) return null;
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}

const JWT_PART = /^[A-Za-z0-9_-]*={0,2}$/;

/**
 * A JWS (3 parts) or JWE (5 parts) in compact form: every part base64url, the header a JSON
 * object carrying `alg` or `typ`. The payload is not required to be JSON (nested tokens).
 */
function isJwt(secret: string): boolean {
  const parts = secret.split('.');
  if (parts.length !== 3 && parts.length !== 5) return false;
  if (!parts.every((p) => JWT_PART.test(p))) return false;
  if (parts[0].length === 0 || (parts.length === 3 && parts[1].length === 0)) return false;
  const header = decodeBase64(parts[0]);
  const json = header && parseJsonObject(utf8(header));
  return json !== null && (typeof json.alg === 'string' || typeof json.typ === 'string');
}

/** Standard base64 of a JWT (what `ZXlK...` strings are): decode, then check the JWT. */
function isBase64Jwt(secret: string): boolean {
  const bytes = decodeBase64(secret);
  const text = bytes && utf8(bytes);
  if (!text) return false;
  const token = /^\s*(eyJ[A-Za-z0-9_.=-]*)/.exec(text);
  return token !== null && isJwt(token[1]);
}

/**
 * A token that carries base64 JSON: the longest base64 run starting at the first `ey`
 * (`{"` or `{ ` encoded) must decode to a JSON object. Tries the standard alphabet first,
 * then the URL-safe one, because some vendors join parts with `_`.
 */
function isBase64Json(secret: string): boolean {
  const at = secret.indexOf('ey');
  if (at < 0) return false;
  const rest = secret.slice(at);
  for (const run of [/^[A-Za-z0-9+/]+={0,2}/, /^[A-Za-z0-9_-]+={0,2}/]) {
    const m = run.exec(rest);
    const bytes = m && decodeBase64(m[0]);
    if (bytes && parseJsonObject(utf8(bytes))) return true;
  }
  return false;
}

/** HTTP Basic credentials: base64 of printable `user:password` text. */
function isBasicAuth(secret: string): boolean {
  if (secret.length < 4) return false;
  const bytes = decodeBase64(secret);
  const text = bytes && utf8(bytes);
  if (!text || text.length < 2 || !text.includes(':')) return false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return false;
  }
  return true;
}

const BECH32_CHARSET = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l';
const BECH32_GENERATORS = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3];
/** BIP-173 (bech32) and BIP-350 (bech32m) final constants. */
const BECH32_CONSTANTS = new Set([1, 0x2bc830a3]);

function bech32Polymod(values: number[]): number {
  let chk = 1;
  for (const v of values) {
    const top = chk >>> 25;
    chk = ((chk & 0x1ffffff) << 5) ^ v;
    for (let i = 0; i < 5; i++) if ((top >>> i) & 1) chk ^= BECH32_GENERATORS[i];
  }
  return chk >>> 0;
}

/**
 * Bech32/bech32m strings such as age secret keys (`AGE-SECRET-KEY-1...`): one case only,
 * the human-readable part before the last `1`, and a 6-character BCH checksum that detects
 * any single changed character.
 */
function isBech32(secret: string): boolean {
  const lower = secret.toLowerCase();
  if (secret !== lower && secret !== secret.toUpperCase()) return false;
  const sep = lower.lastIndexOf('1');
  if (sep < 1 || lower.length - sep - 1 < 6) return false;
  const values: number[] = [];
  for (let i = 0; i < sep; i++) values.push(lower.charCodeAt(i) >> 5);
  values.push(0);
  for (let i = 0; i < sep; i++) {
    const c = lower.charCodeAt(i);
    if (c < 33 || c > 126) return false;
    values.push(c & 31);
  }
  for (let i = sep + 1; i < lower.length; i++) {
    const v = BECH32_CHARSET.indexOf(lower[i]);
    if (v < 0) return false;
    values.push(v);
  }
  return BECH32_CONSTANTS.has(bech32Polymod(values));
}

const PEM_PRIVATE_HEADER = /^-----BEGIN [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----/;

/**
 * Base64 of a PEM private key (Kubernetes secrets, kubeconfig `client-key-data`): the
 * decoded text opens with a private-key header. Certificates, which share the
 * `LS0tLS1CRUdJTi` prefix, fail here. A run cut short of a 4-character boundary is trimmed.
 */
function isBase64PemPrivateKey(secret: string): boolean {
  const body = secret.replace(/=+$/, '');
  if (!/^[A-Za-z0-9+/]+$/.test(body)) return false;
  const text = Buffer.from(body.slice(0, body.length - (body.length % 4)), 'base64').toString('latin1');
  return PEM_PRIVATE_HEADER.test(text);
}

export const checksumValidators: Readonly<Record<string, ChecksumValidator>> = Object.freeze({
  'github-crc32': prefixedBase62Crc(GITHUB_CLASSIC),
  'npm-crc32': prefixedBase62Crc(NPM_TOKEN),
  jwt: isJwt,
  'base64-jwt': isBase64Jwt,
  'base64-json': isBase64Json,
  'basic-auth': isBasicAuth,
  bech32: isBech32,
  'base64-pem-private-key': isBase64PemPrivateKey,
});
