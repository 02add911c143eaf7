import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';

export const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));
export const TEST_PACK = `${FIXTURES}order-tokens.toml`;

/** A known value (from the environment in the tests) and a detector-shaped secret. */
export const ENV_SECRET = 'env-secret-Zq8wY3vK1pL0';
export const ORDER_TOKEN = 'ordtok_k3j5h7g9f1d2s4a6q8w0';
export const KNOWN_LABEL = '[REDACTED:known-value]';
export const ORDER_LABEL = '[REDACTED:test-order-token]';

/** A destination owned by the test: collects what it is given, never ends on its own. */
export class Capture extends Writable {
  text = '';
  override _write(chunk: Buffer | string, _enc: BufferEncoding, cb: () => void): void {
    this.text += chunk.toString();
    cb();
  }
  lines(): Array<Record<string, unknown>> {
    return this.text
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l));
  }
}

/** The same text with every secret replaced by the label hushlog writes for it. */
export function expectedMasking(text: string): string {
  return text.replaceAll(ENV_SECRET, KNOWN_LABEL).replaceAll(ORDER_TOKEN, ORDER_LABEL);
}
