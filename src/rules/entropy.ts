/**
 * Shannon entropy of a byte range, in bits per byte (0 for an empty range, at most 8).
 *
 * Detector rules use it as a gate: a random key of base62 characters scores about 5, a hex
 * digest at most 4, English words and placeholders usually 2.5-3.5. It runs once per regex
 * candidate, so it must not allocate: the counting table is module-level and is reset by
 * walking the same range again rather than clearing all 256 slots.
 */
const counts = new Uint32Array(256);

export function shannonEntropy(bytes: Uint8Array, start = 0, end: number = bytes.length): number {
  const from = Math.max(0, Math.min(start, bytes.length));
  const to = Math.max(from, Math.min(end, bytes.length));
  const n = to - from;
  if (n === 0) return 0;
  for (let i = from; i < to; i++) counts[bytes[i]]++;
  let sum = 0;
  for (let i = from; i < to; i++) {
    const c = counts[bytes[i]];
    // Each distinct byte contributes once: zeroing its slot marks it done and leaves the
    // table clean for the next call.
    if (c !== 0) {
      sum += c * Math.log2(c);
      counts[bytes[i]] = 0;
    }
  }
  // H = -sum(p log p) with p = c/n, rearranged to log2(n) - sum(c log c)/n.
  const h = Math.log2(n) - sum / n;
  return Math.max(h, 0);
}
