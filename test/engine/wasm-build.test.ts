import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { assembleWat, embeddedModuleSource, WASM_MODULES } from '../../scripts/wasm-modules.js';

describe('embedded WebAssembly modules', () => {
  for (const m of WASM_MODULES) {
    it(`${m.tsPath.split('/').pop()} is what ${m.watPath.split('/').pop()} assembles to (run npm run build:wasm)`, async () => {
      const bytes = await assembleWat(m.watPath, readFileSync(m.watPath, 'utf8'));
      expect(readFileSync(m.tsPath, 'utf8')).toBe(embeddedModuleSource(m, bytes));
    });
  }
});
