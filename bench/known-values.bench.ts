/**
 * Known-value matcher alone: build time, memory and scan throughput for 1k and 100k random
 * base62 values (16-64 chars) over line-aligned batches of the seeded corpus, one thread.
 *
 *   npx tsx bench/known-values.bench.ts [--mb 20] [--seed 1] [--runs 7] [--batch-kib 256] [--counts 1000,100000]
 *
 * Each run is one pass over every batch; MB/s is reported as the median and the best run
 * (on a shared machine the best run is the one least disturbed by other processes).
 */
import { parseArgs } from 'node:util';
import { KnownValueMatcher } from '../src/engine/known-values.js';
import { knownValuesFor, plantedCorpus } from './corpus.js';
import { lineAlignedBatches } from './lib/batches.js';
import { machineSummary } from './lib/machine.js';
import { mbPerSec, median } from './lib/stats.js';
import { fmt, fmtRate, markdownTable } from './lib/table.js';

const { values: args } = parseArgs({
  options: {
    mb: { type: 'string', default: '20' },
    seed: { type: 'string', default: '1' },
    runs: { type: 'string', default: '7' },
    'batch-kib': { type: 'string', default: '256' },
    counts: { type: 'string', default: '1000,100000' },
  },
});
const seed = Number(args.seed);
const runs = Number(args.runs);
const counts = args.counts.split(',').map(Number);
/** Targets from the design brief: MB/s by value count, and build time at 100k. */
const SCAN_TARGET: Record<number, number> = { 1000: 300, 100000: 180 };
const BUILD_TARGET_MS_100K = 3000;

function main(): void {
  console.log(`# hushlog known-value matcher benchmark\n\n${machineSummary()}`);
  console.log(`Command: npx tsx bench/known-values.bench.ts ${process.argv.slice(2).join(' ')}`.trim());

  const largest = knownValuesFor(seed, Math.max(...counts));
  // Planted values come from the smallest set, so every matcher below must find them.
  const planted = largest.slice(0, Math.min(...counts));
  const { buffer } = plantedCorpus({ seed, bytes: Number(args.mb) * 2 ** 20, knownValues: planted });
  const batches = lineAlignedBatches(buffer, Number(args['batch-kib']) * 1024);
  console.log(
    `\nCorpus: seed ${seed}, ${fmt(buffer.length / 1e6, 1)} MB in ${batches.length} batches of ~${args['batch-kib']} KiB\n`,
  );

  const rows: (string | number)[][] = [];
  for (const count of counts) {
    const values = largest.slice(0, count).map((value, i) => ({ source: `bench:${i}`, value }));
    const started = performance.now();
    const matcher = KnownValueMatcher.build(values);
    const buildMs = performance.now() - started;

    let matches = 0;
    const onMatch = () => {
      matches++;
    };
    const pass = (): number => {
      const t = performance.now();
      for (const batch of batches) matcher.scan(batch, 0, batch.length, onMatch);
      return performance.now() - t;
    };
    pass(); // warm-up: lets the scan loop reach optimized code
    matches = 0;
    const times = Array.from({ length: runs }, pass);
    const target = SCAN_TARGET[count];
    rows.push([
      fmt(count),
      fmt(matcher.patternCount),
      `${matcher.window}/${matcher.stride}`,
      fmt(buildMs),
      count === 100_000 ? `< ${BUILD_TARGET_MS_100K}` : '',
      fmt(matcher.memoryBytes / 2 ** 20, 1),
      fmtRate(mbPerSec(buffer.length, median(times))),
      fmtRate(mbPerSec(buffer.length, Math.min(...times))),
      target ? `>= ${target}` : '',
      fmt(matches / runs),
    ]);
  }
  console.log(
    markdownTable(
      [
        'values:',
        'patterns:',
        'window/stride:',
        'build ms:',
        'target:',
        'memory MiB:',
        'median MB/s:',
        'best MB/s:',
        'target MB/s:',
        'matches/pass:',
      ],
      rows,
    ),
  );
}

main();
