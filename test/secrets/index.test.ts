import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { HushlogConfigError } from '../../src/errors.js';
import { type KnownValuesConfig, loadKnownValues, loadKnownValuesSync } from '../../src/secrets/index.js';

const base = mkdtempSync(join(tmpdir(), 'hushlog-known-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));

describe('loadKnownValues', () => {
  const dotenv = join(base, '.env');
  writeFileSync(dotenv, 'SHARED=shared-between-sources\nFILE_ONLY=only-in-the-dotenv\nPORT=80\n');
  const dir = join(base, 'secrets');
  mkdirSync(dir);
  writeFileSync(join(dir, 'token'), 'only-in-the-directory\n');
  const config: KnownValuesConfig = {
    envGlobs: ['APP_*'],
    env: { APP_SECRET: 'shared-between-sources', APP_OTHER: 'only-in-the-env', HOME: '/root' },
    dotenvFiles: [dotenv],
    dirs: [dir],
    commands: [[process.execPath, '-e', 'console.log("only-from-the-command")']],
  };

  it('combines every source in order, deduping across sources', async () => {
    const result = await loadKnownValues(config);
    expect(result.values).toEqual([
      { source: 'env:APP_OTHER', value: 'only-in-the-env' },
      { source: 'env:APP_SECRET', value: 'shared-between-sources' },
      { source: `dotenv:${dotenv}:FILE_ONLY`, value: 'only-in-the-dotenv' },
      { source: `dir:${dir}/token`, value: 'only-in-the-directory' },
      { source: `command:${process.execPath}:line 1`, value: 'only-from-the-command' },
    ]);
    expect(result.warnings).toEqual([
      `dotenv:${dotenv}:PORT: value too short to mask safely (2 < 8 characters); not registered`,
    ]);
    expect(loadKnownValuesSync(config)).toEqual(result);
  });

  it('applies minLength to every source and validates it', async () => {
    const strict = await loadKnownValues({ ...config, minLength: 20 });
    expect(strict.values.map((v) => v.value)).toEqual([
      'shared-between-sources',
      'only-in-the-directory',
      'only-from-the-command',
    ]);
    await expect(loadKnownValues({ ...config, minLength: 2 })).rejects.toThrow(HushlogConfigError);
    expect(() => loadKnownValuesSync({ minLength: 2 })).toThrow(/at least 4/);
  });

  it('returns nothing for an empty configuration', async () => {
    expect(await loadKnownValues({})).toEqual({ values: [], warnings: [] });
  });
});
