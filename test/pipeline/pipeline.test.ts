import { PassThrough, Readable, Writable } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FaultPlan } from '../../src/pipeline/fault-plan.js';
import { InlineExecutor } from '../../src/pipeline/inline-executor.js';
import { Pipeline, type PipelineOptions } from '../../src/pipeline/pipeline.js';
import { WITHHELD_RECORD } from '../../src/pipeline/placeholder.js';
import { StreamSink } from '../../src/pipeline/sink.js';
import type { InputSource } from '../../src/pipeline/sources.js';
import { RunStats } from '../../src/report/run-stats.js';
import { rng, scrubberFor, testSpec, token } from './scrub-helpers.js';

const OPTS: PipelineOptions = {
  batchBytes: 4096,
  flushMs: 5,
  maxRecordBytes: 16384,
  maxInFlight: 4,
  windowOverlap: 256,
  holdMs: 50,
};

function collector(): { sink: StreamSink; output: () => Buffer } {
  const parts: Buffer[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      parts.push(Buffer.from(chunk));
      done();
    },
  });
  return { sink: new StreamSink(stream, 'test', false), output: () => Buffer.concat(parts) };
}

function source(stream: Readable): InputSource {
  return { name: 'stdin', open: () => stream };
}

async function makePipeline(
  sink: StreamSink,
  opts: Partial<PipelineOptions> = {},
  env: NodeJS.ProcessEnv = {},
) {
  const executor = new InlineExecutor(FaultPlan.fromEnv(env));
  await executor.load(testSpec());
  const stats = new RunStats();
  const failures: string[] = [];
  const pipeline = new Pipeline(
    executor,
    sink,
    stats,
    { ...OPTS, ...opts },
    { failure: (m) => failures.push(m) },
  );
  return { pipeline, stats, failures };
}

/** Chunks of the input with a small random pause before some of them. */
function chunked(input: Buffer, sizes: number[], pauses: number[]): Readable {
  return Readable.from(
    (async function* () {
      let pos = 0;
      let i = 0;
      while (pos < input.length) {
        const size = sizes[i % sizes.length];
        const pause = pauses[i % pauses.length];
        i++;
        if (pause > 0) await new Promise((r) => setTimeout(r, pause));
        yield input.subarray(pos, pos + size);
        pos += size;
      }
    })(),
  );
}

function logLines(count: number, seed: number): string {
  const rand = rng(seed);
  const lines: string[] = [];
  for (let i = 0; i < count; i++) {
    const filler = 'x'.repeat(Math.floor(rand() * 300));
    lines.push(rand() < 0.2 ? `${i} auth ${token(rand)} ${filler}` : `${i} ok ${filler}`);
  }
  return `${lines.join('\n')}\n`;
}

/**
 * Writes `text` once into a quiet input of a running pipeline; returns how long after that
 * write each output write came (the input ends 500 ms after it).
 */
async function delaysAfterOneWrite(opts: Partial<PipelineOptions>, text: string): Promise<number[]> {
  const input = new PassThrough();
  const seen: number[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      // The sink's end-of-run flush writes an empty chunk: not an arrival.
      if (chunk.length > 0) seen.push(performance.now());
      done();
    },
  });
  const { pipeline } = await makePipeline(new StreamSink(stream, 'test', false), opts);
  const running = pipeline.run([source(input)]);
  const sent = performance.now();
  input.write(text);
  await new Promise((r) => setTimeout(r, 500));
  input.end();
  await running;
  return seen.map((t) => t - sent);
}

describe('Pipeline (inline executor)', () => {
  it('output equals scrubbing the whole input at once, whatever the chunking and timing', async () => {
    const scrubber = scrubberFor();
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 400 }),
        fc.integer({ min: 1, max: 1_000_000 }),
        fc.array(fc.integer({ min: 1, max: 9000 }), { minLength: 1, maxLength: 6 }).map((s) => [...s, 2000]),
        fc.array(fc.constantFrom(0, 0, 0, 1, 3, 12), { minLength: 1, maxLength: 6 }),
        async (lines, seed, sizes, pauses) => {
          const input = Buffer.from(logLines(lines, seed));
          const { sink, output } = collector();
          const { pipeline, stats } = await makePipeline(sink);
          const outcome = await pipeline.run([source(chunked(input, sizes, pauses))]);
          expect(outcome).toEqual({ kind: 'complete' });
          expect(output().equals(Buffer.from(scrubber.scrub(input).output))).toBe(true);
          expect(stats.records).toBe(lines);
        },
      ),
      { numRuns: 25 },
    );
  });

  it('reuses batch and output memory only after the output has taken the bytes', async () => {
    // A consumer that reads each chunk only when it completes the write, some time later.
    const parts: Buffer[] = [];
    const slow = new Writable({
      highWaterMark: 1,
      write(chunk: Buffer, _enc, done) {
        setTimeout(() => {
          parts.push(Buffer.from(chunk));
          done();
        }, parts.length % 3);
      },
    });
    const input = Buffer.from(logLines(600, 5));
    const { pipeline } = await makePipeline(new StreamSink(slow, 'test', false));
    expect(await pipeline.run([source(chunked(input, [3000, 7000, 500], [0, 1]))])).toEqual({
      kind: 'complete',
    });
    expect(Buffer.concat(parts).equals(Buffer.from(scrubberFor().scrub(input).output))).toBe(true);
  });

  it('sends a line written to a quiet pipe within tens of milliseconds', async () => {
    const delays = await delaysAfterOneWrite({ flushMs: 10 }, 'a quiet line\n');
    expect(delays).toHaveLength(1);
    expect(delays[0]).toBeLessThan(100);
  });

  it('sends a few lines at once when idle, without waiting for the flush timer', async () => {
    const delays = await delaysAfterOneWrite({ flushMs: 5000 }, 'a quiet line\nand another\n');
    expect(delays).toHaveLength(1);
    expect(delays[0]).toBeLessThan(100);
  });

  it('holds more than an idle flush takes until the flush timer', async () => {
    const lines = Array.from({ length: 200 }, (_, i) => `line ${i} ${'x'.repeat(60)}\n`).join('');
    const delays = await delaysAfterOneWrite(
      { flushMs: 100, batchBytes: 65536, maxRecordBytes: 65536 },
      lines,
    );
    expect(delays).toHaveLength(1);
    expect(delays[0]).toBeGreaterThanOrEqual(90);
    // Well before the input ends (500 ms), which would also send it.
    expect(delays[0]).toBeLessThan(400);
  });

  it('still fills batches from a busy input (reads larger than an idle flush)', async () => {
    const sizes: number[] = [];
    const executor = new InlineExecutor(FaultPlan.fromEnv({}));
    await executor.load(testSpec());
    const scrub = executor.scrub.bind(executor);
    executor.scrub = (bytes, ...rest) => {
      sizes.push(bytes.length);
      return scrub(bytes, ...rest);
    };
    const { sink, output } = collector();
    const input = Buffer.from(logLines(3000, 7));
    const opts = { ...OPTS, batchBytes: 65536, maxRecordBytes: 65536, flushMs: 1000 };
    const pipeline = new Pipeline(executor, sink, new RunStats(), opts, { failure: () => {} });
    await pipeline.run([source(chunked(input, [16384], [0]))]);
    expect(output().toString().split('\n')).toHaveLength(3001);
    const full = sizes.slice(0, -1);
    expect(full.length).toBeGreaterThan(5);
    for (const n of full) expect(n).toBeGreaterThan(60000);
  });

  it('stops reading when the output stalls: what it holds stays bounded', async () => {
    let produced = 0;
    const endless = new Readable({
      read() {
        produced += 1024;
        this.push(Buffer.from(`${'y'.repeat(1023)}\n`));
      },
    });
    const stalled = new Writable({ highWaterMark: 1, write() {} });
    const { pipeline } = await makePipeline(new StreamSink(stalled, 'test', false));
    const running = pipeline.run([source(endless)]);
    await new Promise((r) => setTimeout(r, 300));
    const bound = (OPTS.maxInFlight + 2) * OPTS.batchBytes + 64 * 1024;
    expect(produced).toBeLessThan(bound);
    const before = produced;
    await new Promise((r) => setTimeout(r, 200));
    expect(produced).toBe(before);
    pipeline.abort();
    expect((await running).kind).toBe('aborted');
  });

  it('replaces the records of a failed batch by one placeholder each and goes on', async () => {
    const input = Buffer.from(logLines(300, 9));
    const { sink, output } = collector();
    const { pipeline, stats, failures } = await makePipeline(
      sink,
      { flushMs: 1000 },
      { HUSHLOG_TEST_FAULT: 'throw:2' },
    );
    await pipeline.run([source(chunked(input, [4096], [0]))]);
    const out = output().toString().split('\n');
    const inLines = input.toString().split('\n');
    expect(out).toHaveLength(inLines.length);
    const withheld = out.filter((l) => l === WITHHELD_RECORD).length;
    expect(withheld).toBeGreaterThan(0);
    expect(stats.withheldRecords).toBe(withheld);
    expect(stats.failedTasks).toBe(1);
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatch(
      /^task 2 \(stdin lines \d+-\d+\): scrubber threw Error; \d+ records withheld$/,
    );
    // Records around the failed batch are intact and in order.
    for (const [i, l] of out.entries())
      if (l !== WITHHELD_RECORD && l !== '') expect(l.startsWith(`${i} `)).toBe(true);
  });

  it('keeps file boundaries as record boundaries and numbers lines per file', async () => {
    const { sink, output } = collector();
    const executor = new InlineExecutor(FaultPlan.none());
    await executor.load(testSpec());
    const located: string[] = [];
    const pipeline = new Pipeline(executor, sink, new RunStats(), OPTS, {
      failure: () => {},
      finding: (f, where) => located.push(`${where.source}:${where.line}:${f.column} ${f.ruleId}`),
    });
    const a: InputSource = {
      name: 'a.log',
      open: () => Readable.from([Buffer.from('one\nlast tok_aaaaaaaaaabbbbbbbbbb')]),
    };
    const b: InputSource = {
      name: 'b.log',
      open: () => Readable.from([Buffer.from('x tok_cccccccccccccccccccc\n')]),
    };
    await pipeline.run([a, b]);
    expect(output().toString()).toBe('one\nlast [REDACTED:test-token]x [REDACTED:test-token]\n');
    expect(located).toEqual(['a.log:2:6 test-token', 'b.log:1:3 test-token']);
  });
});
