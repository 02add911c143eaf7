import type { WriteStream } from 'node:tty';
import { formatBytes, throughputMBps } from './format-summary.js';

const REDRAW_MS = 200;
const BAR_WIDTH = 24;

/** A one-line progress bar on a TTY stderr while reading files of known total size. */
export class ProgressBar {
  private readonly timer: NodeJS.Timeout;
  private readonly started = performance.now();
  private drawn = false;

  constructor(
    private readonly tty: WriteStream,
    private readonly totalBytes: number,
    private readonly bytesDone: () => number,
  ) {
    this.timer = setInterval(() => this.draw(), REDRAW_MS);
    this.timer.unref();
  }

  /** Erases the bar so another message can take the line; the next tick redraws it. */
  clear(): void {
    if (!this.drawn) return;
    this.tty.write('\r\x1b[K');
    this.drawn = false;
  }

  stop(): void {
    clearInterval(this.timer);
    this.clear();
  }

  private draw(): void {
    const done = Math.min(this.bytesDone(), this.totalBytes);
    const ratio = this.totalBytes > 0 ? done / this.totalBytes : 1;
    const filled = Math.round(ratio * BAR_WIDTH);
    const seconds = (performance.now() - this.started) / 1000;
    const line =
      `[${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}] ${(ratio * 100).toFixed(0).padStart(3)}% ` +
      `${formatBytes(done)} / ${formatBytes(this.totalBytes)} ${throughputMBps(done, seconds).toFixed(1)} MB/s`;
    this.tty.write(`\r\x1b[K${line}`);
    this.drawn = true;
  }
}
