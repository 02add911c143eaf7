import { readFileSync } from 'node:fs';
import { relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Scrubber } from '../../engine/scrubber.js';
import type { RulesetSpec } from '../../engine/types.js';
import { HushlogConfigError } from '../../errors.js';
import { columnOf } from '../../pipeline/records.js';
import { compileRuleset } from '../../rules/compile.js';
import { type CliIo, EXIT_OK } from '../io.js';
import { RulesetLoader, rulesetOptions } from '../ruleset-loader.js';
import type { Settings } from '../settings.js';

const PACKAGE_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
/** Masked lines longer than this are cut for display. */
const MAX_SHOWN_LINE = 400;

async function loadSpec(settings: Settings, io: CliIo): Promise<RulesetSpec> {
  const { spec, warnings } = await new RulesetLoader(rulesetOptions(settings, io.env)).build();
  for (const w of warnings) io.stderr.write(`hushlog: warning: ${w}\n`);
  return spec;
}

/** `hushlog rules list`: id, confidence, description, origin of every loaded rule. */
export async function runRulesList(settings: Settings, io: CliIo): Promise<number> {
  const spec = await loadSpec(settings, io);
  const rows = spec.rules.map((r) => [r.id, r.confidence ?? '-', r.description, shortOrigin(r.origin)]);
  const header = ['ID', 'CONFIDENCE', 'DESCRIPTION', 'ORIGIN'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  io.stdout.write(`${line(header)}\n`);
  for (const row of rows) io.stdout.write(`${line(row)}\n`);
  const known = spec.knownValues.length;
  io.stdout.write(`${spec.rules.length} rules${known > 0 ? `, ${known} known values` : ''}\n`);
  return EXIT_OK;
}

/**
 * `hushlog rules test FILE`: which rules fire where. Every rule is forced to the `label`
 * action so the shown lines say which rule masked what and never show part of a value.
 * Reads the whole file (a sample, not a log stream) so multi-line rules see whole blocks.
 */
export async function runRulesTest(file: string, settings: Settings, io: CliIo): Promise<number> {
  let input: Buffer;
  try {
    input = readFileSync(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    throw new HushlogConfigError('E_INPUT', `cannot read input (${code})`, { file });
  }
  const spec = labelled(await loadSpec(settings, io));
  const result = new Scrubber(compileRuleset(spec)).scrub(input);
  const masked = Buffer.from(result.output.buffer, result.output.byteOffset, result.output.byteLength)
    .toString('utf8')
    .split('\n');
  const perRule = new Map<string, number>();
  let lastRecord = -1;
  const flushLine = () => {
    if (lastRecord >= 0) io.stdout.write(`    ${displayable(masked[lastRecord] ?? '')}\n`);
  };
  for (const f of result.findings) {
    if (f.record !== lastRecord) {
      flushLine();
      lastRecord = f.record;
    }
    const rule = f.source ? `${f.ruleId}(${f.source})` : f.ruleId;
    io.stdout.write(`${f.record + 1}:${columnOf(input, f.offset)} ${rule} ${f.length}\n`);
    perRule.set(f.ruleId, (perRule.get(f.ruleId) ?? 0) + 1);
  }
  flushLine();
  const counts = [...perRule].map(([id, n]) => `${id} ${n}`).join(', ');
  io.stdout.write(`${result.findings.length} findings in ${file}${counts ? ` (${counts})` : ''}\n`);
  return EXIT_OK;
}

/** Same rules, every action replaced by `label`: records keep their count, values never show. */
function labelled(spec: RulesetSpec): RulesetSpec {
  return {
    ...spec,
    rules: spec.rules.map((r) => ({ ...r, action: { kind: 'label' } })),
    options: { ...spec.options, defaultAction: { kind: 'label' } },
  };
}

/** Control bytes would drive the terminal; long lines are cut. */
function displayable(line: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: replacing control characters is the point
  const clean = line.replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '\ufffd');
  return clean.length > MAX_SHOWN_LINE ? `${clean.slice(0, MAX_SHOWN_LINE)}...` : clean;
}

function shortOrigin(origin: string | undefined): string {
  if (!origin) return '-';
  const rel = relative(PACKAGE_ROOT, origin);
  return rel.startsWith('..') || rel.startsWith(sep) ? origin : rel;
}
