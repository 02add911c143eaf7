/**
 * Name globs for environment variables and dotenv keys: `*` matches any run of characters,
 * `?` exactly one, everything else itself (case-sensitive, like the names on Linux).
 */
export function globToRegExp(glob: string): RegExp {
  let source = '';
  for (const ch of glob) {
    if (ch === '*') source += '[^]*';
    else if (ch === '?') source += '[^]';
    else source += ch.replace(/[\\^$.|+()[\]{}]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}

/** A predicate true for names matching at least one of `globs`. */
export function nameMatcher(globs: readonly string[]): (name: string) => boolean {
  const patterns = globs.map(globToRegExp);
  return (name) => patterns.some((pattern) => pattern.test(name));
}
