/**
 * Engine micro-benchmark: Scrubber.scrub on one thread over ~1 MiB line-aligned batches of a
 * seeded in-memory corpus, next to a floor measured in the same run (line splitting with
 * Buffer.indexOf over the same batches), plus ruleset compile times and a detection check.
 * Output goes into one reused buffer, as the CLI's pipeline does (its pooled output buffers);
 * `--fresh-output` gives every batch a new one instead.
 *
 *   npx tsx bench/engine.bench.ts [--mb 32] [--seed 1] [--time 3000] [--skip-100k]
 */
import { parseArgs } from 'node:util';
import { Bench } from 'tinybench';
import { Scrubber } from '../src/engine/scrubber.js';
import type { RulesetSpec } from '../src/engine/types.js';
import { type CompiledRuleset, compileRuleset } from '../src/rules/compile.js';
import { buildRulesetSpec } from '../src/rules/ruleset.js';
import { knownValuesFor, plantedCorpus } from './corpus.js';
import { countLines, lineAlignedBatches } from './lib/batches.js';
import { DetectionTally } from './lib/detection.js';
import { machineSummary } from './lib/machine.js';
import { mbPerSec, median } from './lib/stats.js';
import { fmt, fmtRate, markdownTable } from './lib/table.js';

const { values: args } = parseArgs({
  options: {
    mb: { type: 'string', default: '32' },
    seed: { type: 'string', default: '1' },
    time: { type: 'string', default: '3000' },
    'batch-kib': { type: 'string', default: '1024' },
    'compile-runs': { type: 'string', default: '15' },
    'skip-100k': { type: 'boolean', default: false },
    'fresh-output': { type: 'boolean', default: false },
  },
});
const corpusBytes = Number(args.mb) * 2 ** 20;
const seed = Number(args.seed);
const timeMs = Number(args.time);
const compileRuns = Number(args['compile-runs']);
// A fixed key: fingerprints do not matter here, and a random one would make runs differ.
const HASH_KEY = 'b3'.repeat(32);

interface EngineCase {
  name: string;
  target: number;
  spec: RulesetSpec;
  compileRuns: number;
}

async function main(): Promise<void> {
  console.log(`# hushlog engine benchmark\n\n${machineSummary()}`);
  console.log(`Command: npx tsx bench/engine.bench.ts ${process.argv.slice(2).join(' ')}`.trim());

  const known100k = args['skip-100k'] ? [] : knownValuesFor(seed, 100_000);
  const known1k = knownValuesFor(seed, 1_000);
  const t0 = performance.now();
  // Known values from the 1k set are planted; the 100k set contains them (same seeded stream).
  const { buffer, planted } = plantedCorpus({ seed, bytes: corpusBytes, knownValues: known1k });
  const batches = lineAlignedBatches(buffer, Number(args['batch-kib']) * 1024);
  console.log(
    `\nCorpus: seed ${seed}, ${fmt(buffer.length / 1e6, 1)} MB, ${fmt(countLines(buffer))} lines, ` +
      `${batches.length} batches of ~${args['batch-kib']} KiB (generated in ${fmt(performance.now() - t0)} ms)`,
  );

  const base = (await buildRulesetSpec({ defaultRules: true, hashKeyHex: HASH_KEY })).spec;
  const withKnown = async (values: string[]) =>
    (
      await buildRulesetSpec({
        defaultRules: true,
        hashKeyHex: HASH_KEY,
        knownValues: values.map((value, i) => ({ source: `bench:value-${i}`, value })),
      })
    ).spec;
  const cases: EngineCase[] = [
    { name: `default pack (${base.rules.length} rules)`, target: 300, spec: base, compileRuns },
    {
      name: 'default pack + 1k known values',
      target: 250,
      spec: await withKnown(known1k),
      compileRuns: Math.max(3, compileRuns >> 1),
    },
  ];
  if (known100k.length > 0) {
    cases.push({
      name: 'default pack + 100k known values',
      target: 150,
      spec: await withKnown(known100k),
      compileRuns: 3,
    });
  }

  const compileRows: (string | number)[][] = [];
  const compiled = new Map<EngineCase, CompiledRuleset>();
  for (const c of cases) {
    const times: number[] = [];
    let last: CompiledRuleset | undefined;
    for (let i = 0; i < c.compileRuns; i++) {
      const start = performance.now();
      last = compileRuleset(c.spec);
      times.push(performance.now() - start);
    }
    compiled.set(c, last as CompiledRuleset);
    const target = c.compileRuns === compileRuns ? '< 200' : '';
    compileRows.push([c.name, fmt(median(times), 1), fmt(Math.min(...times), 1), c.compileRuns, target]);
  }
  console.log(`\n## Compile time (compileRuleset, median of N)\n`);
  console.log(markdownTable(['ruleset', 'median ms:', 'min ms:', 'N:', 'target ms:'], compileRows));

  const bench = new Bench({ time: timeMs, iterations: batches.length, warmupTime: 500 });
  const meanBatch = buffer.length / batches.length;
  let sink = 0;
  let floorIdx = 0;
  bench.add('floor: split lines (Buffer.indexOf)', () => {
    sink += countLines(batches[floorIdx++ % batches.length] as Buffer);
  });
  const maxBatch = Math.max(...batches.map((b) => b.length));
  const output = args['fresh-output'] ? undefined : Buffer.allocUnsafe(maxBatch + (maxBatch >> 3) + 4096);
  for (const c of cases) {
    const scrubber = new Scrubber(compiled.get(c) as CompiledRuleset);
    let idx = 0;
    bench.add(c.name, () => {
      sink += scrubber.scrub(batches[idx++ % batches.length] as Buffer, undefined, output).findings.length;
    });
  }
  await bench.run();

  const floor = bench.tasks[0]?.result;
  const floorMean = floor ? mbPerSec(meanBatch, floor.latency.mean) : Number.NaN;
  const rows = bench.tasks.map((task, i) => {
    const r = task.result;
    if (!r || r.error) return [task.name, 'error', '', '', '', r?.error ? r.error.name : ''];
    const mean = mbPerSec(meanBatch, r.latency.mean);
    const p50 = mbPerSec(meanBatch, r.latency.p50 ?? Number.NaN);
    const c = cases[i - 1];
    const verdict = c ? (mean >= c.target ? `>= ${c.target} met` : `>= ${c.target} MISSED`) : '';
    return [
      task.name,
      fmtRate(mean),
      fmtRate(p50),
      `${fmt(mean / floorMean, 3)}x`,
      String(r.latency.samples.length),
      verdict,
    ];
  });
  console.log(`\n## Throughput, one thread (MB = 10^6 bytes; per-batch latency samples)\n`);
  console.log(
    markdownTable(['case', 'MB/s mean:', 'MB/s p50:', 'vs floor:', 'samples:', 'target MB/s'], rows),
  );

  // Detection against the planted truth, with the fullest ruleset that was planted for.
  const full = cases[1] as EngineCase;
  const scrubber = new Scrubber(compiled.get(full) as CompiledRuleset);
  const tally = new DetectionTally(planted);
  let line = 0;
  for (const batch of batches) {
    tally.add(line, batch, scrubber.scrub(batch));
    line += countLines(batch);
  }
  console.log(`\n## Detection on the same corpus (${full.name})\n`);
  console.log(tally.report());
  if (sink === -1) console.log('unreachable: keeps the measured work observable');
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? `${err.name}: ${err.message}` : String(err));
  process.exit(1);
});
