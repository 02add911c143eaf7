/**
 * Checks a Scrubber's output against what the corpus planted: secret lines whose secret bytes
 * survive (leaks), look-alike traps that got masked and clean lines that got masked (false
 * positives). Reports kinds, rule ids and counts only, never a value.
 */

import type { ScrubResult } from '../../src/engine/types.js';
import type { CorpusLine } from '../corpus.js';

interface Tally {
  total: number;
  hit: number;
}

export class DetectionTally {
  private readonly secrets = new Map<string, Tally>();
  private readonly traps = new Map<string, Tally>();
  private readonly falsePositiveRules = new Map<string, number>();
  private cleanLines = 0;
  private cleanTouched = 0;
  private mismatchedBatches = 0;

  /** `planted` maps a 0-based line number of the whole corpus to what it carries. */
  constructor(private readonly planted: ReadonlyMap<number, CorpusLine>) {}

  /** Accounts one batch whose first line is corpus line `firstLine`. */
  add(firstLine: number, input: Buffer, result: ScrubResult): void {
    const inLines = splitLines(input);
    const out = Buffer.from(result.output.buffer, result.output.byteOffset, result.output.byteLength);
    const outLines = result.output === input ? inLines : splitLines(out);
    if (outLines.length !== inLines.length) {
      this.mismatchedBatches++;
      return;
    }
    const rulesByRecord = new Map<number, Set<string>>();
    for (const f of result.findings) {
      const set = rulesByRecord.get(f.record) ?? new Set<string>();
      set.add(f.ruleId);
      rulesByRecord.set(f.record, set);
    }
    for (let i = 0; i < inLines.length; i++) {
      const meta = this.planted.get(firstLine + i);
      const inLine = inLines[i] as Buffer;
      const outLine = outLines[i] as Buffer;
      const touched = outLine !== inLine && !outLine.equals(inLine);
      if (meta?.secret) {
        if (meta.secret.values.length === 0) continue;
        const text = outLine.toString('utf8');
        const leaked = meta.secret.values.some((v) => text.includes(v));
        bump(this.secrets, meta.secret.form ? `known-value (${meta.secret.form})` : meta.secret.kind, leaked);
      } else if (meta?.trap) {
        bump(this.traps, meta.trap, touched);
      } else {
        this.cleanLines++;
        if (touched) {
          this.cleanTouched++;
          for (const id of rulesByRecord.get(i) ?? ['(no finding)']) {
            this.falsePositiveRules.set(id, (this.falsePositiveRules.get(id) ?? 0) + 1);
          }
        }
      }
    }
  }

  /** Markdown: leaks per secret kind, masked traps per kind, false positives per rule. */
  report(): string {
    const out: string[] = [];
    out.push('| secret kind | lines | leaked |', '|---|---:|---:|');
    for (const [kind, t] of sorted(this.secrets)) out.push(`| ${kind} | ${t.total} | ${t.hit} |`);
    out.push('', '| trap kind (must stay) | lines | masked |', '|---|---:|---:|');
    for (const [kind, t] of sorted(this.traps)) out.push(`| ${kind} | ${t.total} | ${t.hit} |`);
    out.push('', `Clean lines masked: ${this.cleanTouched} of ${this.cleanLines}`);
    for (const [id, n] of [...this.falsePositiveRules].sort((a, b) => b[1] - a[1]).slice(0, 10)) {
      out.push(`- ${id}: ${n}`);
    }
    if (this.mismatchedBatches > 0) out.push(`Batches whose record count changed: ${this.mismatchedBatches}`);
    return out.join('\n');
  }

  get leaks(): number {
    let n = 0;
    for (const t of this.secrets.values()) n += t.hit;
    return n;
  }
}

function bump(map: Map<string, Tally>, key: string, hit: boolean): void {
  const t = map.get(key) ?? { total: 0, hit: 0 };
  t.total++;
  if (hit) t.hit++;
  map.set(key, t);
}

function sorted(map: Map<string, Tally>): [string, Tally][] {
  return [...map].sort((a, b) => a[0].localeCompare(b[0]));
}

/** Lines without their `\n` (a trailing `\n` does not start a new line). */
function splitLines(buf: Buffer): Buffer[] {
  const lines: Buffer[] = [];
  let start = 0;
  for (let i = buf.indexOf(10); i !== -1; i = buf.indexOf(10, start)) {
    lines.push(buf.subarray(start, i));
    start = i + 1;
  }
  if (start < buf.length) lines.push(buf.subarray(start));
  return lines;
}
