export { Scrubber } from './engine/scrubber.js';
export type * from './engine/types.js';
export { compileRuleset, type CompiledRuleset } from './rules/compile.js';
export { buildRulesetSpec, type RulesetOptions } from './rules/ruleset.js';
export { loadRulePackFile, loadRulePackPath, loadBundledPacks, type RulePack } from './rules/load-pack.js';
export { loadGitleaksConfig } from './rules/gitleaks.js';
export { HushlogConfigError, isConfigError } from './errors.js';
export {
  stream,
  HushlogStream,
  type HushlogStreamOptions,
  closeLogStream,
  type HushlogPinoOptions,
} from './pino/transport.js';
