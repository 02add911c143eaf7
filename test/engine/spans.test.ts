import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mergeSpans } from '../../src/engine/spans.js';
import type { Span } from '../../src/engine/types.js';

const span = (start: number, end: number, ruleId = 'r', priority = 0): Span => ({
  start,
  end,
  ruleId,
  ruleIndex: 0,
  priority,
});

describe('mergeSpans', () => {
  it('unites overlaps and attributes them to the longest member', () => {
    const m = mergeSpans([span(10, 20, 'generic'), span(5, 40, 'specific'), span(50, 60, 'other')]);
    expect(m.map((x) => [x.start, x.end, x.winner.ruleId])).toEqual([
      [5, 40, 'specific'],
      [50, 60, 'other'],
    ]);
  });

  it('keeps touching spans apart and breaks ties by priority then id', () => {
    const m = mergeSpans([span(0, 10, 'b'), span(10, 20, 'a'), span(10, 20, 'z', 5)]);
    expect(m.map((x) => [x.start, x.end, x.winner.ruleId])).toEqual([
      [0, 10, 'b'],
      [10, 20, 'z'],
    ]);
  });

  it('is independent of input order and covers exactly the union', () => {
    const arb = fc.array(
      fc.tuple(fc.nat(200), fc.integer({ min: 1, max: 30 }), fc.constantFrom('a', 'b', 'c'), fc.nat(3)),
      { maxLength: 30 },
    );
    fc.assert(
      fc.property(arb, (raw) => {
        const spans = raw.map(([s, l, id, p]) => span(s, s + l, id, p));
        const a = mergeSpans(spans);
        const b = mergeSpans(spans.slice().reverse());
        expect(b).toEqual(a);
        const covered = new Set<number>();
        for (const s of spans) for (let i = s.start; i < s.end; i++) covered.add(i);
        const mergedCovered = new Set<number>();
        for (const m of a) for (let i = m.start; i < m.end; i++) mergedCovered.add(i);
        expect(mergedCovered).toEqual(covered);
        for (let i = 1; i < a.length; i++) expect(a[i].start).toBeGreaterThanOrEqual(a[i - 1].end);
      }),
    );
  });
});
