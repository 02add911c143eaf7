import { Scrubber } from '../../src/engine/scrubber.js';
import type { RuleSpec, RulesetSpec } from '../../src/engine/types.js';
import { toScrubReply } from '../../src/pipeline/scrub-reply.js';
import type { ScrubReply } from '../../src/pipeline/task.js';
import { compileRuleset } from '../../src/rules/compile.js';

/** A token shape the tests plant: `tok_` + 20 lowercase alphanumerics. */
export const TOKEN_RULE: RuleSpec = {
  id: 'test-token',
  description: 'test token',
  regex: 'tok_[a-z0-9]{20}',
  keywords: ['tok_'],
};

/** A context rule: the value is only a secret after `key=` (the keyword sits before the secret). */
export const KEYED_RULE: RuleSpec = {
  id: 'test-keyed',
  description: 'keyed value',
  regex: 'key=([A-Z]{16})',
  keywords: ['key='],
  secretGroup: 1,
};

export function testSpec(rules: RuleSpec[] = [TOKEN_RULE, KEYED_RULE], version = 1): RulesetSpec {
  return {
    version,
    rules,
    knownValues: [],
    options: { defaultAction: { kind: 'label' }, hashKeyHex: '00'.repeat(32), minKnownValueLength: 8 },
  };
}

export function scrubberFor(spec: RulesetSpec = testSpec()): Scrubber {
  return new Scrubber(compileRuleset(spec));
}

/** The Scrubber as the windowed scanner and executors call it. */
export function asyncScrub(scrubber: Scrubber): (bytes: Uint8Array) => Promise<ScrubReply> {
  return async (bytes) => toScrubReply(bytes, scrubber.scrub(bytes));
}

/** Deterministic pseudo-random generator so failures reproduce. */
export function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 0x100000000;
  };
}

export function token(rand: () => number): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  let t = 'tok_';
  for (let i = 0; i < 20; i++) t += alphabet[Math.floor(rand() * alphabet.length)];
  return t;
}

export function keyedValue(rand: () => number): string {
  let v = '';
  for (let i = 0; i < 16; i++) v += String.fromCharCode(65 + Math.floor(rand() * 26));
  return v;
}

export function concat(parts: readonly Uint8Array[]): Buffer {
  return Buffer.concat(parts.map((p) => Buffer.from(p.buffer, p.byteOffset, p.byteLength)));
}
