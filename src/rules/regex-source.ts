/**
 * Structure of an RE2 pattern read from its source text, for patterns RE2 accepts (every
 * ruleset is validated at load, by one thread at least). RE2's node binding exposes neither the group count nor a parse.
 */

/**
 * Calls `visit` for every `(` and `)` outside character classes and escapes, with its index,
 * until it returns true. A `]` right after `[` or `[^` is a literal member, not a class end.
 */
function forEachParen(source: string, visit: (index: number, open: boolean) => boolean): void {
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (c === '\\') {
      i++;
    } else if (inClass) {
      if (c === ']') inClass = false;
    } else if (c === '[') {
      inClass = true;
      if (source[i + 1] === '^') i++;
      if (source[i + 1] === ']') i++;
    } else if ((c === '(' || c === ')') && visit(i, c === '(')) {
      return;
    }
  }
}

/** Capture groups: `(` that is not a `(?` form, plus the named `(?P<name>` and `(?<name>`. */
export function countGroups(source: string): number {
  let n = 0;
  forEachParen(source, (i, open) => {
    if (!open) return false;
    if (source[i + 1] !== '?') n++;
    else if (
      source[i + 2] === 'P' ||
      (source[i + 2] === '<' && source[i + 3] !== '=' && source[i + 3] !== '!')
    )
      n++;
    return false;
  });
  return n;
}

/** Index of the `)` closing the group that opens at source[0], or -1. */
export function closingParen(source: string): number {
  let depth = 0;
  let found = -1;
  forEachParen(source, (i, open) => {
    depth += open ? 1 : -1;
    if (depth > 0) return false;
    found = i;
    return true;
  });
  return found;
}
