import { serialize } from 'node:v8';
import { describe, expect, it } from 'vitest';
import type { RulesetSpec } from '../../src/engine/types.js';
import { TEXT_BATCH } from '../../src/pipeline/format-scrub.js';
import run from '../../src/pipeline/scrub-worker.js';
import type { CompileReply, CompileTask, ScrubReply, ScrubTask } from '../../src/pipeline/task.js';
import { specWith } from '../helpers/ruleset.js';

/** The worker module driven in-process: the same code a piscina thread runs, one call per task. */
function shared(bytes: Uint8Array): SharedArrayBuffer {
  const sab = new SharedArrayBuffer(bytes.length);
  new Uint8Array(sab).set(bytes);
  return sab;
}

function compile(version: number, spec: RulesetSpec, extra: Partial<CompileTask>): CompileReply {
  const task: CompileTask = {
    kind: 'compile',
    version,
    ruleset: shared(serialize(spec)),
    validate: false,
    ...extra,
  };
  return run(task) as CompileReply;
}

function scrub(version: number, spec: RulesetSpec, text: string, extra: Partial<ScrubTask> = {}): string {
  const input = shared(Buffer.from(text));
  const task: ScrubTask = {
    kind: 'scrub',
    version,
    ruleset: shared(serialize(spec)),
    input,
    offset: 0,
    length: input.byteLength,
    shape: TEXT_BATCH,
    ...extra,
  };
  return Buffer.from((run(task) as ScrubReply).output).toString();
}

const SECRET = 'worker-known-value-0123456789';

describe('scrub worker', () => {
  it('validates on a validating task even when a lazy task of the same version came first', () => {
    const spec = { ...specWith([{ id: 'broken', regex: 'a(?=b)', keywords: ['a'] }]), version: 101 };
    expect(compile(101, spec, { validate: false })).toEqual({ ok: true });
    const reply = compile(101, spec, { validate: true });
    expect(reply.ok).toBe(false);
    expect(reply.ok ? '' : reply.message).toMatch(/inline\.toml: rule broken: invalid RE2 regex/);
  });

  it('builds known-value tables in shared memory once, and a thread given them masks the same', () => {
    const spec = {
      ...specWith([], { knownValues: [{ source: 'test:secret', value: SECRET }] }),
      version: 102,
    };
    // A lazy task first: sharing is still honoured on the cached ruleset.
    expect(compile(102, spec, { validate: false })).toEqual({ ok: true });
    const reply = compile(102, spec, { validate: true, share: true });
    if (!reply.ok || !reply.known) throw new Error('expected shared known-value tables');
    expect(reply.known.windowSlots.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(scrub(102, spec, `a ${SECRET} b\n`)).toBe('a [REDACTED:known-value] b\n');
    // Another version attached to those tables (as a second worker would) masks the same.
    const other = { ...spec, version: 103 };
    expect(compile(103, other, { known: reply.known })).toEqual({ ok: true });
    expect(scrub(103, other, `x ${SECRET}\n`, { known: reply.known })).toBe('x [REDACTED:known-value]\n');
  });
});
