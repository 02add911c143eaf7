import RE2 from 're2';
import { closingParen, countGroups } from './regex-source.js';

/**
 * Most bundled token rules read `LEADING_BOUNDARY(TOKEN)`: the token, preceded by the start of
 * the text, a character that cannot be part of a token, a `\n`-style escape or a `%XX` escape.
 * Asking RE2 for the capture group makes it run its submatch engine over the match, which
 * costs 10-100 us for tokens with long counted repetitions (`{20,}...{20,}`), against ~1 us
 * for a search without captures. A rule of exactly that shape is therefore located as: the
 * leftmost match of TOKEN alone, kept when LEADING_BOUNDARY matches right before it. That is
 * the same span RE2 reports for the whole rule (see boundaryBefore for why), and the
 * boundary is checked by RE2 itself, so its reading of UTF-8 is the same too.
 */
export const LEADING_BOUNDARY = String.raw`(?:^|[^0-9A-Za-z_-]|\\[nrt]|%[0-9A-Fa-f]{2})`;

/** The boundary ending at the end of the text, from the start of the text... */
const BOUNDARY_FROM_START = new RE2(`${LEADING_BOUNDARY}$`);
/** ...or from a later position, where `^` cannot match. */
const BOUNDARY_INSIDE = new RE2(String.raw`(?:[^0-9A-Za-z_-]|\\[nrt]|%[0-9A-Fa-f]{2})$`);
/** The longest boundary: one 4-byte UTF-8 character. */
const MAX_BOUNDARY_BYTES = 4;

/** TOKEN compiled without the boundary and without a capture group (`g`: searched from lastIndex). */
export type TokenLocator = RE2;

/**
 * The locator of a rule whose regex is exactly LEADING_BOUNDARY followed by one capture group
 * (the secret) holding no other group, or null for any other shape.
 */
export function tokenLocator(regex: string, group: number): TokenLocator | null {
  if (group !== 1 || !regex.startsWith(LEADING_BOUNDARY)) return null;
  const rest = regex.slice(LEADING_BOUNDARY.length);
  if (!rest.startsWith('(') || rest.startsWith('(?') || closingParen(rest) !== rest.length - 1) return null;
  const token = rest.slice(1, -1);
  if (countGroups(token) !== 0) return null;
  return new RE2(token, 'g');
}

/**
 * Whether LEADING_BOUNDARY matches text[s, at) for some s >= floor, where text is what the
 * whole rule is searched in and `floor` where that search started.
 *
 * Why the leftmost TOKEN with a boundary is the rule's match: the boundary's alternatives
 * are tried shortest first and end where TOKEN starts, and no boundary ending at a later
 * token start can begin before one ending at an earlier start (the boundary characters are
 * not token characters, and a UTF-8 character cannot end inside another one), so the
 * leftmost rule match is the one with the leftmost valid token start. After the boundary,
 * the group is TOKEN's own leftmost-first match, as nothing follows it in the rule.
 * Property-tested against RE2 with the whole rule (token-locator.test.ts).
 */
export function boundaryBefore(text: Buffer, at: number, floor: number): boolean {
  const from = Math.max(floor, at - MAX_BOUNDARY_BYTES);
  const re = from === 0 ? BOUNDARY_FROM_START : BOUNDARY_INSIDE;
  return re.test(text.subarray(from, at));
}
