/** Cuts a buffer into line-aligned batches, as the CLI's batcher does (views, no copies). */
export function lineAlignedBatches(buf: Buffer, targetBytes: number): Buffer[] {
  const batches: Buffer[] = [];
  let start = 0;
  while (start < buf.length) {
    let end = Math.min(start + targetBytes, buf.length);
    if (end < buf.length) {
      const nl = buf.indexOf(10, end - 1);
      end = nl === -1 ? buf.length : nl + 1;
    }
    batches.push(buf.subarray(start, end));
    start = end;
  }
  return batches;
}

/** Number of `\n`-terminated records plus a final unterminated one, like the Scrubber counts them. */
export function countLines(buf: Uint8Array): number {
  const b = Buffer.isBuffer(buf) ? buf : Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  let n = 0;
  let i = b.indexOf(10);
  while (i !== -1) {
    n++;
    i = b.indexOf(10, i + 1);
  }
  return b.length > 0 && b[b.length - 1] !== 10 ? n + 1 : n;
}
