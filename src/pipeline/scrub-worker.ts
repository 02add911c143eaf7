/**
 * Piscina worker: holds one compiled Scrubber per ruleset version and scrubs batches that live
 * in shared memory. The spec travels as a SharedArrayBuffer handle in every task (no copy), and
 * is decoded and compiled only the first time this thread sees its version.
 */
import { deserialize } from 'node:v8';
import { Piscina } from 'piscina';
import { Scrubber } from '../engine/scrubber.js';
import type { RulesetSpec } from '../engine/types.js';
import { isConfigError } from '../errors.js';
import { compileRuleset } from '../rules/compile.js';
import { errorClass } from './executor.js';
import { injectFault } from './fault-plan.js';
import { type BatchScrub, formatScrubber } from './format-scrub.js';
import type { CompileReply, ScrubReply, WorkerTask } from './task.js';

/** Batches of the previous version may still be queued after a reload; older ones cannot. */
const VERSIONS_KEPT = 2;
/** Below this, Buffer.concat output may live in Node's shared 8 KiB slab, which cannot move. */
const MIN_TRANSFER_BYTES = 4096;

const scrubbers = new Map<number, BatchScrub>();

/** `validate`: compile every regex now; otherwise on first use (some worker validated at load). */
function scrubberFor(version: number, ruleset: SharedArrayBuffer, validate: boolean): BatchScrub {
  const cached = scrubbers.get(version);
  if (cached) return cached;
  const spec = deserialize(Buffer.from(ruleset)) as RulesetSpec;
  const scrubber = formatScrubber(spec, new Scrubber(compileRuleset(spec, { validate })));
  scrubbers.set(version, scrubber);
  for (const old of scrubbers.keys()) {
    if (scrubbers.size <= VERSIONS_KEPT) break;
    if (old !== version) scrubbers.delete(old);
  }
  return scrubber;
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
      scrubberFor(task.version, task.ruleset, task.validate);
      reply = { ok: true };
    } catch (err) {
      // Config errors name file/rule only; anything else could quote a pattern or value.
      reply = {
        ok: false,
        message: isConfigError(err) ? err.message : `ruleset did not compile (${errorClass(err)})`,
      };
    }
    return reply;
  }
  const scrubber = scrubberFor(task.version, task.ruleset, false);
  if (task.fault) injectFault(task.fault, true);
  const input = Buffer.from(task.input, task.offset, task.length);
  const into = task.output && Buffer.from(task.output.buffer, task.output.offset, task.output.length);
  return movable(scrubber(input, task.shape, into));
}
