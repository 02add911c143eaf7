/**
 * End-to-end throughput and latency of the CLI against the tools a user would otherwise use,
 * all timed in one run as `cat corpus | X | cat > /dev/null` (medians; ratios within the run).
 *
 *   npx tsx bench/e2e.ts [--mb 500] [--runs 3] [--seed 1] [--keep] [--corpus FILE]
 *
 * Needs `npm run build` first (bin/hushlog.js runs the compiled dist/).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { buildRulesetSpec } from '../src/rules/ruleset.js';
import { knownValuesFor, writeCorpusFile } from './corpus.js';
import { machineSummary } from './lib/machine.js';
import { hasGnuTime, runShell, sh, timePipeline } from './lib/pipeline.js';
import { RG_FLAGS, writeRgPatterns } from './lib/rg-patterns.js';
import { mbPerSec, median, percentile } from './lib/stats.js';
import { fmt, fmtRate, markdownTable } from './lib/table.js';
import { trickleLatency } from './lib/trickle.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const HUSHLOG = join(ROOT, 'bin', 'hushlog.js');

const { values: args } = parseArgs({
  options: {
    mb: { type: 'string', default: '500' },
    runs: { type: 'string', default: '3' },
    seed: { type: 'string', default: '1' },
    keep: { type: 'boolean', default: false },
    corpus: { type: 'string' },
    'rg-max-seconds': { type: 'string', default: '60' },
    'trickle-seconds': { type: 'string', default: '10' },
    'skip-trickle': { type: 'boolean', default: false },
  },
});

interface Case {
  name: string;
  stage: string;
  /** Bytes of input this case reads (ripgrep may get a prefix when it is very slow). */
  input: string;
  bytes: number;
  hushlog: boolean;
  ms: number[];
  rssKiB: number[];
  cpuSeconds: number[];
}

async function main(): Promise<void> {
  const runs = Number(args.runs);
  const seed = Number(args.seed);
  const dir = mkdtempSync(join(tmpdir(), 'hushlog-bench-e2e-'));
  try {
    console.log(`# hushlog end-to-end benchmark\n\n${machineSummary()}`);
    console.log(`Command: npx tsx bench/e2e.ts ${process.argv.slice(2).join(' ')}`.trim());
    if (!existsSync(join(ROOT, 'dist', 'index.js')))
      throw new Error('dist/ is missing: run `npm run build` first');

    const known = knownValuesFor(seed, 1_000);
    const corpus = args.corpus ?? join(dir, 'corpus.log');
    const t0 = performance.now();
    if (!args.corpus) writeCorpusFile(corpus, { seed, bytes: Number(args.mb) * 1e6, knownValues: known });
    const bytes = statSync(corpus).size;
    console.log(
      `\nCorpus: ${corpus}, ${fmt(bytes / 1e6, 1)} MB, seed ${seed}, 1k known values planted (${fmt((performance.now() - t0) / 1000, 1)} s to write)`,
    );

    const dotenv = join(dir, 'secrets.env');
    writeFileSync(dotenv, known.map((v, i) => `BENCH_SECRET_${String(i).padStart(4, '0')}=${v}\n`).join(''));

    const { spec } = await buildRulesetSpec({ defaultRules: true });
    const rg = writeRgPatterns(spec.rules, join(dir, 'rg-patterns.txt'));
    console.log(
      `\nripgrep: ${rg.accepted.length} of ${spec.rules.length} default-pack regexes accepted, ${rg.rejected.length} excluded:`,
    );
    for (const r of rg.rejected) console.log(`- ${r.id}: ${r.reason}`);

    await runShell(`cat ${sh(corpus)} > /dev/null`); // page cache warm for everyone
    const rgStage = `rg ${RG_FLAGS.join(' ')} --passthru -r '[REDACTED]' -f ${sh(rg.path)}`;
    const rgInput = await rgSizedInput(corpus, bytes, rgStage, dir, Number(args['rg-max-seconds']));

    const node = sh(process.execPath);
    const hushlog = (extra: string) => `${node} ${sh(HUSHLOG)} ${extra}`.trim();
    const mk = (name: string, stage: string, isHushlog = false, input = { path: corpus, bytes }): Case => ({
      name,
      stage,
      input: input.path,
      bytes: input.bytes,
      hushlog: isHushlog,
      ms: [],
      rssKiB: [],
      cpuSeconds: [],
    });
    const cases: Case[] = [
      mk('cat', 'cat'),
      mk('node stdin.pipe(stdout)', `${node} -e ${sh('process.stdin.pipe(process.stdout)')}`),
      mk(`ripgrep ${rgVersion()} (${rg.accepted.length} rules)`, rgStage, false, rgInput),
    ];
    for (const w of [0, 1, 2]) cases.push(mk(`hushlog --workers ${w}`, hushlog(`--workers ${w}`), true));
    for (const w of [0, 1, 2]) {
      cases.push(
        mk(
          `hushlog --workers ${w} + 1k known values`,
          hushlog(`--workers ${w} --secrets-file ${sh(dotenv)}`),
          true,
        ),
      );
    }

    // Rounds interleave the cases so a noisy neighbour spreads over all of them.
    for (let round = 0; round < runs; round++) {
      for (const c of cases) {
        const measureRss = hasGnuTime() ? join(dir, 'rss.txt') : undefined;
        const run = await timePipeline(c.input, c.stage, { measureRss });
        c.ms.push(run.ms);
        if (run.peakRssKiB !== undefined && c.hushlog) c.rssKiB.push(run.peakRssKiB);
        if (run.cpuSeconds !== undefined) c.cpuSeconds.push(run.cpuSeconds);
        process.stderr.write(
          `round ${round + 1}/${runs} ${c.name}: ${fmt(mbPerSec(c.bytes, run.ms))} MB/s\n`,
        );
      }
    }

    const rate = (c: Case) => mbPerSec(c.bytes, median(c.ms));
    const [cat, nodePipe, rgCase] = cases as [Case, Case, Case];
    const rows = cases.map((c) => [
      c.name,
      fmtRate(rate(c)),
      `${fmtRate(mbPerSec(c.bytes, Math.max(...c.ms)))}-${fmtRate(mbPerSec(c.bytes, Math.min(...c.ms)))}`,
      `${fmtRate(rate(c) / rate(cat))}x`,
      `${fmtRate(rate(c) / rate(nodePipe))}x`,
      `${fmtRate(rate(c) / rate(rgCase))}x`,
      c.rssKiB.length ? fmt(Math.max(...c.rssKiB) / 1024) : '',
      c.cpuSeconds.length ? fmt((median(c.cpuSeconds) * 1000) / (c.bytes / 1e6), 2) : '',
    ]);
    console.log(`\n## Throughput: cat corpus | X | cat > /dev/null (median of ${runs}; MB = 10^6 bytes)\n`);
    console.log(
      markdownTable(
        ['X', 'MB/s:', 'range:', 'vs cat:', 'vs node pipe:', 'vs rg:', 'peak RSS MiB:', 'CPU ms/MB:'],
        rows,
      ),
    );
    console.log(
      '\nCPU ms/MB: user + system time of X alone (every thread, start-up included) per MB, median;' +
        ' on 2 cores, 2 x 1000 / (CPU ms/MB) bounds the MB/s X could reach with the whole machine.',
    );
    if (rgInput.bytes !== bytes) {
      console.log(
        `\nripgrep ran on the first ${fmt(rgInput.bytes / 1e6)} MB only (a full run would exceed --rg-max-seconds).`,
      );
    }

    const lines = Number((await runShell(`cat ${sh(corpus)} | ${hushlog('--workers 2')} | wc -l`)).trim());
    const inputLines = Number((await runShell(`wc -l < ${sh(corpus)}`)).trim());
    console.log(
      `\nSanity: hushlog --workers 2 wrote ${fmt(lines)} lines for ${fmt(inputLines)} input lines.`,
    );

    if (!args['skip-trickle']) await latency(Number(args['trickle-seconds']) * 1000);
    if (args.keep) console.log(`\nKept ${dir}`);
  } finally {
    if (!args.keep) rmSync(dir, { recursive: true, force: true });
  }
}

async function latency(durationMs: number): Promise<void> {
  const rows: (string | number)[][] = [];
  for (const w of [0, 2]) {
    const r = await trickleLatency(process.execPath, [HUSHLOG, '--workers', String(w)], {
      intervalMs: 50,
      durationMs,
      cwd: ROOT,
    });
    rows.push([
      `hushlog --workers ${w}`,
      fmt(r.startupMs),
      `${r.receivedLive}/${r.sent}`,
      fmt(percentile(r.latenciesMs, 50), 1),
      fmt(percentile(r.latenciesMs, 99), 1),
      fmt(Math.max(...r.latenciesMs), 1),
    ]);
  }
  console.log(`\n## Added latency on a trickle (1 line / 50 ms for ${durationMs / 1000} s, default flush)\n`);
  console.log(
    markdownTable(['filter', 'start-up ms:', 'lines out before EOF:', 'p50 ms:', 'p99 ms:', 'max ms:'], rows),
  );
}

/**
 * ripgrep with a pack of detector regexes can run below 1 MB/s: time it on 1 MB first and,
 * if the whole corpus would take longer than `maxSeconds`, give it a prefix that fits.
 */
async function rgSizedInput(
  corpus: string,
  bytes: number,
  stage: string,
  dir: string,
  maxSeconds: number,
): Promise<{ path: string; bytes: number }> {
  const probe = join(dir, 'rg-probe.log');
  await runShell(`head -c 1000000 ${sh(corpus)} | head -n -1 > ${sh(probe)}`);
  const probeBytes = statSync(probe).size;
  const { ms } = await timePipeline(probe, stage);
  const projected = (bytes / probeBytes) * (ms / 1000);
  if (projected <= maxSeconds) return { path: corpus, bytes };
  const prefixBytes = Math.max(probeBytes, Math.floor((bytes * maxSeconds) / projected));
  const path = join(dir, 'rg-prefix.log');
  // `head -n -1` drops the cut line so the prefix ends on a line boundary.
  await runShell(`head -c ${prefixBytes} ${sh(corpus)} | head -n -1 > ${sh(path)}`);
  return { path, bytes: statSync(path).size };
}

function rgVersion(): string {
  const out = spawnSync('rg', ['--version'], { encoding: 'utf8' }).stdout ?? '';
  return /ripgrep (\S+)/.exec(out)?.[1] ?? '?';
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
