/**
 * A directory holding one file per secret.
 *
 * Layouts covered:
 * - Kubernetes mounted Secrets: `..data -> ..2024_05_01_12_00_00.123`, and each key a
 *   symlink `KEY -> ..data/KEY`. Dot-entries are the kubelet's bookkeeping (the timestamped
 *   directory is a full copy of the same keys); only the key links are read.
 * - Vault Agent templates and the Secrets Store CSI driver: plain files, possibly one
 *   directory level deep (`db/password`). Deeper directories are skipped with a warning.
 *
 * Symlinks are followed. Files over `maxFileBytes` (1 MiB) and files that are not UTF-8
 * text are skipped with a warning: values are registered as text, and binary secrets
 * (keystores, DER keys) are not logged as text either. Sources are `dir:PATH/KEY`.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { KnownValueSpec } from '../engine/types.js';
import { HushlogConfigError } from '../errors.js';
import { errorCode } from './error-code.js';
import { normalizeValues } from './normalize.js';
import type { SourceOptions, SourceResult } from './source-result.js';

export const MAX_SECRET_FILE_BYTES = 1024 * 1024;

export interface SecretDirOptions extends SourceOptions {
  /** Files larger than this are skipped with a warning. Default 1 MiB. */
  maxFileBytes?: number;
}

/** The deepest level read: the directory itself (0) and one level of subdirectories (1). */
const MAX_DEPTH = 1;

export function loadSecretDir(dir: string, options: SecretDirOptions = {}): SourceResult {
  const root = dir.length > 1 ? dir.replace(/\/+$/, '') : dir;
  const maxBytes = options.maxFileBytes ?? MAX_SECRET_FILE_BYTES;
  const raw: KnownValueSpec[] = [];
  const warnings: string[] = [];
  const utf8 = new TextDecoder('utf-8', { fatal: true });

  const visit = (relDir: string, depth: number): void => {
    const absDir = relDir ? join(root, relDir) : root;
    let names: string[];
    try {
      names = readdirSync(absDir).sort();
    } catch (err) {
      throw new HushlogConfigError('SECRET_SOURCE_READ', `cannot list secret directory (${errorCode(err)})`, {
        file: absDir,
      });
    }
    for (const name of names) {
      if (name.startsWith('.')) continue;
      const rel = relDir ? `${relDir}/${name}` : name;
      const path = join(root, rel);
      const source = `dir:${root}/${rel}`;
      let stats: ReturnType<typeof statSync>;
      try {
        stats = statSync(path);
      } catch (err) {
        // A dangling link: the kubelet swaps `..data` atomically, so this is a stale entry.
        warnings.push(`${source}: cannot be read (${errorCode(err)}); skipped`);
        continue;
      }
      if (stats.isDirectory()) {
        if (depth < MAX_DEPTH) visit(rel, depth + 1);
        else warnings.push(`${source}: directory nested deeper than ${MAX_DEPTH} level; skipped`);
        continue;
      }
      if (!stats.isFile()) {
        warnings.push(`${source}: not a regular file; skipped`);
        continue;
      }
      if (stats.size > maxBytes) {
        warnings.push(tooLarge(source, maxBytes, stats.size));
        continue;
      }
      let bytes: Buffer;
      try {
        bytes = readFileSync(path);
      } catch (err) {
        // Configured to be masked but unreadable: refusing to start beats leaking it.
        throw new HushlogConfigError('SECRET_SOURCE_READ', `cannot read secret file (${errorCode(err)})`, {
          file: path,
        });
      }
      if (bytes.length > maxBytes) {
        warnings.push(tooLarge(source, maxBytes, bytes.length)); // grew after stat
        continue;
      }
      try {
        raw.push({ source, value: utf8.decode(bytes) });
      } catch {
        warnings.push(`${source}: not UTF-8 text (binary secrets are not supported); skipped`);
      }
    }
  };

  visit('', 0);
  const result = normalizeValues(raw, options.minLength);
  return { values: result.values, warnings: [...warnings, ...result.warnings] };
}

function tooLarge(source: string, maxBytes: number, size: number): string {
  return `${source}: file is larger than ${maxBytes} bytes (${size}); skipped`;
}
