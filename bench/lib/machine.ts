import { readFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';

/**
 * One line describing where the numbers were measured. The load average is part of it: on a
 * shared 2-core machine a busy neighbour halves every figure, and the reader must know.
 */
export function machineSummary(): string {
  const model = cpus()[0]?.model.trim() || 'unknown cpu';
  const load = loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
  return `${availableParallelism()} cores (${model}), ${Math.round(totalmem() / 2 ** 30)} GiB RAM, node ${process.version}, ${kernel()}; load average at start ${load}`;
}

function kernel(): string {
  try {
    return `linux ${readFileSync('/proc/sys/kernel/osrelease', 'utf8').trim()}`;
  } catch {
    return process.platform;
  }
}
