import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAction, parseCommandList, parseSize, splitWords } from '../../src/cli/parse-values.js';
import { resolveSettings } from '../../src/cli/resolve-settings.js';
import { envName } from '../../src/cli/settings.js';
import { HushlogConfigError } from '../../src/errors.js';

const where = { label: 'option --x' };
const ALL = ['engine', 'pipeline', 'output'] as const;

function tempFile(name: string, text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'hushlog-settings-'));
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

function errorOf(fn: () => unknown): HushlogConfigError {
  try {
    fn();
  } catch (err) {
    if (err instanceof HushlogConfigError) return err;
    throw err;
  }
  throw new Error('expected a HushlogConfigError');
}

describe('setting values', () => {
  it('reads sizes with binary suffixes and refuses junk', () => {
    expect(parseSize('262144', where, 1)).toBe(262144);
    expect(parseSize('256k', where, 1)).toBe(256 * 1024);
    expect(parseSize('64MiB', where, 1)).toBe(64 * 1024 * 1024);
    expect(parseSize(1024, where, 1)).toBe(1024);
    expect(() => parseSize('lots', where, 1)).toThrow(/option --x: expected a size/);
    expect(() => parseSize('1k', where, 4096)).toThrow(/>= 4096/);
  });

  it('parses the action syntax into ActionSpecs', () => {
    expect(parseAction('label', where)).toEqual({ kind: 'label' });
    expect(parseAction('mask:***', where)).toEqual({ kind: 'mask', text: '***' });
    expect(parseAction('partial:4:2', where)).toEqual({ kind: 'partial', keepStart: 4, keepEnd: 2 });
    expect(parseAction({ kind: 'hash' }, where)).toEqual({ kind: 'hash' });
    expect(() => parseAction('erase', where)).toThrow(/kind must be one of/);
    expect(() => parseAction('partial:4', where)).toThrow(/partial:START:END/);
  });

  it('splits command lines like a shell without running one', () => {
    expect(splitWords(`vault kv get -field=value "secret/my app" 'a b'`, where)).toEqual([
      'vault',
      'kv',
      'get',
      '-field=value',
      'secret/my app',
      'a b',
    ]);
    expect(parseCommandList([['printf', 'A=b']], where, false)).toEqual([['printf', 'A=b']]);
    expect(() => splitWords('echo "open', where)).toThrow(/unterminated quote/);
  });

  it('names env variables after the camelCase keys', () => {
    expect(envName('secretsEnv')).toBe('HUSHLOG_SECRETS_ENV');
    expect(envName('maxRecordBytes')).toBe('HUSHLOG_MAX_RECORD_BYTES');
  });
});

describe('resolveSettings', () => {
  it('takes flag over env over config file over default, key by key', () => {
    const config = tempFile(
      'hushlog.yaml',
      'workers: 1\nbatchBytes: 64k\nflushMs: 7\nsecretsEnv: [FROM_FILE_*]\n',
    );
    const { settings } = resolveSettings({
      flags: { workers: '3' },
      configFlag: config,
      env: { HUSHLOG_WORKERS: '2', HUSHLOG_BATCH_BYTES: '128k' },
      scopes: ALL,
    });
    expect(settings.workers).toBe(3);
    expect(settings.batchBytes).toBe(128 * 1024);
    expect(settings.flushMs).toBe(7);
    expect(settings.secretsEnv).toEqual(['FROM_FILE_*']);
    expect(settings.maxRecordBytes).toBe(64 * 1024 * 1024);
    expect(settings.maxInFlight).toBe(9);
    expect(resolveSettings({ flags: { workers: '1' }, env: {}, scopes: ALL }).settings.maxInFlight).toBe(6);
  });

  it('derives batch size and in-flight bound from the worker count unless given', () => {
    const derived = (flags: Record<string, string>) =>
      resolveSettings({ flags, env: {}, scopes: ALL }).settings;
    expect(derived({ workers: '2' })).toMatchObject({ batchBytes: 4 * 1024 * 1024, maxInFlight: 6 });
    expect(derived({ workers: '4' })).toMatchObject({ batchBytes: 4 * 1024 * 1024, maxInFlight: 12 });
    expect(derived({ workers: '0' })).toMatchObject({ batchBytes: 256 * 1024, maxInFlight: 8 });
    // Never above the whole-record limit, which must stay >= the batch size.
    expect(derived({ workers: '2', maxRecordBytes: '1m' })).toMatchObject({ batchBytes: 1024 * 1024 });
    expect(derived({ workers: '2', batchBytes: '64k', maxInFlight: '3' })).toMatchObject({
      batchBytes: 64 * 1024,
      maxInFlight: 3,
    });
  });

  it('splits env lists on commas and resolves config paths against the config file', () => {
    const config = tempFile(
      'hushlog.json',
      JSON.stringify({ rules: ['rules/extra.toml'], secretsFile: 'app.env' }),
    );
    const { settings } = resolveSettings({
      flags: {},
      configFlag: undefined,
      env: { HUSHLOG_CONFIG: config, HUSHLOG_SECRETS_ENV: 'A_*, B_*' },
      scopes: ALL,
    });
    expect(settings.secretsEnv).toEqual(['A_*', 'B_*']);
    expect(settings.rules).toEqual([join(config, '..', 'rules/extra.toml')]);
    expect(settings.secretsFile).toEqual([join(config, '..', 'app.env')]);
  });

  it('names the file and key for unknown keys, wrong types and syntax errors', () => {
    const typo = tempFile('c.yaml', 'wokers: 2\n');
    expect(
      errorOf(() => resolveSettings({ flags: {}, configFlag: typo, env: {}, scopes: ALL })).message,
    ).toBe(`${typo}: unknown key "wokers"`);
    const wrong = tempFile('c.yaml', 'workers: many\n');
    expect(
      errorOf(() => resolveSettings({ flags: {}, configFlag: wrong, env: {}, scopes: ALL })).message,
    ).toBe(`${wrong}: key "workers": expected an integer >= 0, got "many"`);
    const broken = tempFile('c.json', '{"workers": 2,,}');
    expect(
      errorOf(() => resolveSettings({ flags: {}, configFlag: broken, env: {}, scopes: ALL })).message,
    ).toBe(`${broken}:1: not valid JSON`);
    const badYaml = tempFile('c.yaml', 'workers: 2\n  rules: [\n');
    expect(
      errorOf(() => resolveSettings({ flags: {}, configFlag: badYaml, env: {}, scopes: ALL })).message,
    ).toMatch(/c\.yaml:\d+: not valid YAML \(\w+\)$/);
  });

  it('reports env and flag mistakes by their names', () => {
    expect(() => resolveSettings({ flags: {}, env: { HUSHLOG_FLUSH_MS: '-1' }, scopes: ALL })).toThrow(
      'HUSHLOG_FLUSH_MS: expected an integer >= 0, got "-1"',
    );
    expect(() => resolveSettings({ flags: { batchBytes: 'x' }, env: {}, scopes: ALL })).toThrow(
      /^option --batch-bytes:/,
    );
    expect(() =>
      resolveSettings({ flags: { maxRecordBytes: '8k', batchBytes: '16k' }, env: {}, scopes: ALL }),
    ).toThrow(/must be at least batch-bytes/);
    const { warnings } = resolveSettings({ flags: {}, env: { HUSHLOG_WROKERS: '1' }, scopes: ALL });
    expect(warnings).toEqual(['HUSHLOG_WROKERS is not a hushlog setting (ignored)']);
  });
});
