import { createRequire } from 'node:module';

type YamlModule = typeof import('yaml');

const require = createRequire(import.meta.url);
let loaded: YamlModule | undefined;

/**
 * The yaml parser, loaded on first use: it takes ~50 ms to load and most runs read no YAML
 * (the bundled rules are TOML, most configs come from flags and the environment).
 */
export function yaml(): YamlModule {
  loaded ??= require('yaml') as YamlModule;
  return loaded;
}
