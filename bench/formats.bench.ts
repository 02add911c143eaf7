/**
 * Format benchmark: the same seeded records scrubbed as text lines, as JSON lines (with the
 * default secret-key rules) and as msgpack maps (Fluentd's format), one thread, through the
 * same per-format batch scrubber the workers run. Ratios are against text mode in this run.
 *
 *   npx tsx bench/formats.bench.ts [--mb 16] [--seed 1] [--runs 5]
 */
import { parseArgs } from 'node:util';
import { encode } from '@msgpack/msgpack';
import { Scrubber } from '../src/engine/scrubber.js';
import type { FormatName } from '../src/engine/types.js';
import { DEFAULT_SECRET_KEYS } from '../src/formats/key-rules.js';
import { formatScrubber } from '../src/pipeline/format-scrub.js';
import { compileRuleset } from '../src/rules/compile.js';
import { buildRulesetSpec } from '../src/rules/ruleset.js';
import { corpusLines } from './corpus.js';
import { machineSummary } from './lib/machine.js';
import { median } from './lib/stats.js';
import { fmt, markdownTable } from './lib/table.js';

const { values: args } = parseArgs({
  options: {
    mb: { type: 'string', default: '16' },
    seed: { type: 'string', default: '1' },
    runs: { type: 'string', default: '5' },
  },
});
const targetBytes = Number(args.mb) * 2 ** 20;
const runs = Number(args.runs);

/** Records as objects: JSON lines of the corpus as they are, other lines as {message}. */
function records(): object[] {
  const out: object[] = [];
  let bytes = 0;
  for (const line of corpusLines({ seed: Number(args.seed) })) {
    let rec: object;
    try {
      const v = JSON.parse(line);
      rec = typeof v === 'object' && v !== null && !Array.isArray(v) ? v : { message: line };
    } catch {
      rec = { message: line };
    }
    out.push(rec);
    bytes += line.length;
    if (bytes >= targetBytes) return out;
  }
  return out;
}

/** Batches of ~1 MiB, cut at record boundaries. */
function batchesOf(encoded: Buffer[]): Buffer[] {
  const out: Buffer[] = [];
  let pending: Buffer[] = [];
  let size = 0;
  for (const e of encoded) {
    pending.push(e);
    size += e.length;
    if (size >= 1 << 20) {
      out.push(Buffer.concat(pending));
      pending = [];
      size = 0;
    }
  }
  if (pending.length) out.push(Buffer.concat(pending));
  return out;
}

async function main(): Promise<void> {
  console.log(`# hushlog formats benchmark\n\n${machineSummary()}`);
  console.log(`Command: npx tsx bench/formats.bench.ts ${process.argv.slice(2).join(' ')}`.trim());
  const recs = records();
  const textLines = recs.map((r) => Buffer.from(`${'message' in r && Object.keys(r).length === 1 ? (r as { message: string }).message : JSON.stringify(r)}\n`));
  const inputs: Record<FormatName, Buffer[]> = {
    text: batchesOf(textLines),
    jsonl: batchesOf(recs.map((r) => Buffer.from(`${JSON.stringify(r)}\n`))),
    msgpack: batchesOf(recs.map((r) => Buffer.from(encode(r)))),
    json: [],
  };
  const { spec } = await buildRulesetSpec({ hashKeyHex: 'b3'.repeat(32), secretKeys: [...DEFAULT_SECRET_KEYS] });
  const scrub = formatScrubber(spec, new Scrubber(compileRuleset(spec)));
  const rows: string[][] = [];
  let textRate = 0;
  for (const format of ['text', 'jsonl', 'msgpack'] as const) {
    const batches = inputs[format];
    const bytes = batches.reduce((n, b) => n + b.length, 0);
    const times: number[] = [];
    let findings = 0;
    for (let r = 0; r < runs + 1; r++) {
      findings = 0;
      const t = performance.now();
      for (const b of batches) findings += scrub(b, { format, state: 0 }).findings.length;
      if (r > 0) times.push(performance.now() - t); // the first run warms the JIT up
    }
    const ms = median(times);
    const mbps = bytes / 1e6 / (ms / 1000);
    if (format === 'text') textRate = mbps;
    rows.push([
      format,
      fmt(bytes / 1e6, 1),
      fmt(mbps, 1),
      fmt(recs.length / (ms / 1000)),
      `${fmt(mbps / textRate, 2)}x`,
      fmt(findings),
    ]);
  }
  console.log(`\n${recs.length.toLocaleString('en-US')} records; median of ${runs} runs after one warm-up\n`);
  console.log(markdownTable(['format', 'MB:', 'MB/s:', 'records/s:', 'vs text:', 'findings:'], rows));
}

await main();
