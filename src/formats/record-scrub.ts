import type { Scrubber } from '../engine/scrubber.js';
import type { ActionSpec } from '../engine/types.js';
import type { StructureRules } from './structure-rules.js';

/** A finding inside a decoded record: where (a path), which rule; never the value. */
export interface RecordFinding {
  ruleId: string;
  path: string;
  fingerprint: string;
  source?: string;
}

export interface RecordScrubContext {
  scrubber: Scrubber;
  structure: StructureRules;
  /** Action for values claimed by key/path rules (default: the ruleset's). */
  structureAction?: ActionSpec;
  /** Top-level keys never touched (Fluentd tag/time fields echoed back as they came). */
  skipKeys?: ReadonlySet<string>;
}

export interface RecordScrubOutcome {
  value: unknown;
  changed: boolean;
  /** A `drop` action fired: the caller removes the record and counts it. */
  drop: boolean;
  findings: RecordFinding[];
}

/**
 * Scrubs a decoded record (msgpack map, forward event record): every string at any depth
 * goes through the Scrubber as bytes; values under secret keys or paths are replaced whole.
 * Binary values, extension values (EventTime) and map keys are left as they are. Unchanged
 * subtrees are returned as the same objects, so the caller can keep the original encoding.
 */
export function scrubRecord(
  record: unknown,
  ctx: RecordScrubContext,
  opts: RecordScrubOptions = {},
): RecordScrubOutcome {
  const state: WalkState = { ctx, findings: [], drop: false, location: [], detect: opts.detectors ?? true };
  const value = walk(record, state, undefined, 0);
  return { value, changed: value !== record, drop: state.drop, findings: state.findings };
}

/**
 * What a record needs, judged from its encoded bytes (msgpack, a forward event): strings are
 * raw UTF-8 there, so a keyword or known value in any of them shows in the bytes. Null: neither
 * detectors nor key/path rules can apply, and the record passes untouched.
 */
export function screenRecord(bytes: Uint8Array, ctx: RecordScrubContext): RecordScrubOptions | null {
  const detectors = ctx.scrubber.mayMatch(bytes, 0, bytes.length);
  if (!detectors && !ctx.structure.mayMatch(bytes, 0, bytes.length)) return null;
  return { detectors };
}

export interface RecordScrubOptions {
  /**
   * Whether strings go through the Scrubber (default true). A caller that has already found
   * that the record's encoded bytes hold no keyword and no known value passes false: then
   * no string can hold a detector match, and only key and path rules apply.
   */
  detectors?: boolean;
}

interface WalkState {
  ctx: RecordScrubContext;
  detect: boolean;
  findings: RecordFinding[];
  drop: boolean;
  location: string[];
}

const MAX_DEPTH = 256;

function walk(value: unknown, state: WalkState, claimed: string | undefined, depth: number): unknown {
  if (typeof value === 'string') {
    if (claimed) return claim(Buffer.from(value), claimed, state);
    return state.detect ? scrubString(value, state) : value;
  }
  if (claimed && (typeof value === 'number' || typeof value === 'bigint')) {
    return claim(Buffer.from(String(value)), claimed, state);
  }
  if (claimed && value instanceof Uint8Array) return claim(value, claimed, state);
  if (depth > MAX_DEPTH || typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) {
    let out: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      state.location.push(String(i));
      const v = walk(
        value[i],
        state,
        claimed ?? state.ctx.structure.matchLocation(state.location),
        depth + 1,
      );
      state.location.pop();
      if (v !== value[i]) {
        out ??= value.slice();
        out[i] = v;
      }
    }
    return out ?? value;
  }
  if (Object.getPrototypeOf(value) !== Object.prototype) return value; // ExtData, Date, Map...
  const obj = value as Record<string, unknown>;
  let out: Record<string, unknown> | undefined;
  const skip = depth === 0 ? state.ctx.skipKeys : undefined;
  for (const key of Object.keys(obj)) {
    if (skip?.has(key)) continue;
    state.location.push(key);
    const v = walk(obj[key], state, claimed ?? state.ctx.structure.matchLocation(state.location), depth + 1);
    state.location.pop();
    if (v !== obj[key]) {
      out ??= { ...obj };
      out[key] = v;
    }
  }
  return out ?? value;
}

function claim(bytes: Uint8Array, ruleId: string, state: WalkState): unknown {
  const { text, fingerprint } = state.ctx.scrubber.maskValue(ruleId, bytes, state.ctx.structureAction);
  if (state.ctx.structureAction?.kind === 'drop') state.drop = true;
  state.findings.push({ ruleId, path: state.location.join('.'), fingerprint });
  return text;
}

function scrubString(value: string, state: WalkState): string {
  const bytes = Buffer.from(value);
  // Most strings of a record that has a keyword somewhere hold none themselves: a bare scan
  // is much cheaper than a scrub call's setup.
  if (!state.ctx.scrubber.mayMatch(bytes, 0, bytes.length)) return value;
  const r = state.ctx.scrubber.scrub(bytes);
  if (r.findings.length === 0) return value;
  if (r.droppedRecords > 0) state.drop = true;
  const path = state.location.join('.');
  for (const f of r.findings) {
    const finding: RecordFinding = { ruleId: f.ruleId, path, fingerprint: f.fingerprint };
    if (f.source) finding.source = f.source;
    state.findings.push(finding);
  }
  return Buffer.from(r.output).toString('utf8');
}
