/**
 * Literals an RE2 pattern cannot match without: sets S1, S2, ... such that every match contains
 * some string of each Si, byte for byte. A rule's keywords are case-insensitive, so `eaa`
 * fires on the hex of every trace id while the Facebook rule needs `EAA`, and `postgres` fires
 * on every DSN while credentials need an `@`; checking the sets with Buffer.indexOf (native,
 * memchr speed) before RE2 skips those lines. The analysis only needs to be sound: whatever
 * it does not understand yields no requirement, never a wrong literal.
 *
 * Under `(?i)` a letter stands for its case variants, including the two non-ASCII letters RE2
 * folds onto ASCII ones (K KELVIN SIGN for k, LATIN SMALL LONG S for s).
 */

/** Sets are built up to this size (case variants of three letters)... */
const MAX_SET = 8;
/**
 * ...but only this many literals per set are worth a precheck: one indexOf each. Larger sets
 * are the case variants of a word the rule's keyword already found on the line.
 */
const MAX_CHECKED = 3;
/** Prechecks per rule: each costs a native call on lines that pass it. */
const MAX_SETS = 2;

type Node =
  | { kind: 'lit'; texts: string[] }
  | { kind: 'any' }
  | { kind: 'empty' }
  | { kind: 'concat'; items: Node[] }
  | { kind: 'alt'; items: Node[] }
  | { kind: 'repeat'; item: Node; min: number };

interface Info {
  /** Every string the node can match, when that is a small set (may contain ''). */
  exact: string[] | null;
  /** Every match contains some (non-empty) string of each of these sets. */
  sets: string[][];
}

class Unsupported extends Error {}

const FOLD_EXTRA: Record<string, string[]> = { k: ['\u212a'], s: ['\u017f'] };

/** A conjunction of disjunctions: every match contains some string of every set. */
export type RequiredLiterals = string[][];

/**
 * The literal sets an RE2 pattern cannot match without, most selective first, or null when
 * none is known.
 */
export function requiredLiterals(source: string): RequiredLiterals | null {
  let node: Node;
  try {
    node = new Parser(source).parse();
  } catch (err) {
    if (err instanceof Unsupported) return null;
    throw err;
  }
  const sets = own(info(node))
    .map(absorb)
    .filter((set) => set.length <= MAX_CHECKED && selectivity(set) > 1);
  const kept = sets.filter(
    (b, i) => !sets.some((a, j) => j !== i && implies(a, b) && (!implies(b, a) || j < i)),
  );
  kept.sort((x, y) => selectivity(y) - selectivity(x) || x.length - y.length);
  return kept.length ? kept.slice(0, MAX_SETS) : null;
}

function info(node: Node): Info {
  switch (node.kind) {
    case 'lit':
      return { exact: node.texts, sets: [node.texts] };
    case 'any':
      return { exact: null, sets: [] };
    case 'empty':
      return { exact: [''], sets: [] };
    case 'repeat':
      return { exact: null, sets: node.min >= 1 ? own(info(node.item)) : [] };
    case 'alt': {
      const infos = node.items.map(info);
      const exact = infos.every((i) => i.exact) ? capped(infos.flatMap((i) => i.exact as string[])) : null;
      // One set per branch (its most selective), united: some branch matched.
      const picks = infos.map((i) => best(own(i)));
      const union = picks.every((p) => p) ? capped(picks.flatMap((p) => p as string[])) : null;
      return { exact, sets: union ? [union] : [] };
    }
    case 'concat':
      return concatInfo(node.items.map(info));
  }
}

/** Every requirement of a node, its exact set included when that has no empty string. */
function own(i: Info): string[][] {
  return i.exact && !i.exact.includes('') ? [i.exact, ...i.sets] : i.sets;
}

function concatInfo(items: Info[]): Info {
  const sets: string[][] = [];
  let run: string[] = [''];
  let broken = false;
  for (const item of items) {
    const joined = item.exact ? cross(run, item.exact) : null;
    if (joined) {
      run = joined;
      continue;
    }
    // The exact run ends here; every item of a concatenation is required.
    broken = true;
    if (!run.includes('')) sets.push(run);
    sets.push(...own(item));
    run = item.exact ?? [''];
  }
  if (!run.includes('')) sets.push(run);
  return { exact: broken ? null : run, sets };
}

function cross(a: string[], b: string[]): string[] | null {
  if (a.length * b.length > MAX_SET) return null;
  const out: string[] = [];
  for (const x of a) for (const y of b) out.push(x + y);
  return [...new Set(out)];
}

/** A union, absorbed, or null when still too large to be useful. */
function capped(set: string[]): string[] | null {
  const small = absorb(set);
  return small.length <= MAX_SET ? small : null;
}

/** Drops a literal that contains another of the set: a text holding it holds the other. */
function absorb(set: string[]): string[] {
  const unique = [...new Set(set)];
  return unique.filter((s) => !unique.some((t) => t !== s && s.includes(t)));
}

/** Set a implies set b when every literal of a contains some literal of b. */
function implies(a: string[], b: string[]): boolean {
  return a.every((x) => b.some((y) => x.includes(y)));
}

/** The most selective set, then the one with fewest literals. */
function best(sets: string[][]): string[] | null {
  let pick: string[] | null = null;
  for (const set of sets) {
    const d = pick ? selectivity(set) - selectivity(pick) : 1;
    if (d > 0 || (d === 0 && set.length < (pick as string[]).length)) {
      pick = set;
    }
  }
  return pick;
}

/** Punctuation found on most log lines; other single bytes (`@`, `$`, `#`, `~`) are rarer. */
const COMMON_BYTES = new Set(':/.-=_,;"\'()[]{}<>+*?|&%!');

/**
 * How rarely a set's weakest literal occurs in log text, roughly: longer is rarer, and a
 * lone `@` is rarer than a lone `:`.
 */
function selectivity(set: string[]): number {
  return Math.min(
    ...set.map((s) => {
      const n = Buffer.byteLength(s, 'utf8');
      if (n > 1) return 2 * n;
      // A lone letter, digit or common punctuation mark: on nearly every line.
      return COMMON_BYTES.has(s) || /^[A-Za-z0-9\s]$/.test(s) ? 1 : 2;
    }),
  );
}

/** A recursive-descent reader of the RE2 syntax subset rule packs use. */
class Parser {
  private i = 0;

  constructor(private readonly src: string) {}

  parse(): Node {
    const node = this.alternation(false);
    if (this.i !== this.src.length) throw new Unsupported();
    return node;
  }

  private alternation(ci: boolean): Node {
    const items: Node[] = [];
    // Flags set by `(?i)` last until the end of the enclosing group, across `|`.
    const state = { ci };
    items.push(this.concatenation(state));
    while (this.src[this.i] === '|') {
      this.i++;
      items.push(this.concatenation(state));
    }
    return items.length === 1 ? items[0] : { kind: 'alt', items };
  }

  private concatenation(state: { ci: boolean }): Node {
    const items: Node[] = [];
    while (this.i < this.src.length && this.src[this.i] !== '|' && this.src[this.i] !== ')') {
      const atom = this.atom(state);
      if (atom) items.push(this.quantified(atom));
    }
    return items.length === 1 ? items[0] : { kind: 'concat', items };
  }

  private quantified(atom: Node): Node {
    let node = atom;
    for (;;) {
      const c = this.src[this.i];
      let min: number;
      if (c === '*' || c === '?') {
        min = 0;
        this.i++;
      } else if (c === '+') {
        min = 1;
        this.i++;
      } else if (c === '{') {
        const m = /^\{(\d+)(,\d*)?\}/.exec(this.src.slice(this.i));
        if (!m) return node; // RE2 reads a `{` that starts no repeat as a literal
        min = Number(m[1]);
        this.i += m[0].length;
      } else {
        return node;
      }
      if (this.src[this.i] === '?') this.i++; // lazy: same set of matches
      node = { kind: 'repeat', item: node, min };
    }
  }

  /** One atom, or null for a flag group such as `(?i)` that matches nothing itself. */
  private atom(state: { ci: boolean }): Node | null {
    const c = this.src[this.i];
    if (c === '(') return this.group(state);
    if (c === '[') {
      this.skipClass();
      return { kind: 'any' };
    }
    if (c === '.') {
      this.i++;
      return { kind: 'any' };
    }
    if (c === '^' || c === '$') {
      this.i++;
      return { kind: 'empty' };
    }
    if (c === '\\') return this.escape(state);
    if (c === '*' || c === '+' || c === '?') throw new Unsupported();
    const cp = this.src.codePointAt(this.i) as number;
    const ch = String.fromCodePoint(cp);
    this.i += ch.length;
    return literal(ch, state.ci);
  }

  private group(state: { ci: boolean }): Node | null {
    this.i++; // (
    let ci = state.ci;
    if (this.src[this.i] === '?') {
      const named = /^\?P?<[A-Za-z0-9_]+>/.exec(this.src.slice(this.i));
      if (named) {
        this.i += named[0].length;
      } else {
        const flags = /^\?([imsU]*)(?:-([imsU]*))?([:)])/.exec(this.src.slice(this.i));
        if (!flags) throw new Unsupported();
        this.i += flags[0].length;
        if (flags[1].includes('i')) ci = true;
        if (flags[2]?.includes('i')) ci = false;
        if (flags[3] === ')') {
          state.ci = ci; // `(?i)`: the rest of the enclosing group
          return null;
        }
      }
    }
    const inner = this.alternation(ci);
    if (this.src[this.i] !== ')') throw new Unsupported();
    this.i++;
    return inner;
  }

  private escape(state: { ci: boolean }): Node {
    const c = this.src[this.i + 1];
    if (c === undefined) throw new Unsupported();
    this.i += 2;
    if ('dDwWsSC'.includes(c)) return { kind: 'any' };
    if ('pP'.includes(c)) {
      if (this.src[this.i] === '{') {
        const end = this.src.indexOf('}', this.i);
        if (end < 0) throw new Unsupported();
        this.i = end + 1;
      } else {
        this.i++;
      }
      return { kind: 'any' };
    }
    if ('bBAz'.includes(c)) return { kind: 'empty' };
    const controls: Record<string, string> = { n: '\n', r: '\r', t: '\t', f: '\f', v: '\v', a: '\x07' };
    if (controls[c]) return literal(controls[c], state.ci);
    if (c === 'x') {
      const m = /^(?:\{([0-9A-Fa-f]{1,6})\}|([0-9A-Fa-f]{2}))/.exec(this.src.slice(this.i));
      if (!m) throw new Unsupported();
      this.i += m[0].length;
      return literal(String.fromCodePoint(Number.parseInt(m[1] ?? m[2], 16)), state.ci);
    }
    // Escaped punctuation stands for itself; anything else (\Q, octal, \1 ...) is not handled.
    if (/[A-Za-z0-9]/.test(c)) throw new Unsupported();
    return literal(c, state.ci);
  }

  private skipClass(): void {
    let j = this.i + 1;
    if (this.src[j] === '^') j++;
    if (this.src[j] === ']') j++; // a leading ] is a literal
    for (; j < this.src.length; j++) {
      const c = this.src[j];
      if (c === '\\') j++;
      else if (c === '[' && this.src[j + 1] === ':') {
        const end = this.src.indexOf(':]', j + 2);
        if (end < 0) throw new Unsupported();
        j = end + 1;
      } else if (c === ']') {
        this.i = j + 1;
        return;
      }
    }
    throw new Unsupported();
  }
}

function literal(ch: string, ci: boolean): Node {
  if (!ci) return { kind: 'lit', texts: [ch] };
  const lower = ch.toLowerCase();
  if (!/^[a-z]$/.test(lower)) {
    // RE2 folds non-ASCII letters by Unicode orbits this reader does not model.
    if ((ch.codePointAt(0) as number) > 0x7f) throw new Unsupported();
    return { kind: 'lit', texts: [ch] };
  }
  return { kind: 'lit', texts: [lower, lower.toUpperCase(), ...(FOLD_EXTRA[lower] ?? [])] };
}
