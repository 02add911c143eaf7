/**
 * `hushlog/pino`: a pino transport target. As a pipeline stage it scrubs every line and hands
 * it to the next stage; with a `destination` option it writes there itself.
 *
 *   pino.transport({ pipeline: [
 *     { target: 'hushlog/pino', options: { secretsEnv: ['*_TOKEN'] } },
 *     { target: 'pino/file', options: { destination: 1 } },
 *   ] })
 */
import type { Transform } from 'node:stream';
import { loadPinoEngine } from './load-engine.js';
import type { HushlogPinoOptions } from './options.js';
import { ScrubLinesTransform } from './scrub-transform.js';
import { HushlogStream } from './stream.js';

export type { HushlogPinoOptions } from './options.js';
export { type ClosableLogStream, closeLogStream } from './shutdown.js';
export { HushlogStream, type HushlogStreamOptions, type HushlogStreamStats, stream } from './stream.js';

/**
 * The factory pino calls inside its worker thread. All asynchronous work (reading secret
 * sources, compiling the ruleset, opening the destination) is awaited HERE, and the stream
 * handed back is complete and synchronous. (Transports built with pino-abstract-transport fall
 * into the opposite trap: an async builder function makes `build()` return its line splitter
 * as the stage, and lines pass through unmasked; see test/pino/transport.test.ts.)
 */
export default async function hushlogTransport(
  options: HushlogPinoOptions = {},
): Promise<Transform | HushlogStream> {
  const engine = await loadPinoEngine(options);
  const { destination, mkdir, append, sync } = engine.sink;
  if (destination === undefined) return new ScrubLinesTransform(engine.batches);

  // Stand-alone: the in-process stream, with the engine already loaded. pino waits for its
  // 'close', which comes once the destination has written everything and closed.
  const out = new HushlogStream({ destination, mkdir, append, sync }, engine);
  // An open failure rejects `ready` (what pino reports) and then emits 'error' on the dead
  // stream: that one is swallowed. After a successful start, errors reach pino as usual.
  const swallow = () => {};
  out.on('error', swallow);
  await out.ready;
  out.off('error', swallow);
  return out;
}
