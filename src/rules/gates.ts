import type { CompiledAllowlist, CompiledRule } from './compile.js';
import { shannonEntropy } from './entropy.js';

/** Never re-mask hushlog's own output: keeps masking idempotent. */
const OWN_LABEL = Buffer.from('[REDACTED');

/**
 * The precision gates a regex candidate must pass before it becomes a span: entropy,
 * checksum, the rule's allowlist, the global allowlist. Runs only on regex hits (rare),
 * so clarity beats micro-optimisation here.
 */
export function acceptCandidate(
  rule: CompiledRule,
  global: CompiledAllowlist,
  buf: Buffer,
  start: number,
  end: number,
): boolean {
  if (rule.minEntropy > 0 && shannonEntropy(buf, start, end) < rule.minEntropy) return false;
  const secret = buf.subarray(start, end);
  if (secret.indexOf(OWN_LABEL) >= 0) return false;
  if (rule.checksum || rule.allowlist.stopwords.length || global.stopwords.length) {
    const text = secret.toString('utf8');
    if (rule.checksum && !rule.checksum(text)) return false;
    if (isAllowlisted(rule.allowlist, text, secret) || isAllowlisted(global, text, secret)) return false;
    return true;
  }
  return !isAllowlisted(rule.allowlist, '', secret) && !isAllowlisted(global, '', secret);
}

function isAllowlisted(allow: CompiledAllowlist, text: string, secret: Buffer): boolean {
  if (allow.stopwords.length) {
    const lower = text.toLowerCase();
    for (const w of allow.stopwords) if (lower.includes(w)) return true;
  }
  return allow.regex?.test(secret) === true;
}
