/**
 * What the seeded corpus is made of: size, line lengths, formats, planted secrets and traps.
 *
 *   npx tsx bench/corpus-stats.ts [--mb 32] [--seed 1] [--known 1000]
 */
import { parseArgs } from 'node:util';
import { corpusEntries, knownValuesFor } from './corpus.js';
import { percentile } from './lib/stats.js';
import { fmt, markdownTable } from './lib/table.js';

const { values: args } = parseArgs({
  options: {
    mb: { type: 'string', default: '32' },
    seed: { type: 'string', default: '1' },
    known: { type: 'string', default: '1000' },
  },
});

const seed = Number(args.seed);
const limit = Number(args.mb) * 2 ** 20;
const known = Number(args.known) > 0 ? knownValuesFor(seed, Number(args.known)) : undefined;
const lengths: number[] = [];
const formats = new Map<string, number>();
let bytes = 0;
let secrets = 0;
let traps = 0;
let nonAscii = 0;
for (const entry of corpusEntries({ seed, knownValues: known })) {
  const size = Buffer.byteLength(entry.text);
  lengths.push(size);
  bytes += size + 1;
  if (entry.secret && !entry.secret.continuation) secrets++;
  if (entry.trap) traps++;
  if (size > entry.text.length) nonAscii++;
  const format = classify(entry.text);
  formats.set(format, (formats.get(format) ?? 0) + 1);
  if (bytes >= limit) break;
}

const n = lengths.length;
console.log(`Command: npx tsx bench/corpus-stats.ts ${process.argv.slice(2).join(' ')}`.trim());
console.log(`\nseed ${seed}: ${fmt(bytes / 1e6, 1)} MB, ${fmt(n)} lines\n`);
console.log(
  markdownTable(
    ['measure', 'value:'],
    [
      [
        'line bytes p50 / p90 / p99 / max',
        [50, 90, 99, 100].map((p) => fmt(percentile(lengths, p))).join(' / '),
      ],
      ['lines with a secret (start of one)', `${fmt(secrets)} (${fmt((100 * secrets) / n, 2)}%)`],
      ['lines with a precision trap', `${fmt(traps)} (${fmt((100 * traps) / n, 2)}%)`],
      ['lines with non-ASCII bytes', `${fmt(nonAscii)} (${fmt((100 * nonAscii) / n, 2)}%)`],
      ...[...formats]
        .sort((a, b) => b[1] - a[1])
        .map(([f, c]) => [`format: ${f}`, `${fmt((100 * c) / n, 1)}%`]),
    ],
  ),
);

function classify(line: string): string {
  if (line.startsWith('{')) return line.length > 2000 ? 'pino JSON, long (> 2 KB)' : 'pino JSON';
  if (line.startsWith('time=')) return 'logfmt';
  if (/^\S+ - - \[/.test(line)) return 'nginx access';
  if (/^[A-Z][a-z]{2} [ \d]\d \d\d:/.test(line)) return 'syslog';
  if (/^\s+at |^\t(at |\.\.\.)|^[\w.]+(Exception|Error)\b/.test(line)) return 'stack trace';
  if (/^-----(BEGIN|END)|^[A-Za-z0-9+/=]{1,64}$/.test(line)) return 'PEM block';
  return 'other';
}
