/**
 * The errno code of a failed system call (ENOENT, EACCES...): what error messages about
 * secret sources may say. The error's own message is not used: it can quote paths or
 * output we do not control.
 */
export function errorCode(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' ? code : 'error';
}
