import type { KnownValueSpec } from '../engine/types.js';

/**
 * What every secret source returns. Warnings name the source (and line, length), never a
 * value: they are printed and logged.
 */
export interface SourceResult {
  values: KnownValueSpec[];
  warnings: string[];
}

/** Options every source accepts. */
export interface SourceOptions {
  /** Values (and lines of multi-line values) shorter than this are refused. Default 8. */
  minLength?: number;
}
