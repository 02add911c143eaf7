import { asBuffer, NEWLINE } from './records.js';

/**
 * Multi-line rules (PEM private key blocks) only match inside one batch, so a batch must not be
 * cut between a `-----BEGIN` line and its `-----END` line. This finds such an open block
 * right before a candidate cut so the framer can cut before it instead.
 */
const BEGIN = Buffer.from('-----BEGIN ');
const END = Buffer.from('-----END ');
/** How far back to look for a BEGIN; real key blocks are a few KiB. */
const LOOKBACK = 64 * 1024;

/**
 * Start of the line holding a `-----BEGIN ` that has no `-----END ` before `cut`,
 * or -1 when no block is open at `cut`.
 */
export function openBlockStart(bytes: Uint8Array, cut: number): number {
  const buf = asBuffer(bytes);
  const from = Math.max(0, cut - LOOKBACK);
  const window = buf.subarray(from, cut);
  const begin = window.lastIndexOf(BEGIN);
  if (begin < 0) return -1;
  if (window.indexOf(END, begin + BEGIN.length) >= 0) return -1;
  const at = from + begin;
  return at === 0 ? 0 : buf.lastIndexOf(NEWLINE, at - 1) + 1;
}
