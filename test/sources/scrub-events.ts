import { Scrubber } from '../../src/engine/scrubber.js';
import type { RecordScrubContext } from '../../src/formats/record-scrub.js';
import { StructureRules } from '../../src/formats/structure-rules.js';
import { compileRuleset } from '../../src/rules/compile.js';
import { buildRulesetSpec } from '../../src/rules/ruleset.js';
import type { ForwardEvent } from '../../src/sinks/fluent-event.js';
import { scrubForwardEvents } from '../../src/sources/forward-scrub.js';

/** Secrets the tests send: a known value plus values the bundled detectors catch. */
export const KNOWN_SECRET = 'Pr0d-DB-passw0rd-77';
export const SECRETS = [
  KNOWN_SECRET,
  `sk-proj-${'a1B2c3D4e5'.repeat(5)}abcdefghT3BlbkFJ${'z9Y8x7W6v5'.repeat(5)}abcdefgh`,
  'AKIAQWERTYUIOPASDF23',
  'hf_abcdefghijklmnopqrstuvwxyzABCDEFGH',
];

/** The scrubbing context built from the real engine, as the CLI wiring builds it. */
export async function scrubContext(): Promise<RecordScrubContext> {
  const { spec } = await buildRulesetSpec({
    knownValues: [{ source: 'test:db-password', value: KNOWN_SECRET }],
  });
  return {
    scrubber: new Scrubber(compileRuleset(spec)),
    structure: new StructureRules(spec.options.structure),
  };
}

/** The relay's scrubbing step. */
export async function eventScrubber(): Promise<(events: ForwardEvent[]) => ForwardEvent[]> {
  const ctx = await scrubContext();
  return (events) => scrubForwardEvents(events, ctx).events;
}

/** A record with secrets in several places: message text, nested values, arrays. */
export function recordWithSecrets(seq: number): Record<string, unknown> {
  const s = SECRETS[seq % SECRETS.length];
  return {
    seq,
    msg: `login ok token=${s} user=alice`,
    nested: { cfg: [`db ${KNOWN_SECRET} end`] },
    plain: 'nothing here',
  };
}

export function containsSecret(value: unknown): boolean {
  const text = JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? v.toString() : v));
  return SECRETS.some((s) => text.includes(s));
}
