import { Command, CommanderError } from 'commander';
import { isConfigError } from '../errors.js';
import { errorClass } from '../pipeline/executor.js';
import { isEndpointUrl } from '../sinks/url.js';
import { runFilter } from './commands/filter.js';
import { runRulesList, runRulesTest } from './commands/rules.js';
import { runScan } from './commands/scan.js';
import { releaseEarlySignals } from './early-signals.js';
import { type CliIo, EXIT_FAILURE, EXIT_USAGE, processIo } from './io.js';
import { addSettingOptions, configFlag, FILTER_HELP, packageVersion, typedFlags } from './program.js';
import { resolveSettings } from './resolve-settings.js';
import type { Scope, Settings } from './settings.js';

const FILTER_SCOPES: Scope[] = ['engine', 'pipeline', 'output'];
const SCAN_SCOPES: Scope[] = ['engine', 'pipeline'];
const RULES_SCOPES: Scope[] = ['engine'];

/**
 * Runs the CLI and resolves to the exit code. Config and usage errors print one line naming
 * the problem (exit 2); nothing here prints a stack or an input value.
 */
export async function main(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  let exitCode = 0;
  // A reader that goes away (`| head`) ends output quietly; the filter's sink sees it too.
  io.stdout.on('error', () => {});
  const settingsOf = (cmd: Command, scopes: Scope[]): { settings: Settings; warnings: string[] } =>
    resolveSettings({ flags: typedFlags(cmd, scopes), configFlag: configFlag(cmd), env: io.env, scopes });

  const program = new Command('hushlog')
    .description('Streaming secret redactor for logs: masks known values and detected secrets.')
    .version(packageVersion())
    .enablePositionalOptions()
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) })
    .argument('[files...]', 'inputs read in order (default: stdin; - is stdin)')
    .addHelpText('after', FILTER_HELP);
  addSettingOptions(program, FILTER_SCOPES).action(async (files: string[], _opts, cmd: Command) => {
    const { settings, warnings } = settingsOf(cmd, FILTER_SCOPES);
    const { input, output } = settings;
    // The network commands load their sockets, TLS and msgpack only when used: a plain
    // filter starts faster without them.
    if (input) {
      const { runRelay } = await import('./commands/relay.js');
      exitCode = await runRelay(files, settings, io, warnings, input);
    } else if (output && isEndpointUrl(output)) {
      const { runForwardOutput } = await import('./commands/forward-output.js');
      exitCode = await runForwardOutput(files, settings, io, warnings, output);
    } else exitCode = await runFilter(files, settings, io, warnings);
  });

  const scan = program
    .command('scan')
    .description('report findings without writing the data; exit 3 if anything is found')
    .argument('[files...]', 'inputs read in order (default: stdin)')
    .option('--counts-only', 'print only the per-rule counts');
  addSettingOptions(scan, SCAN_SCOPES).action(
    async (files: string[], opts: { countsOnly?: boolean }, cmd: Command) => {
      const { settings, warnings } = settingsOf(cmd, SCAN_SCOPES);
      exitCode = await runScan(files, settings, { countsOnly: opts.countsOnly === true }, io, warnings);
    },
  );

  const rules = program.command('rules').description('inspect the loaded rules');
  addSettingOptions(
    rules.command('list').description('id, confidence, description and origin of every rule'),
    RULES_SCOPES,
  ).action(async (_opts, cmd: Command) => {
    exitCode = await runRulesList(settingsOf(cmd, RULES_SCOPES).settings, io);
  });
  addSettingOptions(
    rules
      .command('test')
      .description('show which rules fire on FILE: line:col rule-id length, and the line masked')
      .argument('<file>', 'sample file'),
    RULES_SCOPES,
  ).action(async (file: string, _opts, cmd: Command) => {
    releaseEarlySignals();
    exitCode = await runRulesTest(file, settingsOf(cmd, RULES_SCOPES).settings, io);
  });
  for (const cmd of [scan, rules, ...rules.commands]) {
    cmd
      .exitOverride()
      .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) });
  }

  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : EXIT_USAGE;
    if (isConfigError(err)) {
      io.stderr.write(`hushlog: ${err.message}\n`);
      return EXIT_USAGE;
    }
    io.stderr.write(`hushlog: internal error (${errorClass(err)})\n`);
    return EXIT_FAILURE;
  }
  return exitCode;
}
