/**
 * Engine micro-benchmark: Scrubber.scrub on one thread over ~1 MiB line-aligned batches of a
 * seeded in-memory corpus, next to a floor measured in the same run (line splitting with
 * Buffer.indexOf over the same batches), plus ruleset compile times and a detection check.
 * Output goes into one reused buffer, as the CLI's pipeline does (its pooled output buffers);
 * `--fresh-output` gives every batch a new one instead.
 *
 *   npx tsx bench/engine.bench.ts [--mb 32] [--seed 1] [--time 10000] [--rounds 5] [--skip-100k]
 *
 * `--time` is per case, spread over `--rounds` interleaved rounds.
 */
import { parseArgs } from 'node:util';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
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
    time: { type: 'string', default: '10000' },
    rounds: { type: 'string', default: '5' },
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

  // Compiling 100k values three times leaves ~0.5 GB of garbage; collected during the first
  // round it cost that round ~0.5 s of GC (measured with a PerformanceObserver). Collect now.
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();

  // The cases run in interleaved rounds (floor, case 1, case 2, ... then again), each round a
  // tinybench run of its own: on these shared VMs the speed available changes over seconds,
  // and interleaving gives every case the same mix of good and bad moments.
  const meanBatch = buffer.length / batches.length;
  const maxBatch = Math.max(...batches.map((b) => b.length));
  const output = args['fresh-output'] ? undefined : Buffer.allocUnsafe(maxBatch + (maxBatch >> 3) + 4096);
  let sink = 0;
  const tasks: Array<{ name: string; target?: number; run: () => void }> = [];
  let floorIdx = 0;
  tasks.push({
    name: 'floor: split lines (Buffer.indexOf)',
    run: () => {
      sink += countLines(batches[floorIdx++ % batches.length] as Buffer);
    },
  });
  for (const c of cases) {
    const scrubber = new Scrubber(compiled.get(c) as CompiledRuleset);
    let idx = 0;
    tasks.push({
      name: c.name,
      target: c.target,
      run: () => {
        const batch = batches[idx++ % batches.length] as Buffer;
        sink += scrubber.scrub(batch, undefined, output).findings.length;
      },
    });
  }
  const rounds = Number(args.rounds);
  const roundMeans: number[][] = tasks.map(() => []);
  const roundP50s: number[][] = tasks.map(() => []);
  for (let round = 0; round < rounds; round++) {
    const bench = new Bench({
      time: timeMs / rounds,
      iterations: batches.length,
      warmupTime: round === 0 ? 500 : 100,
    });
    for (const t of tasks) bench.add(t.name, t.run);
    await bench.run();
    bench.tasks.forEach((task, i) => {
      const r = task.result;
      if (!r || r.error) throw new Error(`${task.name}: ${r?.error?.message ?? 'no result'}`);
      roundMeans[i].push(mbPerSec(meanBatch, r.latency.mean));
      roundP50s[i].push(mbPerSec(meanBatch, r.latency.p50 ?? Number.NaN));
    });
  }

  const floorRate = median(roundMeans[0]);
  const rows = tasks.map((t, i) => {
    const rate = median(roundMeans[i]);
    const verdict = t.target ? (rate >= t.target ? `>= ${t.target} met` : `>= ${t.target} MISSED`) : '';
    return [
      t.name,
      fmtRate(rate),
      fmtRate(median(roundP50s[i])),
      `${fmtRate(Math.min(...roundMeans[i]))}-${fmtRate(Math.max(...roundMeans[i]))}`,
      `${fmt(rate / floorRate, 3)}x`,
      verdict,
    ];
  });
  console.log(
    `\n## Throughput, one thread (MB = 10^6 bytes; ${rounds} interleaved rounds of ` +
      `${fmt(timeMs / rounds)} ms per case)\n`,
  );
  console.log(
    markdownTable(
      ['case', 'MB/s (median of round means):', 'MB/s p50:', 'round means:', 'vs floor:', 'target MB/s'],
      rows,
    ),
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
