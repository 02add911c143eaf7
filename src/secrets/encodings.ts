/**
 * The byte patterns under which a known secret can show up in a log line.
 *
 * Applications rarely log a secret only as its raw bytes: it passes through a JSON
 * serializer, a URL query, an HTTP Basic header, a Kubernetes manifest or a hex dump on its
 * way to the log. Each family below reproduces what common encoders emit, so that the
 * known-value matcher can search for all of them with one scan.
 */

/**
 * Encoded forms shorter than this are dropped: a short encoded fragment (a stable base64
 * middle of a short value, say) would mask unrelated text. The raw value itself is exempt;
 * its length is the sources' `minLength` policy (see normalize.ts).
 */
export const MIN_ENCODED_FORM_BYTES = 8;

const utf8 = new TextEncoder();

/**
 * Distinct byte patterns to search for `value`: the raw UTF-8 bytes first, then every
 * JSON, URL, base64 and hex form at least MIN_ENCODED_FORM_BYTES long.
 */
export function encodedForms(value: string): Uint8Array[] {
  return encodedFormTexts(value).map((text) => utf8.encode(text));
}

/**
 * The same forms as text whose UTF-8 encoding is the pattern (every encoded form is ASCII
 * except JSON forms that keep non-ASCII characters). Distinct texts have distinct bytes, so
 * deduplicating text is deduplicating patterns, without a byte buffer per candidate form.
 */
export function encodedFormTexts(value: string): string[] {
  const forms = new DistinctForms();
  if (value.length > 0) forms.add(value);
  // Values made only of characters no encoder escapes skip the JSON and URL families:
  // every form would equal the raw value. Random API keys all take this path.
  if (NEEDS_JSON_ESCAPE.test(value)) for (const text of jsonForms(value)) forms.addEncoded(text);
  const raw = Buffer.from(value, 'utf8');
  if (NEEDS_URL_ESCAPE.test(value)) for (const text of urlForms(raw)) forms.addAscii(text);
  for (const text of base64Forms(raw)) forms.addAscii(text);
  for (const text of hexForms(raw)) forms.addAscii(text);
  return forms.list;
}

const NEEDS_JSON_ESCAPE = /[^\x20-\x7e]|["\\/<>&'+`]/;
const NEEDS_URL_ESCAPE = /[^A-Za-z0-9._-]/;

/** A value has a few dozen forms at most: a linear scan beats hashing every string. */
class DistinctForms {
  readonly list: string[] = [];

  add(text: string): void {
    if (!this.list.includes(text)) this.list.push(text);
  }

  addEncoded(text: string): void {
    if (Buffer.byteLength(text, 'utf8') >= MIN_ENCODED_FORM_BYTES) this.add(text);
  }

  /** For forms known to be ASCII, where length is byte length. */
  addAscii(text: string): void {
    if (text.length >= MIN_ENCODED_FORM_BYTES) this.add(text);
  }
}

// ---------------------------------------------------------------------------------------
// JSON: the value as it appears between the quotes of a JSON string.

interface JsonProfile {
  /** Escape `/` as `\/` (PHP's json_encode does by default). */
  solidus: boolean;
  /** Escape every non-ASCII UTF-16 unit as `\uXXXX` (Python's ensure_ascii, PHP, .NET). */
  asciiOnly: boolean;
  /** Characters escaped as `\uXXXX` even though JSON does not require it (HTML-safe encoders). */
  htmlSafe: string;
  /** Hex digits of `\uXXXX` in upper case (.NET, Jackson) rather than lower (JS, Python, Go, PHP). */
  upperHex: boolean;
}

/**
 * One profile per serializer family seen in logs. Values that need no escaping collapse to
 * the raw form and are deduplicated away.
 */
const JSON_PROFILES: readonly JsonProfile[] = [
  // JSON.stringify, Jackson and serde defaults, PHP with JSON_UNESCAPED_SLASHES|UNICODE.
  { solidus: false, asciiOnly: false, htmlSafe: '', upperHex: false },
  // PHP json_encode with JSON_UNESCAPED_UNICODE: slashes still escaped.
  { solidus: true, asciiOnly: false, htmlSafe: '', upperHex: false },
  // PHP json_encode default.
  { solidus: true, asciiOnly: true, htmlSafe: '', upperHex: false },
  // Python json.dumps default (ensure_ascii).
  { solidus: false, asciiOnly: true, htmlSafe: '', upperHex: false },
  // Jackson with ESCAPE_NON_ASCII.
  { solidus: false, asciiOnly: true, htmlSafe: '', upperHex: true },
  // Go encoding/json: HTML-safe by default, also escapes U+2028/U+2029.
  { solidus: false, asciiOnly: false, htmlSafe: '<>&\u2028\u2029', upperHex: false },
  // .NET System.Text.Json default encoder.
  { solidus: false, asciiOnly: true, htmlSafe: '<>&\'+`"', upperHex: true },
];

const JSON_SHORT_ESCAPES: Readonly<Record<string, string>> = {
  '"': '\\"',
  '\\': '\\\\',
  '\b': '\\b',
  '\f': '\\f',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
};

/**
 * The value as each JSON serializer family writes it inside a string, without the quotes.
 * Profiles that agree on this value (say, no `/` and no non-ASCII character) are escaped
 * once.
 */
export function jsonForms(value: string): string[] {
  const relevant = relevantProfiles(value);
  return relevant.map((profile) => jsonEscape(value, profile));
}

/** The profiles as they act on `value`: flags with no effect on it are cleared, then deduplicated. */
function relevantProfiles(value: string): JsonProfile[] {
  const hasSlash = value.includes('/');
  let hasNonAscii = false;
  let hasEscape = false;
  for (let i = 0; i < value.length; i++) {
    const unit = value.charCodeAt(i);
    if (unit >= 0x80) hasNonAscii = true;
    if (unit < 0x20 || (unit >= 0xd800 && unit <= 0xdfff)) hasEscape = true;
  }
  const keys: string[] = [];
  const relevant: JsonProfile[] = [];
  for (const profile of JSON_PROFILES) {
    let htmlSafe = '';
    for (const ch of profile.htmlSafe) if (value.includes(ch)) htmlSafe += ch;
    const asciiOnly = profile.asciiOnly && hasNonAscii;
    const solidus = profile.solidus && hasSlash;
    // Hex digits appear only in \uXXXX escapes.
    const upperHex = profile.upperHex && (asciiOnly || htmlSafe !== '' || hasEscape);
    const key = `${Number(solidus)}${Number(asciiOnly)}${Number(upperHex)}${htmlSafe}`;
    if (!keys.includes(key)) {
      keys.push(key);
      relevant.push({ solidus, asciiOnly, htmlSafe, upperHex });
    }
  }
  return relevant;
}

function jsonEscape(value: string, profile: JsonProfile): string {
  let out = '';
  for (let i = 0; i < value.length; i++) {
    const ch = value[i];
    const unit = value.charCodeAt(i);
    if (profile.htmlSafe.includes(ch)) out += unicodeEscape(unit, profile.upperHex);
    else if (JSON_SHORT_ESCAPES[ch] !== undefined) out += JSON_SHORT_ESCAPES[ch];
    else if (unit < 0x20) out += unicodeEscape(unit, profile.upperHex);
    else if (ch === '/' && profile.solidus) out += '\\/';
    else if (unit >= 0xd800 && unit <= 0xdfff && !isPairedSurrogate(value, i)) {
      // Well-formed JSON.stringify escapes lone surrogates; every encoder must, or emit U+FFFD.
      out += unicodeEscape(unit, profile.upperHex);
    } else if (unit >= 0x80 && profile.asciiOnly) out += unicodeEscape(unit, profile.upperHex);
    else out += ch;
  }
  return out;
}

function unicodeEscape(unit: number, upperHex: boolean): string {
  const hex = unit.toString(16).padStart(4, '0');
  return `\\u${upperHex ? hex.toUpperCase() : hex}`;
}

function isPairedSurrogate(text: string, i: number): boolean {
  const unit = text.charCodeAt(i);
  if (unit <= 0xdbff) {
    const next = text.charCodeAt(i + 1);
    return next >= 0xdc00 && next <= 0xdfff;
  }
  const prev = text.charCodeAt(i - 1);
  return prev >= 0xd800 && prev <= 0xdbff;
}

// ---------------------------------------------------------------------------------------
// URL: the value as a query parameter, form field or path segment.

/**
 * Bytes each family leaves unescaped: encodeURIComponent; WHATWG form encoding
 * (URLSearchParams, Java URLEncoder); RFC 3986 unreserved (Python quote, Go QueryEscape).
 */
const URL_SAFE_SETS: readonly Uint8Array[] = ["-_.!~*'()", '*-._', '-._~'].map((extra) =>
  byteSet(`ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789${extra}`),
);

const URL_FAMILY_DIFFERENCES: readonly number[] = [..."!'()*~"].map((ch) => ch.charCodeAt(0));

function byteSet(chars: string): Uint8Array {
  const set = new Uint8Array(256);
  for (let i = 0; i < chars.length; i++) set[chars.charCodeAt(i)] = 1;
  return set;
}

/**
 * The value's UTF-8 bytes percent-encoded by each URL encoder family, each with `%20` and
 * with `+` for spaces, in upper- and lower-case hex. Families that agree on this value's
 * bytes are encoded once; the variants are derived by substitution (at 100k values with
 * URL-like secrets, encoding every combination dominated the matcher's build time).
 */
export function urlForms(raw: Uint8Array): string[] {
  const families: string[] = [];
  // The families differ only on these characters; without them one encoding serves all.
  const sets = raw.some((byte) => URL_FAMILY_DIFFERENCES.includes(byte))
    ? URL_SAFE_SETS
    : URL_SAFE_SETS.slice(0, 1);
  for (const safe of sets) {
    const encoded = percentEncode(raw, safe);
    if (!families.includes(encoded)) families.push(encoded);
  }
  const forms: string[] = [];
  for (const upper of families) {
    const lower = upper.replace(/%[0-9A-F]{2}/g, (percent) => percent.toLowerCase());
    const hexCases = lower === upper ? [upper] : [upper, lower];
    for (const form of hexCases) {
      forms.push(form);
      if (form.includes('%20')) forms.push(form.replaceAll('%20', '+'));
    }
  }
  return forms;
}

/** Upper-case hex, `%20` for spaces (`+` never appears unescaped: it is in no safe set). */
function percentEncode(raw: Uint8Array, safe: Uint8Array): string {
  const digits = '0123456789ABCDEF';
  let out = '';
  for (const byte of raw) {
    if (safe[byte] === 1) out += String.fromCharCode(byte);
    else out += `%${digits[byte >>> 4]}${digits[byte & 15]}`;
  }
  return out;
}

// ---------------------------------------------------------------------------------------
// base64: Kubernetes secret data, HTTP Basic credentials, tokens wrapped in other tokens.

/** The value's base64 forms, standard and URL-safe (see the comments inside). */
export function base64Forms(raw: Buffer): string[] {
  // One scratch buffer serves every variant: two zero bytes to shift the value to
  // alignments 1 and 2, the value, and a newline.
  const n = raw.length;
  const framed = Buffer.allocUnsafe(n + 3);
  framed[0] = 0;
  framed[1] = 0;
  raw.copy(framed, 2);
  framed[n + 2] = 0x0a;
  const whole = framed.toString('base64', 2, n + 2);
  const forms = [
    // The value encoded alone (a Kubernetes manifest's data), padded and unpadded
    // (base64url usually drops the padding).
    whole,
    withoutPadding(whole),
    // `echo secret | base64` also encodes the newline, which changes the last characters.
    framed.toString('base64', 2, n + 3),
    // Inside a longer blob (Basic `user:pass`, a JSON document encoded whole) the value
    // starts at any of three byte alignments; only the characters computed from the value's
    // bytes alone are stable, the one or two at each edge mix in the neighbours' bits.
    stableMiddle(whole, 0, n),
    stableMiddle(framed.toString('base64', 1, n + 2), 1, n),
    stableMiddle(framed.toString('base64', 0, n + 2), 2, n),
  ];
  for (let i = 0, count = forms.length; i < count; i++) {
    const form = forms[i];
    if (form.includes('+') || form.includes('/')) forms.push(form.replaceAll('+', '-').replaceAll('/', '_'));
  }
  return forms;
}

function withoutPadding(encoded: string): string {
  let end = encoded.length;
  while (end > 0 && encoded.charCodeAt(end - 1) === 0x3d) end--;
  return encoded.slice(0, end);
}

/**
 * The base64 characters that depend only on the value when it starts `alignment` bytes
 * into a 3-byte group (`encoded` is the encoding of `alignment` zero bytes then the value):
 * character k covers bits [6k, 6k+6) of the stream and is kept iff those bits lie inside
 * the value's bits [8a, 8a + 8n).
 */
function stableMiddle(encoded: string, alignment: number, n: number): string {
  const first = Math.ceil((8 * alignment) / 6);
  const end = Math.floor((8 * (alignment + n)) / 6);
  return end > first ? encoded.slice(first, end) : '';
}

// ---------------------------------------------------------------------------------------
// hex: hex dumps, debug printing of byte arrays, some token stores.

/** Lower- and upper-case hex of the value's UTF-8 bytes. */
export function hexForms(raw: Buffer): string[] {
  const lower = raw.toString('hex');
  return [lower, lower.toUpperCase()];
}
