/**
 * Deterministic, seeded corpus of realistic log lines for benchmarks and detection checks.
 *
 * The same options always give the same bytes (own PRNG, simulated clock). About `secretRate`
 * of the lines carry a detector-shaped secret or, when `knownValues` are given, one of those
 * values in a form logs carry it in; about `trapRate` carry a look-alike that must NOT be masked.
 * `corpusEntries` also says which line carries what, so a benchmark can check detection.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { LogFormats } from './corpus/formats.js';
import { Rng } from './corpus/prng.js';
import {
  type KnownValueForm,
  knownValueSample,
  type LineFormat,
  pemBody,
  type SecretKind,
  type SecretSample,
  secretSample,
  type TrapKind,
  trapSample,
} from './corpus/secrets.js';

export { base62Encode, crc32 } from './corpus/secrets.js';
export type { KnownValueForm, SecretKind, TrapKind };

export interface CorpusOptions {
  seed: number;
  /** Fraction of lines that carry a secret (default 0.005). */
  secretRate?: number;
  /** Values to plant (raw, JSON-escaped, URL-encoded or base64) among the secrets. */
  knownValues?: string[];
  /** Share of secret lines that carry a known value rather than a detector secret (default 0.3). */
  knownValueShare?: number;
  /** Fraction of lines with a precision trap (default 0.02). */
  trapRate?: number;
}

export interface SizedCorpusOptions extends CorpusOptions {
  /** Approximate size; the corpus stops at the first whole line past it. */
  bytes: number;
}

export interface CorpusLine {
  /** One physical line, without its `\n`. */
  text: string;
  /** Present when the line carries secret bytes. */
  secret?: {
    kind: SecretKind;
    /** Sensitive substrings exactly as they occur in `text`. */
    values: string[];
    /** Lines 2+ of a multi-line secret (a PEM block): not counted as a new secret. */
    continuation?: boolean;
    /** For known values: the encoding it appears in. */
    form?: KnownValueForm;
  };
  trap?: TrapKind;
}

const EVENT_FORMATS: readonly (readonly [EventFormat, number])[] = [
  ['pino', 42],
  ['nginx', 20],
  ['logfmt', 18],
  ['syslog', 14],
  ['stack', 0.6],
  ['long-json', 0.4],
];
type EventFormat = LineFormat | 'long-json';
type SingleLineFormat = Exclude<LineFormat, 'stack'>;

const SINGLE_LINE: readonly (readonly [SingleLineFormat, number])[] = [
  ['pino', 42],
  ['nginx', 20],
  ['logfmt', 18],
  ['syslog', 14],
];

/** Every line with what it carries. */
export function* corpusEntries(opts: CorpusOptions): Generator<CorpusLine> {
  const secretRate = opts.secretRate ?? 0.005;
  const trapRate = opts.trapRate ?? 0.02;
  const known = opts.knownValues ?? [];
  const knownShare = known.length > 0 ? (opts.knownValueShare ?? 0.3) : 0;
  const rng = new Rng(opts.seed);
  const fmt = new LogFormats(rng);

  for (;;) {
    const format = rng.weighted(EVENT_FORMATS);
    const frames = format === 'stack' ? rng.range(4, 24) : 0;
    // A multi-line event gets proportionally more chance so the rate stays per line.
    const lineCount = 1 + frames;
    if (rng.chance(Math.min(1, secretRate * lineCount))) {
      if (rng.chance(0.006)) {
        yield* pemBlock(rng, fmt);
        continue;
      }
      const sample: SecretSample & { form?: KnownValueForm } = rng.chance(knownShare)
        ? knownValueSample(rng, rng.pick(known))
        : secretSample(rng);
      const secret: NonNullable<CorpusLine['secret']> = { kind: sample.kind, values: sample.values };
      if (sample.form !== undefined) secret.form = sample.form;
      if (format === 'stack' && fits(sample, 'stack')) {
        const [first, ...rest] = fmt.stack(frames, sample.phrase);
        yield { text: first as string, secret };
        for (const text of rest) yield { text };
        continue;
      }
      yield { text: singleLine(fmt, pickFitting(rng, sample, format), sample), secret };
      continue;
    }
    if (format === 'stack') {
      for (const text of fmt.stack(frames)) yield { text };
      continue;
    }
    if (format !== 'long-json' && rng.chance(trapRate)) {
      const trap = trapSample(rng);
      const target = format === 'nginx' ? 'pino' : format;
      yield { text: singleLine(fmt, target, { phrase: trap.phrase }), trap: trap.kind };
      continue;
    }
    if (format === 'long-json') yield { text: fmt.pino(undefined, true) };
    else yield { text: singleLine(fmt, format) };
  }
}

/** The lines alone (no trailing `\n`). */
export function* corpusLines(opts: CorpusOptions): Generator<string> {
  for (const entry of corpusEntries(opts)) yield entry.text;
}

/** Whole lines, each ending in `\n`, about `bytes` long (it stops after the line that passes it). */
export function corpusBuffer(opts: SizedCorpusOptions): Buffer {
  const parts: Buffer[] = [];
  let size = 0;
  for (const chunk of corpusChunks(opts, 1 << 20)) {
    parts.push(chunk);
    size += chunk.length;
  }
  return Buffer.concat(parts, size);
}

/**
 * The same bytes as `corpusBuffer`, plus what each secret or trap line carries, keyed by its
 * 0-based line number: the ground truth for detection checks.
 */
export function plantedCorpus(opts: SizedCorpusOptions): {
  buffer: Buffer;
  planted: Map<number, CorpusLine>;
} {
  const planted = new Map<number, CorpusLine>();
  const parts: Buffer[] = [];
  for (const chunk of corpusChunks(opts, 1 << 20, (entry, line) => {
    if (entry.secret || entry.trap) planted.set(line, entry);
  })) {
    parts.push(chunk);
  }
  return { buffer: Buffer.concat(parts), planted };
}

/**
 * Writes the corpus to `path` in ~1 MiB chunks, so 500 MB never sits in memory.
 * Returns the bytes and lines written.
 */
export function writeCorpusFile(path: string, opts: SizedCorpusOptions): { bytes: number; lines: number } {
  const fd = openSync(path, 'w');
  let bytes = 0;
  let lines = 0;
  try {
    for (const chunk of corpusChunks(opts, 1 << 20)) {
      let off = 0;
      while (off < chunk.length) off += writeSync(fd, chunk, off);
      bytes += chunk.length;
      for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) lines++;
    }
  } finally {
    closeSync(fd);
  }
  return { bytes, lines };
}

/** `count` random base62 values of 16-64 chars, distinct, for known-value benchmarks. */
export function knownValuesFor(seed: number, count: number): string[] {
  // A different stream from the corpus seed's, so values never coincide with corpus text.
  const rng = new Rng(seed ^ 0x5bd1e995);
  const seen = new Set<string>();
  while (seen.size < count) seen.add(rng.base62(rng.range(16, 64)));
  return [...seen];
}

function* corpusChunks(
  opts: SizedCorpusOptions,
  chunkBytes: number,
  onEntry?: (entry: CorpusLine, line: number) => void,
): Generator<Buffer> {
  let pending: string[] = [];
  let pendingBytes = 0;
  let total = 0;
  let line = 0;
  for (const entry of corpusEntries(opts)) {
    onEntry?.(entry, line++);
    const size = Buffer.byteLength(entry.text) + 1;
    pending.push(entry.text);
    pendingBytes += size;
    total += size;
    const done = total >= opts.bytes;
    if (pendingBytes >= chunkBytes || done) {
      pending.push('');
      yield Buffer.from(pending.join('\n'));
      pending = [];
      pendingBytes = 0;
    }
    if (done) return;
  }
}

function fits(sample: Pick<SecretSample, 'fits' | 'query'>, format: LineFormat): boolean {
  if (format === 'nginx' && sample.query === undefined) return false;
  return sample.fits === undefined || sample.fits.includes(format);
}

/** The drawn format if the sample fits it, else a single-line format that does. */
function pickFitting(rng: Rng, sample: SecretSample, drawn: EventFormat): SingleLineFormat {
  if (drawn !== 'stack' && drawn !== 'long-json' && fits(sample, drawn)) return drawn;
  const options = SINGLE_LINE.filter(([f]) => fits(sample, f));
  return options.length > 0 ? rng.weighted(options) : 'syslog';
}

function singleLine(
  fmt: LogFormats,
  format: SingleLineFormat,
  embed?: Pick<SecretSample, 'phrase' | 'query'>,
): string {
  switch (format) {
    case 'pino':
      return fmt.pino(embed?.phrase);
    case 'nginx':
      return fmt.nginx(embed?.query);
    case 'logfmt':
      return fmt.logfmt(embed?.phrase);
    default:
      return fmt.syslog(embed?.phrase);
  }
}

/** A PEM private key printed as is (a program dumping its config), one line per row. */
function* pemBlock(rng: Rng, fmt: LogFormats): Generator<CorpusLine> {
  const { type, lines } = pemBody(rng);
  yield { text: fmt.syslog('loaded TLS key from environment:') };
  yield { text: `-----BEGIN ${type}-----`, secret: { kind: 'pem', values: [] } };
  for (const line of lines) yield { text: line, secret: { kind: 'pem', values: [line], continuation: true } };
  // The footer belongs to the secret: a rule masks the whole block, not just its body.
  yield { text: `-----END ${type}-----`, secret: { kind: 'pem', values: [], continuation: true } };
}
