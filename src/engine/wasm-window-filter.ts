import { WINDOW_FILTER_WASM } from './wasm/window-filter.wasm.js';
import { align, alignmentOf, instantiate } from './wasm-instance.js';

/**
 * Called once per chunk with the sampled windows that passed the filter, in order:
 * `hits[first + 3i .. first + 3i + 2]` is candidate i's (address, key, hash) for i < count,
 * and `address - base` its position in the caller's buffer. A chunk's candidates come as one
 * batch so the caller can start all their table reads before it needs any (see
 * KnownValueMatcher.probeBatch). The array is only valid during the call.
 */
export type WindowCandidates = (hits: Int32Array, first: number, count: number, base: number) => void;

export interface WindowFilterLayout {
  filter: Int32Array;
  /** `hash >>> filterShift` is the filter word. */
  filterShift: number;
  window: 4 | 8;
  stride: number;
}

export interface WasmWindowFilterOptions {
  /** Window positions per call, rounded to a multiple of the stride (default 128 KiB). */
  chunk?: number;
}

interface FilterExports {
  scan8(p: number, end: number, stride: number, filter: number, shift: number, out: number): number;
  scan4(p: number, end: number, stride: number, filter: number, shift: number, out: number): number;
}

/**
 * The known-value matcher's window filter in WebAssembly (src/engine/wasm/window-filter.wat):
 * the loop that touches every sampled window, ~2x the JS loop. Candidates go back to the JS
 * verifier in order. One instance and linear memory per matcher; input is copied in chunk by
 * chunk. Not re-entrant.
 */
export class WasmWindowFilter {
  private readonly exports: FilterExports;
  private readonly mem: WebAssembly.Memory;
  private readonly filterAt = 0;
  private readonly inputAt: number;
  private readonly hitsAt: number;
  private readonly span: number;
  private readonly window: number;
  private readonly stride: number;
  private readonly shift: number;

  constructor(layout: WindowFilterLayout, opts: WasmWindowFilterOptions = {}) {
    this.window = layout.window;
    this.stride = layout.stride;
    this.shift = layout.filterShift;
    // Window starts per call, a multiple of the stride so chunks continue the same sequence.
    this.span = Math.max(1, Math.floor((opts.chunk ?? 128 * 1024) / this.stride)) * this.stride;
    this.inputAt = align(layout.filter.byteLength, 64);
    // Room for a chunk placed up to 7 bytes in (see scan).
    this.hitsAt = align(this.inputAt + this.span + this.window + 8, 64);
    const hitBytes = (this.span / this.stride + 1) * 12;
    ({ exports: this.exports, mem: this.mem } = instantiate<FilterExports>(
      WINDOW_FILTER_WASM,
      this.hitsAt + hitBytes,
    ));
    new Int32Array(this.mem.buffer, this.filterAt, layout.filter.length).set(layout.filter);
  }

  /** Tests the windows at from, from + stride, ... that fit before `to`, in order. */
  scan(buf: Uint8Array, from: number, to: number, onCandidates: WindowCandidates): void {
    const bytes = new Uint8Array(this.mem.buffer);
    const words = new Int32Array(this.mem.buffer);
    const run = this.window === 8 ? this.exports.scan8 : this.exports.scan4;
    for (let p0 = from; p0 + this.window <= to; p0 += this.span) {
      // The last window of this call starts before p0 + span and may read window - 1 more.
      const end = Math.min(to, p0 + this.span + this.window - 1);
      const at = this.inputAt + alignmentOf(buf, p0);
      bytes.set(buf.subarray(p0, end), at);
      const base = at - p0; // the address of buf[x] is base + x
      const n = run(base + p0, base + end, this.stride, this.filterAt, this.shift, this.hitsAt);
      if (n > 0) onCandidates(words, this.hitsAt >> 2, n, base);
    }
  }
}
