import type { Span } from './types.js';

/** A maximal run of overlapping spans, attributed to the one that wins. */
export interface MergedSpan {
  start: number;
  end: number;
  winner: Span;
}

/**
 * Merges spans once, independent of the order matchers produced them: overlapping spans
 * unite (so a generic rule that covers only part of a specific key cannot leave a tail
 * visible), and the merged span is attributed to the longest member, then the highest
 * priority, then the smallest rule id (a total order, so the result is deterministic).
 * Spans that only touch stay separate: each keeps its own label.
 */
export function mergeSpans(spans: Span[]): MergedSpan[] {
  if (spans.length === 0) return [];
  const sorted = spans.slice().sort(compareSpans);
  const merged: MergedSpan[] = [];
  let current: MergedSpan = { start: sorted[0].start, end: sorted[0].end, winner: sorted[0] };
  for (let i = 1; i < sorted.length; i++) {
    const s = sorted[i];
    if (s.start < current.end) {
      if (s.end > current.end) current.end = s.end;
      if (beats(s, current.winner)) current.winner = s;
    } else {
      merged.push(current);
      current = { start: s.start, end: s.end, winner: s };
    }
  }
  merged.push(current);
  return merged;
}

function compareSpans(a: Span, b: Span): number {
  return a.start - b.start || b.end - a.end || b.priority - a.priority || cmp(a.ruleId, b.ruleId);
}

function beats(a: Span, b: Span): boolean {
  const la = a.end - a.start;
  const lb = b.end - b.start;
  if (la !== lb) return la > lb;
  if (a.priority !== b.priority) return a.priority > b.priority;
  return cmp(a.ruleId, b.ruleId) < 0;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
