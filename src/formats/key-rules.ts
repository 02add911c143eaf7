import { HushlogConfigError } from '../errors.js';

/**
 * Key names whose values are secrets whatever they look like. A key matches when its
 * normalised form (lower case, without `-`, `_`, `.` and spaces) ENDS with a normalised name:
 * `db_password`, `X-Api-Key` and `clientSecret` match; `max_tokens`, `tokenType` and
 * `secretName` do not, which keeps AI-provider logs (`prompt_tokens`) readable.
 */
export const DEFAULT_SECRET_KEYS: readonly string[] = [
  'password',
  'passwd',
  'passphrase',
  'secret',
  'client_secret',
  'secret_key',
  'token',
  'access_token',
  'refresh_token',
  'id_token',
  'auth_token',
  'api_key',
  'apikey',
  'api-key',
  'x-api-key',
  'access_key',
  'private_key',
  'privatekey',
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'session_id',
  'sessionid',
  'credentials',
  'connection_string',
  'dsn',
];

export function normaliseKey(key: string): string {
  return key.toLowerCase().replace(/[-_.\s]/g, '');
}

export class KeyNameRules {
  private readonly names: string[];
  /** Literals a raw record must contain (case-insensitively) before a key can match. */
  readonly keywords: string[];

  constructor(names: readonly string[]) {
    for (const n of names) {
      if (normaliseKey(n).length === 0) {
        throw new HushlogConfigError(
          'E_KEY_NAME',
          `secret key name ${JSON.stringify(n)} is empty once normalised`,
        );
      }
    }
    this.names = [...new Set(names.map(normaliseKey))];
    // Both spellings: `api_key` is found in `my_api_key`, `apikey` in `myApiKey`.
    this.keywords = [...new Set(names.flatMap((n) => [n.toLowerCase(), normaliseKey(n)]))];
  }

  /** The matching configured name (normalised), or undefined. */
  match(key: string): string | undefined {
    const k = normaliseKey(key);
    for (const n of this.names) if (k.endsWith(n)) return n;
    return undefined;
  }

  get size(): number {
    return this.names.length;
  }
}
