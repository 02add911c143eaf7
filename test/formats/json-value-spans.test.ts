import { describe, expect, it } from 'vitest';
import { findJsonValueSpans } from '../../src/formats/json-value-spans.js';
import { KeyNameRules } from '../../src/formats/key-rules.js';

const keys = new KeyNameRules(['password', 'api_key', 'token']);
const byKey = (loc: readonly string[]) => (keys.match(loc[loc.length - 1]) ? 'secret-key' : undefined);

function spansText(json: string) {
  const buf = Buffer.from(json);
  const r = findJsonValueSpans(buf, 0, buf.length, byKey);
  return {
    complete: r.complete,
    values: r.spans.map((s) => [buf.toString('utf8', s.start, s.end), s.whole]),
  };
}

describe('findJsonValueSpans', () => {
  it('finds string contents, numbers and every leaf under a matched key', () => {
    const r = spansText(
      '{"user":"bob","db_password":"hunter2","n":{"API-KEY":12345,"x":[1,"a"]},"tokenType":"bearer","token":{"a":"s1","b":[2,"s2",true,null]},"max_tokens":100}',
    );
    expect(r.complete).toBe(true);
    expect(r.values).toEqual([
      ['hunter2', false],
      ['12345', true],
      ['s1', false],
      ['2', true],
      ['s2', false],
    ]);
  });

  it('decodes escaped keys and skips escaped quotes inside strings', () => {
    const r = spansText('{"a\\"b":"x\\"y","pass\\u0077ord":"p\\"w\\\\"}');
    expect(r.values).toEqual([['p\\"w\\\\', false]]);
  });

  it('reports malformed input but keeps what it found', () => {
    const r = spansText('{"password":"abc", "x": tru');
    expect(r.complete).toBe(false);
    expect(r.values).toEqual([['abc', false]]);
    expect(spansText('not json').complete).toBe(false);
    expect(spansText('{"a":1} trailing').complete).toBe(false);
  });

  it('keeps non-ASCII offsets in bytes', () => {
    const json = '{"é":"ü","password":"naïve-pässword"}';
    const buf = Buffer.from(json);
    const [s] = findJsonValueSpans(buf, 0, buf.length, byKey).spans;
    expect(buf.toString('utf8', s.start, s.end)).toBe('naïve-pässword');
  });
});

describe('KeyNameRules', () => {
  it('matches normalised key suffixes only', () => {
    for (const k of ['password', 'DB_PASSWORD', 'userPassword', 'x-api-key', 'ApiKey', 'access_token']) {
      expect(keys.match(k), k).toBeDefined();
    }
    for (const k of ['max_tokens', 'prompt_tokens', 'tokenType', 'passwordPolicy', 'key', 'api']) {
      expect(keys.match(k), k).toBeUndefined();
    }
  });
});
