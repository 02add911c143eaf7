/**
 * Case-insensitive (ASCII) multi-keyword search over bytes: an Aho-Corasick automaton
 * compiled to a dense DFA over byte classes, built here and stepped by a WebAssembly loop for
 * large ranges (wasm-dfa.ts: ~1,150 MB/s where this JS loop does ~330 on the benchmark
 * machines; a keyword pass in RE2 costs a native call per hit). The detector rules run only
 * where a keyword hits.
 */

import { type DfaTables, WasmDfa, type WasmDfaOptions } from './wasm-dfa.js';
import { WASM_AVAILABLE } from './wasm-instance.js';

const NEWLINE = 0x0a;

const ASCII_FOLD = (() => {
  const t = new Uint8Array(256);
  for (let b = 0; b < 256; b++) t[b] = b >= 0x41 && b <= 0x5a ? b + 0x20 : b;
  return t;
})();

export type KeywordHit = (end: number, keywordIndex: number) => void;

export class KeywordScanner implements DfaTables {
  /** Byte -> class (0 = a byte that occurs in no keyword). Case-folded. */
  readonly classOf: Uint8Array;
  readonly classCount: number;
  /** Transition table; entries are pre-multiplied row offsets (state * classCount). */
  readonly delta: Int32Array;
  /** Row offset of the start state (states are renumbered, so it need not be 0). */
  readonly startRow: number;
  /** Rows at or past this offset belong to states where a keyword ends. */
  readonly outputRowStart: number;
  /** For output state k (in row order): outputs[outStart[k], outStart[k+1]) are its keywords. */
  private readonly outStart: Int32Array;
  private readonly outputs: Int32Array;
  readonly keywordLengths: Int32Array;
  readonly maxKeywordLength: number;
  /** Ranges shorter than this are scanned in JS: copying into WebAssembly costs more. */
  private readonly wasmMin: number;
  private readonly wasmOptions: WasmDfaOptions;
  private wasm: WasmDfa | null = null;

  /** @param opts.wasmMin, opts.wasm: tests shrink them to run every WebAssembly path on small inputs. */
  constructor(keywords: readonly string[], opts: { wasmMin?: number; wasm?: WasmDfaOptions } = {}) {
    const encoded = keywords.map((k) => Buffer.from(k, 'utf8').map((b) => ASCII_FOLD[b]));
    this.keywordLengths = Int32Array.from(encoded, (k) => k.length);
    this.maxKeywordLength = Math.max(1, ...this.keywordLengths);
    this.wasmMin = WASM_AVAILABLE ? (opts.wasmMin ?? 512) : Number.POSITIVE_INFINITY;
    this.wasmOptions = opts.wasm ?? {};

    const classOf = new Uint8Array(256);
    let classCount = 1;
    for (const k of encoded) {
      for (const b of k) {
        if (classOf[b] === 0) classOf[b] = classCount++;
      }
    }
    if (classCount > 255) throw new Error('keyword alphabet too large');
    // Upper-case letters share the class of their lower-case form.
    for (let b = 0x41; b <= 0x5a; b++) classOf[b] = classOf[b + 0x20];
    this.classOf = classOf;
    this.classCount = classCount;

    // Trie, built straight into the dense table (-1 = no edge yet).
    const maxStates = encoded.reduce((n, k) => n + k.length, 1);
    const delta = new Int32Array(maxStates * classCount).fill(-1);
    const outs: number[][] = [[]];
    let stateCount = 1;
    encoded.forEach((k, index) => {
      if (k.length === 0) return;
      let s = 0;
      for (const b of k) {
        const slot = s * classCount + classOf[b];
        if (delta[slot] < 0) {
          delta[slot] = stateCount++;
          outs.push([]);
        }
        s = delta[slot];
      }
      outs[s].push(index);
    });

    // BFS: failure links complete the automaton; entries become pre-multiplied row offsets.
    const fail = new Int32Array(stateCount);
    const order = new Int32Array(stateCount);
    let tail = 1;
    for (let head = 0; head < tail; head++) {
      const s = order[head];
      const row = s * classCount;
      for (let c = 0; c < classCount; c++) {
        const child = delta[row + c];
        if (child >= 0 && !(s === 0 && child === 0)) {
          fail[child] = s === 0 ? 0 : delta[fail[s] * classCount + c] / classCount;
          const inherited = outs[fail[child]];
          if (inherited.length) outs[child] = outs[child].concat(inherited);
          delta[row + c] = child * classCount;
          order[tail++] = child;
        } else {
          delta[row + c] = s === 0 ? 0 : delta[fail[s] * classCount + c];
        }
      }
    }
    // Renumber states so every state that ends a keyword comes last: the scan loop then tests
    // one comparison (`row >= outputRowStart`) per byte instead of loading an output table.
    const newId = new Int32Array(stateCount);
    let next = 0;
    for (let st = 0; st < stateCount; st++) if (outs[st].length === 0) newId[st] = next++;
    const firstOutput = next;
    for (let st = 0; st < stateCount; st++) if (outs[st].length > 0) newId[st] = next++;
    const table = new Int32Array(stateCount * classCount);
    for (let st = 0; st < stateCount; st++) {
      const from = st * classCount;
      const to = newId[st] * classCount;
      for (let c = 0; c < classCount; c++) table[to + c] = newId[delta[from + c] / classCount] * classCount;
    }
    this.delta = table;
    this.startRow = newId[0] * classCount;
    this.outputRowStart = firstOutput * classCount;

    const outputStates = stateCount - firstOutput;
    const outStart = new Int32Array(outputStates + 1);
    const flat: number[] = [];
    const byNewId: number[][] = [];
    for (let st = 0; st < stateCount; st++)
      if (outs[st].length > 0) byNewId[newId[st] - firstOutput] = outs[st];
    for (let i = 0; i < outputStates; i++) {
      outStart[i] = flat.length;
      for (const o of new Set(byNewId[i])) flat.push(o);
    }
    outStart[outputStates] = flat.length;
    this.outStart = outStart;
    this.outputs = Int32Array.from(flat);
  }

  /**
   * Calls onHit(endExclusive, keywordIndex) for every keyword occurrence in buf[from, to), in
   * order of end offset, and returns how many `\n` bytes the range holds (the caller's record
   * count, taken on this pass over the bytes rather than a second one). Large ranges run in
   * WebAssembly (wasm-dfa.ts), about twice as fast as this JS loop on the benchmark machines.
   */
  scan(buf: Uint8Array, from: number, to: number, onHit: KeywordHit): number {
    if (to - from < this.wasmMin) return this.scanRange(buf, from, to, onHit);
    this.wasm ??= new WasmDfa(this, this.wasmOptions);
    return this.wasm.scan(buf, from, to, (end, row) => this.emit(row, end, onHit));
  }

  private scanRange(buf: Uint8Array, from: number, to: number, onHit: KeywordHit): number {
    const { classOf, delta, outputRowStart } = this;
    let s = this.startRow;
    let newlines = 0;
    for (let i = from; i < to; i++) {
      const b = buf[i];
      if (b === NEWLINE) newlines++;
      s = delta[s + classOf[b]];
      if (s >= outputRowStart) this.emit(s, i + 1, onHit);
    }
    return newlines;
  }

  private emit(state: number, end: number, onHit: KeywordHit): void {
    const o = (state - this.outputRowStart) / this.classCount;
    const e = this.outStart[o + 1];
    for (let k = this.outStart[o]; k < e; k++) onHit(end, this.outputs[k]);
  }
}
