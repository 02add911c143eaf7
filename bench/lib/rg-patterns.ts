/**
 * Turns the bundled pack's detector regexes into a ripgrep pattern file, as a user switching
 * to `rg --passthru -r` would. Patterns rg refuses (RE2-only syntax, newlines, multi-line
 * rules) are left out and listed by rule id.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import type { RuleSpec } from '../../src/engine/types.js';

export interface RgPatternFile {
  path: string;
  accepted: string[];
  rejected: { id: string; reason: string }[];
}

/** Flags every rg run shares: no user config, raise the limits a big alternation hits. */
export const RG_FLAGS = ['--no-config', '--regex-size-limit', '1G', '--dfa-size-limit', '1G'];

export function writeRgPatterns(rules: readonly RuleSpec[], path: string): RgPatternFile {
  const accepted: string[] = [];
  const lines: string[] = [];
  const rejected: { id: string; reason: string }[] = [];
  for (const rule of rules) {
    if (rule.multiline || /[\r\n]/.test(rule.regex)) {
      rejected.push({ id: rule.id, reason: 'multi-line (rg -f reads one pattern per line)' });
      continue;
    }
    const probe = spawnSync('rg', [...RG_FLAGS, '-e', rule.regex, '--', '/dev/null'], { encoding: 'utf8' });
    if (probe.status === 2 || probe.error) {
      const reason = probe.error?.message ?? firstErrorLine(probe.stderr);
      rejected.push({ id: rule.id, reason });
      continue;
    }
    accepted.push(rule.id);
    lines.push(rule.regex);
  }
  writeFileSync(path, `${lines.join('\n')}\n`);
  return { path, accepted, rejected };
}

function firstErrorLine(stderr: string): string {
  const lines = stderr.split('\n').map((l) => l.trim());
  return lines.find((l) => /^error:/i.test(l)) ?? lines.find((l) => l.length > 0) ?? 'rejected';
}
