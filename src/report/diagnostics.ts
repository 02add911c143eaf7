import { closeSync, openSync, writeSync } from 'node:fs';
import type { Writable } from 'node:stream';

export type Level = 'info' | 'warning' | 'error';

/**
 * Messages about the run, never about the data: to stderr and, with --log-file, appended to a
 * file (Fluentd sends a child's stderr to /dev/null). Callers pass text that names places
 * (file, line, rule id, source), never values.
 */
export class Diagnostics {
  private fd: number | undefined;
  /** Set while a progress bar owns the last stderr line. */
  clearLine: (() => void) | undefined;

  constructor(
    private readonly stderr: Writable & { isTTY?: boolean },
    logFile?: string,
  ) {
    // Opened up front so a bad path is a usage error (exit 2) before any input is read.
    if (logFile) this.fd = openSync(logFile, 'a');
    // A closed stderr (EPIPE) would otherwise be an unhandled 'error' event and kill the filter.
    stderr.on('error', () => {});
  }

  info(message: string): void {
    this.emit('info', message);
  }

  warn(message: string): void {
    this.emit('warning', message);
  }

  error(message: string): void {
    this.emit('error', message);
  }

  /** Lines printed as they are (the --summary report), also copied to the log file. */
  report(lines: readonly string[]): void {
    this.clearLine?.();
    for (const line of lines) this.toStderr(`hushlog: ${line}\n`);
    for (const line of lines) this.toFile('info', line);
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  private emit(level: Level, message: string): void {
    this.clearLine?.();
    const prefix = level === 'info' ? 'hushlog: ' : `hushlog: ${level}: `;
    this.toStderr(`${prefix}${message}\n`);
    this.toFile(level, message);
  }

  private toStderr(text: string): void {
    try {
      this.stderr.write(text);
    } catch {
      // A closed stderr must not stop the filter.
    }
  }

  private toFile(level: Level, message: string): void {
    if (this.fd === undefined) return;
    try {
      writeSync(this.fd, `${new Date().toISOString()} hushlog[${process.pid}] ${level}: ${message}\n`);
    } catch {
      // Same: diagnostics are best effort, the data path is not.
    }
  }
}
