/**
 * Piscina worker: holds one compiled Scrubber per ruleset version and scrubs batches that live
 * in shared memory. The spec travels as a SharedArrayBuffer handle in every task (no copy), and
 * is decoded and compiled only the first time this thread sees its version.
 */
import { deserialize } from 'node:v8';
import { Piscina } from 'piscina';
import { KnownValueMatcher, type SharedKnownValueTables } from '../engine/known-values.js';
import { Scrubber } from '../engine/scrubber.js';
import type { RulesetSpec } from '../engine/types.js';
import { isConfigError } from '../errors.js';
import { type CompiledRuleset, compileRuleset, validateCompiled } from '../rules/compile.js';
import { errorClass } from './executor.js';
import { injectFault } from './fault-plan.js';
import { type BatchScrub, formatScrubber } from './format-scrub.js';
import type { CompileReply, ScrubReply, WorkerTask } from './task.js';

/** Batches of the previous version may still be queued after a reload; older ones cannot. */
const VERSIONS_KEPT = 2;
/** Below this, Buffer.concat output may live in Node's shared 8 KiB slab, which cannot move. */
const MIN_TRANSFER_BYTES = 4096;

interface Prepared {
  scrub: BatchScrub;
  compiled: CompiledRuleset;
  /** Every regex compiled (see CompileOptions.validate). */
  validated: boolean;
  /** Known-value tables in shared memory, when this thread built or attached them. */
  known?: SharedKnownValueTables;
}

const prepared = new Map<number, Prepared>();

interface PrepareOptions {
  /** Compile every regex now; otherwise on first use (some worker validated at load). */
  validate: boolean;
  /** Known-value tables to attach to instead of building them. */
  known?: SharedKnownValueTables;
  /** Build the known-value tables in shared memory, so other workers can attach to them. */
  share?: boolean;
}

/**
 * The ruleset of `version`, compiled once per thread. A later request may ask for more than
 * the first did (validation, shared tables): that is done on the cached one, so whatever
 * order the pool hands tasks out in, a load's validating task really validates.
 */
function prepare(version: number, ruleset: SharedArrayBuffer, opts: PrepareOptions): Prepared {
  let entry = prepared.get(version);
  if (!entry) {
    const spec = deserialize(Buffer.from(ruleset)) as RulesetSpec;
    const compiled = compileRuleset(spec, { validate: opts.validate, knownTables: opts.known });
    entry = {
      scrub: formatScrubber(spec, new Scrubber(compiled)),
      compiled,
      validated: opts.validate,
      known: opts.known,
    };
    prepared.set(version, entry);
    for (const old of prepared.keys()) {
      if (prepared.size <= VERSIONS_KEPT) break;
      if (old !== version) prepared.delete(old);
    }
  }
  if (opts.validate && !entry.validated) {
    validateCompiled(entry.compiled);
    entry.validated = true;
  }
  if (opts.share && !entry.known && entry.compiled.known) {
    entry.known = entry.compiled.known.toShared();
    // Scan from the shared copy too: the private one is garbage from here on.
    entry.compiled.known = KnownValueMatcher.fromShared(entry.known);
  }
  return entry;
}

/** Hands the output's memory back instead of cloning it, when it owns a whole ArrayBuffer. */
function movable(reply: ScrubReply): unknown {
  const out = reply.output;
  const owner = out.buffer;
  const ownsWholeBuffer =
    !(owner instanceof SharedArrayBuffer) &&
    out.byteOffset === 0 &&
    out.byteLength === owner.byteLength &&
    out.byteLength >= MIN_TRANSFER_BYTES;
  if (!ownsWholeBuffer) return reply;
  return Piscina.move({ [Piscina.transferableSymbol]: [owner], [Piscina.valueSymbol]: reply } as never);
}

export default function run(task: WorkerTask): unknown {
  if (task.kind === 'compile') {
    let reply: CompileReply;
    try {
      const { known } = prepare(task.version, task.ruleset, task);
      reply = task.share && known ? { ok: true, known } : { ok: true };
    } catch (err) {
      // Config errors name file/rule only; anything else could quote a pattern or value.
      reply = {
        ok: false,
        message: isConfigError(err) ? err.message : `ruleset did not compile (${errorClass(err)})`,
      };
    }
    return reply;
  }
  const scrubber = prepare(task.version, task.ruleset, { validate: false, known: task.known }).scrub;
  if (task.fault) injectFault(task.fault, true);
  const input = Buffer.from(task.input, task.offset, task.length);
  const into = task.output && Buffer.from(task.output.buffer, task.output.offset, task.output.length);
  return movable(scrubber(input, task.shape, into));
}
