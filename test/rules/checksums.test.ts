import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { base62Crc32, checksumValidators } from '../../src/rules/checksums.js';

// Test-side implementations, written independently of the code under test, to build valid
// examples: a table CRC32, base62 with a decoder, a bech32 encoder.
const CRC_TABLE = Uint32Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function tableCrc32(text: string): number {
  let crc = 0xffffffff;
  for (const b of Buffer.from(text)) crc = CRC_TABLE[(crc ^ b) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}
const B62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const decode62 = (s: string) => [...s].reduce((n, c) => n * 62 + B62.indexOf(c), 0);
const encode62 = (n: number) => {
  let s = '';
  for (; n > 0; n = Math.floor(n / 62)) s = B62[n % 62] + s;
  return s.padStart(6, '0');
};
const randomBase62 = (len: number) => [...randomBytes(len)].map((b) => B62[b % 62]).join('');
const crcToken = (prefix: string, body = randomBase62(30)) => `${prefix}${body}${encode62(tableCrc32(body))}`;

const BECH = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l';
function bech32Encode(hrp: string, data: number[]): string {
  const gen = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3];
  const polymod = (values: number[]) => {
    let chk = 1;
    for (const v of values) {
      const b = chk >>> 25;
      chk = ((chk & 0x1ffffff) << 5) ^ v;
      for (let i = 0; i < 5; i++) if ((b >>> i) & 1) chk ^= gen[i];
    }
    return chk >>> 0;
  };
  const expanded = [...hrp]
    .map((c) => c.charCodeAt(0) >> 5)
    .concat(
      [0],
      [...hrp].map((c) => c.charCodeAt(0) & 31),
    );
  const mod = polymod([...expanded, ...data, 0, 0, 0, 0, 0, 0]) ^ 1;
  const checksum = Array.from({ length: 6 }, (_, i) => (mod >>> (5 * (5 - i))) & 31);
  return `${hrp}1${[...data, ...checksum].map((v) => BECH[v]).join('')}`;
}
const ageKey = () =>
  bech32Encode(
    'age-secret-key-',
    [...randomBytes(52)].map((b) => b & 31),
  ).toUpperCase();

const b64url = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
const jwt = (header: unknown = { alg: 'HS256', typ: 'JWT' }) =>
  `${b64url(header)}.${b64url({ sub: '42', exp: 1767225600 })}.${randomBytes(32).toString('base64url')}`;

/** Every single-character substitution at `index` (within the given alphabet). */
const substituted = (s: string, index: number, c: string) => s.slice(0, index) + c + s.slice(index + 1);

const v = checksumValidators;

describe('base62Crc32', () => {
  it('encodes the CRC-32/IEEE check value of "123456789" (0xCBF43926)', () => {
    expect(tableCrc32('123456789')).toBe(0xcbf43926);
    expect(base62Crc32('123456789')).toBe('3jZRME');
  });

  it('is always 6 base62 digits that decode back to the CRC32', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (text) => {
        const enc = base62Crc32(text);
        expect(enc).toMatch(/^[0-9A-Za-z]{6}$/);
        expect(decode62(enc)).toBe(tableCrc32(text));
      }),
    );
  });

  it('zero-pads small checksums', () => {
    let text = '';
    for (let i = 0; tableCrc32(text) >= 62 ** 5; i++) text = `t${i}`;
    expect(base62Crc32(text)[0]).toBe('0');
  });
});

describe('github-crc32', () => {
  it.each(['ghp_', 'gho_', 'ghu_', 'ghs_', 'ghr_'])('accepts a valid %s token', (prefix) => {
    expect(v['github-crc32'](crcToken(prefix))).toBe(true);
  });

  it('hashes only the 30 random characters, not the prefix', () => {
    const body = randomBase62(30);
    const withPrefixHashed = `ghp_${body}${encode62(tableCrc32(`ghp_${body}`))}`;
    expect(v['github-crc32'](crcToken('ghp_', body))).toBe(true);
    expect(v['github-crc32'](withPrefixHashed)).toBe(false);
  });

  it('rejects other prefixes, lengths and alphabets', () => {
    const t = crcToken('ghp_');
    expect(v['github-crc32'](`ghx_${t.slice(4)}`)).toBe(false);
    expect(v['github-crc32'](t.slice(0, -1))).toBe(false);
    expect(v['github-crc32'](`${t}A`)).toBe(false);
    expect(v['github-crc32'](crcToken('npm_'))).toBe(false);
    expect(v['github-crc32'](`ghp_${'-'.repeat(36)}`)).toBe(false);
    expect(v['github-crc32']('')).toBe(false);
  });

  it('breaks when any one character of body or checksum changes', () => {
    fc.assert(
      fc.property(fc.integer({ min: 4, max: 39 }), fc.constantFrom(...B62), (index, c) => {
        const token = crcToken('ghs_');
        fc.pre(token[index] !== c);
        expect(v['github-crc32'](substituted(token, index, c))).toBe(false);
      }),
    );
  });
});

describe('npm-crc32', () => {
  it('accepts a valid npm token and rejects a GitHub one', () => {
    expect(v['npm-crc32'](crcToken('npm_'))).toBe(true);
    expect(v['npm-crc32'](crcToken('ghp_'))).toBe(false);
  });

  it('breaks when any one character changes', () => {
    fc.assert(
      fc.property(fc.integer({ min: 4, max: 39 }), fc.constantFrom(...B62), (index, c) => {
        const token = crcToken('npm_');
        fc.pre(token[index] !== c);
        expect(v['npm-crc32'](substituted(token, index, c))).toBe(false);
      }),
    );
  });
});

describe('jwt', () => {
  it('accepts JWS tokens whose header has alg or typ', () => {
    expect(v.jwt(jwt())).toBe(true);
    expect(v.jwt(jwt({ alg: 'RS256', kid: 'k1' }))).toBe(true);
    expect(v.jwt(jwt({ typ: 'at+jwt' }))).toBe(true);
    // Unsigned token: empty signature part.
    expect(v.jwt(`${b64url({ alg: 'none' })}.${b64url({ sub: '1' })}.`)).toBe(true);
  });

  it('accepts JWE compact tokens (5 parts, empty encrypted key allowed)', () => {
    const parts = [b64url({ alg: 'dir', enc: 'A256GCM' }), '', 'aXYxMjM0NTY3ODkw', 'Y2lwaGVydGV4dA', 'dGFn'];
    expect(v.jwt(parts.join('.'))).toBe(true);
  });

  it('rejects look-alikes', () => {
    expect(v.jwt(`${b64url({ nota: 'jwt' })}.${b64url({ x: 1 })}.sig`)).toBe(false);
    expect(v.jwt(`${b64url([1, 2])}.${b64url({ x: 1 })}.sig`)).toBe(false);
    expect(v.jwt(`eyJub3QganNvbg.${b64url({ x: 1 })}.sig`)).toBe(false);
    expect(v.jwt(`${b64url({ alg: 'HS256' })}..sig`)).toBe(false);
    expect(v.jwt(`${b64url({ alg: 'HS256' })}.${b64url({ x: 1 })}`)).toBe(false);
    expect(v.jwt(`${b64url({ alg: 'HS256' })}.${b64url({ x: 1 })}.a+b/c`)).toBe(false);
    expect(v.jwt('eyJhbGciOiJIUzI1NiJ9')).toBe(false);
  });
});

describe('base64-jwt', () => {
  it('accepts standard base64 of a JWT, with or without a trailing newline', () => {
    const t = jwt();
    expect(v['base64-jwt'](Buffer.from(t).toString('base64'))).toBe(true);
    expect(v['base64-jwt'](Buffer.from(`${t}\n`).toString('base64'))).toBe(true);
  });

  it('rejects base64 of other text', () => {
    expect(v['base64-jwt'](Buffer.from('eyJhbGciOiJub25lIn0 is not a jwt').toString('base64'))).toBe(false);
    expect(v['base64-jwt'](Buffer.from('hello world').toString('base64'))).toBe(false);
    expect(v['base64-jwt']('ZXlK!!!')).toBe(false);
  });
});

describe('base64-json', () => {
  it('accepts base64 (standard or URL-safe) JSON objects, after a vendor prefix too', () => {
    const obj = { k: 'abc', n: 'ci', id: 1, s: '??>>' };
    expect(v['base64-json'](Buffer.from(JSON.stringify(obj)).toString('base64'))).toBe(true);
    expect(v['base64-json'](`glc_${Buffer.from(JSON.stringify(obj)).toString('base64')}`)).toBe(true);
    expect(v['base64-json'](`x_${Buffer.from(JSON.stringify(obj)).toString('base64url')}`)).toBe(true);
  });

  it('rejects non-objects and non-JSON', () => {
    expect(v['base64-json'](Buffer.from('[1,2,3]').toString('base64'))).toBe(false);
    expect(v['base64-json'](Buffer.from('{"broken":').toString('base64'))).toBe(false);
    expect(v['base64-json']('eyJrIjoiQUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo')).toBe(false);
    expect(v['base64-json']('no marker here')).toBe(false);
  });
});

describe('basic-auth', () => {
  it('accepts base64 of user:password (empty password allowed)', () => {
    expect(v['basic-auth'](Buffer.from('admin:hunter2!').toString('base64'))).toBe(true);
    expect(v['basic-auth'](Buffer.from('sk_live_abc123:').toString('base64'))).toBe(true);
  });

  it('rejects words, realms, binary and colon-free text', () => {
    expect(v['basic-auth']('realm=')).toBe(false);
    expect(v['basic-auth']('auth')).toBe(false);
    expect(v['basic-auth'](Buffer.from('username').toString('base64'))).toBe(false);
    expect(v['basic-auth'](Buffer.from([0x00, 0x3a, 0xff, 0x10]).toString('base64'))).toBe(false);
    expect(v['basic-auth']('not base64 at all')).toBe(false);
  });
});

describe('bech32', () => {
  it('accepts the BIP-173 and BIP-350 valid test vectors', () => {
    for (const s of [
      'A12UEL5L',
      'a12uel5l',
      'abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxw',
      'split1checkupstagehandshakeupstreamerranterredcaperred2y9e3w',
      'A1LQFN3A',
      'abcdef1l7aum6echk45nj3s0wdvt2fg8x9yrzpqzd3ryx',
    ]) {
      expect(v.bech32(s), s).toBe(true);
    }
  });

  it('rejects the BIP-173 invalid test vectors', () => {
    for (const s of [
      'pzry9x0s0muk',
      '1pzry9x0s0muk',
      'x1b4n0q5v',
      'li1dgmt3',
      'A1G7SGD8',
      '10a06t8',
      '1qzzfhee',
      'A12uEL5L',
    ]) {
      expect(v.bech32(s), s).toBe(false);
    }
  });

  it('accepts age secret keys and breaks when any one data character changes', () => {
    expect(v.bech32(ageKey())).toBe(true);
    const upper = BECH.toUpperCase();
    fc.assert(
      fc.property(fc.integer({ min: 16, max: 73 }), fc.constantFrom(...upper), (index, c) => {
        const key = ageKey();
        fc.pre(key[index] !== c);
        expect(v.bech32(substituted(key, index, c))).toBe(false);
      }),
    );
  });
});

describe('base64-pem-private-key', () => {
  const pem = (label: string) =>
    `-----BEGIN ${label}-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END ${label}-----\n`;

  it('accepts base64 of PEM private keys, also when cut short', () => {
    for (const label of [
      'PRIVATE KEY',
      'RSA PRIVATE KEY',
      'EC PRIVATE KEY',
      'OPENSSH PRIVATE KEY',
      'ENCRYPTED PRIVATE KEY',
    ]) {
      const b64 = Buffer.from(pem(label)).toString('base64');
      expect(v['base64-pem-private-key'](b64), label).toBe(true);
      expect(v['base64-pem-private-key'](b64.slice(0, 64)), `${label} truncated`).toBe(true);
    }
  });

  it('rejects certificates and public keys', () => {
    expect(v['base64-pem-private-key'](Buffer.from(pem('CERTIFICATE')).toString('base64'))).toBe(false);
    expect(v['base64-pem-private-key'](Buffer.from(pem('PUBLIC KEY')).toString('base64'))).toBe(false);
    expect(v['base64-pem-private-key']('LS0tLS1CRUdJTi!!')).toBe(false);
  });
});

describe('checksumValidators', () => {
  it('is frozen and names every validator the bundled pack may use', () => {
    expect(Object.isFrozen(checksumValidators)).toBe(true);
    expect(Object.keys(checksumValidators).sort()).toEqual(
      [
        'base64-json',
        'base64-jwt',
        'base64-pem-private-key',
        'basic-auth',
        'bech32',
        'github-crc32',
        'jwt',
        'npm-crc32',
      ].sort(),
    );
  });

  it('never throws and always answers a boolean, whatever the input', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string({ maxLength: 120 }), fc.string({ unit: 'binary', maxLength: 120 })),
        (s) => {
          for (const validate of Object.values(checksumValidators))
            expect(typeof validate(s)).toBe('boolean');
        },
      ),
    );
  });
});
