/**
 * Assembles src/engine/wasm/*.wat into the TypeScript modules that embed them (base64), so
 * neither an install nor a user needs a WebAssembly toolchain. test/engine/wasm-build.test.ts
 * fails when a .wat file and its embedded bytes drift apart.
 *
 *   npm run build:wasm
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { assembleWat, embeddedModuleSource, WASM_MODULES } from './wasm-modules.js';

for (const m of WASM_MODULES) {
  const bytes = await assembleWat(m.watPath, readFileSync(m.watPath, 'utf8'));
  writeFileSync(m.tsPath, embeddedModuleSource(m, bytes));
  console.log(`${m.tsPath}: ${bytes.length} bytes`);
}
