import { describe, expect, it } from 'vitest';
import { loadEnvValues } from '../../src/secrets/env.js';
import { globToRegExp } from '../../src/secrets/glob.js';

const env = {
  OPENAI_API_KEY: 'sk-proj-abcdefghijklmnop',
  GROQ_API_KEY: 'gsk_abcdefghijklmnopqrst',
  DB_PASSWORD: 'correct-horse-battery',
  DB_HOST: 'db.internal.example',
  db_password: 'lower-case-name-value',
  PATH: '/usr/bin:/bin',
  'A.B': 'dotted-name-value-1',
  AXB: 'not-dotted-value-22',
  SHORT_API_KEY: 'q9Zx',
};

describe('loadEnvValues', () => {
  it('selects variables by case-sensitive globs, sorted by name', () => {
    const result = loadEnvValues(['*_API_KEY', 'DB_PASS*'], env);
    expect(result.values).toEqual([
      { source: 'env:DB_PASSWORD', value: 'correct-horse-battery' },
      { source: 'env:GROQ_API_KEY', value: 'gsk_abcdefghijklmnopqrst' },
      { source: 'env:OPENAI_API_KEY', value: 'sk-proj-abcdefghijklmnop' },
    ]);
    expect(result.warnings).toHaveLength(1);
    expect(result.warnings[0]).toContain('env:SHORT_API_KEY');
    expect(result.warnings[0]).not.toContain('q9Zx');
  });

  it('treats ? as one character and everything else literally', () => {
    expect(loadEnvValues(['DB_?OST'], env).values.map((v) => v.source)).toEqual(['env:DB_HOST']);
    expect(loadEnvValues(['A.B'], env).values.map((v) => v.source)).toEqual(['env:A.B']);
  });

  it('warns about a glob that matches nothing', () => {
    expect(loadEnvValues(['NOPE_*'], env).warnings).toEqual(['env: no variable matches NOPE_*']);
  });

  it('reads process.env by default', () => {
    process.env.HUSHLOG_TEST_SECRET_XYZ = 'from-process-env-1';
    try {
      expect(loadEnvValues(['HUSHLOG_TEST_SECRET_*']).values).toEqual([
        { source: 'env:HUSHLOG_TEST_SECRET_XYZ', value: 'from-process-env-1' },
      ]);
    } finally {
      delete process.env.HUSHLOG_TEST_SECRET_XYZ;
    }
  });
});

describe('globToRegExp', () => {
  it('anchors and escapes', () => {
    expect(globToRegExp('*_KEY').test('MY_KEY')).toBe(true);
    expect(globToRegExp('*_KEY').test('MY_KEY_2')).toBe(false);
    expect(globToRegExp('a+b(c)').test('a+b(c)')).toBe(true);
    expect(globToRegExp('a+b(c)').test('aab(c)')).toBe(false);
  });
});
