// The path syntax pino users write in `redactPaths` (parsed by the shared formats layer).
import { describe, expect, it } from 'vitest';
import { HushlogConfigError } from '../../src/errors.js';
import { ANY, parseRedactPath, pathMatches } from '../../src/formats/redact-paths.js';

describe('parseRedactPath', () => {
  it('parses dots, brackets, quotes, indexes and wildcards', () => {
    expect(parseRedactPath('req.headers.authorization').segments).toEqual([
      'req',
      'headers',
      'authorization',
    ]);
    expect(parseRedactPath('req.headers["x-api-key"]').segments).toEqual(['req', 'headers', 'x-api-key']);
    expect(parseRedactPath("a['b.c'].d").segments).toEqual(['a', 'b.c', 'd']);
    expect(parseRedactPath('users[*].token').segments).toEqual(['users', ANY, 'token']);
    expect(parseRedactPath('*.password').segments).toEqual([ANY, 'password']);
    expect(parseRedactPath('list[02]').segments).toEqual(['list', '2']);
  });

  it('anchors the prefilter on the last literal key, skipping wildcards and indexes', () => {
    expect(parseRedactPath('users[*].token').anchorKey).toBe('token');
    expect(parseRedactPath('secrets[*]').anchorKey).toBe('secrets');
    expect(parseRedactPath('keys[0]').anchorKey).toBe('keys');
    expect(parseRedactPath('*.password').anchorKey).toBe('password');
  });

  it.each(['', '.a', 'a..b', 'a[', 'a["b]', 'a[b]', '*', '*[*]', 'a]b', '[0]'])(
    'refuses %j with a config error',
    (path) => {
      expect(() => parseRedactPath(path)).toThrow(HushlogConfigError);
    },
  );
});

describe('pathMatches', () => {
  it('compares segment by segment, * matching exactly one level', () => {
    const segments = parseRedactPath('users[*].token').segments;
    expect(pathMatches(segments, ['users', '0', 'token'])).toBe(true);
    expect(pathMatches(segments, ['users', 'x', 'token'])).toBe(true);
    expect(pathMatches(segments, ['users', 'token'])).toBe(false);
    expect(pathMatches(segments, ['users', '0', 'a', 'token'])).toBe(false);
    expect(pathMatches(segments, ['admins', '0', 'token'])).toBe(false);
  });

  it('treats a.0 and a[0] alike, as JavaScript property access does', () => {
    expect(pathMatches(parseRedactPath('a.0').segments, ['a', '0'])).toBe(true);
    expect(pathMatches(parseRedactPath('a[0]').segments, ['a', '0'])).toBe(true);
  });
});
