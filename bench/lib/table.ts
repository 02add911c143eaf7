/** Renders a GitHub-flavoured markdown table; columns whose header ends in ':' align right. */
export function markdownTable(
  headers: readonly string[],
  rows: readonly (readonly (string | number)[])[],
): string {
  const right = headers.map((h) => h.endsWith(':'));
  const names = headers.map((h) => h.replace(/:$/, ''));
  const cells = rows.map((r) => r.map((c) => String(c)));
  const widths = names.map((n, i) => Math.max(n.length, 3, ...cells.map((r) => (r[i] ?? '').length)));
  const line = (cols: readonly string[]) =>
    `| ${cols.map((c, i) => (right[i] ? c.padStart(widths[i] as number) : c.padEnd(widths[i] as number))).join(' | ')} |`;
  const rule = `| ${widths.map((w, i) => (right[i] ? `${'-'.repeat(w - 1)}:` : '-'.repeat(w))).join(' | ')} |`;
  return [line(names), rule, ...cells.map(line)].join('\n');
}

export function fmt(n: number, digits = 0): string {
  return Number.isFinite(n)
    ? n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })
    : 'n/a';
}

/** A rate with the precision it deserves: 0.27, 7.4, 305. */
export function fmtRate(n: number): string {
  return fmt(n, n < 10 ? 2 : n < 100 ? 1 : 0);
}
