/** What both a pino transport (ThreadStream) and a hushlog stream offer for shutdown. */
export interface ClosableLogStream {
  end(): unknown;
  once(event: 'close', listener: () => void): unknown;
  closed?: boolean;
  destroyed?: boolean;
}

/**
 * Ends a pino transport (`pino.transport(...)`) or an in-process hushlog stream and resolves
 * once every line has been scrubbed, written and the stream closed: `true`, or `false` if
 * that took longer than `timeoutMs`. Call it from SIGTERM/SIGINT handlers and before
 * process.exit(); a worker thread is killed with the process, and what it still holds is lost.
 */
export function closeLogStream(stream: ClosableLogStream, timeoutMs = 10_000): Promise<boolean> {
  if (stream.closed === true) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    stream.once('close', () => {
      clearTimeout(timer);
      resolve(true);
    });
    stream.end();
  });
}
