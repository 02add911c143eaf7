/**
 * Relay throughput on loopback: forward -> hushlog -> forward against forward -> forward.
 * Three processes: a generator (pre-encoded PackedForward chunks with `chunk` ids, a window of
 * chunks in flight, waits for acks), the hushlog relay (ForwardServer -> scrubForwardEvents ->
 * FluentForwardSink, scrubbing in the main thread) and an aggregator (@fluent-org/logger's
 * FluentServer, counting entries). A run is timed from the first byte sent to the aggregator
 * holding every record.
 *
 *   npx tsx bench/relay.ts [--records 200000] [--chunk 500] [--runs 3] [--seed 1]
 */
import { type ChildProcess, fork } from 'node:child_process';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { FluentServer } from '@fluent-org/logger';
import { Scrubber } from '../src/engine/scrubber.js';
import { StructureRules } from '../src/formats/structure-rules.js';
import { compileRuleset } from '../src/rules/compile.js';
import { buildRulesetSpec } from '../src/rules/ruleset.js';
import { createForwardDecoder, createForwardEncoder } from '../src/sinks/fluent-codec.js';
import { EventTime } from '../src/sinks/fluent-event.js';
import { FluentForwardSink } from '../src/sinks/fluent-forward-client.js';
import { scrubForwardEvents } from '../src/sources/forward-scrub.js';
import { ForwardServer } from '../src/sources/forward-server.js';
import { corpusLines } from './corpus.js';
import { machineSummary } from './lib/machine.js';
import { mbPerSec, median } from './lib/stats.js';
import { fmt, fmtRate, markdownTable } from './lib/table.js';

const SELF = fileURLToPath(import.meta.url);
const { values: args } = parseArgs({
  options: {
    role: { type: 'string', default: 'main' },
    records: { type: 'string', default: '200000' },
    chunk: { type: 'string', default: '500' },
    runs: { type: 'string', default: '3' },
    seed: { type: 'string', default: '1' },
    port: { type: 'string', default: '0' },
  },
});
const RECORDS = Number(args.records);
const CHUNK_EVENTS = Number(args.chunk);
const WINDOW = 16;

type Message =
  | { type: 'listening'; port: number }
  | { type: 'ready'; payloadBytes: number }
  | { type: 'go' }
  | { type: 'done'; count: number }
  | { type: 'rss'; maxRssKiB: number };

const send = (m: Message) => process.send?.(m);

function recordFor(line: string, i: number): Record<string, unknown> {
  return { log: line, host: `web-${i % 8}`, pid: 4000 + (i % 64), stream: 'stdout' };
}

/** Pre-encodes every chunk, then on 'go' sends them with WINDOW chunks awaiting acks. */
async function generator(port: number): Promise<void> {
  const encoder = createForwardEncoder();
  const lines = corpusLines({ seed: Number(args.seed) });
  const chunks: Buffer[] = [];
  let payloadBytes = 0;
  for (let i = 0; i < RECORDS; i += CHUNK_EVENTS) {
    const entries: Uint8Array[] = [];
    for (let j = i; j < Math.min(RECORDS, i + CHUNK_EVENTS); j++) {
      const line = lines.next().value as string;
      payloadBytes += Buffer.byteLength(line);
      entries.push(encoder.encode([new EventTime(1700000000 + j, j % 1e9), recordFor(line, j)]));
    }
    chunks.push(
      Buffer.from(
        encoder.encode(['bench.app', Buffer.concat(entries), { size: entries.length, chunk: `c${i}` }]),
      ),
    );
  }
  const socket = net.connect(port, '127.0.0.1');
  await new Promise<void>((r) => socket.once('connect', () => r()));
  send({ type: 'ready', payloadBytes });
  await new Promise<void>((r) => process.once('message', () => r()));
  let next = 0;
  let inFlight = 0;
  const pump = () => {
    while (inFlight < WINDOW && next < chunks.length) {
      inFlight++;
      socket.write(chunks[next++]);
    }
  };
  pump();
  for await (const _ack of createForwardDecoder().decodeStream(socket)) {
    inFlight--;
    if (next >= chunks.length && inFlight === 0) break;
    pump();
  }
  socket.destroy();
}

async function aggregator(): Promise<void> {
  const server = new FluentServer({ listenOptions: { host: '127.0.0.1', port: 0 } });
  let count = 0;
  server.on('entry', () => {
    if (++count === RECORDS) send({ type: 'done', count });
  });
  await server.listen();
  send({ type: 'listening', port: server.port as number });
}

async function relay(outputPort: number): Promise<void> {
  const { spec } = await buildRulesetSpec({});
  const ctx = {
    scrubber: new Scrubber(compileRuleset(spec)),
    structure: new StructureRules(spec.options.structure),
  };
  const sink = new FluentForwardSink({ host: '127.0.0.1', port: outputPort, selfHostname: 'bench-relay' });
  sink.on('error', (err) => {
    console.error(err.message);
    process.exit(1);
  });
  const server = new ForwardServer({
    port: 0,
    selfHostname: 'bench-relay-in',
    onBatch: (batch) => sink.write(scrubForwardEvents(batch.events, ctx).events),
  });
  const { port } = await server.listen();
  send({ type: 'listening', port });
  process.on('message', () => send({ type: 'rss', maxRssKiB: process.resourceUsage().maxRSS }));
}

function spawn(role: string, extra: string[] = []): ChildProcess {
  return fork(
    SELF,
    [
      '--role',
      role,
      '--records',
      String(RECORDS),
      '--chunk',
      String(CHUNK_EVENTS),
      '--seed',
      String(args.seed),
      ...extra,
    ],
    {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    },
  );
}

function next<T extends Message['type']>(
  child: ChildProcess,
  type: T,
): Promise<Extract<Message, { type: T }>> {
  return new Promise((resolve, reject) => {
    const onMessage = (m: Message) => {
      if (m.type !== type) return;
      child.off('message', onMessage);
      resolve(m as Extract<Message, { type: T }>);
    };
    child.on('message', onMessage);
    child.once('exit', (code) => reject(new Error(`${type}: child exited with ${code}`)));
  });
}

async function runOnce(
  withRelay: boolean,
): Promise<{ ms: number; payloadBytes: number; relayRssKiB?: number }> {
  const agg = spawn('aggregator');
  const children = [agg];
  try {
    const { port: aggPort } = await next(agg, 'listening');
    let target = aggPort;
    let relayChild: ChildProcess | undefined;
    if (withRelay) {
      relayChild = spawn('relay', ['--port', String(aggPort)]);
      children.push(relayChild);
      target = (await next(relayChild, 'listening')).port;
    }
    const gen = spawn('generator', ['--port', String(target)]);
    children.push(gen);
    const { payloadBytes } = await next(gen, 'ready');
    const done = next(agg, 'done');
    const t0 = performance.now();
    gen.send({ type: 'go' });
    await done;
    const ms = performance.now() - t0;
    let relayRssKiB: number | undefined;
    if (relayChild) {
      const rss = next(relayChild, 'rss');
      relayChild.send({ type: 'go' });
      relayRssKiB = (await rss).maxRssKiB;
    }
    return { ms, payloadBytes, relayRssKiB };
  } finally {
    for (const c of children) c.kill();
  }
}

async function main(): Promise<void> {
  const runs = Number(args.runs);
  const results: Record<
    'direct' | 'relay',
    Array<{ ms: number; payloadBytes: number; relayRssKiB?: number }>
  > = { direct: [], relay: [] };
  for (let i = 0; i < runs; i++) {
    // Alternate so drift on a shared machine hits both chains alike.
    results.direct.push(await runOnce(false));
    results.relay.push(await runOnce(true));
  }
  const rows = (['direct', 'relay'] as const).map((name) => {
    const ms = median(results[name].map((r) => r.ms));
    const bytes = results[name][0].payloadBytes;
    const rss = results[name].map((r) => r.relayRssKiB).filter((x): x is number => x !== undefined);
    return [
      name === 'direct' ? 'forward -> forward' : 'forward -> hushlog -> forward',
      fmtRate((RECORDS / ms) * 1000),
      fmt(mbPerSec(bytes, ms), 1),
      fmt(ms),
      rss.length ? `${fmt(Math.max(...rss) / 1024)} MiB` : '-',
    ];
  });
  console.log(`# Relay throughput\n\n${machineSummary()}\n`);
  console.log(
    `${RECORDS} records in PackedForward chunks of ${CHUNK_EVENTS}, ${WINDOW} chunks in flight, median of ${runs} runs.`,
  );
  console.log('MB/s counts the log-line payload (the `log` field), not msgpack framing.\n');
  console.log(markdownTable(['chain', 'records/s:', 'MB/s:', 'ms:', 'relay max RSS:'], rows));
}

const role = args.role;
if (role === 'generator') await generator(Number(args.port));
else if (role === 'aggregator') await aggregator();
else if (role === 'relay') await relay(Number(args.port));
else await main();
