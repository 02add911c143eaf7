/**
 * A command that prints secrets (`vault kv get -format=...`, `op read`, `pass show`,
 * `aws secretsmanager get-secret-value --query SecretString --output text`).
 *
 * The command runs without a shell (argv array), with stdin closed and stderr discarded:
 * its output may hold secrets, so no error message ever quotes stdout or stderr. Errors name
 * the program (argv[0]) only: later arguments can carry tokens (`--token=...`).
 *
 * Output formats:
 * - `lines` (default): every non-blank line, trimmed, is a value. The safe default for
 *   tools that print one secret, which may itself contain `=`.
 * - `dotenv`: KEY=VALUE lines, parsed like a dotenv file.
 */
import { spawn, spawnSync } from 'node:child_process';
import { HushlogConfigError } from '../errors.js';
import { dotenvValues, parseDotenv } from './dotenv.js';
import { errorCode } from './error-code.js';
import { normalizeValues } from './normalize.js';
import type { SourceOptions, SourceResult } from './source-result.js';

export type CommandOutputFormat = 'lines' | 'dotenv';

export interface CommandSourceSpec {
  /** Program and arguments; the program is looked up on PATH, no shell is involved. */
  argv: readonly string[];
  format?: CommandOutputFormat;
  /** Killed (SIGKILL) after this long. Default 10 s. */
  timeoutMs?: number;
}

export interface CommandSourceOptions extends SourceOptions {
  /** The command's environment. Default: this process's. */
  env?: NodeJS.ProcessEnv;
  /** Output beyond this is an error (a runaway command, or the wrong one). Default 1 MiB. */
  maxOutputBytes?: number;
}

export const DEFAULT_COMMAND_TIMEOUT_MS = 10_000;
export const MAX_COMMAND_OUTPUT_BYTES = 1024 * 1024;

export async function loadCommandValues(
  spec: CommandSourceSpec,
  options: CommandSourceOptions = {},
): Promise<SourceResult> {
  const program = programOf(spec);
  const stdout = await runCapturingStdout(spec, options, program);
  return parseOutput(stdout, spec, options, program);
}

/** The same, blocking: for callers that cannot await (a synchronous pino transport setup). */
export function loadCommandValuesSync(
  spec: CommandSourceSpec,
  options: CommandSourceOptions = {},
): SourceResult {
  const program = programOf(spec);
  const maxBytes = options.maxOutputBytes ?? MAX_COMMAND_OUTPUT_BYTES;
  const timeoutMs = spec.timeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS;
  const result = spawnSync(program, spec.argv.slice(1), {
    stdio: ['ignore', 'pipe', 'ignore'],
    env: options.env ?? process.env,
    timeout: timeoutMs,
    killSignal: 'SIGKILL',
    maxBuffer: maxBytes,
    shell: false,
    windowsHide: true,
  });
  if (result.error) {
    const code = errorCode(result.error);
    if (code === 'ETIMEDOUT') throw commandError(program, `timed out after ${timeoutMs} ms`);
    if (code === 'ENOBUFS') throw commandError(program, `printed more than ${maxBytes} bytes`);
    throw commandError(program, `could not be started (${code})`);
  }
  checkExit(program, result.status, result.signal);
  return parseOutput(result.stdout, spec, options, program);
}

function programOf(spec: CommandSourceSpec): string {
  const program = spec.argv[0];
  if (!program) throw new HushlogConfigError('SECRET_COMMAND', 'secret command: empty argv');
  return program;
}

function runCapturingStdout(
  spec: CommandSourceSpec,
  options: CommandSourceOptions,
  program: string,
): Promise<Buffer> {
  const maxBytes = options.maxOutputBytes ?? MAX_COMMAND_OUTPUT_BYTES;
  const timeoutMs = spec.timeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS;
  return new Promise((resolve, reject) => {
    const child = spawn(program, spec.argv.slice(1), {
      stdio: ['ignore', 'pipe', 'ignore'],
      env: options.env ?? process.env,
      shell: false,
      windowsHide: true,
    });
    const chunks: Buffer[] = [];
    let size = 0;
    let failure: Error | undefined;
    const fail = (err: Error): void => {
      failure ??= err;
      child.kill('SIGKILL');
    };
    const timer = setTimeout(() => fail(commandError(program, `timed out after ${timeoutMs} ms`)), timeoutMs);
    child.stdout.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) fail(commandError(program, `printed more than ${maxBytes} bytes`));
      else chunks.push(chunk);
    });
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(failure ?? commandError(program, `could not be started (${errorCode(err)})`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (failure) return reject(failure);
      try {
        checkExit(program, code, signal);
        resolve(Buffer.concat(chunks));
      } catch (err) {
        reject(err);
      }
    });
  });
}

function checkExit(program: string, code: number | null, signal: NodeJS.Signals | null): void {
  if (signal) throw commandError(program, `was killed by ${signal}`);
  if (code !== 0)
    throw commandError(program, `exited with code ${code} (its output is not shown: it may hold secrets)`);
}

function parseOutput(
  stdout: Buffer,
  spec: CommandSourceSpec,
  options: CommandSourceOptions,
  program: string,
): SourceResult {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(stdout);
  } catch {
    throw commandError(program, 'printed output that is not UTF-8 text');
  }
  const source = `command:${program}`;
  if (spec.format === 'dotenv') return dotenvValues(parseDotenv(text, `command ${program}`), source, options);
  const lines = text.split(/\r?\n/);
  return normalizeValues(
    lines.flatMap((line, i) => {
      const value = line.trim();
      return value === '' ? [] : [{ source: `${source}:line ${i + 1}`, value }];
    }),
    options.minLength,
  );
}

function commandError(program: string, what: string): HushlogConfigError {
  return new HushlogConfigError('SECRET_COMMAND', `secret command ${program} ${what}`);
}
