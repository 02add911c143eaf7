import { KeywordScanner } from '../engine/keyword-scanner.js';
import type { ActionSpec, Span, StructureSpec } from '../engine/types.js';
import { findJsonValueSpans } from './json-value-spans.js';
import { KeyNameRules } from './key-rules.js';
import { parseRedactPath, pathMatches, type RedactPath } from './redact-paths.js';

export const SECRET_KEY_RULE = 'secret-key';
export const REDACT_PATH_RULE = 'redact-path';

const NEWLINE = 0x0a;

/**
 * Key-name and path rules over JSON text and decoded records. A record is looked at only
 * when a key name (or a path's last literal key) occurs in its bytes: one automaton pass
 * over the batch, so records without such keys cost nothing more.
 */
export class StructureRules {
  readonly keys: KeyNameRules;
  readonly paths: RedactPath[];
  private readonly scanner: KeywordScanner | null;
  private readonly action: ActionSpec | undefined;

  constructor(spec: StructureSpec | undefined) {
    this.keys = new KeyNameRules(spec?.secretKeys ?? []);
    this.paths = (spec?.redactPaths ?? []).map(parseRedactPath);
    const keywords = [...this.keys.keywords, ...this.paths.map((p) => p.anchorKey.toLowerCase())];
    this.scanner = keywords.length ? new KeywordScanner([...new Set(keywords)]) : null;
    this.action = spec?.action?.kind === 'partial' ? { kind: 'label' } : spec?.action;
  }

  get active(): boolean {
    return this.scanner !== null;
  }

  /** Rule id claiming the value at this location, if any. */
  readonly matchLocation = (location: readonly string[]): string | undefined => {
    if (this.keys.size && this.keys.match(location[location.length - 1])) return SECRET_KEY_RULE;
    for (const p of this.paths) if (pathMatches(p.segments, location)) return REDACT_PATH_RULE;
    return undefined;
  };

  /** True if buf[from, to) contains any key name or path anchor (case-insensitive). */
  mayMatch(buf: Uint8Array, from: number, to: number): boolean {
    if (!this.scanner) return false;
    let hit = false;
    this.scanner.scan(buf, from, to, () => {
      hit = true;
    });
    return hit;
  }

  /** Spans for the JSON lines of a batch (lines that are not JSON contribute none). */
  jsonLineSpans(buf: Uint8Array, from = 0, to = buf.length): Span[] {
    const spans: Span[] = [];
    if (!this.scanner) return spans;
    let lineEnd = -1;
    const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
    this.scanner.scan(buf, from, to, (end) => {
      if (end <= lineEnd) return;
      const lineStart = b.lastIndexOf(NEWLINE, end - 1) + 1;
      const nl = b.indexOf(NEWLINE, end);
      lineEnd = nl < 0 || nl > to ? to : nl;
      this.jsonTextSpans(buf, Math.max(from, lineStart), lineEnd, spans);
    });
    return spans;
  }

  /** Spans of one JSON text (a line or a document). */
  jsonTextSpans(buf: Uint8Array, from: number, to: number, out: Span[] = []): Span[] {
    let start = from;
    while (start < to && (buf[start] === 0x20 || buf[start] === 0x09)) start++;
    if (buf[start] !== 0x7b && buf[start] !== 0x5b) return out;
    for (const v of findJsonValueSpans(buf, start, to, this.matchLocation).spans) {
      const span: Span = { start: v.start, end: v.end, ruleId: v.ruleId, ruleIndex: -1, priority: 50 };
      if (v.whole) span.quote = true;
      if (this.action) span.action = this.action;
      out.push(span);
    }
    return out;
  }
}
