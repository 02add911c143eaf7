/**
 * Where the engine's time goes: the keyword automaton alone (no-op callback) next to a full
 * scrub, and the top self-time functions of the full scrub from V8's sampling profiler.
 *
 *   npx tsx bench/engine-profile.ts [--mb 8] [--seed 1] [--passes 3]
 */
import { Session } from 'node:inspector/promises';
import { parseArgs } from 'node:util';
import { Scrubber } from '../src/engine/scrubber.js';
import { compileRuleset } from '../src/rules/compile.js';
import { buildRulesetSpec } from '../src/rules/ruleset.js';
import { corpusBuffer } from './corpus.js';
import { countLines, lineAlignedBatches } from './lib/batches.js';
import { machineSummary } from './lib/machine.js';
import { mbPerSec, median } from './lib/stats.js';
import { fmt, fmtRate, markdownTable } from './lib/table.js';

const { values: args } = parseArgs({
  options: {
    mb: { type: 'string', default: '8' },
    seed: { type: 'string', default: '1' },
    passes: { type: 'string', default: '3' },
  },
});

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
}

async function main(): Promise<void> {
  console.log(`# hushlog engine profile\n\n${machineSummary()}`);
  console.log(`Command: npx tsx bench/engine-profile.ts ${process.argv.slice(2).join(' ')}`.trim());
  const buf = corpusBuffer({ seed: Number(args.seed), bytes: Number(args.mb) * 2 ** 20 });
  const batches = lineAlignedBatches(buf, 1 << 20);
  const compiled = compileRuleset(
    (await buildRulesetSpec({ defaultRules: true, hashKeyHex: 'b3'.repeat(32) })).spec,
  );
  const scrubber = new Scrubber(compiled);
  const passes = Number(args.passes);

  const scanMs: number[] = [];
  const hitLines = new Set<number>();
  let hits = 0;
  for (let p = 0; p <= passes; p++) {
    const start = performance.now();
    for (const b of batches) compiled.keywordScanner.scan(b, 0, b.length, () => hits++);
    if (p > 0) scanMs.push(performance.now() - start); // pass 0 warms the JIT
  }
  compiled.keywordScanner.scan(buf, 0, buf.length, (end) => hitLines.add(buf.lastIndexOf(10, end - 1)));

  for (const b of batches) scrubber.scrub(b);
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  const scrubMs: number[] = [];
  for (let p = 0; p < passes; p++) {
    const start = performance.now();
    for (const b of batches) scrubber.scrub(b);
    scrubMs.push(performance.now() - start);
  }
  const { profile } = await session.post('Profiler.stop');
  session.disconnect();

  const lines = countLines(buf);
  console.log(
    `\nCorpus: ${fmt(buf.length / 1e6, 1)} MB, ${fmt(lines)} lines; ${fmt(hits / (passes + 1))} keyword hits on ${fmt(hitLines.size)} lines (${fmt((100 * hitLines.size) / lines, 1)}%)\n`,
  );
  console.log(
    markdownTable(
      ['stage (default pack, one thread)', 'MB/s median:'],
      [
        ['keyword automaton only (no-op hit callback)', fmtRate(mbPerSec(buf.length, median(scanMs)))],
        ['full Scrubber.scrub', fmtRate(mbPerSec(buf.length, median(scrubMs)))],
      ],
    ),
  );

  const byId = new Map<number, ProfileNode>(profile.nodes.map((n) => [n.id, n as ProfileNode]));
  const self = new Map<string, number>();
  for (const id of profile.samples ?? []) {
    const frame = byId.get(id)?.callFrame;
    const name = !frame
      ? '?'
      : frame.url === '' && frame.functionName === ''
        ? '(native code)'
        : `${frame.functionName || '(anonymous)'} ${frame.url.split('/').pop() ?? ''}`.trim();
    self.set(name, (self.get(name) ?? 0) + 1);
  }
  const total = profile.samples?.length ?? 1;
  const top = [...self].sort((a, b) => b[1] - a[1]).slice(0, 12);
  console.log('\nSelf time during the full scrub (inlined callees count in their caller):\n');
  console.log(
    markdownTable(
      ['function', 'self %:'],
      top.map(([name, n]) => [name, fmt((100 * n) / total, 1)]),
    ),
  );
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? `${err.name}: ${err.message}` : String(err));
  process.exit(1);
});
