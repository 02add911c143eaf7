import {
  type RecordFinding,
  type RecordScrubContext,
  screenRecord,
  scrubRecord,
} from '../formats/record-scrub.js';
import type { ForwardEvent } from '../sinks/fluent-event.js';

export interface ScrubbedEvents {
  /** The events to send on, in order, without those a `drop` action removed. */
  events: ForwardEvent[];
  /** Findings with the index of their event in the input. */
  findings: Array<RecordFinding & { event: number }>;
  dropped: number;
}

/**
 * The relay's scrubbing step for one batch of forward events. An event whose received bytes
 * contain no keyword, known value or secret key name is passed on untouched: most log records
 * carry nothing to mask, one automaton pass over their bytes is far cheaper than decoding,
 * walking and re-encoding them, and the output then sends those very bytes (the Scrubber found
 * nothing in them). Every other event is rebuilt from the scrubbed record, without `source`.
 */
export function scrubForwardEvents(events: readonly ForwardEvent[], ctx: RecordScrubContext): ScrubbedEvents {
  const out: ForwardEvent[] = [];
  const findings: ScrubbedEvents['findings'] = [];
  let dropped = 0;
  for (let i = 0; i < events.length; i++) {
    const e = events[i];
    // An event without its received bytes is scrubbed in full.
    const screen = e.source ? screenRecord(e.source, ctx) : {};
    if (!screen) {
      // Passed on as the same object without reading `record`, so its bytes can go out unchanged.
      out.push(e);
      continue;
    }
    const outcome = scrubRecord(e.record, ctx, screen);
    for (const f of outcome.findings) findings.push({ ...f, event: i });
    if (outcome.drop) {
      dropped++;
      continue;
    }
    out.push({ tag: e.tag, time: e.time, record: outcome.value as Record<string, unknown> });
  }
  return { events: out, findings, dropped };
}
