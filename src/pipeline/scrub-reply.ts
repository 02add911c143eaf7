import type { ScrubResult } from '../engine/types.js';
import { columnOf } from './records.js';
import type { LocatedFinding, ScrubReply } from './task.js';

/** Turns a Scrubber result into what the pipeline needs once the input bytes are out of reach. */
export function toScrubReply(input: Uint8Array, result: ScrubResult): ScrubReply {
  const findings: LocatedFinding[] = result.findings.map((f) => ({
    ...f,
    column: columnOf(input, f.offset),
  }));
  return {
    records: result.records,
    findings,
    droppedRecords: result.droppedRecords,
    output: result.output,
  };
}
