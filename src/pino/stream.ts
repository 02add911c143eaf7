/**
 * The in-process alternative to the transport: a Writable to hand pino as its destination,
 * for applications that avoid worker threads.
 *
 *   const logger = pino(opts, stream({ secretsEnv: ['*_TOKEN'], destination: 1 }))
 */
import { once } from 'node:events';
import { Writable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { countRecords, placeholders } from './batch-scrubber.js';
import { destinationError, openDestination, whenClosed } from './destination.js';
import { cancelFlushOnExit, type ExitFlushable, flushOnExit } from './exit-flush.js';
import { loadPinoEngine, type PinoEngine } from './load-engine.js';
import type { HushlogPinoOptions } from './options.js';

/** Anything pino itself could write to: pino.destination(), process.stdout, a file stream. */
export interface LogDestination {
  write(chunk: string | Buffer): unknown;
  flushSync?(): void;
  flush?(cb?: (err?: Error | null) => void): void;
  once?(event: 'drain', listener: () => void): unknown;
}

export interface HushlogStreamOptions extends Omit<HushlogPinoOptions, 'destination'> {
  /**
   * Where scrubbed lines go: a file descriptor or path (opened, flushed and closed by the
   * stream; default 1 = stdout), or a stream you own (never ended by hushlog).
   */
  destination?: number | string | LogDestination;
}

export interface HushlogStreamStats {
  batches: number;
  findings: number;
  droppedRecords: number;
  /** Records replaced by a placeholder because they could not be scrubbed. */
  withheldRecords: number;
}

/** Bigger batches amortise the Scrubber call; this bounds the latency and memory of one. */
export const MAX_BATCH_CHARS = 256 * 1024;

const NOT_LOADED_AT_EXIT = '[hushlog: record withheld: ruleset not loaded before exit]';

/**
 * Collects what pino writes and scrubs it in batches: when MAX_BATCH_CHARS have built up, else
 * on the next turn of the event loop, so a burst of log calls costs one Scrubber call. Lines
 * are held (never written unscanned) until the ruleset has loaded. `flushSync()` (called by
 * pino's `fatal`) and process exit scrub and write whatever is pending synchronously.
 *
 * Events: 'findings' (Finding[] of one batch; rule ids and fingerprints, never values),
 * 'error' (ruleset load failure or destination failure), plus the Writable ones.
 */
export class HushlogStream extends Writable implements ExitFlushable {
  /**
   * Resolves once the ruleset is compiled and an owned destination file is open; rejects (and
   * the stream errors) if either fails.
   */
  readonly ready: Promise<void>;
  readonly stats: HushlogStreamStats = { batches: 0, findings: 0, droppedRecords: 0, withheldRecords: 0 };

  private engine: PinoEngine | undefined;
  private readonly destination: LogDestination;
  private readonly ownsDestination: boolean;
  private readonly decoder = new StringDecoder('utf8');
  private pending: string[] = [];
  private pendingChars = 0;
  private timer: NodeJS.Immediate | undefined;
  private destinationNeedsDrain = false;
  /** A write callback held back: backpressure from the destination, or a full pre-load buffer. */
  private heldCallback: ((err?: Error | null) => void) | undefined;
  private acceptingAll = false;

  /**
   * `engine`: an already loaded ruleset (the transport worker loads it before pino gets the
   * stream); the ruleset fields of `options` are then not read again.
   */
  constructor(options: HushlogStreamOptions = {}, engine?: PinoEngine) {
    super({ decodeStrings: false });
    const { destination, ...engineOptions } = options;
    let opened: Promise<void> | undefined;
    if (destination === undefined || typeof destination === 'number' || typeof destination === 'string') {
      const owned = openOwnedDestination(destination ?? 1, options, (err) => this.destroy(err));
      this.destination = owned.dest;
      this.ownsDestination = true;
      opened = owned.opened;
    } else {
      this.destination = destination;
      this.ownsDestination = false;
    }
    flushOnExit(this);
    this.ready = Promise.all([engine ?? loadPinoEngine(engineOptions), opened]).then(
      ([loaded]) => {
        this.engine = loaded;
        this.scheduleBatch();
        this.releaseHeldCallback();
      },
      (err: unknown) => {
        this.destroy(err as Error);
        throw err;
      },
    );
    // The failure is reported through 'error'; awaiting `ready` is optional.
    this.ready.catch(() => {});
  }

  override _write(
    chunk: string | Buffer,
    _encoding: BufferEncoding,
    callback: (err?: Error | null) => void,
  ): void {
    this.append(chunk);
    this.afterAppend(callback);
  }

  override _writev(
    chunks: Array<{ chunk: string | Buffer; encoding: BufferEncoding }>,
    callback: (err?: Error | null) => void,
  ): void {
    for (const { chunk } of chunks) this.append(chunk);
    this.afterAppend(callback);
  }

  override _final(callback: (err?: Error | null) => void): void {
    this.ready.then(
      () => {
        this.append(this.decoder.end());
        this.scrubPending(true);
        cancelFlushOnExit(this);
        if (this.ownsDestination) {
          const dest = this.destination as ReturnType<typeof openDestination>;
          dest.end();
          whenClosed(dest).then(() => callback());
        } else if (this.destinationNeedsDrain) {
          this.destination.once?.('drain', () => callback());
        } else {
          callback();
        }
      },
      (err: Error) => callback(err),
    );
  }

  override _destroy(err: Error | null, callback: (err?: Error | null) => void): void {
    if (this.timer) clearImmediate(this.timer);
    cancelFlushOnExit(this);
    // Pending lines are discarded, never written unscanned.
    this.pending = [];
    this.pendingChars = 0;
    const dest = this.destination as { destroyed?: boolean; end?: () => void };
    if (this.ownsDestination && !dest.destroyed && err) {
      try {
        dest.end?.();
      } catch {
        // Already failing; the original error is what the caller needs.
      }
    }
    callback(err);
  }

  /** Scrubs and writes what is pending now, then flushes the destination synchronously. */
  flushSync(): void {
    this.takeBufferedWrites();
    if (this.engine) this.scrubPending(false);
    flushDestinationSync(this.destination);
  }

  /** Scrubs and writes what is pending now, then flushes the destination. */
  flush(cb?: (err?: Error | null) => void): void {
    this.takeBufferedWrites();
    if (this.engine) this.scrubPending(false);
    if (typeof this.destination.flush === 'function') this.destination.flush(cb);
    else if (cb) process.nextTick(cb);
  }

  /** Run by the process 'exit' hook: no event loop is left, so everything happens here. */
  flushAtExit(): void {
    try {
      this.takeBufferedWrites();
      if (this.engine) {
        this.scrubPending(true);
      } else if (this.pendingChars > 0) {
        const records = countRecords(this.pending.join(''));
        this.stats.withheldRecords += records;
        this.destination.write(placeholders(records, NOT_LOADED_AT_EXIT));
        this.pending = [];
        this.pendingChars = 0;
      }
      flushDestinationSync(this.destination);
    } catch {
      // Nothing can be reported at exit without risking the bytes being scrubbed.
    }
  }

  private append(chunk: string | Buffer): void {
    const text = typeof chunk === 'string' ? chunk : this.decoder.write(chunk);
    if (text.length === 0) return;
    this.pending.push(text);
    this.pendingChars += text.length;
  }

  private afterAppend(callback: (err?: Error | null) => void): void {
    if (this.engine && this.pendingChars >= MAX_BATCH_CHARS) this.scrubPending(false);
    else this.scheduleBatch();
    const hold = this.destinationNeedsDrain || (!this.engine && this.pendingChars >= MAX_BATCH_CHARS);
    if (hold && !this.acceptingAll) {
      this.heldCallback = callback;
    } else {
      callback();
    }
  }

  private scheduleBatch(): void {
    if (this.timer || !this.engine || this.pendingChars === 0) return;
    this.timer = setImmediate(() => {
      this.timer = undefined;
      this.scrubPending(false);
    });
  }

  /**
   * Scrubs every whole line pending (and, if `final`, a last line without its newline) as one
   * batch and writes the result to the destination.
   */
  private scrubPending(final: boolean): void {
    const engine = this.engine;
    if (!engine || this.pendingChars === 0) return;
    const text = this.pending.length === 1 ? this.pending[0] : this.pending.join('');
    const cut = final ? text.length : text.lastIndexOf('\n') + 1;
    if (cut === 0) {
      this.pending = [text];
      return;
    }
    const batch = cut === text.length ? text : text.slice(0, cut);
    const rest = cut === text.length ? '' : text.slice(cut);
    this.pending = rest ? [rest] : [];
    this.pendingChars = rest.length;

    const outcome = engine.batches.scrub(batch);
    this.stats.batches++;
    this.stats.findings += outcome.findings.length;
    this.stats.droppedRecords += outcome.droppedRecords;
    this.stats.withheldRecords += outcome.withheldRecords;
    if (outcome.findings.length > 0 && this.listenerCount('findings') > 0) {
      this.emit('findings', outcome.findings);
    }
    if (outcome.output.length === 0) return;
    if (this.destination.write(outcome.output) === false && typeof this.destination.once === 'function') {
      if (!this.destinationNeedsDrain) {
        this.destinationNeedsDrain = true;
        this.destination.once('drain', () => {
          this.destinationNeedsDrain = false;
          this.releaseHeldCallback();
        });
      }
    }
  }

  /**
   * While a write callback is held back, Writable keeps later writes in its own buffer, out
   * of reach of a synchronous flush. Releasing the callback makes Node hand all of them to
   * _writev before it returns; `acceptingAll` keeps them from being held again.
   */
  private takeBufferedWrites(): void {
    const callback = this.heldCallback;
    if (!callback) return;
    this.heldCallback = undefined;
    this.acceptingAll = true;
    try {
      callback();
    } finally {
      this.acceptingAll = false;
    }
  }

  private releaseHeldCallback(): void {
    const callback = this.heldCallback;
    if (!callback || this.destinationNeedsDrain) return;
    this.heldCallback = undefined;
    callback();
  }
}

/**
 * Opens a file descriptor or path as pino would. `opened` settles when a path is open (an open
 * failure becomes a config error naming the path); later write failures go to `onError`.
 */
function openOwnedDestination(
  target: number | string,
  options: HushlogStreamOptions,
  onError: (err: Error) => void,
): { dest: ReturnType<typeof openDestination>; opened?: Promise<void> } {
  const dest = openDestination(target, {
    // Validated again (with a proper error) when the engine loads; here only booleans pass.
    sync: options.sync === true,
    mkdir: options.mkdir === true,
    append: options.append !== false,
  });
  if (typeof target === 'number') {
    dest.on('error', onError);
    return { dest };
  }
  const opened = once(dest, 'ready').then(
    () => {
      dest.on('error', onError);
    },
    (err: unknown) => {
      throw destinationError(target, err);
    },
  );
  return { dest, opened };
}

function flushDestinationSync(dest: LogDestination): void {
  if (typeof dest.flushSync !== 'function') return;
  try {
    dest.flushSync();
  } catch {
    // SonicBoom throws before its file is open; there is nothing to flush then.
  }
}

/** `pino(opts, stream({...}))`: an in-process scrubbing destination for pino. */
export function stream(options?: HushlogStreamOptions): HushlogStream {
  return new HushlogStream(options);
}
