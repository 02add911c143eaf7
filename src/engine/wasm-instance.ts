/** Shared plumbing of the hand-written WebAssembly loops (wasm-dfa.ts, wasm-window-filter.ts). */

const PAGE = 65536;

/**
 * False under `node --jitless` (and in any runtime without WebAssembly): callers then keep to
 * their JS loops, slower but the same results.
 */
export const WASM_AVAILABLE = typeof WebAssembly === 'object';
const modules = new Map<string, WebAssembly.Module>();

/**
 * A fresh linear memory of at least `bytes` and an instance of the embedded module on it.
 * Each module is compiled once per thread; instances are cheap.
 */
export function instantiate<T>(base64: string, bytes: number): { exports: T; mem: WebAssembly.Memory } {
  let module = modules.get(base64);
  if (!module) {
    module = new WebAssembly.Module(Buffer.from(base64, 'base64'));
    modules.set(base64, module);
  }
  const mem = new WebAssembly.Memory({ initial: Math.max(1, Math.ceil(bytes / PAGE)) });
  const instance = new WebAssembly.Instance(module, { env: { mem } });
  return { exports: instance.exports as unknown as T, mem };
}

export function align(n: number, to: number): number {
  return Math.ceil(n / to) * to;
}

/**
 * Where buf[from] sits mod 8. Copies into linear memory go to the same offset mod 8: V8 copies
 * out of a SharedArrayBuffer (worker batches) byte by byte when source and destination differ
 * in alignment, ~1.4 GB/s against ~10 for 128 KiB chunks on the benchmark machines.
 */
export function alignmentOf(buf: Uint8Array, from: number): number {
  return (buf.byteOffset + from) & 7;
}
