/**
 * Multi-pattern search for known secret values and their encodings.
 *
 * Design: sampled windows, a bit filter, then anchored verification.
 * Every pattern is at least `minLen` bytes long. Pick a window width W and a stride
 * S <= minLen - W + 1, and give every pattern an anchor: S + W - 1 consecutive bytes of it
 * (at offset k). Any occurrence of the pattern contains exactly one scanned position
 * (`from`, `from + S`, `from + 2S`, ...) among the S positions where a window fits inside
 * its anchor. So the scan reads one W-byte window every S bytes (two unaligned 32-bit
 * reads, two multiplies, one filter test), whatever the number of patterns.
 *
 * On a filter hit, the window table says at which positions j inside some anchor this
 * window occurs (a bit mask); for each j the anchor candidate at `pos - j` is hashed and
 * looked up in the anchor table, and only the patterns with that exact anchor are verified
 * byte by byte. Two tables instead of "window -> every pattern containing it" because
 * secrets share structure: 20,000 Slack webhook URLs share 45 bytes, 100k OpenAI keys start
 * with `sk-proj-`. A shared window then costs one anchor lookup, not a verification per
 * pattern (measured before this split: 2,000 webhook URLs took 18 s to scan 2 MB and 20,000
 * took 170 s to build). Anchors are picked where the pattern differs from the others
 * already placed, preferring its end: prefixes are where secrets share structure.
 *
 * Why not Aho-Corasick: its table grows with the total pattern bytes (875 MB for 100k
 * values in the project's measurements) and it touches every input byte; here the fast
 * path touches one window per S bytes and the tables hold S entries per pattern group.
 *
 * What measurements on this machine decided:
 * - The filter is capped at 4 MiB: its random reads are the scan's main cost once it
 *   outgrows the caches (a filter-only loop at stride 8: ~1,150 MB/s with 128 KiB,
 *   ~500 MB/s with 2 MiB, ~90 MB/s with 8 MiB). To stay sparse within the cap each window
 *   sets two bits of one 32-bit word: one memory read per test, false positives squared.
 * - Windows are read with DataView.getInt32 (little-endian, unaligned): 1.6x faster than
 *   assembling four byte loads, and independent of the platform's byte order.
 * - Forms of one value that share their first S+W-1 bytes up to ASCII case (hex lower and
 *   upper; base64 alone, padded, unpadded, with a newline, and its aligned middle) share
 *   one anchor and its windows as a group: 40% fewer table entries at 100k values. Window
 *   keys and anchor hashes fold ASCII case for this; verification is exact.
 *
 * Everything lives in typed arrays so a 100k-value build allocates a handful of objects,
 * not millions.
 */
import { encodedFormTexts } from '../secrets/encodings.js';
import type { KnownValueSpec } from './types.js';
import { WASM_AVAILABLE } from './wasm-instance.js';
import { WasmWindowFilter, type WasmWindowFilterOptions } from './wasm-window-filter.js';

export interface KnownPatternInfo {
  /** Index into the KnownValueSpec[] the matcher was built from. */
  valueIndex: number;
}

/** The shortest pattern the window scheme can index (one narrow window). */
export const MIN_PATTERN_BYTES = 4;

/** Layout choices. The defaults are derived from the patterns; benchmarks and tests override them. */
export interface KnownValueMatcherTuning {
  /** Window width in bytes: 4 or 8. */
  window?: 4 | 8;
  /** Upper bound on the stride; the stride is also bounded by the shortest pattern. */
  maxStride?: number;
  /** Ranges at least this long use the WebAssembly filter loop (default 4096). */
  wasmMin?: number;
  wasm?: WasmWindowFilterOptions;
}

export type KnownValueMatchHandler = (start: number, end: number, valueIndex: number) => void;

/** Wide windows are selective enough for 100k random values; narrow ones allow short patterns. */
const WIDE_WINDOW_MIN_PATTERN = 16;
/** A longer stride saves little scan time and costs one table entry per group; the window masks are 32-bit. */
const STRIDE_CAP = 24;
/** Soft bound on window-table entries (groups x stride), to bound memory at 100k+ values. */
const ENTRY_BUDGET = 8_000_000;
/** log2 of the filter size in 32-bit words: 2^20 words = 4 MiB, the cache-friendly maximum. */
const MAX_FILTER_WORD_BITS = 20;
const MIN_FILTER_WORD_BITS = 10;
/** Filter bits per window, below the cap. */
const FILTER_BITS_PER_ENTRY = 16;
/** Table occupancy: higher saves memory, lower shortens probes. */
const TABLE_LOAD = 0.7;
/** Build-time counting sort granularity: 1024 regions keep the scatter and the insertion cache-local. */
const SORT_REGION_BITS = 10;
/** Anchor positions tried per group before accepting one that another group already uses. */
const ANCHOR_TRIES = 32;

/** Makes window keys blind to ASCII case (and to bit 5 of every byte, harmless in a hash). */
const FOLD = 0x20202020;
const KEY_MUL = 0x9e3779b1 | 0;
const HASH_MUL = 0x85ebca6b | 0;

/**
 * A built matcher's state, every array backed by a SharedArrayBuffer: it crosses to worker
 * threads by reference (postMessage shares SharedArrayBuffers, it does not copy them).
 */
export interface SharedKnownValueTables {
  patternCount: number;
  minLen: number;
  window: 4 | 8;
  stride: number;
  filterShift: number;
  bytes: Uint8Array;
  start: Int32Array;
  len: Int32Array;
  value: Int32Array;
  groupStart: Int32Array;
  groupMembers: Int32Array;
  groupAnchor: Int32Array;
  filter: Int32Array;
  windowSlots: Int32Array;
  anchorSlots: Int32Array;
}

function shared<T extends Uint8Array | Int32Array>(a: T): T {
  const copy = new (a.constructor as new (b: SharedArrayBuffer) => T)(new SharedArrayBuffer(a.byteLength));
  copy.set(a);
  return copy;
}

export class KnownValueMatcher {
  /** Number of distinct byte patterns (values times their distinct encodings). */
  readonly patternCount: number;
  /** Window width in bytes. */
  readonly window: number;
  /** Distance between scanned positions. */
  readonly stride: number;
  /** Patterns sharing an anchor and its windows. */
  readonly groupCount: number;

  private readonly patterns: PatternPool;
  private readonly wasmMin: number;
  private readonly wasmOptions: WasmWindowFilterOptions;
  private wasm: WasmWindowFilter | null = null;
  /** probeBatch's first pass: 1 where a candidate's home slot is empty (no such window). */
  private homeEmpty = new Uint8Array(0);
  /** Anchor length: stride + window - 1. */
  private readonly anchorLen: number;
  /** Group g's pattern ids are groupMembers[groupStart[g] .. groupStart[g+1]). */
  private readonly groupStart: Int32Array;
  private readonly groupMembers: Int32Array;
  /** Offset of each group's anchor inside its patterns. */
  private readonly groupAnchor: Int32Array;
  private readonly filter: Int32Array;
  private readonly filterShift: number;
  /** Open addressing: [window key, mask of anchor positions j]; mask 0 = empty slot. */
  private readonly windowSlots: Int32Array;
  private readonly windowSlotCount: number;
  /** Open addressing: [anchor hash, group]; group -1 = empty slot. */
  private readonly anchorSlots: Int32Array;
  private readonly anchorSlotCount: number;

  private constructor(source: PatternPool | SharedKnownValueTables, tuning: KnownValueMatcherTuning) {
    this.wasmMin = WASM_AVAILABLE ? (tuning.wasmMin ?? 4096) : Number.POSITIVE_INFINITY;
    this.wasmOptions = tuning.wasm ?? {};
    if (!(source instanceof PatternPool)) {
      // Attach: another thread built these tables; they are only read from here on.
      const t = source;
      this.patterns = new PatternPool(t.patternCount, t.bytes, t.start, t.len, t.value, t.minLen);
      this.patternCount = t.patternCount;
      this.window = t.window;
      this.stride = t.stride;
      this.anchorLen = t.stride + t.window - 1;
      this.groupStart = t.groupStart;
      this.groupMembers = t.groupMembers;
      this.groupCount = t.groupStart.length - 1;
      this.anchorSlotCount = t.anchorSlots.length >> 1;
      this.anchorSlots = t.anchorSlots;
      this.groupAnchor = t.groupAnchor;
      this.filterShift = t.filterShift;
      this.filter = t.filter;
      this.windowSlotCount = t.windowSlots.length >> 1;
      this.windowSlots = t.windowSlots;
      return;
    }
    const patterns = source;
    this.patterns = patterns;
    this.patternCount = patterns.count;
    const minLen = patterns.minLen;
    this.window = tuning.window ?? (minLen >= WIDE_WINDOW_MIN_PATTERN ? 8 : 4);
    if (this.window !== 4 && this.window !== 8) throw new RangeError('window must be 4 or 8 bytes');
    if (patterns.count > 0 && minLen < this.window) {
      throw new RangeError(`known-value patterns must be at least ${this.window} bytes long`);
    }
    const budgetStride = Math.floor(ENTRY_BUDGET / Math.max(1, patterns.count));
    this.stride = Math.max(
      1,
      Math.min(minLen - this.window + 1, tuning.maxStride ?? STRIDE_CAP, STRIDE_CAP, budgetStride),
    );
    this.anchorLen = this.stride + this.window - 1;

    const groups = groupSharedPrefixes(patterns, this.anchorLen);
    this.groupStart = groups.start;
    this.groupMembers = groups.members;
    this.groupCount = groups.start.length - 1;

    this.anchorSlotCount = Math.max(8, Math.ceil(this.groupCount / TABLE_LOAD));
    this.anchorSlots = new Int32Array(2 * this.anchorSlotCount).fill(-1);
    this.groupAnchor = this.placeAnchors(groups.sharedLen);

    const windows = this.groupCount * this.stride;
    const filterWordBits = clamp(
      ceilLog2((windows * FILTER_BITS_PER_ENTRY) / 32),
      MIN_FILTER_WORD_BITS,
      MAX_FILTER_WORD_BITS,
    );
    this.filterShift = 32 - filterWordBits;
    this.filter = new Int32Array(2 ** filterWordBits);
    this.windowSlotCount = Math.max(8, Math.ceil(windows / TABLE_LOAD));
    this.windowSlots = new Int32Array(2 * this.windowSlotCount);
    this.fillWindows();
  }

  static build(values: readonly KnownValueSpec[], tuning: KnownValueMatcherTuning = {}): KnownValueMatcher {
    return new KnownValueMatcher(PatternPool.fromValues(values), tuning);
  }

  /**
   * A matcher over tables another thread built (see toShared): nothing is copied or built, so
   * worker threads share one copy instead of each spending the build (~1 s and ~120 MB at
   * 100k values) again.
   */
  static fromShared(tables: SharedKnownValueTables, tuning: KnownValueMatcherTuning = {}): KnownValueMatcher {
    return new KnownValueMatcher(tables, tuning);
  }

  /** The tables, copied once into shared memory, for fromShared in other threads. */
  toShared(): SharedKnownValueTables {
    const p = this.patterns;
    return {
      patternCount: this.patternCount,
      minLen: p.minLen,
      window: this.window as 4 | 8,
      stride: this.stride,
      filterShift: this.filterShift,
      bytes: shared(p.bytes),
      start: shared(p.start),
      len: shared(p.len),
      value: shared(p.value),
      groupStart: shared(this.groupStart),
      groupMembers: shared(this.groupMembers),
      groupAnchor: shared(this.groupAnchor),
      filter: shared(this.filter),
      windowSlots: shared(this.windowSlots),
      anchorSlots: shared(this.anchorSlots),
    };
  }

  /** Bytes held by the matcher's tables and pattern pool (for metrics and benchmarks). */
  get memoryBytes(): number {
    const p = this.patterns;
    return [
      p.bytes,
      p.start,
      p.len,
      p.value,
      this.groupStart,
      this.groupMembers,
      this.groupAnchor,
      this.filter,
      this.windowSlots,
      this.anchorSlots,
    ].reduce((sum, array) => sum + array.byteLength, 0);
  }

  /** Which value a pattern came from. */
  patternInfo(pattern: number): KnownPatternInfo {
    return { valueIndex: this.patterns.value[pattern] };
  }

  /** Report every occurrence of every pattern inside buf[from, to) (overlapping occurrences too). */
  scan(buf: Uint8Array, from: number, to: number, onMatch: KnownValueMatchHandler): void {
    const lo = Math.max(0, Math.trunc(from));
    const hi = Math.min(buf.length, Math.trunc(to));
    if (this.patternCount === 0 || hi - lo < this.window) return;
    if (hi - lo >= this.wasmMin) {
      this.wasm ??= new WasmWindowFilter(
        {
          filter: this.filter,
          filterShift: this.filterShift,
          window: this.window as 4 | 8,
          stride: this.stride,
        },
        this.wasmOptions,
      );
      this.wasm.scan(buf, lo, hi, (hits, first, count, base) =>
        this.probeBatch(buf, hits, first, count, base, lo, hi, onMatch),
      );
      return;
    }
    if (this.window === 8) this.scanWide(buf, lo, hi, onMatch);
    else this.scanNarrow(buf, lo, hi, onMatch);
  }

  // Short ranges (below wasmMin) stay in JS: copying into WebAssembly would cost more.
  // The two loops differ only in how they read a window; separate loops stay monomorphic
  // and free of a per-step branch. Keys and hashes must match fillWindows' exactly.

  private scanNarrow(buf: Uint8Array, from: number, to: number, onMatch: KnownValueMatchHandler): void {
    const { filter, filterShift, stride } = this;
    const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    const last = to - 4;
    for (let p = from; p <= last; p += stride) {
      const key = view.getInt32(p, true) | FOLD;
      const hash = Math.imul(key ^ (key >>> 15), HASH_MUL);
      const mask = (1 << (hash & 31)) | (1 << ((hash >>> 5) & 31));
      if ((filter[hash >>> filterShift] & mask) === mask) this.probe(buf, p, key, hash, from, to, onMatch);
    }
  }

  private scanWide(buf: Uint8Array, from: number, to: number, onMatch: KnownValueMatchHandler): void {
    const { filter, filterShift, stride } = this;
    const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    const last = to - 8;
    for (let p = from; p <= last; p += stride) {
      const key = Math.imul(view.getInt32(p, true) | FOLD, KEY_MUL) ^ (view.getInt32(p + 4, true) | FOLD);
      const hash = Math.imul(key ^ (key >>> 15), HASH_MUL);
      const mask = (1 << (hash & 31)) | (1 << ((hash >>> 5) & 31));
      if ((filter[hash >>> filterShift] & mask) === mask) this.probe(buf, p, key, hash, from, to, onMatch);
    }
  }

  /**
   * probe() for a chunk's candidates. Nearly all are false positives of the filter, and each
   * lookup's first read misses the caches (the window table is ~50 MB at 100k values). A
   * first pass reads every candidate's home slot in a loop with no branch on what it reads,
   * so the CPU overlaps those misses; an empty home slot already proves the window absent
   * (~30% of them at the table's load), and the other probes find their slots cached.
   */
  private probeBatch(
    buf: Uint8Array,
    hits: Int32Array,
    first: number,
    count: number,
    base: number,
    from: number,
    to: number,
    onMatch: KnownValueMatchHandler,
  ): void {
    const { windowSlots: slots, windowSlotCount: slotCount } = this;
    if (this.homeEmpty.length < count) this.homeEmpty = new Uint8Array(2 * count);
    const homeEmpty = this.homeEmpty;
    for (let i = 0, k = first; i < count; i++, k += 3) {
      homeEmpty[i] = slots[2 * slotOf(hits[k + 2], slotCount) + 1] === 0 ? 1 : 0;
    }
    for (let i = 0, k = first; i < count; i++, k += 3) {
      if (homeEmpty[i] === 0) this.probe(buf, hits[k] - base, hits[k + 1], hits[k + 2], from, to, onMatch);
    }
  }

  /** Looks the window at `pos` up; for each anchor position it occupies, checks that anchor. */
  private probe(
    buf: Uint8Array,
    pos: number,
    key: number,
    hash: number,
    from: number,
    to: number,
    onMatch: KnownValueMatchHandler,
  ): void {
    const { windowSlots: slots, windowSlotCount: count } = this;
    for (
      let slot = slotOf(hash, count);
      slots[2 * slot + 1] !== 0;
      slot = slot + 1 === count ? 0 : slot + 1
    ) {
      if (slots[2 * slot] !== key) continue;
      for (let mask = slots[2 * slot + 1], j = 0; mask !== 0; mask >>>= 1, j++) {
        if ((mask & 1) !== 0) this.checkAnchor(buf, pos - j, from, to, onMatch);
      }
      return; // window keys are unique in the table
    }
  }

  /** Verifies the patterns whose anchor would start at `at`. */
  private checkAnchor(
    buf: Uint8Array,
    at: number,
    from: number,
    to: number,
    onMatch: KnownValueMatchHandler,
  ): void {
    if (at < from || at + this.anchorLen > to) return;
    const { anchorSlots: slots, anchorSlotCount: count, groupStart, groupMembers, groupAnchor } = this;
    const { len: patLen, value: patValue } = this.patterns;
    const hash = anchorHash(buf, at, this.anchorLen);
    for (
      let slot = slotOf(hash, count);
      slots[2 * slot + 1] !== -1;
      slot = slot + 1 === count ? 0 : slot + 1
    ) {
      if (slots[2 * slot] !== hash) continue;
      const group = slots[2 * slot + 1];
      const start = at - groupAnchor[group];
      if (start < from) continue;
      for (let m = groupStart[group]; m < groupStart[group + 1]; m++) {
        const pattern = groupMembers[m];
        const len = patLen[pattern];
        if (start + len <= to && this.patterns.equalsAt(buf, start, pattern)) {
          onMatch(start, start + len, patValue[pattern]);
        }
      }
    }
  }

  /**
   * Chooses each group's anchor and fills the anchor table. The last position inside the
   * bytes all members share comes first; then evenly spaced positions towards the start;
   * the first whose hash no other group uses wins. If every try collides (near-identical
   * patterns), the last position is kept: correct, only slower to verify.
   */
  private placeAnchors(sharedLen: Int32Array): Int32Array {
    const { anchorLen, anchorSlots: slots, anchorSlotCount: count } = this;
    const bytes = this.patterns.bytes;
    const anchors = new Int32Array(this.groupCount);
    for (let group = 0; group < this.groupCount; group++) {
      const base = this.patterns.start[this.groupMembers[this.groupStart[group]]];
      const lastK = sharedLen[group] - anchorLen;
      const tries = Math.min(ANCHOR_TRIES, lastK + 1);
      let chosenK = lastK;
      let chosenHash = anchorHash(bytes, base + lastK, anchorLen);
      for (let t = 0; t < tries; t++) {
        const k = tries === 1 ? lastK : lastK - Math.round((t * lastK) / (tries - 1));
        const hash = t === 0 ? chosenHash : anchorHash(bytes, base + k, anchorLen);
        if (!tableHasHash(slots, count, hash)) {
          chosenK = k;
          chosenHash = hash;
          break;
        }
      }
      anchors[group] = chosenK;
      let slot = slotOf(chosenHash, count);
      while (slots[2 * slot + 1] !== -1) slot = slot + 1 === count ? 0 : slot + 1;
      slots[2 * slot] = chosenHash;
      slots[2 * slot + 1] = group;
    }
    return anchors;
  }

  /**
   * Fills the filter and the window table from every group's anchor. Windows are first
   * bucketed by the top bits of their hash (a counting sort) and inserted in that order:
   * slot order follows the hash, so insertion walks the table nearly sequentially instead
   * of missing the cache on every window (3x faster at 100k values).
   */
  private fillWindows(): void {
    const { filter, filterShift, stride } = this;
    const { windowSlots: slots, windowSlotCount: count } = this;
    const total = this.groupCount * stride;
    const keys = new Int32Array(total);
    const bytes = this.patterns.bytes;
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const wide = this.window === 8;
    const regionShift = 32 - SORT_REGION_BITS;
    const regionStart = new Int32Array(2 ** SORT_REGION_BITS + 1);
    let w = 0;
    for (let group = 0; group < this.groupCount; group++) {
      const anchor = this.patterns.start[this.groupMembers[this.groupStart[group]]] + this.groupAnchor[group];
      for (let j = 0; j < stride; j++, w++) {
        const p = anchor + j;
        const lo = view.getInt32(p, true) | FOLD;
        const key = wide ? Math.imul(lo, KEY_MUL) ^ (view.getInt32(p + 4, true) | FOLD) : lo;
        const hash = Math.imul(key ^ (key >>> 15), HASH_MUL);
        filter[hash >>> filterShift] |= (1 << (hash & 31)) | (1 << ((hash >>> 5) & 31));
        keys[w] = key;
        regionStart[(hash >>> regionShift) + 1]++;
      }
    }
    for (let r = 1; r < regionStart.length; r++) regionStart[r] += regionStart[r - 1];
    // Window w sits at position j = w % stride of its group's anchor (loop order above).
    const sortedKeys = new Int32Array(total);
    const sortedBits = new Int32Array(total);
    for (let i = 0; i < total; i++) {
      const key = keys[i];
      const at = regionStart[Math.imul(key ^ (key >>> 15), HASH_MUL) >>> regionShift]++;
      sortedKeys[at] = key;
      sortedBits[at] = 1 << (i % stride);
    }
    for (let i = 0; i < total; i++) {
      const key = sortedKeys[i];
      let slot = slotOf(Math.imul(key ^ (key >>> 15), HASH_MUL), count);
      while (slots[2 * slot + 1] !== 0 && slots[2 * slot] !== key) slot = slot + 1 === count ? 0 : slot + 1;
      slots[2 * slot] = key;
      slots[2 * slot + 1] |= sortedBits[i];
    }
  }
}

/** Case-folded FNV-1a of bytes[at, at+len) with a final avalanche (the slot uses the high bits). */
function anchorHash(bytes: Uint8Array, at: number, len: number): number {
  let h = 0x811c9dc5 | 0;
  for (let i = 0; i < len; i++) h = Math.imul(h ^ (bytes[at + i] | 0x20), 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, HASH_MUL);
  return h ^ (h >>> 13);
}

function tableHasHash(slots: Int32Array, count: number, hash: number): boolean {
  for (let slot = slotOf(hash, count); slots[2 * slot + 1] !== -1; slot = slot + 1 === count ? 0 : slot + 1) {
    if (slots[2 * slot] === hash) return true;
  }
  return false;
}

/**
 * Maps a hash to [0, slotCount) by its top 21 bits (multiply-shift; the table need not be a
 * power of two). The product stays below 2^53, so the float arithmetic is exact.
 */
function slotOf(hash: number, slotCount: number): number {
  return (((hash >>> 11) * slotCount) / 2097152) | 0;
}

/** Every encoded form of every value, concatenated into one byte pool. */
class PatternPool {
  constructor(
    readonly count: number,
    readonly bytes: Uint8Array,
    readonly start: Int32Array,
    readonly len: Int32Array,
    /** The value each pattern came from. */
    readonly value: Int32Array,
    readonly minLen: number,
  ) {}

  static fromValues(values: readonly KnownValueSpec[]): PatternPool {
    // Forms are written into the pool as they are produced so that no per-form string or
    // buffer outlives its value: at 100k values that halves the build's GC time.
    let pool: Buffer = Buffer.alloc(Math.max(1024, values.length * 256));
    let start: Int32Array = new Int32Array(Math.max(16, values.length * 8));
    let len: Int32Array = new Int32Array(start.length);
    let owner: Int32Array = new Int32Array(start.length);
    let count = 0;
    let at = 0;
    let minLen = Number.POSITIVE_INFINITY;
    for (let v = 0; v < values.length; v++) {
      for (const text of encodedFormTexts(values[v].value)) {
        if (pool.length - at < 3 * text.length) pool = grownBytes(pool, at + 3 * text.length);
        if (count === start.length) {
          start = grownInts(start);
          len = grownInts(len);
          owner = grownInts(owner);
        }
        const n = pool.write(text, at, 'utf8');
        // Named by index and source only: sources already refuse short values by name.
        if (n < MIN_PATTERN_BYTES) {
          throw new RangeError(
            `known value #${v} (${values[v].source}) is shorter than ${MIN_PATTERN_BYTES} bytes`,
          );
        }
        start[count] = at;
        len[count] = n;
        owner[count] = v;
        count++;
        at += n;
        if (n < minLen) minLen = n;
      }
    }
    // Copies at the exact size: the growth slack would otherwise stay allocated.
    return new PatternPool(
      count,
      new Uint8Array(pool.subarray(0, at)),
      start.slice(0, count),
      len.slice(0, count),
      owner.slice(0, count),
      count ? minLen : 0,
    );
  }

  equalsAt(buf: Uint8Array, at: number, pattern: number): boolean {
    const bytes = this.bytes;
    const base = this.start[pattern];
    const len = this.len[pattern];
    for (let i = 0; i < len; i++) if (buf[at + i] !== bytes[base + i]) return false;
    return true;
  }

  /** Length of the common prefix of patterns a and b, up to bit 5 (the keys' folding). */
  foldedCommonPrefix(a: number, b: number): number {
    const bytes = this.bytes;
    const sa = this.start[a];
    const sb = this.start[b];
    const n = Math.min(this.len[a], this.len[b]);
    let i = 0;
    while (i < n && (bytes[sa + i] | 0x20) === (bytes[sb + i] | 0x20)) i++;
    return i;
  }
}

/**
 * Groups the patterns of each value that share their first `prefixLen` bytes (folded), and
 * reports how many leading bytes each group's members all share (where its anchor may go).
 * Only patterns of the same value are compared: that is where prefixes are shared, and it
 * keeps grouping linear in the number of values (a value has a few dozen forms at most).
 * Patterns of a value are contiguous.
 */
function groupSharedPrefixes(
  patterns: PatternPool,
  prefixLen: number,
): { start: Int32Array; members: Int32Array; sharedLen: Int32Array } {
  const members = new Int32Array(patterns.count);
  const starts: number[] = [0];
  const shared: number[] = [];
  const grouped = new Uint8Array(patterns.count);
  let placed = 0;
  let first = 0;
  while (first < patterns.count) {
    let end = first + 1;
    while (end < patterns.count && patterns.value[end] === patterns.value[first]) end++;
    for (let a = first; a < end; a++) {
      if (grouped[a]) continue;
      members[placed++] = a;
      let common = patterns.len[a];
      for (let b = a + 1; b < end; b++) {
        if (grouped[b]) continue;
        const prefix = patterns.foldedCommonPrefix(a, b);
        if (prefix < prefixLen) continue;
        grouped[b] = 1;
        members[placed++] = b;
        common = Math.min(common, prefix);
      }
      shared.push(common);
      starts.push(placed);
    }
    first = end;
  }
  return { start: Int32Array.from(starts), members, sharedLen: Int32Array.from(shared) };
}

function grownBytes(bytes: Buffer, atLeast: number): Buffer {
  const grown = Buffer.alloc(Math.max(atLeast, 2 * bytes.length));
  bytes.copy(grown);
  return grown;
}

function grownInts(ints: Int32Array): Int32Array {
  const grown = new Int32Array(2 * ints.length);
  grown.set(ints);
  return grown;
}

function ceilLog2(n: number): number {
  return n <= 1 ? 0 : Math.ceil(Math.log2(n));
}

function clamp(n: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, n));
}
