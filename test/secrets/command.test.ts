import { describe, expect, it } from 'vitest';
import { HushlogConfigError } from '../../src/errors.js';
import {
  type CommandSourceSpec,
  loadCommandValues,
  loadCommandValuesSync,
} from '../../src/secrets/command.js';
import type { SourceResult } from '../../src/secrets/source-result.js';

const node = process.execPath;
const script = (code: string): string[] => [node, '-e', code];

/** Runs a spec through both the async and the sync loader, which must agree. */
async function load(spec: CommandSourceSpec, options = {}): Promise<SourceResult> {
  const result = await loadCommandValues(spec, options);
  expect(loadCommandValuesSync(spec, options)).toEqual(result);
  return result;
}

async function failure(spec: CommandSourceSpec, options = {}): Promise<string[]> {
  const messages: string[] = [];
  for (const run of [
    () => loadCommandValues(spec, options),
    async () => loadCommandValuesSync(spec, options),
  ]) {
    try {
      await run();
      messages.push('(no error)');
    } catch (err) {
      expect(err).toBeInstanceOf(HushlogConfigError);
      messages.push((err as Error).message);
    }
  }
  return messages;
}

describe('command source', () => {
  it('reads one value per line by default', async () => {
    const result = await load({
      argv: script('console.log("first-secret-value\\n\\n  second-secret-value  \\nshort")'),
    });
    expect(result.values).toEqual([
      { source: `command:${node}:line 1`, value: 'first-secret-value' },
      { source: `command:${node}:line 3`, value: 'second-secret-value' },
    ]);
    expect(result.warnings).toEqual([
      `command:${node}:line 4: value too short to mask safely (5 < 8 characters); not registered`,
    ]);
  });

  it('parses dotenv output when asked', async () => {
    const result = await load({
      argv: script(
        'process.stdout.write("# from vault\\nDB_PASSWORD=\\"quoted secret\\"\\nexport API_TOKEN=tok-1234567890\\n")',
      ),
      format: 'dotenv',
    });
    expect(result.values).toEqual([
      { source: `command:${node}:DB_PASSWORD`, value: 'quoted secret' },
      { source: `command:${node}:API_TOKEN`, value: 'tok-1234567890' },
    ]);
  });

  it('passes the given environment to the command', async () => {
    const result = await load(
      { argv: script('console.log(process.env.SECRET_FOR_CHILD)') },
      { env: { SECRET_FOR_CHILD: 'handed-to-the-child' } },
    );
    expect(result.values.map((v) => v.value)).toEqual(['handed-to-the-child']);
  });

  it('a non-zero exit names the program, not its output nor its arguments', async () => {
    const spec = {
      argv: script('console.log("leaked-secret-output"); console.error("stderr-secret"); process.exit(3)'),
    };
    for (const message of await failure(spec)) {
      expect(message).toBe(
        `secret command ${node} exited with code 3 (its output is not shown: it may hold secrets)`,
      );
      expect(message).not.toContain('leaked');
      expect(message).not.toContain('process.exit');
    }
  });

  it('times out, and refuses runaway output', async () => {
    for (const message of await failure({ argv: script('setTimeout(() => {}, 10000)'), timeoutMs: 300 })) {
      expect(message).toBe(`secret command ${node} timed out after 300 ms`);
    }
    const flood = { argv: script('process.stdout.write("x".repeat(5000))') };
    for (const message of await failure(flood, { maxOutputBytes: 1000 })) {
      expect(message).toBe(`secret command ${node} printed more than 1000 bytes`);
    }
  });

  it('a program that cannot be started is a config error with the errno code', async () => {
    const messages = await failure({ argv: ['/nonexistent/hushlog-secret-tool', '--token=abc123'] });
    for (const message of messages) {
      expect(message).toBe('secret command /nonexistent/hushlog-secret-tool could not be started (ENOENT)');
    }
  });

  it('a dotenv syntax error in the output names the command and line', async () => {
    for (const message of await failure({
      argv: script('console.log("A=ok\\nnot an assignment")'),
      format: 'dotenv',
    })) {
      expect(message).toBe(`command ${node}:2: expected KEY=VALUE`);
    }
  });

  it('refuses output that is not UTF-8', async () => {
    for (const message of await failure({
      argv: script('process.stdout.write(Buffer.from([0xff, 0xfe, 0x41]))'),
    })) {
      expect(message).toBe(`secret command ${node} printed output that is not UTF-8 text`);
    }
  });
});
