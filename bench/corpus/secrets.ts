/**
 * Synthetic credentials of realistic shapes (see /work/shared/reference/token-formats.md) and
 * the look-alikes a precise redactor must leave alone. Every value is generated from the seeded
 * PRNG: nothing here is a real credential, and no value is copied from another project.
 */
import { BASE62, type Rng } from './prng.js';

export type SecretKind =
  | 'openai'
  | 'openai-legacy'
  | 'anthropic'
  | 'huggingface'
  | 'groq'
  | 'aws'
  | 'github'
  | 'slack'
  | 'stripe'
  | 'jwt'
  | 'db-url'
  | 'bearer'
  | 'password'
  | 'pem'
  | 'known-value';

export type TrapKind =
  | 'uuid'
  | 'sha256'
  | 'git-sha'
  | 'words'
  | 'placeholder'
  | 'bearer-realm'
  | 'example-key'
  | 'trace-id';

/** The log formats a generated line can take; a sample says which ones can carry it. */
export type LineFormat = 'pino' | 'nginx' | 'syslog' | 'logfmt' | 'stack';

export interface SecretSample {
  kind: SecretKind;
  /** The sensitive substrings exactly as they appear in the finished line. */
  values: string[];
  /** Text a log message would carry, e.g. `OPENAI_API_KEY=sk-...`. */
  phrase: string;
  /** The same secret as a URL query fragment, for access logs (absent: not URL-shaped). */
  query?: string;
  /** Formats allowed to carry the phrase; absent means every single-line format. */
  fits?: readonly LineFormat[];
}

export interface TrapSample {
  kind: TrapKind;
  phrase: string;
}

const ALNUM = BASE62;
const TOKEN_CHARS = `${BASE62}_-`;
const BASE64_CHARS = `${BASE62}+/`;
const AWS_ID_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const DIGITS = '0123456789';
// No quote, backslash, '@', ':', '/', '?', '#', '%' or space: a password must survive JSON
// escaping, logfmt quoting and URL userinfo unchanged so the corpus knows its exact bytes.
const PASSWORD_CHARS = `${BASE62}!*_-.~`;

const CRC_TABLE = buildCrcTable();

function buildCrcTable(): Uint32Array {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
}

/** CRC-32 (IEEE) of an ASCII string. */
export function crc32(text: string): number {
  let crc = 0xffffffff;
  for (let i = 0; i < text.length; i++) {
    crc = (crc >>> 8) ^ (CRC_TABLE[(crc ^ text.charCodeAt(i)) & 0xff] as number);
  }
  return (crc ^ 0xffffffff) >>> 0;
}

/** Base62 (0-9A-Za-z), left-padded with '0' to `width`. */
export function base62Encode(n: number, width: number): string {
  let out = '';
  let v = n;
  while (v > 0) {
    out = BASE62[v % 62] + out;
    v = Math.floor(v / 62);
  }
  return out.padStart(width, '0');
}

/**
 * GitHub's classic token layout: prefix, 30 random base62 chars, then the CRC32 of those 30
 * chars as 6 base62 digits, so a scanner can verify a hit offline.
 */
export function githubToken(rng: Rng, prefix = 'ghp_'): string {
  const body = rng.base62(30);
  return prefix + body + base62Encode(crc32(body), 6);
}

function base64url(text: string): string {
  return Buffer.from(text).toString('base64url');
}

function password(rng: Rng): string {
  // Always mix letters and digits: a password made only of letters reads like a word.
  return `${rng.chars(ALNUM, rng.range(6, 14))}${rng.chars(DIGITS, 2)}${rng.chars(PASSWORD_CHARS, rng.range(2, 8))}`;
}

function jwt(rng: Rng): string {
  const header = base64url(JSON.stringify({ alg: rng.pick(['HS256', 'RS256', 'ES256']), typ: 'JWT' }));
  const iat = 1_760_000_000 + rng.int(10_000_000);
  const claims = {
    sub: `user_${rng.base62(10)}`,
    iss: rng.pick(['https://auth.acme.io', 'https://login.example.net', 'acme-sso']),
    iat,
    exp: iat + 3600,
    scope: rng.pick(['read', 'read write', 'admin']),
  };
  return `${header}.${base64url(JSON.stringify(claims))}.${rng.chars(`${BASE62}_-`, 43)}`;
}

/** Body lines of a PEM private key (base64, 64 per line), header and footer excluded. */
export function pemBody(rng: Rng): { type: string; lines: string[] } {
  const type = rng.pick(['RSA PRIVATE KEY', 'PRIVATE KEY', 'EC PRIVATE KEY', 'OPENSSH PRIVATE KEY']);
  const b64 = rng.bytes(rng.range(120, 900)).toString('base64');
  const lines: string[] = [];
  for (let i = 0; i < b64.length; i += 64) lines.push(b64.slice(i, i + 64));
  return { type, lines };
}

type SampleMaker = (rng: Rng) => SecretSample;

const MAKERS: readonly (readonly [SampleMaker, number])[] = [
  [openai, 10],
  [openaiLegacy, 3],
  [anthropic, 8],
  [huggingface, 5],
  [groq, 4],
  [aws, 8],
  [github, 8],
  [slack, 5],
  [stripe, 5],
  [jwtSample, 10],
  [dbUrl, 10],
  [bearer, 8],
  [passwordSample, 12],
  [pemJson, 2],
];

/** One detector-shaped secret, drawn by realistic frequency. */
export function secretSample(rng: Rng): SecretSample {
  return rng.weighted(MAKERS)(rng);
}

function openai(rng: Rng): SecretSample {
  const n = rng.pick([58, 74]);
  const key = `${rng.pick(['sk-proj-', 'sk-svcacct-', 'sk-admin-'])}${rng.chars(TOKEN_CHARS, n)}T3BlbkFJ${rng.chars(TOKEN_CHARS, n)}`;
  const phrase = rng.pick([
    `OPENAI_API_KEY=${key}`,
    `calling chat completions with key ${key}`,
    `Authorization: Bearer ${key}`,
  ]);
  return { kind: 'openai', values: [key], phrase, query: `api_key=${key}` };
}

function openaiLegacy(rng: Rng): SecretSample {
  const key = `sk-${rng.base62(20)}T3BlbkFJ${rng.base62(20)}`;
  return { kind: 'openai-legacy', values: [key], phrase: `openai.api_key = ${key}` };
}

function anthropic(rng: Rng): SecretSample {
  const key = `sk-ant-api03-${rng.chars(TOKEN_CHARS, 93)}AA`;
  const phrase = rng.pick([`x-api-key: ${key}`, `ANTHROPIC_API_KEY=${key}`, `retrying with key ${key}`]);
  return { kind: 'anthropic', values: [key], phrase };
}

function huggingface(rng: Rng): SecretSample {
  const key = `hf_${rng.base62(34)}`;
  const phrase = rng.pick([`HF_TOKEN=${key}`, `hub login with token ${key}`]);
  return { kind: 'huggingface', values: [key], phrase, query: `token=${key}` };
}

function groq(rng: Rng): SecretSample {
  const key = `gsk_${rng.base62(52)}`;
  return { kind: 'groq', values: [key], phrase: rng.pick([`GROQ_API_KEY=${key}`, `groq client key=${key}`]) };
}

function aws(rng: Rng): SecretSample {
  const id = `${rng.pick(['AKIA', 'ASIA'])}${rng.chars(AWS_ID_CHARS, 16)}`;
  const secret = rng.chars(BASE64_CHARS, 40);
  const phrase = rng.pick([
    `aws_access_key_id=${id} aws_secret_access_key=${secret}`,
    `AWS_ACCESS_KEY_ID=${id} AWS_SECRET_ACCESS_KEY=${secret}`,
  ]);
  return { kind: 'aws', values: [id, secret], phrase };
}

function github(rng: Rng): SecretSample {
  const token = githubToken(
    rng,
    rng.weighted([
      ['ghp_', 6],
      ['gho_', 2],
      ['ghs_', 2],
      ['ghu_', 1],
      ['ghr_', 1],
    ]),
  );
  const phrase = rng.pick([
    `GITHUB_TOKEN=${token}`,
    `Authorization: token ${token}`,
    `git clone https://x-access-token:${token}@github.com/acme/api.git`,
  ]);
  return { kind: 'github', values: [token], phrase, query: `access_token=${token}` };
}

function slack(rng: Rng): SecretSample {
  const token = `${rng.pick(['xoxb-', 'xoxp-'])}${rng.chars(DIGITS, 11)}-${rng.chars(DIGITS, 13)}-${rng.base62(24)}`;
  return {
    kind: 'slack',
    values: [token],
    phrase: rng.pick([`SLACK_BOT_TOKEN=${token}`, `slack client token ${token}`]),
  };
}

function stripe(rng: Rng): SecretSample {
  const key = `${rng.pick(['sk_live_', 'rk_live_', 'sk_test_'])}${rng.base62(rng.range(24, 99))}`;
  return {
    kind: 'stripe',
    values: [key],
    phrase: rng.pick([`STRIPE_SECRET_KEY=${key}`, `stripe charge with ${key}`]),
  };
}

function jwtSample(rng: Rng): SecretSample {
  const token = jwt(rng);
  const phrase = rng.pick([`Authorization: Bearer ${token}`, `session token ${token}`]);
  return { kind: 'jwt', values: [token], phrase, query: `id_token=${token}` };
}

function dbUrl(rng: Rng): SecretSample {
  const pw = password(rng);
  const scheme = rng.weighted([
    ['postgres', 5],
    ['postgresql', 2],
    ['mysql', 2],
    ['mongodb+srv', 2],
    ['redis', 2],
    ['amqp', 1],
  ]);
  const user = rng.pick(['app', 'orders_rw', 'admin', 'svc-billing', 'reporting']);
  const host = `${rng.pick(['db', 'pg', 'cache', 'mq'])}-${rng.int(9)}.${rng.pick(['internal', 'prod.acme.io', 'svc.cluster.local'])}`;
  const url = `${scheme}://${user}:${pw}@${host}:${rng.range(1000, 9999)}/${rng.pick(['orders', 'users', 'billing', '0'])}`;
  const phrase = rng.pick([`connecting to ${url}`, `DATABASE_URL=${url}`, `pool error on ${url}: timeout`]);
  return { kind: 'db-url', values: [pw], phrase };
}

function bearer(rng: Rng): SecretSample {
  const token = rng.chars(`${BASE62}-_.`, rng.range(32, 64));
  return { kind: 'bearer', values: [token], phrase: `Authorization: Bearer ${token}` };
}

function passwordSample(rng: Rng): SecretSample {
  const pw = password(rng);
  const phrase = rng.pick([
    `password=${pw}`,
    `DB_PASSWORD=${pw}`,
    `passwd: ${pw}`,
    `login attempt user=deploy password=${pw}`,
    `mysql -u root --password ${pw}`,
  ]);
  return { kind: 'password', values: [pw], phrase };
}

function pemJson(rng: Rng): SecretSample {
  const { type, lines } = pemBody(rng);
  const phrase = `-----BEGIN ${type}-----\n${lines.join('\n')}\n-----END ${type}-----\n`;
  // Only a JSON string can hold the newlines on one line (as `\n` escapes).
  return { kind: 'pem', values: lines, phrase, fits: ['pino'] };
}

export type KnownValueForm = 'raw' | 'json' | 'url' | 'base64' | 'base64-newline';

/** A known value in one of the encodings logs really carry it in. */
export function knownValueSample(rng: Rng, value: string): SecretSample & { form: KnownValueForm } {
  const form = rng.weighted<KnownValueForm>([
    ['raw', 4],
    ['json', 2],
    ['url', 2],
    ['base64', 1],
    ['base64-newline', 1],
  ]);
  switch (form) {
    case 'raw':
      // Plain-text formats only: JSON or logfmt quoting would change a value with a quote in it.
      return {
        kind: 'known-value',
        form,
        values: [value],
        phrase: rng.pick([`cache key ${value} refreshed`, `upstream signature ${value}`]),
        fits: ['syslog', 'stack'],
      };
    case 'json': {
      const escaped = JSON.stringify(value).slice(1, -1);
      return {
        kind: 'known-value',
        form,
        values: [escaped],
        phrase: `session material ${value}`,
        fits: ['pino'],
      };
    }
    case 'url': {
      const encoded = encodeURIComponent(value);
      return {
        kind: 'known-value',
        form,
        values: [encoded],
        phrase: `GET /hooks/deliver?sig=${encoded}`,
        query: `sig=${encoded}`,
      };
    }
    default: {
      const b64 = Buffer.from(form === 'base64' ? value : `${value}\n`).toString('base64');
      return { kind: 'known-value', form, values: [b64], phrase: `X-Auth-Blob: ${b64}` };
    }
  }
}

/** Strings that look like secrets to a careless rule and must stay untouched. */
export function trapSample(rng: Rng): TrapSample {
  const kind = rng.weighted<TrapKind>([
    ['uuid', 3],
    ['sha256', 2],
    ['git-sha', 2],
    ['words', 3],
    ['placeholder', 3],
    ['bearer-realm', 1],
    ['example-key', 1],
    ['trace-id', 2],
  ]);
  switch (kind) {
    case 'uuid':
      return { kind, phrase: `order ${uuid(rng)} created for customer ${uuid(rng)}` };
    case 'sha256':
      return { kind, phrase: `pulled registry.acme.io/api@sha256:${rng.hex(64)}` };
    case 'git-sha':
      return { kind, phrase: `deployed commit ${rng.hex(40)} to production` };
    case 'words':
      return {
        kind,
        phrase: rng.pick([
          'password reset email sent to j***@example.com',
          'token expired, refreshing session',
          'secret rotation scheduled for 03:00 UTC',
          'api key rotated by admin',
          'invalid password for user deploy (attempt 3)',
        ]),
      };
    case 'placeholder':
      return {
        kind,
        phrase: rng.pick([
          'password=changeme',
          // biome-ignore lint/suspicious/noTemplateCurlyInString: the literal `${VAR}` is the placeholder.
          'api_key=${OPENAI_API_KEY}',
          'token=<token>',
          'secret=REDACTED',
          'password=xxxxxxxxxx',
          'Authorization: Bearer <your-token-here>',
        ]),
      };
    case 'bearer-realm':
      return { kind, phrase: 'WWW-Authenticate: Bearer realm="api", error="invalid_token"' };
    case 'example-key':
      return { kind, phrase: 'aws_access_key_id=AKIAIOSFODNN7EXAMPLE (documentation example)' };
    default:
      return { kind, phrase: `traceparent: 00-${rng.hex(32)}-${rng.hex(16)}-01` };
  }
}

export function uuid(rng: Rng): string {
  const h = rng.hex(32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${'89ab'[rng.int(4)]}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
