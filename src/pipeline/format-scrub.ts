import type { Scrubber } from '../engine/scrubber.js';
import type { FormatName, RulesetSpec } from '../engine/types.js';
import { scrubJsonDocBatch } from '../formats/json-doc-batch.js';
import { scrubJsonlBatch } from '../formats/jsonl-batch.js';
import { scrubMsgpackBatch } from '../formats/msgpack-batch.js';
import { StructureRules } from '../formats/structure-rules.js';
import { toScrubReply } from './scrub-reply.js';
import type { ScrubReply } from './task.js';

/** What a batch is, besides its bytes: its format and the framer's state at its start. */
export interface BatchShape {
  format: FormatName;
  state: number;
}

export const TEXT_BATCH: BatchShape = { format: 'text', state: 0 };

/** `into`: where the output may be written (see Scrubber.scrub); msgpack builds its own. */
export type BatchScrub = (input: Uint8Array, shape: BatchShape, into?: Uint8Array) => ScrubReply;

/**
 * Builds the per-format batch scrubber for one compiled ruleset (in a worker, or inline).
 * Text goes straight to the Scrubber; the structured formats add key/path rules and, for
 * msgpack, decode only the records that may hold a secret.
 */
export function formatScrubber(spec: RulesetSpec, scrubber: Scrubber): BatchScrub {
  const structure = new StructureRules(spec.options.structure);
  const invalid = spec.format?.invalidRecords ?? 'scan';
  const keep = new Set(spec.format?.keepKeys ?? []);
  const recordCtx = { scrubber, structure, skipKeys: keep, structureAction: spec.options.structure?.action };
  return (input, shape, into) => {
    switch (shape.format) {
      case 'jsonl': {
        const r = scrubJsonlBatch(input, scrubber, structure, invalid, into);
        const reply = toScrubReply(input, {
          output: r.output,
          findings: r.findings,
          droppedRecords: r.droppedRecords,
          records: r.records,
        });
        reply.invalidRecords = r.withheld;
        return reply;
      }
      case 'json': {
        const r = scrubJsonDocBatch(input, shape.state, scrubber, structure, into);
        const reply = toScrubReply(input, r);
        reply.records = r.records;
        return reply;
      }
      case 'msgpack': {
        const r = scrubMsgpackBatch(input, recordCtx);
        return {
          records: r.records,
          droppedRecords: r.droppedRecords,
          invalidRecords: r.withheld,
          output: r.output,
          findings: r.findings.map((f) => ({
            ruleId: f.ruleId,
            record: f.record,
            offset: 0,
            length: 0,
            column: 0,
            fingerprint: f.fingerprint,
            path: f.path,
            ...(f.source ? { source: f.source } : {}),
          })),
        };
      }
      default:
        return toScrubReply(input, scrubber.scrub(input, undefined, into));
    }
  };
}
