import type { SharedKnownValueTables } from '../engine/known-values.js';
import type { Finding } from '../engine/types.js';
import type { BatchShape } from './format-scrub.js';

/**
 * Messages between the main thread and scrub workers. Batches live in SharedArrayBuffers:
 * posting one shares memory instead of copying it, and the main thread keeps access to the
 * input so a failed batch can still be counted (fail closed) after the worker is gone.
 */

/** Test-only faults a worker can be told to inject (see fault-plan.ts). */
export type FaultKind = 'crash' | 'throw' | 'hang';

export interface ScrubTask {
  kind: 'scrub';
  /** Ruleset version this batch must be scrubbed with. */
  version: number;
  /** v8-serialized RulesetSpec of that version; decoded only on a worker's first sight of it. */
  ruleset: SharedArrayBuffer;
  /** That version's known-value tables, built once by one worker (see CompileTask.share). */
  known?: SharedKnownValueTables;
  input: SharedArrayBuffer;
  offset: number;
  length: number;
  /** Record format of this batch and the framer's state at its start. */
  shape: BatchShape;
  /** Where the scrubbed bytes go when they fit; the reply's output is then a view of it. */
  output?: { buffer: SharedArrayBuffer; offset: number; length: number };
  fault?: FaultKind;
}

export interface CompileTask {
  kind: 'compile';
  version: number;
  ruleset: SharedArrayBuffer;
  /** Compile every regex now (one worker per load does, and refuses a broken ruleset). */
  validate: boolean;
  /** Build the known-value tables in shared memory and return them in the reply. */
  share?: boolean;
  /** Known-value tables another worker built: attach instead of building. */
  known?: SharedKnownValueTables;
}

export type WorkerTask = ScrubTask | CompileTask;

/** A finding plus its 1-based byte column within its record (the input is gone once written). */
export interface LocatedFinding extends Finding {
  column: number;
  /** Decoded records (msgpack): where in the record, e.g. `req.headers.cookie`. */
  path?: string;
}

export interface ScrubReply {
  /** Input records, counted where the bytes are (the worker). */
  records: number;
  findings: LocatedFinding[];
  droppedRecords: number;
  /** Malformed input records replaced by a notice (jsonl withhold mode, msgpack). */
  invalidRecords?: number;
  /**
   * Scrubbed bytes: a view of the input itself when nothing changed, of the task's output
   * buffer when they fit there, else a buffer of their own.
   */
  output: Uint8Array;
}

export type CompileReply = { ok: true; known?: SharedKnownValueTables } | { ok: false; message: string };
