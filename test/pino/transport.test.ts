import { mkdtempSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeLogStream } from '../../src/pino/shutdown.js';
import { DIST_TRANSPORT, ensureDist } from './dist.js';
import { Capture, ENV_SECRET, expectedMasking, FIXTURES, ORDER_TOKEN, TEST_PACK } from './helpers.js';

const ENV_NAME = 'HUSHLOG_PINO_WORKER_TOKEN';
const OPTIONS = { defaultRules: false, rulePaths: [TEST_PACK], secretsEnv: [ENV_NAME] };
const FIXED_TIME = { timestamp: () => ',"time":1700000000000' };

let dir: string;
beforeAll(() => {
  ensureDist();
  // The worker thread inherits the environment at creation: set before pino.transport().
  process.env[ENV_NAME] = ENV_SECRET;
  dir = mkdtempSync(join(tmpdir(), 'hushlog-pino-worker-'));
});
afterAll(() => {
  delete process.env[ENV_NAME];
});

function logEverything(logger: pino.Logger, err: Error): void {
  logger.info(`user login with ${ENV_SECRET}`);
  logger.info({ order: { id: 7, auth: { token: ORDER_TOKEN } }, big: 12345678901234567890n }, 'nested');
  logger.error(err, 'call failed');
  const child = logger.child({ session: ENV_SECRET, tenant: 'acme' });
  child.warn('child speaks');
  child.child({ k: ORDER_TOKEN }).info({ n: 1 }, 'grandchild');
  for (let i = 0; i < 2000; i++) logger.info({ i }, i % 100 === 0 ? `bulk ${ENV_SECRET}` : 'bulk');
}

function pipelineTo(file: string, stage: pino.TransportTargetOptions) {
  return pino.transport({ pipeline: [stage, { target: 'pino/file', options: { destination: file } }] });
}

describe('hushlog/pino transport (worker thread, compiled dist)', () => {
  it('resolves by package name through the exports map', () => {
    expect(createRequire(import.meta.url).resolve('hushlog/pino')).toBe(DIST_TRANSPORT);
  });

  it('as a pipeline stage changes nothing but the secrets, byte for byte', async () => {
    const err = new Error(`upstream refused ${ORDER_TOKEN}`);
    const plain = new Capture();
    logEverything(pino(FIXED_TIME, plain), err);

    const file = join(dir, 'pipeline.log');
    const transport = pipelineTo(file, { target: 'hushlog/pino', options: OPTIONS });
    logEverything(pino(FIXED_TIME, transport), err);
    expect(await closeLogStream(transport)).toBe(true);

    const written = readFileSync(file, 'utf8');
    expect(plain.text).toContain(ENV_SECRET);
    expect(written).toBe(expectedMasking(plain.text));
    expect(written).not.toContain(ENV_SECRET);
    expect(written).not.toContain(ORDER_TOKEN);
    const lines = written
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines).toHaveLength(2005);
    expect(lines[3]).toMatchObject({ level: 40, session: '[REDACTED:known-value]', pid: process.pid });
  });

  it('standalone as the single target, with a destination', async () => {
    const file = join(dir, 'single.log');
    const transport = pino.transport({ target: 'hushlog/pino', options: { ...OPTIONS, destination: file } });
    const logger = pino(transport);
    for (let i = 0; i < 3000; i++) logger.info({ i }, `single ${ENV_SECRET}`);
    expect(await closeLogStream(transport)).toBe(true);
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
    expect(lines).toHaveLength(3000);
    expect(
      lines.every((l, i) => JSON.parse(l).i === i && JSON.parse(l).msg === 'single [REDACTED:known-value]'),
    ).toBe(true);
  });

  it('standalone with a destination, and under a worker multistream of two targets', async () => {
    const all = join(dir, 'all.log');
    const errors = join(dir, 'errors.log');
    const transport = pino.transport({
      targets: [
        { target: 'hushlog/pino', options: { ...OPTIONS, destination: all } },
        {
          target: 'hushlog/pino',
          level: 'error',
          options: { ...OPTIONS, destination: errors, secretKeys: ['password'] },
        },
      ],
    });
    const logger = pino(transport);
    logger.info(`info ${ENV_SECRET}`);
    logger.error({ password: 'pw-nobody-knows' }, `error ${ORDER_TOKEN}`);
    expect(await closeLogStream(transport)).toBe(true);
    const msgs = (file: string) =>
      readFileSync(file, 'utf8')
        .trimEnd()
        .split('\n')
        .map((l) => JSON.parse(l));
    expect(msgs(all).map((l) => l.msg)).toEqual([
      'info [REDACTED:known-value]',
      'error [REDACTED:test-order-token]',
    ]);
    expect(msgs(errors)).toEqual([
      expect.objectContaining({
        password: '[REDACTED:secret-key]',
        msg: 'error [REDACTED:test-order-token]',
      }),
    ]);
  });

  it('the async-builder trap: the same stage leaks when its builder is async; hushlog/pino does not', async () => {
    const run = async (stage: pino.TransportTargetOptions, name: string) => {
      const file = join(dir, name);
      const transport = pipelineTo(file, stage);
      const logger = pino(transport);
      for (let i = 0; i < 5; i++) logger.info(`trap ${i} ${ENV_SECRET}`);
      expect(await closeLogStream(transport)).toBe(true);
      return readFileSync(file, 'utf8');
    };
    const naive = join(FIXTURES, 'naive-stage.mjs');
    const leaked = await run(
      { target: naive, options: { ...OPTIONS, asyncBuilder: true } },
      'trap-async.log',
    );
    const syncNaive = await run(
      { target: naive, options: { ...OPTIONS, asyncBuilder: false } },
      'trap-sync.log',
    );
    const hushlog = await run({ target: 'hushlog/pino', options: OPTIONS }, 'trap-hushlog.log');

    expect(leaked).toContain(ENV_SECRET);
    for (const text of [syncNaive, hushlog]) {
      expect(text).not.toContain(ENV_SECRET);
      expect(text.match(/trap \d \[REDACTED:known-value\]/g)).toHaveLength(5);
    }
  });

  it('reports a configuration error from the worker, naming the file and no value', async () => {
    const missing = join(dir, 'no-such-pack.toml');
    const transport = pino.transport({
      pipeline: [
        { target: 'hushlog/pino', options: { ...OPTIONS, rulePaths: [missing] } },
        { target: 'pino/file', options: { destination: join(dir, 'never.log') } },
      ],
    });
    const err = await new Promise<Error>((resolve) => transport.once('error', resolve));
    expect(err.message).toContain(missing);
    expect(err.message).not.toContain(ENV_SECRET);
  });
});
