/**
 * One process 'exit' listener for every live hushlog stream, so a stream with lines still
 * waiting for their batch gets them scrubbed and written synchronously when the process
 * exits (process.exit(), end of the event loop). Weak references: a stream the application
 * dropped without closing does not stay alive because of this registry.
 */

export interface ExitFlushable {
  /** Synchronous: no event loop is left when this runs. Must not throw. */
  flushAtExit(): void;
}

const live = new Set<WeakRef<ExitFlushable>>();
const refs = new WeakMap<ExitFlushable, WeakRef<ExitFlushable>>();
let installed = false;

function onExit(): void {
  for (const ref of live) ref.deref()?.flushAtExit();
  live.clear();
}

export function flushOnExit(target: ExitFlushable): void {
  if (!installed) {
    installed = true;
    process.on('exit', onExit);
  }
  const ref = new WeakRef(target);
  refs.set(target, ref);
  live.add(ref);
}

export function cancelFlushOnExit(target: ExitFlushable): void {
  const ref = refs.get(target);
  if (ref) live.delete(ref);
  refs.delete(target);
}
