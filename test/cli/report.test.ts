import { Writable } from 'node:stream';
import type { WriteStream } from 'node:tty';
import { describe, expect, it, vi } from 'vitest';
import { formatBytes, formatSummary } from '../../src/report/format-summary.js';
import { ProgressBar } from '../../src/report/progress-bar.js';
import { RunStats } from '../../src/report/run-stats.js';

function finding(ruleId: string) {
  return { ruleId, record: 0, offset: 0, length: 10, fingerprint: 'ab'.repeat(8) };
}

describe('RunStats and the --summary report', () => {
  it('counts findings per rule, most frequent first, and computes MB/s from the clock', () => {
    let now = 1000;
    const stats = new RunStats(() => now);
    stats.records = 1200;
    stats.bytesIn = 5_000_000;
    stats.addFindings([finding('jwt'), finding('aws-access-key-id'), finding('jwt')]);
    now = 3000;
    stats.finish();
    now = 9000;
    const lines = formatSummary(stats.summary());
    expect(lines[0]).toBe('1200 records, 5.00 MB in 2.00 s (2.5 MB/s), 3 findings');
    expect(lines.slice(1)).toEqual(['  jwt                2', '  aws-access-key-id  1']);
  });

  it('reports failures, drops and reloads only when they happened', () => {
    const stats = new RunStats(() => 0);
    stats.failedTasks = 2;
    stats.withheldRecords = 40;
    stats.droppedRecords = 3;
    stats.reloads = 1;
    stats.rulesetVersion = 2;
    expect(formatSummary(stats.summary())[1]).toBe(
      '3 records dropped by rule; 2 failed scrub tasks (40 records, 0 windows withheld); ruleset v2 after 1 reloads (0 failed)',
    );
    expect(formatSummary(new RunStats(() => 0).summary())).toHaveLength(1);
  });

  it('formats sizes in kB below a megabyte', () => {
    expect(formatBytes(4700)).toBe('4.7 kB');
    expect(formatBytes(12_340_000)).toBe('12.34 MB');
    expect(formatBytes(250_000_000)).toBe('250 MB');
  });
});

describe('ProgressBar', () => {
  it('draws bytes done out of the total on one line and erases itself', () => {
    vi.useFakeTimers();
    try {
      let written = '';
      const tty = new Writable({
        write(chunk, _enc, done) {
          written += chunk.toString();
          done();
        },
      }) as unknown as WriteStream;
      let done = 0;
      const bar = new ProgressBar(tty, 4_000_000, () => done);
      done = 1_000_000;
      vi.advanceTimersByTime(250);
      const ERASE = '\r\x1b[K';
      expect(written.startsWith(ERASE)).toBe(true);
      expect(written.slice(ERASE.length)).toMatch(/^\[######-{18}\] {2}25% 1.00 MB \/ 4.00 MB [\d.]+ MB\/s$/);
      written = '';
      bar.stop();
      expect(written).toBe('\r\x1b[K');
    } finally {
      vi.useRealTimers();
    }
  });
});
