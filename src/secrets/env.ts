import { nameMatcher } from './glob.js';
import { normalizeValues } from './normalize.js';
import type { SourceOptions, SourceResult } from './source-result.js';

/**
 * Environment variables whose name matches one of `globs` (`*_API_KEY`, `DB_*`), read from
 * `env` (default: this process's environment). Sources are `env:NAME`, in name order so
 * the result does not depend on the environment's insertion order.
 */
export function loadEnvValues(
  globs: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
  options: SourceOptions = {},
): SourceResult {
  const matches = nameMatcher(globs);
  const names = Object.keys(env)
    .filter((name) => env[name] !== undefined && matches(name))
    .sort();
  const result = normalizeValues(
    names.map((name) => ({ source: `env:${name}`, value: env[name] ?? '' })),
    options.minLength,
  );
  // A glob that matches nothing is usually a typo in the configuration.
  for (const glob of globs) {
    if (!names.some(nameMatcher([glob]))) result.warnings.push(`env: no variable matches ${glob}`);
  }
  return result;
}
