import { describe, expect, it } from 'vitest';
import { HushlogConfigError } from '../../src/errors.js';
import { loadPinoEngine } from '../../src/pino/load-engine.js';
import { splitPinoOptions } from '../../src/pino/options.js';

describe('splitPinoOptions', () => {
  it('separates pino options from ruleset options and applies defaults', () => {
    const { ruleset, sink } = splitPinoOptions({
      secretsEnv: ['*_TOKEN'],
      destination: '/tmp/x.log',
      secretKeys: ['password'],
      redactPaths: ['req.headers.cookie'],
      structureAction: { kind: 'hash' },
    });
    expect(ruleset).toEqual({
      secretsEnv: ['*_TOKEN'],
      secretKeys: ['password'],
      redactPaths: ['req.headers.cookie'],
      structureAction: { kind: 'hash' },
    });
    expect(sink).toEqual({ destination: '/tmp/x.log', mkdir: false, append: true, sync: false });
  });

  it("ignores what pino and thread-stream add to a single target's options", () => {
    const injected = {
      $context: { threadStreamVersion: '4' },
      pinoWillSendConfig: true,
      levels: {},
      dedupe: false,
    };
    expect(splitPinoOptions({ secretsEnv: ['A'], ...injected } as never).ruleset).toEqual({
      secretsEnv: ['A'],
    });
  });

  it.each([
    [{ secretEnv: ['X'] }, 'unknown option "secretEnv"'],
    [{ redactKeys: ['password'] }, 'unknown option "redactKeys"'],
    [{ format: { name: 'msgpack' } }, 'unknown option "format"'],
    [{ destination: -1 }, '"destination"'],
    [{ destination: '' }, '"destination"'],
    [{ sync: 'yes' }, '"sync"'],
    [{ secretKeys: 'password' }, '"secretKeys"'],
    [{ redactPaths: [''] }, '"redactPaths"'],
  ])('refuses %j with a config error', (options, fragment) => {
    const attempt = () => splitPinoOptions(options as never);
    expect(attempt).toThrow(HushlogConfigError);
    expect(attempt).toThrow(fragment);
  });
});

describe('loadPinoEngine', () => {
  it('refuses a redact path it cannot anchor, before anything runs', async () => {
    await expect(loadPinoEngine({ defaultRules: false, redactPaths: ['*[*]'] })).rejects.toThrow(
      /redact path "\*\[\*\]": needs at least one literal key name/,
    );
  });
});
