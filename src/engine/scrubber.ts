import { createHmac } from 'node:crypto';
import type { CompiledRule, CompiledRuleset } from '../rules/compile.js';
import { acceptCandidate } from '../rules/gates.js';
import { boundaryBefore, type TokenLocator } from '../rules/token-locator.js';
import { alignSpanEnd, alignSpanStart } from './json-safety.js';
import { type PlannedSpan, replacementText, rewrite } from './rewrite.js';
import { type MergedSpan, mergeSpans } from './spans.js';
import type { ActionSpec, Finding, ScrubResult, Span } from './types.js';

const NEWLINE = 0x0a;
const KNOWN_VALUE_PRIORITY = 100;

/**
 * The heart of hushlog: pure and synchronous. Input is whole records separated by `\n`;
 * output is the same bytes with every secret span replaced. Matchers report spans on the
 * original bytes, spans are merged once, then one rewrite pass applies the actions.
 */
export class Scrubber {
  readonly version: number;
  private readonly ruleStamp: Int32Array;
  private stamp = 0;
  /** (rule, line start, line end) triples found by the keyword scan, reused between batches. */
  private readonly work: number[] = [];
  private readonly ruleCounts: Int32Array;
  private order = new Int32Array(256);

  constructor(private readonly compiled: CompiledRuleset) {
    this.version = compiled.version;
    this.ruleStamp = new Int32Array(compiled.rules.length);
    this.ruleCounts = new Int32Array(compiled.rules.length + 1);
  }

  /**
   * @param extraSpans spans found by a caller that knows more of the format (JSON key and
   *   path rules); they merge with the Scrubber's own before the one rewrite pass.
   * @param into where to write the output when it fits; must not overlap the input. Memory
   *   the caller reuses is already mapped, while a fresh buffer per batch costs a page fault
   *   per 4 KiB (~0.8 ms of system time per MiB on the benchmark machines).
   */
  scrub(input: Uint8Array, extraSpans?: readonly Span[], into?: Uint8Array): ScrubResult {
    const buf = Buffer.isBuffer(input)
      ? input
      : Buffer.from(input.buffer, input.byteOffset, input.byteLength);
    const spans: Span[] = [];
    const newlines = this.collectSpans(buf, spans);
    const records = newlines + (buf.length > 0 && buf[buf.length - 1] !== NEWLINE ? 1 : 0);
    if (extraSpans) spans.push(...extraSpans);
    if (spans.length === 0) return { output: input, findings: [], droppedRecords: 0, records };
    return this.apply(buf, spans, records, into);
  }

  /**
   * Cheap pre-check for formats that must decode before scrubbing (msgpack): could any rule
   * or known value match inside buf[from, to)? False means scrub() would find nothing there.
   */
  mayMatch(buf: Uint8Array, from: number, to: number): boolean {
    const { keywordScanner, alwaysRules, known } = this.compiled;
    if (alwaysRules.length > 0) return true;
    let hit = false;
    keywordScanner.scan(buf, from, to, () => {
      hit = true;
    });
    if (hit || !known) return hit;
    known.scan(buf, from, to, () => {
      hit = true;
    });
    return hit;
  }

  /**
   * The replacement for a whole value claimed by a structural rule (a decoded msgpack or
   * forward record), with the same fingerprint a span of those bytes would get.
   */
  maskValue(ruleId: string, secret: Uint8Array, action?: ActionSpec): { text: string; fingerprint: string } {
    const hex = this.fingerprintHex(secret);
    const a = action ?? this.compiled.defaultAction;
    return {
      text: replacementText(a.kind === 'partial' ? { kind: 'label' } : a, ruleId, hex),
      fingerprint: hex.slice(0, 16),
    };
  }

  private fingerprintHex(bytes: Uint8Array): string {
    return createHmac('sha256', this.compiled.hashKey).update(bytes).digest('hex');
  }

  /** Every candidate span, unmerged, already aligned so no span splits an escape sequence. */
  findSpans(buf: Buffer): Span[] {
    const spans: Span[] = [];
    this.collectSpans(buf, spans);
    return spans;
  }

  /** findSpans into `spans`; returns the newline count the keyword scan took on its way. */
  private collectSpans(buf: Buffer, spans: Span[]): number {
    const newlines = this.findDetectorSpans(buf, spans);
    this.findKnownValueSpans(buf, spans);
    for (const s of spans) {
      s.start = alignSpanStart(buf, s.start, 0, buf.length);
      s.end = alignSpanEnd(buf, s.end, 0, buf.length);
    }
    return newlines;
  }

  private findDetectorSpans(buf: Buffer, spans: Span[]): number {
    const { rules, keywordScanner, keywordRules, alwaysRules } = this.compiled;
    const len = buf.length;
    const stamps = this.ruleStamp;
    const multilineFrom = new Map<number, number>();
    const work = this.work;
    work.length = 0;
    let lineStart = 0;
    let lineEnd = -1;
    const newlines = keywordScanner.scan(buf, 0, len, (end, kw) => {
      const start = end - keywordScanner.keywordLengths[kw];
      if (start >= lineEnd) {
        this.stamp++;
        lineStart = start === 0 ? 0 : buf.lastIndexOf(NEWLINE, start - 1) + 1;
        const nl = buf.indexOf(NEWLINE, end);
        lineEnd = nl < 0 ? len : nl;
      }
      for (const r of keywordRules[kw]) {
        if (rules[r].multiline) {
          if (!multilineFrom.has(r)) multilineFrom.set(r, lineStart);
        } else if (stamps[r] !== this.stamp) {
          stamps[r] = this.stamp;
          work.push(r, lineStart, lineEnd);
        }
      }
    });
    this.runGroupedByRule(buf, spans);
    for (const [r, from] of multilineFrom) this.runRule(rules[r], buf, from, len, spans);
    for (const r of alwaysRules) this.runRule(rules[r], buf, 0, len, spans);
    return newlines;
  }

  /**
   * Runs the (rule, line) work list one rule at a time: consecutive calls into the same RE2
   * object find its DFA states still in the CPU caches (line by line, ~300 rules interleaved
   * spent ~15% more time in RE2 on the benchmark corpus).
   */
  private runGroupedByRule(buf: Buffer, spans: Span[]): void {
    const work = this.work;
    const n = work.length / 3;
    if (n === 0) return;
    const { rules } = this.compiled;
    const counts = this.ruleCounts;
    counts.fill(0);
    for (let i = 0; i < work.length; i += 3) counts[work[i] + 1]++;
    for (let r = 1; r < counts.length; r++) counts[r] += counts[r - 1];
    if (n > this.order.length) this.order = new Int32Array(n * 2);
    const order = this.order;
    for (let i = 0; i < work.length; i += 3) order[counts[work[i]]++] = i;
    for (let k = 0; k < n; k++) {
      const i = order[k];
      this.runRule(rules[work[i]], buf, work[i + 1], work[i + 2], spans);
    }
  }

  /** Runs one rule's RE2 over buf[from, to) and keeps the candidates that pass its gates. */
  private runRule(rule: CompiledRule, buf: Buffer, from: number, to: number, spans: Span[]): void {
    const view = buf.subarray(from, to);
    if (rule.required && !holdsEachSet(view, rule.required)) return;
    if (rule.locator && this.locateTokens(rule, rule.locator, buf, from, view, spans)) return;
    const re = rule.re;
    re.lastIndex = 0;
    for (let m = re.exec(view); m !== null; m = re.exec(view)) {
      const range = m.indices?.[rule.group];
      // The next search starts where the secret ends, not where the match does: a trailing
      // boundary (`(?:$|[^0-9A-Za-z_-])`) consumed by this match may be the leading boundary
      // of the next secret (`KEY1 KEY2`).
      re.lastIndex = Math.max(m.index + 1, range ? range[1] : re.lastIndex);
      if (range) this.keep(rule, buf, from + range[0], from + range[1], spans);
    }
  }

  /**
   * The same spans as runRule's loop for a `LEADING_BOUNDARY(TOKEN)` rule, without RE2's
   * submatch engine (token-locator.ts). False, with nothing added, when TOKEN matches empty
   * text somewhere: that case is left to the whole rule.
   */
  private locateTokens(
    rule: CompiledRule,
    token: TokenLocator,
    buf: Buffer,
    from: number,
    view: Buffer,
    spans: Span[],
  ): boolean {
    const mark = spans.length;
    let floor = 0;
    token.lastIndex = 0;
    for (let m = token.exec(view); m !== null; m = token.exec(view)) {
      const start = m.index;
      const end = token.lastIndex;
      if (end === start) {
        spans.length = mark;
        return false;
      }
      if (!boundaryBefore(view, start, floor)) {
        token.lastIndex = start + 1;
        continue;
      }
      floor = end;
      this.keep(rule, buf, from + start, from + end, spans);
    }
    return true;
  }

  /** Adds buf[start, end) as a span of `rule` when it is not empty and passes the rule's gates. */
  private keep(rule: CompiledRule, buf: Buffer, start: number, end: number, spans: Span[]): void {
    if (end > start && acceptCandidate(rule, this.compiled.globalAllowlist, buf, start, end)) {
      spans.push({ start, end, ruleId: rule.id, ruleIndex: rule.index, priority: rule.priority });
    }
  }

  private findKnownValueSpans(buf: Buffer, spans: Span[]): void {
    const { known, knownSources } = this.compiled;
    if (!known) return;
    known.scan(buf, 0, buf.length, (start, end, valueIndex) => {
      spans.push({
        start,
        end,
        ruleId: 'known-value',
        ruleIndex: -1,
        priority: KNOWN_VALUE_PRIORITY,
        source: knownSources[valueIndex],
      });
    });
  }

  private actionOf(span: Span): ActionSpec {
    if (span.action) return span.action;
    return span.ruleIndex >= 0
      ? this.compiled.rules[span.ruleIndex].action
      : (this.compiled.knownValueAction ?? this.compiled.defaultAction);
  }

  private apply(buf: Buffer, spans: Span[], records: number, into?: Uint8Array): ScrubResult {
    const dropped = this.droppedRecords(buf, spans);
    const merged = mergeWithWholeValues(spans);
    const planned: PlannedSpan[] = [];
    const findings: Finding[] = [];
    let record = 0;
    let counted = 0;
    for (const m of merged) {
      // Record index = number of newlines before the span (counted incrementally).
      for (
        let nl = buf.indexOf(NEWLINE, counted);
        nl >= 0 && nl < m.start;
        nl = buf.indexOf(NEWLINE, nl + 1)
      ) {
        record++;
        counted = nl + 1;
      }
      const fingerprintHex = this.fingerprintHex(buf.subarray(m.start, m.end));
      planned.push({
        start: m.start,
        end: m.end,
        ruleId: m.winner.ruleId,
        action: this.actionOf(m.winner),
        fingerprintHex,
        quote: m.winner.quote === true,
      });
      const finding: Finding = {
        ruleId: m.winner.ruleId,
        record,
        offset: m.start,
        length: m.end - m.start,
        fingerprint: fingerprintHex.slice(0, 16),
      };
      if (m.winner.source) finding.source = m.winner.source;
      findings.push(finding);
    }
    const output = rewrite(buf, planned, dropped, into);
    return { output, findings, droppedRecords: countRecords(buf, dropped), records };
  }

  /** Whole-record byte ranges (newline included) touched by a span whose action is `drop`. */
  private droppedRecords(buf: Buffer, spans: Span[]): Array<[number, number]> {
    const ranges: Array<[number, number]> = [];
    for (const s of spans) {
      if (this.actionOf(s).kind !== 'drop') continue;
      const start = s.start === 0 ? 0 : buf.lastIndexOf(NEWLINE, s.start - 1) + 1;
      const nl = buf.indexOf(NEWLINE, Math.max(s.start, s.end - 1));
      ranges.push([start, nl < 0 ? buf.length : nl + 1]);
    }
    if (ranges.length < 2) return ranges;
    ranges.sort((a, b) => a[0] - b[0]);
    const out: Array<[number, number]> = [ranges[0]];
    for (const r of ranges.slice(1)) {
      const last = out[out.length - 1];
      if (r[0] < last[1]) last[1] = Math.max(last[1], r[1]);
      else out.push(r);
    }
    return out;
  }
}

/**
 * Whole-value spans (a JSON number under a sensitive key) are replaced as one quoted string,
 * so no other span may cut into them: other spans are merged among themselves and clipped
 * around the whole values.
 */
function mergeWithWholeValues(spans: Span[]): MergedSpan[] {
  if (!spans.some((s) => s.quote)) return mergeSpans(spans);
  const whole = mergeSpans(spans.filter((s) => s.quote));
  const out: MergedSpan[] = [...whole];
  for (const m of mergeSpans(spans.filter((s) => !s.quote))) {
    let start = m.start;
    for (const w of whole) {
      if (w.end <= start) continue;
      if (w.start >= m.end) break;
      if (w.start > start) out.push({ start, end: w.start, winner: m.winner });
      start = Math.max(start, w.end);
    }
    if (start < m.end) out.push({ start, end: m.end, winner: m.winner });
  }
  return out.sort((a, b) => a.start - b.start);
}

/** Whether `view` holds some literal of every set (a rule's required literals). */
function holdsEachSet(view: Buffer, sets: readonly (readonly Buffer[])[]): boolean {
  for (const set of sets) if (!containsAny(view, set)) return false;
  return true;
}

function containsAny(view: Buffer, literals: readonly Buffer[]): boolean {
  for (const l of literals) if (view.indexOf(l) >= 0) return true;
  return false;
}

function countRecords(buf: Buffer, ranges: ReadonlyArray<readonly [number, number]>): number {
  let n = 0;
  for (const [start, end] of ranges) {
    for (let nl = buf.indexOf(NEWLINE, start); nl >= 0 && nl < end; nl = buf.indexOf(NEWLINE, nl + 1)) n++;
    if (end === buf.length && buf[end - 1] !== NEWLINE) n++;
  }
  return n;
}
