/**
 * dotenv files as secret sources.
 *
 * A small parser rather than the `dotenv` package: that parser silently skips malformed
 * lines (a secret we were told to mask would go unregistered without a word) and ends an
 * unquoted value at any `#`, truncating passwords such as `abc#def`. The syntax accepted:
 *
 *   # comment                     blank lines and comment lines are ignored
 *   KEY=value                     unquoted: trimmed; ` #...` after whitespace is a comment
 *   export KEY=value              `export ` prefix (shell-compatible files)
 *   KEY='literal $value'          single quotes: literal, may span lines
 *   KEY=`literal`                 backticks: literal, may span lines
 *   KEY="a\nb"                    double quotes: \n \r \t \" \\ are escapes, others kept
 *                                 as written; may span lines
 *   KEY="value" # comment         a comment may follow a closing quote
 *
 * No variable expansion: `${OTHER}` is kept literally. Errors name the file and line, and
 * the key when known, never the value.
 */
import { readFileSync } from 'node:fs';
import { HushlogConfigError } from '../errors.js';
import { errorCode } from './error-code.js';
import { nameMatcher } from './glob.js';
import { normalizeValues } from './normalize.js';
import type { SourceOptions, SourceResult } from './source-result.js';

export interface DotenvEntry {
  key: string;
  value: string;
  /** 1-based line where the entry starts. */
  line: number;
}

export interface DotenvSourceOptions extends SourceOptions {
  /** Only keys matching one of these globs are registered (default: every key). */
  keys?: readonly string[];
}

const ASSIGNMENT = /^[ \t]*(?:export[ \t]+)?([A-Za-z_][A-Za-z0-9_.-]*)[ \t]*=[ \t]*/;
const QUOTES = new Set(['"', "'", '`']);
const DOUBLE_QUOTED_ESCAPES: Readonly<Record<string, string>> = {
  n: '\n',
  r: '\r',
  t: '\t',
  '"': '"',
  '\\': '\\',
};

/** Parses dotenv text; `origin` names it in errors (a path, or `command NAME`). */
export function parseDotenv(text: string, origin: string): DotenvEntry[] {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const entries: DotenvEntry[] = [];
  let i = 0;
  while (i < lines.length) {
    const lineNo = i + 1;
    const line = lines[i];
    const content = line.trimStart();
    if (content === '' || content.startsWith('#')) {
      i++;
      continue;
    }
    const assignment = ASSIGNMENT.exec(line);
    if (!assignment) {
      throw new HushlogConfigError('DOTENV_SYNTAX', 'expected KEY=VALUE', { file: origin, line: lineNo });
    }
    const key = assignment[1];
    const rest = line.slice(assignment[0].length);
    if (QUOTES.has(rest[0])) {
      const quoted = readQuoted(lines, i, assignment[0].length, origin, key);
      entries.push({ key, value: quoted.value, line: lineNo });
      i = quoted.nextLine;
    } else {
      entries.push({ key, value: unquotedValue(rest), line: lineNo });
      i++;
    }
  }
  return entries;
}

/** An unquoted value ends at a `#` that starts the value or follows whitespace. */
function unquotedValue(rest: string): string {
  const comment = /(?:^|[ \t])#/.exec(rest);
  return (comment ? rest.slice(0, comment.index) : rest).trim();
}

/**
 * Reads a quoted value starting at `lines[first][column]` (the opening quote), following
 * it across lines until the closing quote.
 */
function readQuoted(
  lines: readonly string[],
  first: number,
  column: number,
  origin: string,
  key: string,
): { value: string; nextLine: number } {
  const quote = lines[first][column];
  let value = '';
  let lineIndex = first;
  let pos = column + 1;
  for (;;) {
    const line = lines[lineIndex];
    while (pos < line.length) {
      const ch = line[pos];
      if (ch === quote) {
        checkAfterQuote(line.slice(pos + 1), origin, lineIndex + 1, key);
        return { value, nextLine: lineIndex + 1 };
      }
      if (ch === '\\' && quote === '"' && pos + 1 < line.length) {
        const next = line[pos + 1];
        value += DOUBLE_QUOTED_ESCAPES[next] ?? `\\${next}`;
        pos += 2;
        continue;
      }
      value += ch;
      pos++;
    }
    lineIndex++;
    if (lineIndex >= lines.length) {
      throw new HushlogConfigError(
        'DOTENV_UNTERMINATED',
        `unterminated ${quote} quote in the value of ${key}`,
        {
          file: origin,
          line: first + 1,
        },
      );
    }
    value += '\n';
    pos = 0;
  }
}

function checkAfterQuote(after: string, origin: string, line: number, key: string): void {
  const rest = after.trimStart();
  if (rest !== '' && !rest.startsWith('#')) {
    throw new HushlogConfigError('DOTENV_SYNTAX', `unexpected text after the closing quote of ${key}`, {
      file: origin,
      line,
    });
  }
}

/** Registers the values of a dotenv file. Sources are `dotenv:PATH:KEY`. */
export function loadDotenvFile(path: string, options: DotenvSourceOptions = {}): SourceResult {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new HushlogConfigError('SECRET_SOURCE_READ', `cannot read dotenv file (${errorCode(err)})`, {
      file: path,
    });
  }
  return dotenvValues(parseDotenv(text, path), `dotenv:${path}`, options);
}

/** Turns parsed entries into normalized values named `PREFIX:KEY`. */
export function dotenvValues(
  entries: readonly DotenvEntry[],
  sourcePrefix: string,
  options: DotenvSourceOptions = {},
): SourceResult {
  const wanted = options.keys ? nameMatcher(options.keys) : () => true;
  return normalizeValues(
    entries
      .filter((entry) => wanted(entry.key))
      .map((entry) => ({ source: `${sourcePrefix}:${entry.key}`, value: entry.value })),
    options.minLength,
  );
}
