export { Scrubber } from './engine/scrubber.js';
export type * from './engine/types.js';
export { HushlogConfigError, isConfigError } from './errors.js';
export {
  closeLogStream,
  type HushlogPinoOptions,
  HushlogStream,
  type HushlogStreamOptions,
  stream,
} from './pino/transport.js';
export { type CompiledRuleset, compileRuleset } from './rules/compile.js';
export { loadGitleaksConfig } from './rules/gitleaks.js';
export { loadBundledPacks, loadRulePackFile, loadRulePackPath, type RulePack } from './rules/load-pack.js';
export { buildRulesetSpec, type RulesetOptions } from './rules/ruleset.js';
