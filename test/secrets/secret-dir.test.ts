import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { HushlogConfigError } from '../../src/errors.js';
import { loadSecretDir, MAX_SECRET_FILE_BYTES } from '../../src/secrets/secret-dir.js';

const base = mkdtempSync(join(tmpdir(), 'hushlog-secretdir-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));

function fresh(name: string): string {
  const dir = join(base, name);
  mkdirSync(dir);
  return dir;
}

describe('loadSecretDir', () => {
  it('reads a Kubernetes mounted secret through its ..data symlinks, once per key', () => {
    const dir = fresh('k8s');
    const stamp = '..2024_05_01_12_00_00.123456789';
    mkdirSync(join(dir, stamp));
    writeFileSync(join(dir, stamp, 'password'), 'k8s-db-password-1\n');
    writeFileSync(join(dir, stamp, 'api-key'), 'k8s-api-key-value-2');
    writeFileSync(join(dir, stamp, 'tls.key'), 'PEM-LINE-NUMBER-ONE\nPEM-LINE-NUMBER-TWO\n');
    symlinkSync(stamp, join(dir, '..data'));
    for (const key of ['password', 'api-key', 'tls.key']) symlinkSync(join('..data', key), join(dir, key));

    const result = loadSecretDir(dir);
    expect(result.warnings).toEqual([]);
    expect(result.values).toEqual([
      { source: `dir:${dir}/api-key`, value: 'k8s-api-key-value-2' },
      { source: `dir:${dir}/password`, value: 'k8s-db-password-1' },
      { source: `dir:${dir}/tls.key`, value: 'PEM-LINE-NUMBER-ONE' },
      { source: `dir:${dir}/tls.key`, value: 'PEM-LINE-NUMBER-TWO' },
    ]);
  });

  it('reads plain files and one nested level (Vault Agent / CSI), warns about deeper levels', () => {
    const dir = fresh('vault');
    writeFileSync(join(dir, 'token'), 'hvs.vault-token-value');
    mkdirSync(join(dir, 'db', 'deeper'), { recursive: true });
    writeFileSync(join(dir, 'db', 'password'), 'nested-db-password');
    writeFileSync(join(dir, 'db', 'deeper', 'x'), 'too-deep-to-be-read');
    writeFileSync(join(dir, '.hidden'), 'hidden-file-value-1');

    const result = loadSecretDir(`${dir}/`);
    expect(result.values).toEqual([
      { source: `dir:${dir}/db/password`, value: 'nested-db-password' },
      { source: `dir:${dir}/token`, value: 'hvs.vault-token-value' },
    ]);
    expect(result.warnings).toEqual([`dir:${dir}/db/deeper: directory nested deeper than 1 level; skipped`]);
  });

  it('skips oversized, binary and dangling entries with warnings that never hold a value', () => {
    const dir = fresh('odd');
    writeFileSync(join(dir, 'big'), Buffer.alloc(MAX_SECRET_FILE_BYTES + 1, 0x61));
    writeFileSync(join(dir, 'binary'), Buffer.from([0xff, 0xfe, 0x00, 0x81, 0x41, 0x42, 0x43, 0x44, 0x45]));
    symlinkSync(join(dir, 'missing-target'), join(dir, 'dangling'));
    writeFileSync(join(dir, 'short'), 'tiny');
    writeFileSync(join(dir, 'ok'), 'an-ordinary-secret');

    const result = loadSecretDir(dir);
    expect(result.values).toEqual([{ source: `dir:${dir}/ok`, value: 'an-ordinary-secret' }]);
    expect(result.warnings).toEqual([
      `dir:${dir}/big: file is larger than ${MAX_SECRET_FILE_BYTES} bytes (${MAX_SECRET_FILE_BYTES + 1}); skipped`,
      `dir:${dir}/binary: not UTF-8 text (binary secrets are not supported); skipped`,
      `dir:${dir}/dangling: cannot be read (ENOENT); skipped`,
      `dir:${dir}/short: value too short to mask safely (4 < 8 characters); not registered`,
    ]);
    expect(result.warnings.join('\n')).not.toContain('tiny');
  });

  it('honours a smaller size cap', () => {
    const dir = fresh('cap');
    writeFileSync(join(dir, 'k'), 'sixteen-chars-xx');
    expect(loadSecretDir(dir, { maxFileBytes: 10 }).values).toEqual([]);
    expect(loadSecretDir(dir, { maxFileBytes: 16 }).values).toHaveLength(1);
  });

  it('a missing directory is a config error naming it', () => {
    const missing = join(base, 'absent');
    expect(() => loadSecretDir(missing)).toThrow(HushlogConfigError);
    expect(() => loadSecretDir(missing)).toThrow(`${missing}: cannot list secret directory (ENOENT)`);
  });
});
