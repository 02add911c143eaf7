import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { finished, ROOT, runCli, spawnCli } from './run-cli.js';

const APP_LOG = join(ROOT, 'examples/app.log');

/** Values planted in examples/app.log (fake, but of the shapes the bundled rules cover). */
function plantedSecrets(): string[] {
  const text = readFileSync(APP_LOG, 'utf8');
  const patterns = [
    /sk-proj-[A-Za-z0-9_-]+/g,
    /sk-ant-api03-[A-Za-z0-9_-]+/g,
    /AKIA[A-Z2-7]{16}/g,
    /aws_secret_access_key=(\S+)/g,
    /ghp_[A-Za-z0-9]{36}/g,
    /eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+/g,
    /postgres:\/\/orders_app:([^@]+)@/g,
    /Bearer ([A-Za-z0-9._-]{20,})/g,
    /password=(\w{8,}!)/g,
    /hf_[A-Za-z0-9]{34}/g,
  ];
  const found: string[] = [];
  for (const re of patterns) for (const m of text.matchAll(re)) found.push(m[1] ?? m[0]);
  // The PEM body lines.
  found.push(...text.split('\n').filter((l) => /^[A-Za-z0-9+/]{64}$/.test(l)));
  return found;
}

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'hushlog-e2e-'));
}

describe('hushlog filter (e2e)', () => {
  it('masks every planted secret in the example log and keeps every line', async () => {
    const secrets = plantedSecrets();
    expect(secrets.length).toBeGreaterThanOrEqual(18);
    const res = await runCli(['--summary', 'examples/app.log']);
    expect(res.code).toBe(0);
    const out = res.stdout.toString();
    for (const s of secrets)
      expect(out.includes(s), `leaked a planted secret of length ${s.length}`).toBe(false);
    expect(out.split('\n')).toHaveLength(readFileSync(APP_LOG, 'utf8').split('\n').length);
    // Lines without secrets pass through byte for byte.
    expect(out).toContain('password reset email sent to user=4821 (token expired after 30m)');
    expect(out).toContain('revision 702884dfc0dc22bc352d6ad38b478d8fed09cb23');
    expect(res.stderr).toMatch(
      /hushlog: 42 records, [\d.]+ [kM]B in [\d.]+ s \([\d.]+ MB\/s\), \d+ findings/,
    );
    expect(res.stderr).toMatch(/openai-project-key\s+2/);
    for (const s of secrets) expect(res.stderr.includes(s)).toBe(false);
  });

  it('gives the same bytes with --workers 0 as with a worker pool', async () => {
    const [pool, inline] = await Promise.all([
      runCli(['--workers', '2', '--batch-bytes', '4k', 'examples/app.log']),
      runCli(['--workers', '0', 'examples/app.log']),
    ]);
    expect(pool.code).toBe(0);
    expect(inline.code).toBe(0);
    expect(pool.stdout.equals(inline.stdout)).toBe(true);
  });

  it('gives the same bytes without WebAssembly (node --jitless keeps to the JS loops)', async () => {
    // Long enough for the WebAssembly paths (keywords >= 512 B, known values >= 4 KiB).
    const input = `${readFileSync(join(ROOT, 'examples/app.log'), 'utf8')}\n`.repeat(20);
    const env = { APP_DB_PASSWORD: 'Zq8-known-value-41xT' };
    const args = ['--workers', '0', '--secrets-env', 'APP_DB_*'];
    const [jitless, wasm] = await Promise.all([
      runCli(args, `${input}db=Zq8-known-value-41xT\n`, { ...env, NODE_OPTIONS: '--jitless' }),
      runCli(args, `${input}db=Zq8-known-value-41xT\n`, env),
    ]);
    expect(jitless.code).toBe(0);
    expect(wasm.code).toBe(0);
    expect(jitless.stdout.toString()).toContain('db=[REDACTED');
    expect(jitless.stdout.equals(wasm.stdout)).toBe(true);
  });

  it('masks known values from env globs and dotenv files', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'app.env'), 'DB_PASSWORD=Tr1cky-Passw0rd-value\n');
    const res = await runCli(
      ['--secrets-env', 'TEST_HUSH_*', '--secrets-file', join(dir, 'app.env')],
      'conn pw=Tr1cky-Passw0rd-value token=plain-env-value-42 ok\n',
      { TEST_HUSH_TOKEN: 'plain-env-value-42' },
    );
    // Once in a CI run this child ended by a signal (code null); the message says which.
    expect(res.code, `signal ${res.signal}, stderr: ${res.stderr}`).toBe(0);
    const out = res.stdout.toString();
    expect(out).not.toContain('Tr1cky-Passw0rd-value');
    expect(out).not.toContain('plain-env-value-42');
    expect(out).toMatch(/^conn pw=\S+ token=\S+ ok\n$/);
  });

  it('appends to --output and exits 3 with --fail-on-findings when something was masked', async () => {
    const dir = tempDir();
    const file = join(dir, 'clean.log');
    writeFileSync(file, 'existing line\n');
    const res = await runCli(['-o', file, '--fail-on-findings', 'examples/app.log']);
    expect(res.code).toBe(3);
    expect(res.stdout.length).toBe(0);
    const written = readFileSync(file, 'utf8');
    expect(written.startsWith('existing line\n2025-06-11T08:00:01.112Z INFO')).toBe(true);
    const clean = await runCli(['--fail-on-findings'], 'nothing to see here\n');
    expect(clean.code).toBe(0);
    expect(clean.stdout.toString()).toBe('nothing to see here\n');
  });

  it('takes flag over HUSHLOG_* over config file', async () => {
    const dir = tempDir();
    const config = join(dir, 'hushlog.yaml');
    writeFileSync(config, 'action: "mask:FROM-FILE"\nsecretsEnv: [TEST_HUSH_*]\n');
    const line = 'value=precedence-secret-1\n';
    const env = { TEST_HUSH_V: 'precedence-secret-1' };
    const fromFile = await runCli(['--config', config], line, env);
    const fromEnv = await runCli(['--config', config], line, { ...env, HUSHLOG_ACTION: 'mask:FROM-ENV' });
    const fromFlag = await runCli(['--config', config, '--action', 'mask:FROM-FLAG'], line, {
      ...env,
      HUSHLOG_ACTION: 'mask:FROM-ENV',
    });
    expect(fromFile.stdout.toString()).toBe('value=FROM-FILE\n');
    expect(fromEnv.stdout.toString()).toBe('value=FROM-ENV\n');
    expect(fromFlag.stdout.toString()).toBe('value=FROM-FLAG\n');
  });

  it('exits 2 with one line naming the problem for usage and config errors', async () => {
    const dir = tempDir();
    const badConfig = join(dir, 'bad.yaml');
    writeFileSync(badConfig, 'workers: lots\n');
    const badPack = join(dir, 'pack.toml');
    writeFileSync(
      badPack,
      "[[rules]]\nid = 'broken-rule'\ndescription = 'x'\nregex = '(unclosed'\nkeywords = ['x']\n",
    );
    const cases: Array<[string[], RegExp]> = [
      [['--no-such-flag'], /unknown option '--no-such-flag'/],
      [['--workers', '-3'], /^hushlog: option --workers: expected an integer >= 0, got "-3"$/],
      [['--config', badConfig], /bad\.yaml: key "workers": expected an integer >= 0, got "lots"$/],
      [['missing-input.log'], /^hushlog: missing-input\.log: cannot read input \(ENOENT\)$/],
      [['--rules', badPack, '--workers', '0'], /pack\.toml.*broken-rule/],
      // One worker validates the whole ruleset; the others compile regexes on first use.
      [['--rules', badPack, '--workers', '2'], /pack\.toml.*broken-rule/],
      [['--output', join(dir, 'no/such/dir/out.log')], /cannot open output for appending \(ENOENT\)$/],
    ];
    for (const [args, message] of cases) {
      const res = await runCli(args, 'x\n');
      expect(res.code, args.join(' ')).toBe(2);
      const lines = res.stderr.trimEnd().split('\n');
      expect(lines, args.join(' ')).toHaveLength(1);
      expect(lines[0]).toMatch(message);
      expect(res.stderr).not.toMatch(/\n\s+at /);
    }
  });

  it('ends quietly with exit 0 when the reader closes stdout', async () => {
    const child = spawnCli(['--workers', '2']);
    const done = finished(child);
    child.stdout.once('data', () => child.stdout.destroy());
    const line = Buffer.from(`${'quiet pipe line '.repeat(8)}\n`);
    const chunk = Buffer.concat(Array.from({ length: 4096 }, () => line));
    for (let i = 0; i < 40 && !child.stdin.destroyed; i++) {
      if (!child.stdin.write(chunk)) await new Promise((r) => child.stdin.once('drain', r).once('close', r));
    }
    child.stdin.end();
    const res = await done;
    expect(res.code).toBe(0);
    expect(res.stderr).toBe('');
  });

  it('writes diagnostics to --log-file as well as stderr', async () => {
    const dir = tempDir();
    const log = join(dir, 'hushlog.log');
    const res = await runCli(['--summary', '--log-file', log], 'hello\n');
    expect(res.code).toBe(0);
    expect(readFileSync(log, 'utf8')).toMatch(/hushlog\[\d+\] info: 1 records, /);
  });
});

describe('hushlog scan and rules (e2e)', () => {
  it('scan reports file:line:col per finding without values and exits 3', async () => {
    const res = await runCli(['scan', 'examples/app.log']);
    expect(res.code).toBe(3);
    const out = res.stdout.toString();
    expect(out).toMatch(/^examples\/app\.log:3:\d+ openai-project-key length=164 fingerprint=[0-9a-f]{16}$/m);
    for (const s of plantedSecrets()) expect(out.includes(s)).toBe(false);
    const clean = await runCli(['scan'], 'all quiet\n');
    expect(clean.code).toBe(0);
    expect(clean.stdout.toString()).toMatch(/^1 records, .* 0 findings\n$/);
  });

  it('rules list shows id, confidence, description and origin', async () => {
    const res = await runCli(['rules', 'list']);
    expect(res.code).toBe(0);
    const out = res.stdout.toString();
    expect(out.split('\n')[0]).toMatch(/^ID\s+CONFIDENCE\s+DESCRIPTION\s+ORIGIN$/);
    expect(out).toMatch(/^openai-project-key\s+\w+\s+.+patterns\/default\/ai\.toml$/m);
  });

  it('rules test shows line:col rule length and the masked line, never the value', async () => {
    const res = await runCli(['rules', 'test', 'examples/app.log']);
    expect(res.code).toBe(0);
    const out = res.stdout.toString();
    expect(out).toMatch(
      /^3:\d+ openai-project-key 164\n {4}.*OPENAI_API_KEY=\[REDACTED:openai-project-key\]$/m,
    );
    for (const s of plantedSecrets()) expect(out.includes(s)).toBe(false);
    expect(out).toMatch(/\d+ findings in examples\/app\.log \(/);
  });
});
