import { describe, expect, it } from 'vitest';
import { HushlogConfigError } from '../../src/errors.js';
import {
  dedupeValues,
  mergeResults,
  normalizeValues,
  resolveMinLength,
} from '../../src/secrets/normalize.js';

describe('normalizeValues', () => {
  it('removes exactly one trailing newline', () => {
    expect(normalizeValues([{ source: 'f', value: 'secret-value-1\n' }]).values).toEqual([
      { source: 'f', value: 'secret-value-1' },
    ]);
    expect(normalizeValues([{ source: 'f', value: 'secret-value-2\r\n' }]).values[0].value).toBe(
      'secret-value-2',
    );
    // Surrounding spaces of a single-line value are kept: they are part of what the app uses.
    expect(normalizeValues([{ source: 'f', value: ' secret-value-3 ' }]).values[0].value).toBe(
      ' secret-value-3 ',
    );
  });

  it('registers each line of a multi-line value on its own, trimmed, skipping blank lines', () => {
    const pem = [
      '-----BEGIN PRIVATE KEY-----',
      '  MIIEvQIBADANBgkqhkiG9w0BAQEFAASC  ',
      '',
      'kRTn4v',
      '-----END PRIVATE KEY-----',
      '',
    ].join('\n');
    const result = normalizeValues([{ source: 'dir:/s/tls.key', value: pem }]);
    expect(result.values.map((v) => v.value)).toEqual([
      '-----BEGIN PRIVATE KEY-----',
      'MIIEvQIBADANBgkqhkiG9w0BAQEFAASC',
      '-----END PRIVATE KEY-----',
    ]);
    expect(result.values.every((v) => v.source === 'dir:/s/tls.key')).toBe(true);
    expect(result.warnings).toEqual([
      'dir:/s/tls.key line 4: value too short to mask safely (6 < 8 characters); not registered',
    ]);
    expect(result.warnings.join('\n')).not.toContain('kRTn4v');
  });

  it('refuses short values with a warning naming the source and length, never the value', () => {
    const result = normalizeValues([
      { source: 'env:SHORT', value: 'docker' },
      { source: 'env:LONG', value: 'long-enough' },
    ]);
    expect(result.values).toEqual([{ source: 'env:LONG', value: 'long-enough' }]);
    expect(result.warnings).toHaveLength(1);
    expect(result.warnings[0]).toContain('env:SHORT');
    expect(result.warnings[0]).toContain('6 < 8');
    expect(result.warnings[0]).not.toContain('docker');
  });

  it('counts characters, not bytes, and honours a custom minimum', () => {
    expect(normalizeValues([{ source: 's', value: 'ééééé' }], 5).values).toHaveLength(1);
    expect(normalizeValues([{ source: 's', value: 'ééééé' }], 6).values).toHaveLength(0);
  });

  it('skips empty values silently and dedupes keeping the first source', () => {
    const result = normalizeValues([
      { source: 'a', value: '' },
      { source: 'b', value: 'same-secret-value' },
      { source: 'c', value: 'same-secret-value\n' },
    ]);
    expect(result).toEqual({ values: [{ source: 'b', value: 'same-secret-value' }], warnings: [] });
  });
});

describe('resolveMinLength', () => {
  it('defaults to 8 and refuses values the matcher cannot index', () => {
    expect(resolveMinLength(undefined)).toBe(8);
    expect(resolveMinLength(4)).toBe(4);
    expect(() => resolveMinLength(3)).toThrow(HushlogConfigError);
    expect(() => resolveMinLength(8.5)).toThrow(/at least 4/);
  });
});

describe('dedupeValues / mergeResults', () => {
  it('merges results in order and dedupes across sources', () => {
    const merged = mergeResults([
      { values: [{ source: 'env:A', value: 'value-one-1' }], warnings: ['w1'] },
      {
        values: [
          { source: 'dir:/x/A', value: 'value-one-1' },
          { source: 'dir:/x/B', value: 'value-two-2' },
        ],
        warnings: ['w2'],
      },
    ]);
    expect(merged.values.map((v) => v.source)).toEqual(['env:A', 'dir:/x/B']);
    expect(merged.warnings).toEqual(['w1', 'w2']);
    expect(dedupeValues([])).toEqual([]);
  });
});
