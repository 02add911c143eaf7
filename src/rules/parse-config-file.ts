import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { parse as parseToml } from 'smol-toml';
import { HushlogConfigError } from '../errors.js';
import { yaml } from './lazy-yaml.js';

/**
 * Reads a TOML, YAML or JSON file into plain data. Parse errors keep the position but not
 * the parser's excerpt of the text: a config or pack can hold secret-looking samples.
 */
export function parseConfigFile(path: string, forceFormat?: 'toml' | 'yaml' | 'json'): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new HushlogConfigError(
      'E_READ',
      `cannot read file (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
      {
        file: path,
      },
    );
  }
  const format = forceFormat ?? formatOf(path);
  try {
    if (format === 'toml') return parseToml(text);
    if (format === 'yaml') return yaml().parse(text);
    return JSON.parse(text);
  } catch (err) {
    const e = err as { line?: number; linePos?: Array<{ line: number }>; message?: string };
    const line = e.line ?? e.linePos?.[0]?.line ?? jsonErrorLine(text, e.message);
    throw new HushlogConfigError('E_PARSE', `invalid ${format.toUpperCase()}`, { file: path, line });
  }
}

function formatOf(path: string): 'toml' | 'yaml' | 'json' {
  const ext = extname(path).toLowerCase();
  if (ext === '.toml') return 'toml';
  if (ext === '.yaml' || ext === '.yml') return 'yaml';
  if (ext === '.json') return 'json';
  throw new HushlogConfigError('E_FORMAT', 'unknown file type (expected .toml, .yaml, .yml or .json)', {
    file: path,
  });
}

function jsonErrorLine(text: string, message: string | undefined): number | undefined {
  const m = /position (\d+)/.exec(message ?? '');
  if (!m) return undefined;
  return text.slice(0, Number(m[1])).split('\n').length;
}
