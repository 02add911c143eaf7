#!/usr/bin/env node
// Thin launcher: the CLI is compiled TypeScript in dist/ (`npm run build`).
// Signals are captured first: loading the rest takes long enough for a supervisor's SIGTERM
// to arrive before the CLI could handle it (see src/cli/early-signals.ts).
const { captureEarlySignals } = await import('../dist/cli/early-signals.js');
captureEarlySignals();
const { main } = await import('../dist/cli/main.js');

const flushed = (stream) => new Promise((resolve) => stream.write('', resolve));

const code = await main(process.argv.slice(2));
// stdout/stderr pipes are asynchronous: let queued bytes out, then exit even if a stray
// handle (an abandoned stdin read, a worker being torn down) would keep the process alive.
await Promise.race([
  Promise.all([flushed(process.stdout), flushed(process.stderr)]),
  new Promise((resolve) => setTimeout(resolve, 5000)),
]);
process.exit(code);
