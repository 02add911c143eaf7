import type { Writable } from 'node:stream';

const EMPTY = new Uint8Array(0);

/** Why the output stopped taking bytes: the reader went away, or a real write error. */
export type SinkFailure = { kind: 'closed' } | { kind: 'error'; code: string };

/**
 * Where the pipeline writes scrubbed bytes, in input order. `done` is called once the sink has
 * taken the bytes (reached the OS, or a network output's bounded queue): the pipeline counts
 * a batch in flight until then, which is how a slow output stops the reading of the input.
 */
export interface OutputSink {
  /** Name for messages (`stdout`, a file path, a destination URL). */
  readonly name: string;
  readonly failed: SinkFailure | undefined;
  onFailure(listener: (f: SinkFailure) => void): void;
  write(bytes: Uint8Array, done: () => void): void;
  /** Resolves once everything written so far was taken (or the sink failed). */
  flush(): Promise<void>;
  end(): Promise<void>;
}

/**
 * The output end. Each write reports when its bytes reached the OS, which is what lets the
 * pipeline bound what it holds: a stalled reader stops the callbacks, so the reader stops too.
 */
export class StreamSink implements OutputSink {
  private failure: SinkFailure | undefined;
  private readonly failureListeners: Array<(f: SinkFailure) => void> = [];

  constructor(
    private readonly stream: Writable,
    /** Name for messages (`stdout` or the file path). */
    readonly name: string,
    /** Whether end() closes the stream (a file we opened) or only flushes it (stdout). */
    private readonly owned: boolean,
  ) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      const failure: SinkFailure =
        err.code === 'EPIPE' || err.code === 'ERR_STREAM_DESTROYED'
          ? { kind: 'closed' }
          : { kind: 'error', code: err.code ?? err.name };
      this.fail(failure);
    });
  }

  get failed(): SinkFailure | undefined {
    return this.failure;
  }

  onFailure(listener: (f: SinkFailure) => void): void {
    this.failureListeners.push(listener);
  }

  write(bytes: Uint8Array, done: () => void): void {
    if (this.failure || bytes.length === 0) {
      queueMicrotask(done);
      return;
    }
    this.stream.write(bytes, () => done());
  }

  /** Resolves once everything written so far is flushed (or the sink failed). */
  flush(): Promise<void> {
    if (this.failure) return Promise.resolve();
    // Writes complete in order, so an empty write's callback means all before it are out.
    return new Promise((resolve) => this.stream.write(EMPTY, () => resolve()));
  }

  async end(): Promise<void> {
    if (this.failure) return;
    if (!this.owned) return this.flush();
    await new Promise<void>((resolve) => {
      this.stream.once('close', resolve);
      this.stream.end();
    });
  }

  private fail(failure: SinkFailure): void {
    if (this.failure) return;
    this.failure = failure;
    for (const l of this.failureListeners) l(failure);
  }
}
