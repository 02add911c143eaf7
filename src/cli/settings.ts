import { availableParallelism } from 'node:os';
import { dirname, resolve } from 'node:path';
import type { ActionSpec, FormatName } from '../engine/types.js';
import { isEndpointUrl } from '../sinks/url.js';
import {
  parseAction,
  parseActionMap,
  parseBoolean,
  parseChoice,
  parseCommandList,
  parseInteger,
  parseSize,
  parseString,
  parseStringList,
  type Where,
} from './parse-values.js';

/** Every setting of the CLI after merging flag > HUSHLOG_* env > config file > default. */
export interface Settings {
  /** A file path, or a network output URL (fluent://, logstash://, +tls). */
  output?: string;
  /** `forward://host:port`: run as a scrubbing relay instead of reading files. */
  input?: string;
  tag?: string;
  tagKey?: string;
  timeKey?: string;
  sharedKeyFile?: string;
  inputSharedKeyFile?: string;
  spool?: string;
  spoolMaxBytes?: number;
  deliveryTimeoutMs: number;
  tlsCaFile?: string;
  tlsCertFile?: string;
  tlsKeyFile?: string;
  inputTlsCertFile?: string;
  inputTlsKeyFile?: string;
  secretsEnv: string[];
  secretsFile: string[];
  secretsDir: string[];
  secretsCommand: string[][];
  rules: string[];
  gitleaksConfig: string[];
  defaultRules: boolean;
  disableRule: string[];
  action?: ActionSpec;
  ruleAction: Record<string, ActionSpec>;
  hashKeyFile?: string;
  minKnownValueLength?: number;
  workers: number;
  batchBytes: number;
  flushMs: number;
  maxRecordBytes: number;
  batchTimeoutMs: number;
  maxInFlight: number;
  summary: boolean;
  failOnFindings: boolean;
  logFile?: string;
  progress: boolean;
  format: FormatName | 'auto';
  secretKey: string[];
  defaultSecretKeys: boolean;
  redactPath: string[];
  invalidRecords: 'scan' | 'withhold';
  keepKey: string[];
}

export type SettingKey = keyof Settings;

/** Which commands a setting applies to (a shared config file may hold all of them). */
export type Scope = 'engine' | 'pipeline' | 'output';

type Kind =
  | 'string'
  | 'choice'
  | 'stringList'
  | 'path'
  | 'pathList'
  | 'nameList'
  | 'commandList'
  | 'boolean'
  | 'integer'
  | 'size'
  | 'action'
  | 'actionMap';

export interface SettingDef {
  key: SettingKey;
  kind: Kind;
  scope: Scope;
  /** Commander flag spelling, value placeholder included. */
  flag: string;
  help: string;
  /** Lower bound for integer and size settings. */
  min?: number;
  /** Allowed values of a `choice` setting. */
  choices?: readonly string[];
}

export const SETTINGS: readonly SettingDef[] = [
  {
    key: 'output',
    kind: 'path',
    scope: 'output',
    flag: '-o, --output <file|url>',
    help: 'append to FILE instead of writing stdout, or send to fluent://HOST[:PORT] or logstash://HOST:PORT (+tls)',
  },
  {
    key: 'input',
    kind: 'path',
    scope: 'output',
    flag: '--input <url>',
    help: 'relay mode: receive on forward://HOST:PORT (Fluentd forward), scrub, send to --output',
  },
  {
    key: 'tag',
    kind: 'string',
    scope: 'output',
    flag: '--tag <tag>',
    help: 'fluent:// output: tag of the events (default hushlog)',
  },
  {
    key: 'tagKey',
    kind: 'string',
    scope: 'output',
    flag: '--tag-key <field>',
    help: 'fluent:// output: take the tag from this record field when present',
  },
  {
    key: 'timeKey',
    kind: 'string',
    scope: 'output',
    flag: '--time-key <field>',
    help: 'network output: take the event time from this record field (default: now)',
  },
  {
    key: 'sharedKeyFile',
    kind: 'path',
    scope: 'output',
    flag: '--shared-key-file <file>',
    help: 'fluent:// output: forward protocol shared key (file content)',
  },
  {
    key: 'inputSharedKeyFile',
    kind: 'path',
    scope: 'output',
    flag: '--input-shared-key-file <file>',
    help: 'forward:// input: require this shared key from the agents',
  },
  {
    key: 'spool',
    kind: 'path',
    scope: 'output',
    flag: '--spool <dir>',
    help: "network output: keep undelivered records in DIR (fsync'd) instead of memory",
  },
  {
    key: 'spoolMaxBytes',
    kind: 'size',
    scope: 'output',
    min: 1024 * 1024,
    flag: '--spool-max-bytes <size>',
    help: 'bound of the --spool directory (default 1g)',
  },
  {
    key: 'deliveryTimeoutMs',
    kind: 'integer',
    scope: 'output',
    min: 0,
    flag: '--delivery-timeout-ms <ms>',
    help: 'network output: at the end, wait this long for delivery to be confirmed (default 10000)',
  },
  {
    key: 'tlsCaFile',
    kind: 'path',
    scope: 'output',
    flag: '--tls-ca-file <file>',
    help: '+tls output: trust this CA (PEM) instead of the system CAs',
  },
  {
    key: 'tlsCertFile',
    kind: 'path',
    scope: 'output',
    flag: '--tls-cert-file <file>',
    help: '+tls output: client certificate (PEM)',
  },
  {
    key: 'tlsKeyFile',
    kind: 'path',
    scope: 'output',
    flag: '--tls-key-file <file>',
    help: '+tls output: client certificate key (PEM)',
  },
  {
    key: 'inputTlsCertFile',
    kind: 'path',
    scope: 'output',
    flag: '--input-tls-cert-file <file>',
    help: 'forward+tls:// input: server certificate (PEM)',
  },
  {
    key: 'inputTlsKeyFile',
    kind: 'path',
    scope: 'output',
    flag: '--input-tls-key-file <file>',
    help: 'forward+tls:// input: server certificate key (PEM)',
  },
  {
    key: 'secretsEnv',
    kind: 'nameList',
    scope: 'engine',
    flag: '--secrets-env <glob>',
    help: 'mask values of environment variables matching GLOB (repeatable, comma-separated)',
  },
  {
    key: 'secretsFile',
    kind: 'pathList',
    scope: 'engine',
    flag: '--secrets-file <file>',
    help: 'mask values from a dotenv FILE (repeatable)',
  },
  {
    key: 'secretsDir',
    kind: 'pathList',
    scope: 'engine',
    flag: '--secrets-dir <dir>',
    help: 'mask values of one-file-per-secret DIR (Kubernetes, Vault Agent; repeatable)',
  },
  {
    key: 'secretsCommand',
    kind: 'commandList',
    scope: 'engine',
    flag: '--secrets-command <cmd>',
    help: 'mask values of KEY=VALUE lines printed by CMD (no shell; repeatable)',
  },
  {
    key: 'rules',
    kind: 'pathList',
    scope: 'engine',
    flag: '--rules <path>',
    help: 'load a rule pack FILE or DIR (.toml/.yaml/.json; repeatable)',
  },
  {
    key: 'gitleaksConfig',
    kind: 'pathList',
    scope: 'engine',
    flag: '--gitleaks-config <file>',
    help: 'import rules from a gitleaks TOML config (repeatable)',
  },
  {
    key: 'defaultRules',
    kind: 'boolean',
    scope: 'engine',
    flag: '--no-default-rules',
    help: 'do not load the bundled rule pack',
  },
  {
    key: 'disableRule',
    kind: 'nameList',
    scope: 'engine',
    flag: '--disable-rule <id>',
    help: 'leave out rule ID (repeatable, comma-separated)',
  },
  {
    key: 'action',
    kind: 'action',
    scope: 'engine',
    flag: '--action <action>',
    help: 'default action: label | mask[:TEXT] | partial[:START:END] | hash | drop',
  },
  {
    key: 'ruleAction',
    kind: 'actionMap',
    scope: 'engine',
    flag: '--rule-action <id=action>',
    help: 'action for one rule id (repeatable)',
  },
  {
    key: 'hashKeyFile',
    kind: 'path',
    scope: 'engine',
    flag: '--hash-key-file <file>',
    help: 'HMAC key for fingerprints and the hash action (default: random per run)',
  },
  {
    key: 'minKnownValueLength',
    kind: 'integer',
    scope: 'engine',
    min: 1,
    flag: '--min-known-value-length <n>',
    help: 'refuse known values shorter than N characters (default 8)',
  },
  {
    key: 'format',
    kind: 'choice',
    scope: 'engine',
    choices: ['text', 'jsonl', 'json', 'msgpack', 'auto'],
    flag: '-f, --format <format>',
    help: 'input (and output) format: text | jsonl | json | msgpack | auto (default text)',
  },
  {
    key: 'secretKey',
    kind: 'nameList',
    scope: 'engine',
    flag: '--secret-key <name>',
    help: 'JSON/msgpack key whose value is always masked (suffix match; repeatable, comma-separated)',
  },
  {
    key: 'defaultSecretKeys',
    kind: 'boolean',
    scope: 'engine',
    flag: '--no-default-secret-keys',
    help: 'do not use the built-in secret key names (password, token, api_key, ...)',
  },
  {
    key: 'redactPath',
    kind: 'stringList',
    scope: 'engine',
    flag: '--redact-path <path>',
    help: "mask the value at a pino/fast-redact path, e.g. 'req.headers.authorization' (repeatable)",
  },
  {
    key: 'invalidRecords',
    kind: 'choice',
    scope: 'engine',
    choices: ['scan', 'withhold'],
    flag: '--invalid-records <policy>',
    help: 'jsonl lines that are not JSON: scan (as text) | withhold (replace by a notice; for Fluentd)',
  },
  {
    key: 'keepKey',
    kind: 'nameList',
    scope: 'engine',
    flag: '--keep-key <name>',
    help: 'top-level msgpack key never touched, e.g. the Fluentd tag/time keys (repeatable)',
  },
  {
    key: 'workers',
    kind: 'integer',
    scope: 'pipeline',
    min: 0,
    flag: '-w, --workers <n>',
    help: 'worker threads; 0 scrubs on the main thread (default: available cores)',
  },
  {
    key: 'batchBytes',
    kind: 'size',
    scope: 'pipeline',
    min: 4096,
    flag: '--batch-bytes <size>',
    help: 'batch size handed to a worker (default 4m with workers, 256k with --workers 0)',
  },
  {
    key: 'flushMs',
    kind: 'integer',
    scope: 'pipeline',
    min: 0,
    flag: '--flush-ms <ms>',
    help: 'send a partial batch this long after its first byte (default 10; 0: every read)',
  },
  {
    key: 'maxRecordBytes',
    kind: 'size',
    scope: 'pipeline',
    min: 4096,
    flag: '--max-record-bytes <size>',
    help: 'longer records are scanned in overlapping windows (default 64m)',
  },
  {
    key: 'batchTimeoutMs',
    kind: 'integer',
    scope: 'pipeline',
    min: 1,
    flag: '--batch-timeout-ms <ms>',
    help: 'a batch not scrubbed in time is withheld and its worker replaced (default 30000)',
  },
  {
    key: 'maxInFlight',
    kind: 'integer',
    scope: 'pipeline',
    min: 1,
    flag: '--max-in-flight <n>',
    help: 'batches read but not yet written (default 3 per worker, at least 6; 8 with --workers 0)',
  },
  {
    key: 'summary',
    kind: 'boolean',
    scope: 'output',
    flag: '--summary',
    help: 'print records, bytes, MB/s and findings per rule to stderr at the end',
  },
  {
    key: 'failOnFindings',
    kind: 'boolean',
    scope: 'output',
    flag: '--fail-on-findings',
    help: 'exit 3 if anything was masked',
  },
  {
    key: 'logFile',
    kind: 'path',
    scope: 'pipeline',
    flag: '--log-file <file>',
    help: 'also append diagnostics to FILE (Fluentd discards stderr)',
  },
  {
    key: 'progress',
    kind: 'boolean',
    scope: 'pipeline',
    flag: '--no-progress',
    help: 'no progress bar (shown when reading files with stderr on a terminal)',
  },
];

export function defaultSettings(): Settings {
  const workers = availableParallelism();
  return {
    secretsEnv: [],
    secretsFile: [],
    secretsDir: [],
    secretsCommand: [],
    rules: [],
    gitleaksConfig: [],
    defaultRules: true,
    disableRule: [],
    ruleAction: {},
    workers,
    batchBytes: 0, // derived from workers once they are known
    flushMs: 10,
    maxRecordBytes: 64 * 1024 * 1024,
    batchTimeoutMs: 30_000,
    maxInFlight: 0, // derived from workers once they are known
    summary: false,
    failOnFindings: false,
    progress: true,
    deliveryTimeoutMs: 10_000,
    format: 'text',
    secretKey: [],
    defaultSecretKeys: true,
    redactPath: [],
    invalidRecords: 'scan',
    keepKey: [],
  };
}

/** `secretsEnv` -> `HUSHLOG_SECRETS_ENV`. */
export function envName(key: SettingKey): string {
  return `HUSHLOG_${key.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`;
}

/** Where a raw value comes from, which decides list splitting and path resolution. */
export interface Origin {
  where: Where;
  /** Env values are comma-separated lists. */
  commaLists: boolean;
  /** Relative paths resolve against this directory (the config file's). */
  baseDir?: string;
}

/** Converts one raw value (string from a flag/env, any JSON/YAML value from a config file). */
export function parseSetting(def: SettingDef, raw: unknown, origin: Origin): Settings[SettingKey] {
  const { where } = origin;
  const path = (p: string) => (origin.baseDir ? resolve(origin.baseDir, p) : p);
  switch (def.kind) {
    case 'path': {
      // `--output fluent://host:port` is a URL, not a path relative to the config file.
      const text = parseString(raw, where);
      return isEndpointUrl(text) ? text : path(text);
    }
    case 'string':
      return parseString(raw, where);
    case 'pathList':
      return parseStringList(raw, where, origin.commaLists).map(path);
    case 'nameList':
      // Globs and rule ids never hold commas, so a flag may list several at once.
      return parseStringList(raw, where, true);
    case 'commandList':
      return parseCommandList(raw, where, origin.commaLists);
    case 'boolean':
      return parseBoolean(raw, where);
    case 'integer':
      return parseInteger(raw, where, def.min ?? 0);
    case 'size':
      return parseSize(raw, where, def.min ?? 0);
    case 'action':
      return parseAction(raw, where);
    case 'actionMap':
      return parseActionMap(raw, where);
    case 'choice':
      return parseChoice(raw, where, def.choices ?? []) as Settings['format'];
    case 'stringList':
      return parseStringList(raw, where, origin.commaLists);
  }
}

export function settingDef(key: string): SettingDef | undefined {
  return SETTINGS.find((d) => d.key === key);
}

export function configBaseDir(configPath: string): string {
  return dirname(resolve(configPath));
}
