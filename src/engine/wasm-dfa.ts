import { KEYWORD_DFA_WASM } from './wasm/keyword-dfa.wasm.js';
import { align, alignmentOf, instantiate } from './wasm-instance.js';

/** The automaton a WasmDfa runs: the keyword scanner's tables, states as row offsets. */
export interface DfaTables {
  /** Byte -> class. */
  classOf: Uint8Array;
  classCount: number;
  /** Entries are row offsets (state * classCount) of the next state. */
  delta: Int32Array;
  /** Row offset of the start state. */
  startRow: number;
  /** Row offsets at or past this one end a keyword. */
  outputRowStart: number;
  /** Longest keyword in bytes: how far back a stream must replay to start mid-input. */
  maxKeywordLength: number;
}

/** Called for every byte after which the automaton is in an output state (row offset). */
export type StateHit = (end: number, row: number) => void;

export interface WasmDfaOptions {
  /** Bytes copied into the module per call (default 128 KiB); tests make it tiny. */
  chunk?: number;
  /** A chunk half shorter than this runs as one stream (default 4096): two would not pay. */
  splitMin?: number;
}

/** Where the transition table starts: scan4 has this address built in. */
const HEADER = 288;
const NEWLINE = 0x0a;
/** Result words: final state of stream i at RESULT_STATE + i, its hit count at RESULT_HITS + i. */
const RESULT_STATE = 256 >> 2;
const RESULT_HITS = 272 >> 2;
/** scan4's constants: four streams of QUARTER bytes, each with a hit area of QUARTER pairs. */
const QUARTER = 8192;
const BLOCK = 4 * QUARTER;
const QUARTER_AREA = QUARTER * 8;

interface DfaExports {
  scan1(p: number, end: number, s: number, d: number, outMin: number, out: number): number;
  scan2(
    p: number,
    n: number,
    s0: number,
    s1: number,
    d: number,
    outMin: number,
    out0: number,
    out1: number,
  ): number;
  scan4(p: number, s0: number, s1: number, s2: number, s3: number, outMin: number, out: number): number;
  count(p: number, end: number, byte: number): number;
}

/**
 * Runs a dense byte-class DFA in WebAssembly (src/engine/wasm/keyword-dfa.wat), one instance
 * and linear memory per automaton. Input is copied in chunk by chunk with the state carried
 * across, so memory stays fixed whatever the input length. A chunk runs as 32 KiB blocks of four
 * interleaved streams (each primed by replaying the bytes a keyword could span), then what is
 * left as one or two streams. Not re-entrant: a hit callback must not scan with the same WasmDfa.
 */
export class WasmDfa {
  private readonly exports: DfaExports;
  private readonly mem: WebAssembly.Memory;
  private readonly tableAt: number;
  private readonly inputAt: number;
  private readonly hits0At: number;
  private readonly hits1At: number;
  private readonly outMinBytes: number;
  private readonly startBytes: number;
  private readonly lead: number;
  private readonly chunk: number;
  private readonly splitMin: number;

  constructor(t: DfaTables, opts: WasmDfaOptions = {}) {
    this.chunk = Math.max(2, opts.chunk ?? 128 * 1024);
    this.splitMin = opts.splitMin ?? 4096;
    const tableBytes = t.delta.length * 4;
    this.tableAt = HEADER;
    this.inputAt = align(HEADER + tableBytes, 64);
    this.lead = Math.max(0, t.maxKeywordLength - 1);
    // Each area holds a half chunk of (end, state) pairs, plus one; a single stream writes up
    // to `chunk` pairs and runs on into the second area, which it owns then.
    const areaBytes = ((this.chunk >> 1) + 1) * 8;
    // Room for a chunk placed up to 7 bytes in (see scan).
    this.hits0At = align(this.inputAt + this.chunk + 8, 64);
    this.hits1At = this.hits0At + areaBytes;
    const total = this.hits1At + areaBytes;
    ({ exports: this.exports, mem: this.mem } = instantiate<DfaExports>(KEYWORD_DFA_WASM, total));

    const bytes = new Uint8Array(this.mem.buffer);
    for (let b = 0; b < 256; b++) bytes[b] = t.classOf[b] * 4;
    const table = new Int32Array(this.mem.buffer, this.tableAt, t.delta.length);
    for (let i = 0; i < t.delta.length; i++) table[i] = t.delta[i] * 4;
    this.outMinBytes = t.outputRowStart * 4;
    this.startBytes = t.startRow * 4;
  }

  /**
   * Steps the automaton over buf[from, to) from its start state, calling onHit for each output
   * state in order of position: keywords start no earlier than `from`. Returns how many
   * `\n` bytes the range holds, counted while each chunk is in the module's memory anyway.
   */
  scan(buf: Uint8Array, from: number, to: number, onHit: StateHit): number {
    const bytes = new Uint8Array(this.mem.buffer);
    const words = new Int32Array(this.mem.buffer);
    let s = this.startBytes;
    let newlines = 0;
    for (let c0 = from; c0 < to; c0 += this.chunk) {
      const c1 = Math.min(to, c0 + this.chunk);
      const at = this.inputAt + alignmentOf(buf, c0);
      bytes.set(buf.subarray(c0, c1), at);
      const base = at - c0; // the address of buf[x] is base + x
      let p = c0;
      // The hit areas hold a whole chunk's pairs, so they hold scan4's four quarters when a
      // block fits in the chunk.
      if (this.lead < QUARTER) {
        for (; c1 - p >= BLOCK; p += BLOCK) s = this.scanBlock(words, base, p, s, onHit);
      }
      if (p < c1) s = this.scanRest(words, base, p, c1, s, onHit);
      newlines += this.exports.count(at, at + (c1 - c0), NEWLINE);
    }
    return newlines;
  }

  /** scan4 over buf[p, p + BLOCK), streams 1-3 primed by replaying the `lead` bytes before them. */
  private scanBlock(words: Int32Array, base: number, p: number, s: number, onHit: StateHit): number {
    this.exports.scan4(
      base + p,
      s,
      this.primed(words, base, p + QUARTER),
      this.primed(words, base, p + 2 * QUARTER),
      this.primed(words, base, p + 3 * QUARTER),
      this.outMinBytes,
      this.hits0At,
    );
    for (let i = 0; i < 4; i++) {
      this.report(words, this.hits0At + i * QUARTER_AREA, words[RESULT_HITS + i], base, onHit);
    }
    return words[RESULT_STATE + 3];
  }

  /**
   * The state a stream starting at buf[q] needs: the start state stepped over the `lead` bytes
   * before q, which is as far back as a keyword ending after q can start. Hits on the way
   * belong to the stream before; they land in the first hit area, which is scratch until the
   * streams run.
   */
  private primed(words: Int32Array, base: number, q: number): number {
    this.exports.scan1(
      base + q - this.lead,
      base + q,
      this.startBytes,
      this.tableAt,
      this.outMinBytes,
      this.hits0At,
    );
    return words[RESULT_STATE];
  }

  /** A range shorter than a block (or a chunk too small for one): one or two streams. */
  private scanRest(
    words: Int32Array,
    base: number,
    c0: number,
    c1: number,
    s: number,
    onHit: StateHit,
  ): number {
    const x = this.exports;
    const half = (c1 - c0) >> 1;
    if (half < this.splitMin || half < 4 * this.lead) {
      const n = x.scan1(base + c0, base + c1, s, this.tableAt, this.outMinBytes, this.hits0At);
      this.report(words, this.hits0At, n, base, onHit);
      return words[RESULT_STATE];
    }
    const mid = c0 + half;
    // A keyword ending at or after mid starts no earlier than `lead` bytes before it (at or
    // after c0, as half >= 4 * lead), and one ending before mid is stream 0's.
    const s1 = this.primed(words, base, mid);
    const n0 = x.scan2(base + c0, half, s, s1, this.tableAt, this.outMinBytes, this.hits0At, this.hits1At);
    const end1 = words[RESULT_STATE + 1];
    const n1 = words[RESULT_HITS + 1];
    this.report(words, this.hits0At, n0, base, onHit);
    this.report(words, this.hits1At, n1, base, onHit);
    // The odd byte left when the chunk length is odd.
    if (mid + half === c1) return end1;
    const n = x.scan1(base + mid + half, base + c1, end1, this.tableAt, this.outMinBytes, this.hits0At);
    this.report(words, this.hits0At, n, base, onHit);
    return words[RESULT_STATE];
  }

  private report(words: Int32Array, at: number, n: number, base: number, onHit: StateHit): void {
    for (let k = at >> 2, e = k + 2 * n; k < e; k += 2) onHit(words[k] - base, words[k + 1] >> 2);
  }
}
