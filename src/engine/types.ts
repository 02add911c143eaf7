/**
 * The Scrubber's contract. Everything here is plain data so a ruleset can be
 * structured-cloned into worker threads and compiled there (RE2 objects cannot cross
 * a thread boundary).
 */

/** What happens to a masked span. */
export type ActionKind = 'label' | 'mask' | 'partial' | 'hash' | 'drop';

export interface ActionSpec {
  kind: ActionKind;
  /** `mask`: the fixed replacement text (JSON-safe: no quote, backslash or control byte). */
  text?: string;
  /** `partial`: bytes kept at the start / end of the secret (only if enough remains masked). */
  keepStart?: number;
  keepEnd?: number;
}

export type Confidence = 'low' | 'medium' | 'high';

/** Names of offline validators in src/rules/checksums.ts. */
export type ChecksumName = string;

export interface RuleAllowlist {
  /** RE2 patterns; a candidate secret matching any of them is not a finding. */
  regexes?: string[];
  /** Case-insensitive substrings; a candidate secret containing any is not a finding. */
  stopwords?: string[];
}

export interface RuleSamples {
  /** Lines on which the rule must fire (and mask its whole secret group). */
  positive: string[];
  /** Lines on which the rule must stay silent. */
  negative: string[];
}

/** A detector rule as loaded from a pack (TOML/YAML/JSON) or a gitleaks config. */
export interface RuleSpec {
  /** Stable id, `[a-z0-9][a-z0-9._-]*`; appears in labels and reports. */
  id: string;
  description: string;
  /** RE2 syntax (no lookaround, no backreferences). */
  regex: string;
  /**
   * Case-insensitive literals; the rule runs only on lines containing one of them.
   * Empty means "always run" (allowed for user rules, avoided in bundled packs).
   */
  keywords: string[];
  /** Capture group holding the secret; 0 (default) = the whole match. */
  secretGroup?: number;
  /** Minimum Shannon entropy of the secret, bits per byte. */
  entropy?: number;
  /** Offline validator name (see src/rules/checksums.ts). */
  checksum?: ChecksumName;
  allowlist?: RuleAllowlist;
  confidence?: Confidence;
  /** Per-rule action; falls back to the ruleset default. */
  action?: ActionSpec;
  /** The match may span lines (PEM blocks); the rule then runs over the batch, not per line. */
  multiline?: boolean;
  /** Higher wins when two spans of equal length overlap (default 0). */
  priority?: number;
  samples?: RuleSamples;
  /** Where the rule came from (file path), for error messages. */
  origin?: string;
}

/** A secret value known ahead of time (from env, dotenv, a directory, a command). */
export interface KnownValueSpec {
  /** Where it came from, e.g. `env:OPENAI_API_KEY` or `dir:/var/run/secrets/db/password`. Never the value. */
  source: string;
  value: string;
}

export interface GlobalAllowlist {
  regexes?: string[];
  stopwords?: string[];
}

export interface ScrubOptions {
  defaultAction: ActionSpec;
  /** Hex HMAC-SHA256 key for fingerprints and the `hash` action (shared by every worker). */
  hashKeyHex: string;
  /** Known values shorter than this are refused at load time (default 8). */
  minKnownValueLength: number;
  allowlist?: GlobalAllowlist;
  /** JSON/msgpack structure rules, applied by the format layer (src/formats). */
  structure?: StructureSpec;
}

export interface StructureSpec {
  /** Key names whose values are masked whatever they hold (suffix match, see key-rules.ts). */
  secretKeys: string[];
  /** fast-redact / pino path syntax: `req.headers.authorization`, `users[*].token`. */
  redactPaths: string[];
  /** Action for structural matches (default: the ruleset default; `partial` acts as `label`). */
  action?: ActionSpec;
}

/** Record formats (src/formats): how a batch is framed and what a record is. */
export type FormatName = 'text' | 'jsonl' | 'json' | 'msgpack';

export interface FormatSpec {
  name: FormatName;
  /** jsonl: a line that is not JSON is scanned as text (`scan`) or replaced by a notice (`withhold`). */
  invalidRecords: 'scan' | 'withhold';
  /** Top-level keys never touched in decoded records (Fluentd tag/time fields). */
  keepKeys: string[];
}

/** Everything a worker needs to build a Scrubber: plain, cloneable data. */
export interface RulesetSpec {
  version: number;
  rules: RuleSpec[];
  knownValues: KnownValueSpec[];
  options: ScrubOptions;
  /** Record format of the batches (default: text lines). */
  format?: FormatSpec;
}

/** A half-open byte range [start, end) of the ORIGINAL input, attributed to a rule. */
export interface Span {
  start: number;
  end: number;
  /** Rule id, or `known-value`. */
  ruleId: string;
  /** Index into the compiled rule table (-1 for known values); picks the action. */
  ruleIndex: number;
  priority: number;
  /** For known values: the source name. */
  source?: string;
  /**
   * Structural spans (JSON key/path rules) cover a whole non-string value (a number): the
   * replacement is written as a JSON string, quotes included, and never split.
   */
  quote?: boolean;
  /** Overrides the rule's action (structural spans carry their own). */
  action?: ActionSpec;
}

export interface Finding {
  ruleId: string;
  /** 0-based record (line) index within the batch. */
  record: number;
  /** Byte offset in the batch input. */
  offset: number;
  length: number;
  /** Keyed fingerprint (HMAC-SHA256, 16 hex) of the secret bytes; never the value. */
  fingerprint: string;
  source?: string;
}

export interface ScrubResult {
  /**
   * The input itself when nothing changed; otherwise a view of the caller's `into` buffer
   * when the output fits there, else a fresh buffer.
   */
  output: Uint8Array;
  findings: Finding[];
  /** Records removed by a `drop` action. */
  droppedRecords: number;
  /** Records in the input: one per `\n`, plus a last one without its `\n`. */
  records: number;
}
