/** Runs and times shell pipelines (`cat corpus | X | cat > /dev/null`) from outside. */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';

/** Single-quotes a word for bash. */
export function sh(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

export interface PipelineRun {
  ms: number;
  /** Peak resident set of the measured stage in KiB, when /usr/bin/time was available. */
  peakRssKiB?: number;
  /**
   * CPU seconds (user + system, all threads) of the measured stage, with /usr/bin/time. Less
   * sensitive than wall time to other tenants of a shared VM: it is what the stage costs.
   */
  cpuSeconds?: number;
}

const GNU_TIME = '/usr/bin/time';

export function hasGnuTime(): boolean {
  return existsSync(GNU_TIME);
}

/**
 * Times `cat input | stage | cat > /dev/null` wall-clock from spawn to exit. With `measureRss`,
 * the stage runs under GNU time, whose max-RSS (`%M`) and CPU times (`%U`, `%S`) cover every
 * thread of the process.
 */
export async function timePipeline(
  input: string,
  stage: string,
  opts: { measureRss?: string } = {},
): Promise<PipelineRun> {
  const rssFile = opts.measureRss;
  const wrapped = rssFile ? `${GNU_TIME} -f '%M %U %S' -o ${sh(rssFile)} ${stage}` : stage;
  const script = `set -o pipefail; cat ${sh(input)} | ${wrapped} | cat > /dev/null`;
  const start = process.hrtime.bigint();
  await runShell(script);
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (!rssFile) return { ms };
  const [kib, user, sys] = (readFileSync(rssFile, 'utf8').trim().split('\n').pop() ?? '')
    .split(' ')
    .map(Number);
  rmSync(rssFile, { force: true });
  return {
    ms,
    peakRssKiB: Number.isFinite(kib) ? kib : undefined,
    cpuSeconds: Number.isFinite(user) && Number.isFinite(sys) ? user + sys : undefined,
  };
}

/** Runs a bash script; rejects with its exit code and the tail of stderr (never stdout). */
export function runShell(script: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => {
      if (out.length < 65_536) out += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      err = (err + d.toString()).slice(-2000);
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve(out);
      else reject(new Error(`pipeline exited ${code}: ${err.trim().split('\n').slice(-8).join(' | ')}`));
    });
  });
}
