import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { HushlogConfigError } from '../../src/errors.js';
import { loadDotenvFile, parseDotenv } from '../../src/secrets/dotenv.js';

const parse = (text: string) => parseDotenv(text, '/app/.env').map(({ key, value }) => [key, value]);

function parseError(text: string): HushlogConfigError {
  try {
    parseDotenv(text, '/app/.env');
  } catch (err) {
    if (err instanceof HushlogConfigError) return err;
    throw err;
  }
  throw new Error('expected a parse error');
}

describe('parseDotenv', () => {
  it('reads KEY=value, export, comments, blank lines and surrounding spaces', () => {
    const text = [
      '# a comment',
      '',
      'PLAIN=value-one',
      'export EXPORTED=value-two',
      '  SPACED = value three  ',
      'EMPTY=',
      'dotted.key-1=v',
    ].join('\n');
    expect(parse(text)).toEqual([
      ['PLAIN', 'value-one'],
      ['EXPORTED', 'value-two'],
      ['SPACED', 'value three'],
      ['EMPTY', ''],
      ['dotted.key-1', 'v'],
    ]);
  });

  it('ends an unquoted value at a # that follows whitespace only', () => {
    expect(parse('A=abc#def\nB=abc #comment\nC=#notvalue\nD=a\t# tab comment')).toEqual([
      ['A', 'abc#def'],
      ['B', 'abc'],
      ['C', ''],
      ['D', 'a'],
    ]);
  });

  it('single quotes and backticks are literal; double quotes take \\n \\r \\t \\" \\\\', () => {
    const text = [
      "S='lit\\n $HOME # not a comment'",
      'B=`back\\ntick`',
      'D="a\\nb\\tc\\"d\\\\e\\qf" # trailing comment',
      `Q="it's"`,
    ].join('\n');
    expect(parse(text)).toEqual([
      ['S', 'lit\\n $HOME # not a comment'],
      ['B', 'back\\ntick'],
      ['D', 'a\nb\tc"d\\e\\qf'],
      ['Q', "it's"],
    ]);
  });

  it('reads multi-line quoted values and keeps counting lines after them', () => {
    const text = ['KEY="-----BEGIN KEY-----', 'line2', '-----END KEY-----"', 'NEXT=after', "M='a", "b'"].join(
      '\n',
    );
    const entries = parseDotenv(text, 'f');
    expect(entries).toEqual([
      { key: 'KEY', value: '-----BEGIN KEY-----\nline2\n-----END KEY-----', line: 1 },
      { key: 'NEXT', value: 'after', line: 4 },
      { key: 'M', value: 'a\nb', line: 5 },
    ]);
  });

  it('accepts CRLF line ends and a byte-order mark', () => {
    expect(parse('\uFEFFA=one\r\nB="two"\r\n')).toEqual([
      ['A', 'one'],
      ['B', 'two'],
    ]);
  });

  it('names file and line in errors, never the value', () => {
    const noEquals = parseError('A=ok\nthis-is-the-secret-line');
    expect(noEquals.message).toBe('/app/.env:2: expected KEY=VALUE');
    expect(noEquals.line).toBe(2);
    expect(noEquals.message).not.toContain('secret');

    const unterminated = parseError('A=ok\n\nTOKEN="s3cr3t-value\nmore');
    expect(unterminated.message).toBe('/app/.env:3: unterminated " quote in the value of TOKEN');
    expect(unterminated.code).toBe('DOTENV_UNTERMINATED');

    const trailing = parseError("PW='s3cr3t' s3cr3t-tail");
    expect(trailing.message).toBe('/app/.env:1: unexpected text after the closing quote of PW');
    expect(trailing.message).not.toContain('s3cr3t');
  });
});

describe('loadDotenvFile', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hushlog-dotenv-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('registers values as dotenv:PATH:KEY, splits multi-line values, refuses short ones', () => {
    const file = join(dir, '.env');
    writeFileSync(
      file,
      'API_KEY=sk-abcdefghijklmnop\nPORT=8080\nCERT="line-one-of-cert\\nline-two-of-cert"\n',
    );
    const result = loadDotenvFile(file);
    expect(result.values).toEqual([
      { source: `dotenv:${file}:API_KEY`, value: 'sk-abcdefghijklmnop' },
      { source: `dotenv:${file}:CERT`, value: 'line-one-of-cert' },
      { source: `dotenv:${file}:CERT`, value: 'line-two-of-cert' },
    ]);
    expect(result.warnings).toEqual([
      `dotenv:${file}:PORT: value too short to mask safely (4 < 8 characters); not registered`,
    ]);
  });

  it('filters keys by glob when asked', () => {
    const file = join(dir, 'keys.env');
    writeFileSync(file, 'DB_PASSWORD=correct-horse-battery\nDB_HOST=db.internal.example\n');
    expect(loadDotenvFile(file, { keys: ['*_PASSWORD'] }).values.map((v) => v.source)).toEqual([
      `dotenv:${file}:DB_PASSWORD`,
    ]);
  });

  it('a missing file is a config error naming the file and the errno code', () => {
    const missing = join(dir, 'nope.env');
    expect(() => loadDotenvFile(missing)).toThrow(`${missing}: cannot read dotenv file (ENOENT)`);
  });
});
