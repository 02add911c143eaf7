import { Scrubber } from '../engine/scrubber.js';
import { scrubJsonlBatch } from '../formats/jsonl-batch.js';
import { StructureRules } from '../formats/structure-rules.js';
import { compileRuleset } from '../rules/compile.js';
import { buildRulesetSpec } from '../rules/ruleset.js';
import { BatchScrubber } from './batch-scrubber.js';
import { type HushlogPinoOptions, type PinoSinkOptions, splitPinoOptions } from './options.js';

export interface PinoEngine {
  batches: BatchScrubber;
  sink: PinoSinkOptions;
  /** Ruleset version the Scrubber was compiled from. */
  version: number;
}

/**
 * Everything slow or asynchronous (reading packs and secret sources, compiling RE2s and
 * automata) happens here, before any stream exists, so the streams themselves stay
 * synchronous. Throws HushlogConfigError for user mistakes; warnings go to process warnings
 * (they name sources and rule ids, never values).
 */
export async function loadPinoEngine(options?: HushlogPinoOptions): Promise<PinoEngine> {
  const { ruleset, sink } = splitPinoOptions(options);
  const { spec, warnings } = await buildRulesetSpec(ruleset);
  for (const warning of warnings) process.emitWarning(warning, { code: 'HUSHLOG_WARNING' });
  const scrubber = new Scrubber(compileRuleset(spec));
  const structure = new StructureRules(spec.options.structure);
  // pino writes JSON lines: key/path rules apply, the same engine path as the CLI's jsonl
  // format; a line that is not JSON (a foreign write to the stream) is scanned as text.
  const batches = new BatchScrubber((input) => scrubJsonlBatch(input, scrubber, structure, 'scan'));
  return { batches, sink, version: spec.version };
}
