import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Finding } from '../../src/engine/types.js';
import { HushlogConfigError } from '../../src/errors.js';
import { closeLogStream } from '../../src/pino/shutdown.js';
import { type HushlogStreamOptions, stream } from '../../src/pino/stream.js';
import { Capture, ENV_SECRET, expectedMasking, ORDER_TOKEN, TEST_PACK } from './helpers.js';

const ENV_NAME = 'HUSHLOG_PINO_TEST_TOKEN';
const OPTIONS: HushlogStreamOptions = { defaultRules: false, rulePaths: [TEST_PACK], secretsEnv: [ENV_NAME] };
// Both loggers of a comparison must print the same time.
const FIXED_TIME = { timestamp: () => ',"time":1700000000000' };

beforeAll(() => {
  process.env[ENV_NAME] = ENV_SECRET;
});
afterAll(() => {
  delete process.env[ENV_NAME];
});

function logEverything(logger: pino.Logger, err: Error): void {
  logger.info(`user login with ${ENV_SECRET}`);
  logger.info({ order: { id: 7, auth: { token: ORDER_TOKEN } }, big: 12345678901234567890n }, 'nested');
  logger.error(err, 'call failed');
  logger.error({ err, attempt: 2 }, 'call failed again');
  const child = logger.child({ session: ENV_SECRET, tenant: 'acme' });
  child.warn('child speaks');
  child.child({ k: ORDER_TOKEN }).info({ n: 1 }, 'grandchild');
  logger.info('interpolated %s and %o', ENV_SECRET, { t: ORDER_TOKEN });
  logger.debug('below the level, never written');
}

describe('stream(): in-process pino destination', () => {
  it('changes nothing but the secrets: msg, nested objects, err.message/err.stack, child bindings', async () => {
    const err = new Error(`upstream refused ${ORDER_TOKEN}`);
    const plain = new Capture();
    logEverything(pino(FIXED_TIME, plain), err);

    const out = new Capture();
    const dest = stream({ ...OPTIONS, destination: out });
    logEverything(pino(FIXED_TIME, dest), err);
    expect(await closeLogStream(dest)).toBe(true);

    expect(plain.text).toContain(ENV_SECRET);
    expect(plain.text).toContain(ORDER_TOKEN);
    expect(out.text).toBe(expectedMasking(plain.text));
    expect(out.text).not.toContain(ENV_SECRET);
    expect(out.text).not.toContain(ORDER_TOKEN);
    expect(out.text).toContain('"big":12345678901234567890,');

    const lines = out.lines();
    expect(lines).toHaveLength(7);
    for (const line of lines) {
      expect(line).toMatchObject({ time: 1700000000000, pid: process.pid, hostname: expect.any(String) });
    }
    expect(lines.map((l) => l.level)).toEqual([30, 30, 50, 50, 40, 30, 30]);
    const stack = (lines[2].err as { stack: string }).stack;
    expect(stack).toContain('Error: upstream refused [REDACTED:test-order-token]\n    at ');
    expect(lines[4]).toMatchObject({
      session: '[REDACTED:known-value]',
      tenant: 'acme',
      msg: 'child speaks',
    });
    expect(dest.stats.findings).toBeGreaterThanOrEqual(9);
  });

  it('works under pino.multistream, each stream scrubbing its own copy', async () => {
    const all = new Capture();
    const errors = new Capture();
    const a = stream({ ...OPTIONS, destination: all });
    const b = stream({ ...OPTIONS, destination: errors });
    const logger = pino({ level: 'debug' }, pino.multistream([{ stream: a }, { level: 'error', stream: b }]));
    logger.info(`info ${ENV_SECRET}`);
    logger.error(`error ${ORDER_TOKEN}`);
    await Promise.all([closeLogStream(a), closeLogStream(b)]);
    expect(all.lines().map((l) => l.msg)).toEqual([
      'info [REDACTED:known-value]',
      'error [REDACTED:test-order-token]',
    ]);
    expect(errors.lines().map((l) => l.msg)).toEqual(['error [REDACTED:test-order-token]']);
  });

  it('masks values by key name and by path, any type, without touching the rest of the line', async () => {
    const out = new Capture();
    const dest = stream({
      ...OPTIONS,
      destination: out,
      secretKeys: ['password'],
      redactPaths: ['req.headers.cookie', 'users[*].apiKey'],
    });
    const logger = pino(FIXED_TIME, dest);
    logger.info(
      {
        password: 'plain-pw-that-no-rule-knows',
        dbPassword: 'another-pw-no-rule-knows',
        req: { headers: { cookie: 'sid=abc', host: 'example.test' } },
        users: [{ apiKey: { v: 'nested-key-value' } }, { apiKey: 42, name: 'ann' }],
        big: 12345678901234567890n,
      },
      'structured',
    );
    await closeLogStream(dest);
    const [line] = out.lines();
    expect(line).toMatchObject({
      password: '[REDACTED:secret-key]',
      dbPassword: '[REDACTED:secret-key]',
      req: { headers: { cookie: '[REDACTED:redact-path]', host: 'example.test' } },
      // An object under a masked path keeps its shape; every value inside is masked.
      users: [{ apiKey: { v: '[REDACTED:redact-path]' } }, { apiKey: '[REDACTED:redact-path]', name: 'ann' }],
      msg: 'structured',
    });
    for (const value of ['plain-pw', 'another-pw', 'sid=abc', 'nested-key-value', '"apiKey":42']) {
      expect(out.text).not.toContain(value);
    }
    // The line was edited in place, not re-serialised: the big integer is intact.
    expect(out.text).toContain('"big":12345678901234567890,');
  });

  it('holds lines written before the ruleset is loaded, then writes them masked', async () => {
    const out = new Capture();
    const dest = stream({ ...OPTIONS, destination: out });
    const logger = pino(dest);
    for (let i = 0; i < 50; i++) logger.info(`early ${i} ${ENV_SECRET}`);
    expect(out.text).toBe('');
    await dest.ready;
    await closeLogStream(dest);
    const lines = out.lines();
    expect(lines.map((l) => l.msg)).toEqual(
      Array.from({ length: 50 }, (_, i) => `early ${i} [REDACTED:known-value]`),
    );
  });

  it('writes synchronously on fatal (pino calls flushSync)', async () => {
    const out = new Capture();
    const dest = stream({ ...OPTIONS, destination: out });
    await dest.ready;
    const logger = pino(dest);
    logger.info(`before ${ENV_SECRET}`);
    logger.fatal(`dying with ${ORDER_TOKEN}`);
    expect(out.lines().map((l) => l.msg)).toEqual([
      'before [REDACTED:known-value]',
      'dying with [REDACTED:test-order-token]',
    ]);
    await closeLogStream(dest);
  });

  it('honours destination backpressure, yet fatal still writes every line synchronously', async () => {
    let written = '';
    const drains: Array<() => void> = [];
    // A destination that is always "full": every write asks the writer to wait for 'drain'.
    const slow = {
      write(chunk: string | Buffer) {
        written += chunk.toString();
        return false;
      },
      once(_event: 'drain', listener: () => void) {
        drains.push(listener);
      },
    };
    const dest = stream({ ...OPTIONS, destination: slow });
    await dest.ready;
    const logger = pino(dest);
    for (let i = 0; i < 3000; i++) logger.info({ i }, `${ENV_SECRET} ${'x'.repeat(100)}`);
    // Past the first batch the stream holds back, so what pino wrote sits in the Writable's buffer.
    expect(dest.writableLength).toBeGreaterThan(0);
    logger.fatal(`last words ${ORDER_TOKEN}`);
    const msgs = written
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l).msg);
    expect(msgs).toHaveLength(3001);
    expect(msgs[3000]).toBe('last words [REDACTED:test-order-token]');
    expect(written).not.toContain(ENV_SECRET);
    expect(drains.length).toBeGreaterThan(0);
    for (const drain of drains.splice(0)) drain();
    dest.destroy();
  });

  it('emits findings with rule ids, sources and fingerprints, never the values', async () => {
    const out = new Capture();
    const dest = stream({ ...OPTIONS, destination: out });
    const findings: Finding[] = [];
    dest.on('findings', (batch: Finding[]) => findings.push(...batch));
    const logger = pino(dest);
    logger.info(`a ${ENV_SECRET}`);
    logger.info(`b ${ORDER_TOKEN}`);
    await closeLogStream(dest);
    expect(findings.map((f) => [f.ruleId, f.source])).toEqual([
      ['known-value', `env:${ENV_NAME}`],
      ['test-order-token', undefined],
    ]);
    const serialised = JSON.stringify(findings);
    expect(serialised).not.toContain(ENV_SECRET);
    expect(serialised).not.toContain(ORDER_TOKEN);
  });

  it('opens, flushes and closes a file destination it was given by path', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'hushlog-pino-')), 'logs', 'app.log');
    const dest = stream({ ...OPTIONS, destination: file, mkdir: true });
    const logger = pino(dest);
    for (let i = 0; i < 1000; i++) logger.info({ i }, `line ${ENV_SECRET}`);
    expect(await closeLogStream(dest)).toBe(true);
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
    expect(lines).toHaveLength(1000);
    expect(
      lines.every((l, i) => JSON.parse(l).i === i && JSON.parse(l).msg === 'line [REDACTED:known-value]'),
    ).toBe(true);
  });

  it('fails closed and loud on a configuration error: error event naming the file, nothing written', async () => {
    const out = new Capture();
    const missing = join(tmpdir(), 'hushlog-no-such-dir', 'pack.toml');
    const dest = stream({ ...OPTIONS, rulePaths: [missing], destination: out });
    const errored = new Promise<Error>((resolve) => dest.once('error', resolve));
    pino(dest).info(`never written ${ENV_SECRET}`);
    const err = await errored;
    expect(err).toBeInstanceOf(HushlogConfigError);
    expect(err.message).toContain(missing);
    await expect(dest.ready).rejects.toBe(err);
    expect(out.text).toBe('');
  });
});
