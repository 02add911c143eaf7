/**
 * Errors caused by the user's input (config, rule packs, secret sources). The CLI prints
 * `message` as one line and exits 2; no stack trace. Messages name the place (file, line,
 * rule id, source) and never carry a secret value.
 */
export class HushlogConfigError extends Error {
  readonly code: string;
  readonly file?: string;
  readonly line?: number;
  readonly ruleId?: string;

  constructor(code: string, message: string, where: { file?: string; line?: number; ruleId?: string } = {}) {
    super(formatWhere(where) + message);
    this.name = 'HushlogConfigError';
    this.code = code;
    this.file = where.file;
    this.line = where.line;
    this.ruleId = where.ruleId;
  }
}

function formatWhere(where: { file?: string; line?: number; ruleId?: string }): string {
  const parts: string[] = [];
  if (where.file) parts.push(where.line ? `${where.file}:${where.line}` : where.file);
  if (where.ruleId) parts.push(`rule ${where.ruleId}`);
  return parts.length ? `${parts.join(': ')}: ` : '';
}

export function isConfigError(err: unknown): err is HushlogConfigError {
  return err instanceof HushlogConfigError;
}
