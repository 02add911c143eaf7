import { readFileSync } from 'node:fs';
import { type Command, Option } from 'commander';
import type { Settings } from './settings.js';
import { type Scope, SETTINGS } from './settings.js';

const LIST_KINDS = new Set(['pathList', 'nameList', 'commandList', 'actionMap', 'stringList']);

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

export function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

/** Adds the flags of the settings in `scopes`, plus --config, to a command. */
export function addSettingOptions(cmd: Command, scopes: readonly Scope[]): Command {
  cmd.option('-c, --config <file>', 'read settings from a YAML or JSON file (keys: camelCase long flags)');
  for (const def of SETTINGS) {
    if (!scopes.includes(def.scope)) continue;
    const option = new Option(def.flag, def.help);
    if (LIST_KINDS.has(def.kind)) option.argParser(collect);
    cmd.addOption(option);
  }
  return cmd;
}

/** Values the user typed on this command line (not commander defaults), by setting key. */
export function typedFlags(cmd: Command, scopes: readonly Scope[]): Partial<Record<keyof Settings, unknown>> {
  const out: Partial<Record<keyof Settings, unknown>> = {};
  for (const def of SETTINGS) {
    if (!scopes.includes(def.scope)) continue;
    if (cmd.getOptionValueSource(def.key) === 'cli') out[def.key] = cmd.getOptionValue(def.key);
  }
  return out;
}

export function configFlag(cmd: Command): string | undefined {
  return cmd.getOptionValueSource('config') === 'cli' ? (cmd.getOptionValue('config') as string) : undefined;
}

export const FILTER_HELP = `
Reads stdin (or FILES, in order) and writes it to stdout with secrets masked.

Examples:
  app | hushlog > clean.log
  hushlog --summary examples/app.log
  hushlog --secrets-env 'AWS_*,OPENAI_API_KEY' --secrets-file .env -o clean.log app.log
  kubectl logs -f pod | hushlog --secrets-dir /var/run/secrets/app --action hash
  hushlog --rules ./my-rules.toml --no-default-rules < app.log
  hushlog scan --fail-on-findings build.log        # CI: exit 3 when a secret is found
  hushlog rules test examples/app.log              # which rule fires where
  hushlog --output fluent://agg:24224 --tag app app.jsonl     # to Fluentd in_forward
  hushlog --input forward://0.0.0.0:24224 --output fluent://agg:24224   # scrubbing relay

Settings also come from --config FILE and HUSHLOG_* variables (HUSHLOG_WORKERS=2,
HUSHLOG_SECRETS_ENV='A_*,B_*'); precedence: flag > environment > config file > default.
Exit codes: 0 ok, 1 runtime failure, 2 usage or config error, 3 findings (scan,
--fail-on-findings). Signals: TERM/INT finish the input then exit (twice: stop now);
HUP reloads rules and secret sources.`;
