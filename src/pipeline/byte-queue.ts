/**
 * A growable FIFO of bytes that also keeps the last `keepBehind` consumed bytes readable, as
 * left context for the next scan window. Appends are amortised O(1): compaction and growth only
 * happen when the tail runs out of room.
 */
export class ByteQueue {
  private buf = new Uint8Array(0);
  private head = 0;
  private tail = 0;

  constructor(private readonly keepBehind: number) {}

  get length(): number {
    return this.tail - this.head;
  }

  append(bytes: Uint8Array): void {
    this.ensureRoom(bytes.length);
    this.buf.set(bytes, this.tail);
    this.tail += bytes.length;
  }

  /** The first `n` unconsumed bytes, preceded by up to keepBehind already consumed ones. */
  viewWithContext(n: number): { bytes: Uint8Array; context: number } {
    const context = Math.min(this.keepBehind, this.head);
    return { bytes: this.buf.subarray(this.head - context, this.head + n), context };
  }

  view(n: number): Uint8Array {
    return this.buf.subarray(this.head, this.head + n);
  }

  consume(n: number): void {
    this.head += Math.min(n, this.length);
  }

  clear(): void {
    this.head = 0;
    this.tail = 0;
  }

  private ensureRoom(extra: number): void {
    if (this.tail + extra <= this.buf.length) return;
    const from = Math.max(0, this.head - this.keepBehind);
    const live = this.tail - from;
    if (live + extra <= this.buf.length / 2) {
      this.buf.copyWithin(0, from, this.tail);
    } else {
      const bigger = new Uint8Array(Math.max(live + extra, this.buf.length * 2));
      bigger.set(this.buf.subarray(from, this.tail));
      this.buf = bigger;
    }
    this.head -= from;
    this.tail -= from;
  }
}
