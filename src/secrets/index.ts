/**
 * Loads known secret values from every configured source, in a fixed order (env, dotenv
 * files, directories, commands) so that the first source named for a duplicate value is
 * stable across reloads.
 */

import { type CommandSourceSpec, loadCommandValues, loadCommandValuesSync } from './command.js';
import { loadDotenvFile } from './dotenv.js';
import { loadEnvValues } from './env.js';
import { mergeResults, resolveMinLength } from './normalize.js';
import { loadSecretDir } from './secret-dir.js';
import type { SourceResult } from './source-result.js';

export interface KnownValuesConfig {
  /** Environment variable name globs (`*_API_KEY`, `DB_*`). */
  envGlobs?: string[];
  dotenvFiles?: string[];
  /** Only these dotenv keys (globs) are registered; default every key. */
  dotenvKeys?: string[];
  /** Secret directories (Kubernetes mounts, Vault Agent, CSI). */
  dirs?: string[];
  /** Commands: a bare argv uses the `lines` output format. */
  commands?: Array<string[] | CommandSourceSpec>;
  /** Default 8. */
  minLength?: number;
  /** Environment read by `envGlobs` and given to commands. Default: this process's. */
  env?: NodeJS.ProcessEnv;
}

export async function loadKnownValues(config: KnownValuesConfig): Promise<SourceResult> {
  const local = loadLocalSources(config);
  const minLength = resolveMinLength(config.minLength);
  const env = config.env ?? process.env;
  const commands = await Promise.all(
    commandSpecs(config).map((spec) => loadCommandValues(spec, { minLength, env })),
  );
  return mergeResults([...local, ...commands]);
}

/** The same, blocking (commands run one after the other). */
export function loadKnownValuesSync(config: KnownValuesConfig): SourceResult {
  const local = loadLocalSources(config);
  const minLength = resolveMinLength(config.minLength);
  const env = config.env ?? process.env;
  const commands = commandSpecs(config).map((spec) => loadCommandValuesSync(spec, { minLength, env }));
  return mergeResults([...local, ...commands]);
}

/**
 * Environment, files and directories. Read synchronously in both loaders: a handful of
 * small files read once per (re)load, and one code path keeps the two loaders identical.
 */
function loadLocalSources(config: KnownValuesConfig): SourceResult[] {
  const minLength = resolveMinLength(config.minLength);
  const results: SourceResult[] = [];
  if (config.envGlobs?.length)
    results.push(loadEnvValues(config.envGlobs, config.env ?? process.env, { minLength }));
  for (const file of config.dotenvFiles ?? [])
    results.push(loadDotenvFile(file, { minLength, keys: config.dotenvKeys }));
  for (const dir of config.dirs ?? []) results.push(loadSecretDir(dir, { minLength }));
  return results;
}

function commandSpecs(config: KnownValuesConfig): CommandSourceSpec[] {
  return (config.commands ?? []).map((command) => (Array.isArray(command) ? { argv: command } : command));
}

export type { CommandOutputFormat, CommandSourceSpec } from './command.js';
export type { SourceResult } from './source-result.js';
