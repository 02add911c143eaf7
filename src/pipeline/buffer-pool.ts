/**
 * Recycles batch-sized buffers. A fresh 1 MiB ArrayBuffer per batch costs ~68 us against
 * 10-14 us for the hand-off itself (reference/performance.md), so written batches come back here.
 */
export class BufferPool {
  private readonly free: Uint8Array[] = [];

  constructor(
    /** Size of pooled buffers; other sizes are allocated and dropped, never pooled. */
    readonly size: number,
    private readonly allocate: (size: number) => Uint8Array,
    private readonly maxFree: number,
  ) {}

  /** A buffer of at least `min` bytes (exactly `size` unless `min` is larger); contents undefined. */
  take(min = this.size): Uint8Array {
    if (min <= this.size) return this.free.pop() ?? this.allocate(this.size);
    return this.allocate(min);
  }

  /** Returns any view of a pooled buffer once nothing reads it any more. */
  give(view: Uint8Array): void {
    if (view.buffer.byteLength !== this.size || this.free.length >= this.maxFree) return;
    this.free.push(new Uint8Array(view.buffer, 0, this.size));
  }
}
