/**
 * pino throughput with and without hushlog: lines per second a logger sustains into /dev/null,
 * counted from the first log call until the destination has flushed and closed (so work a
 * worker thread still holds is included). Each scenario runs in its own child process.
 *
 *   npm run build && npx tsx bench/pino.bench.ts [--lines 200000] [--runs 3] [--only a,b]
 *
 * The transport scenarios run the compiled dist/ in pino's worker (hence the build); the
 * in-process stream runs from src/ through tsx, the same code.
 *
 * Scenarios:
 *   plain            pino -> pino.destination('/dev/null') (main thread, async SonicBoom)
 *   pino-redact      same, with pino's own `redact` paths
 *   transport-file   pino.transport pino/file -> /dev/null (worker, no scrubbing)
 *   hushlog-stage    pino.transport pipeline [hushlog/pino, pino/file -> /dev/null]
 *   hushlog-stage-keys  same, with a `secretKeys` rule (`password`)
 *   hushlog-dest     pino.transport hushlog/pino with destination /dev/null
 *   hushlog-stream   pino(opts, hushlog stream({ destination: '/dev/null' })) in process
 *
 * Then CPU time per line of each piece, measured alone on one thread (process.cpuUsage, so a
 * busy machine inflates it less than wall time): pino serialising a line, the hushlog stage as
 * the worker runs it (splitter, batching, Scrubber, writing), pino/file's share, and the
 * Scrubber call alone. With one core per thread, the stage keeps up with the logger when its
 * cost per line is below pino's.
 */
import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { cpus, loadavg } from 'node:os';
import { resolve } from 'node:path';
import { PassThrough, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { loadPinoEngine } from '../src/pino/load-engine.js';
import type { ScrubLinesTransform } from '../src/pino/scrub-transform.js';
import { closeLogStream } from '../src/pino/shutdown.js';
import { stream as hushlogStream } from '../src/pino/stream.js';
import hushlogTransport from '../src/pino/transport.js';

const SCENARIOS = [
  'plain',
  'pino-redact',
  'transport-file',
  'hushlog-stage',
  'hushlog-stage-keys',
  'hushlog-dest',
  'hushlog-stream',
] as const;
type Scenario = (typeof SCENARIOS)[number];

const { values: args } = parseArgs({
  options: {
    lines: { type: 'string', default: '200000' },
    runs: { type: 'string', default: '3' },
    only: { type: 'string' },
    scenario: { type: 'string' },
    costs: { type: 'boolean' },
  },
});

const SELF = fileURLToPath(import.meta.url);
const TRANSPORT = resolve(SELF, '../../dist/pino/transport.js');
// Planted in 1 line of 200, like the secret rate of the project's corpus (0.5%).
const API_TOKEN = 'bench-token-7f3a9c2e41d84b6fa0c5';
const REDACT_PATHS = ['token', 'user.password', 'req.headers.authorization'];
// The bundled detector pack plus one known value from the environment.
const HUSHLOG_OPTIONS = { secretsEnv: ['BENCH_API_TOKEN'] };
// The same with a key-name rule, which parses the lines that hold a `password` key.
const HUSHLOG_KEY_OPTIONS = { ...HUSHLOG_OPTIONS, secretKeys: ['password'] };

async function runScenario(scenario: Scenario, lines: number): Promise<number> {
  process.env.BENCH_API_TOKEN = API_TOKEN;
  const { logger, close } = await setup(scenario);
  logLines(logger, 2_000); // warm-up of the logging path, not of the worker start
  const start = process.hrtime.bigint();
  logLines(logger, lines);
  await close();
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return lines / seconds;
}

async function setup(scenario: Scenario): Promise<{ logger: pino.Logger; close: () => Promise<unknown> }> {
  switch (scenario) {
    case 'plain':
    case 'pino-redact': {
      const dest = pino.destination({ dest: '/dev/null', sync: false });
      const logger = pino(scenario === 'pino-redact' ? { redact: REDACT_PATHS } : {}, dest);
      return { logger, close: () => flushSonic(dest) };
    }
    case 'transport-file':
    case 'hushlog-stage':
    case 'hushlog-stage-keys':
    case 'hushlog-dest': {
      const file: pino.TransportTargetOptions = {
        target: 'pino/file',
        options: { destination: '/dev/null' },
      };
      const stage = (options: object): pino.TransportTargetOptions => ({ target: TRANSPORT, options });
      const transport =
        scenario === 'transport-file'
          ? pino.transport(file)
          : scenario === 'hushlog-dest'
            ? pino.transport(stage({ ...HUSHLOG_OPTIONS, destination: '/dev/null' }))
            : pino.transport({
                pipeline: [stage(scenario === 'hushlog-stage' ? HUSHLOG_OPTIONS : HUSHLOG_KEY_OPTIONS), file],
              });
      await new Promise((ready) => transport.once('ready', ready));
      return { logger: pino(transport), close: () => closeLogStream(transport, 120_000) };
    }
    case 'hushlog-stream': {
      const dest = hushlogStream({ ...HUSHLOG_OPTIONS, destination: '/dev/null' });
      await dest.ready;
      return { logger: pino(dest), close: () => closeLogStream(dest, 120_000) };
    }
  }
}

function flushSonic(dest: ReturnType<typeof pino.destination>): Promise<void> {
  return new Promise((done) => dest.flush(() => done()));
}

function logLines(logger: pino.Logger, n: number): void {
  for (let i = 0; i < n; i++) {
    if (i % 200 === 199) {
      logger.warn(
        { token: API_TOKEN, user: { id: i, password: 'pw' } },
        `retrying upstream with ${API_TOKEN}`,
      );
    } else {
      logger.info(
        {
          reqId: `req-${i}`,
          route: '/api/v1/items',
          status: 200,
          durationMs: i % 97,
          user: { id: i % 1000 },
        },
        'request handled',
      );
    }
  }
}

/** The exact lines logLines() produces, as pino serialises them. */
function serialisedLines(n: number): string[] {
  const lines: string[] = [];
  logLines(pino({ level: 'info' }, { write: (line: string) => lines.push(line) }), n);
  return lines;
}

function cpuMicros(run: () => void): number {
  const before = process.cpuUsage();
  run();
  const used = process.cpuUsage(before);
  return used.user + used.system;
}

async function cpuMicrosAsync(run: () => Promise<unknown>): Promise<number> {
  const before = process.cpuUsage();
  await run();
  const used = process.cpuUsage(before);
  return used.user + used.system;
}

/** Feeds ~64 KiB string chunks (what thread-stream hands a worker) through a stage to /dev/null. */
async function throughStage(stage: Writable & NodeJS.ReadableStream, chunks: string[]): Promise<void> {
  const dest = pino.destination({ dest: '/dev/null', sync: false });
  const done = pipeline(stage, dest as unknown as NodeJS.WritableStream);
  for (const chunk of chunks) if (!stage.write(chunk)) await once(stage, 'drain');
  stage.end();
  await done;
}

async function measureCosts(n: number): Promise<Array<[string, number]>> {
  process.env.BENCH_API_TOKEN = API_TOKEN;
  const lines = serialisedLines(n);
  const chunks: string[] = [];
  for (let i = 0; i < lines.length; i += 350) chunks.push(lines.slice(i, i + 350).join(''));
  const batches: string[] = [];
  for (let i = 0; i < lines.length; i += 1400) batches.push(lines.slice(i, i + 1400).join(''));
  // 100k+ retained small strings would make every GC of the measured code slower.
  lines.length = 0;
  const { batches: scrubber } = await loadPinoEngine(HUSHLOG_OPTIONS);
  const { batches: keyScrubber } = await loadPinoEngine(HUSHLOG_KEY_OPTIONS);
  const noop = { write() {} };
  const serialise = cpuMicros(() => logLines(pino({}, noop), n));
  const redactSerialise = cpuMicros(() => logLines(pino({ redact: REDACT_PATHS }, noop), n));
  const scrubOnly = cpuMicros(() => {
    for (const b of batches) scrubber.scrub(b);
  });
  const keyScrubOnly = cpuMicros(() => {
    for (const b of batches) keyScrubber.scrub(b);
  });
  const file = await cpuMicrosAsync(() => throughStage(new PassThrough(), chunks));
  const stage = await cpuMicrosAsync(async () =>
    // Without a destination, the factory returns the pipeline stage.
    throughStage((await hushlogTransport(HUSHLOG_OPTIONS)) as ScrubLinesTransform, chunks),
  );
  return [
    ['pino serialising a line (main thread)', serialise / n],
    ['pino serialising, with redact paths', redactSerialise / n],
    ['pino/file writing a line (worker)', file / n],
    ['hushlog stage + pino/file (worker)', stage / n],
    ['of which Scrubber calls', scrubOnly / n],
    ['Scrubber calls with the secretKeys rule', keyScrubOnly / n],
  ];
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1];
}

async function main(): Promise<void> {
  const lines = Number(args.lines);
  if (args.costs) {
    // Twice: the first pass warms up the JIT and the ruleset's lazy paths.
    await measureCosts(Math.min(lines, 50_000));
    const costs = await measureCosts(lines);
    process.stdout.write(`${JSON.stringify(costs)}\n`);
    return;
  }
  if (args.scenario) {
    const rate = await runScenario(args.scenario as Scenario, lines);
    process.stdout.write(`${JSON.stringify({ rate })}\n`);
    return;
  }
  const chosen = args.only ? (args.only.split(',') as Scenario[]) : [...SCENARIOS];
  const rates = new Map<Scenario, number[]>(chosen.map((s) => [s, []]));
  // Round-robin over the scenarios, so a change in machine load hits all of them alike.
  for (let r = 0; r < Number(args.runs); r++) {
    for (const scenario of chosen) {
      const out = execFileSync(
        process.execPath,
        [...process.execArgv, SELF, '--scenario', scenario, '--lines', String(lines)],
        { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] },
      );
      rates.get(scenario)?.push(JSON.parse(out.trim().split('\n').pop() ?? '{}').rate);
    }
  }
  const results: Array<[Scenario, number]> = chosen.map((s) => [s, median(rates.get(s) ?? [])]);
  for (const [scenario, runs] of rates) {
    process.stderr.write(`${scenario}: ${runs.map((x) => Math.round(x)).join(', ')} lines/s\n`);
  }
  const plain = results.find(([s]) => s === 'plain')?.[1];
  const rows = results.map(([s, rate]) => {
    const ratio = plain ? `${Math.round((rate / plain) * 100)}%` : '';
    return `| ${s} | ${Math.round(rate).toLocaleString('en-US')} | ${ratio} |`;
  });
  console.log(
    `pino ${pino.version}, Node ${process.version}, ${cpus().length} CPUs, load average ${loadavg()
      .map((x) => x.toFixed(1))
      .join(' ')}; ${lines} lines per run, median of ${args.runs} runs\n`,
  );
  console.log(['| scenario | lines/s | vs plain |', '|---|---:|---:|', ...rows].join('\n'));

  const costs: Array<[string, number]> = JSON.parse(
    execFileSync(process.execPath, [...process.execArgv, SELF, '--costs', '--lines', String(lines)], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    })
      .trim()
      .split('\n')
      .pop() ?? '[]',
  );
  console.log('\n| CPU per line, one thread | µs |\n|---|---:|');
  for (const [what, micros] of costs) console.log(`| ${what} | ${micros.toFixed(2)} |`);
}

await main();
