import { describe, expect, it } from 'vitest';
import { HushlogConfigError } from '../../src/errors.js';
import { formatDestination, isEndpointUrl, parseInputUrl, parseOutputUrl } from '../../src/sinks/url.js';

describe('forwarding URLs', () => {
  it('parses fluent and logstash outputs, with and without TLS', () => {
    expect(parseOutputUrl('fluent://agg.example:24225')).toEqual({
      kind: 'fluent',
      host: 'agg.example',
      port: 24225,
      tls: false,
    });
    expect(parseOutputUrl('fluent+tls://agg.example')).toEqual({
      kind: 'fluent',
      host: 'agg.example',
      port: 24224,
      tls: true,
    });
    expect(parseOutputUrl('logstash://10.0.0.5:5000')).toEqual({
      kind: 'logstash',
      host: '10.0.0.5',
      port: 5000,
      tls: false,
    });
    expect(parseOutputUrl('LOGSTASH+TLS://ls:5044').tls).toBe(true);
  });

  it('parses forward inputs, IPv6 included, and formats them back', () => {
    const e = parseInputUrl('forward://[::1]:24224');
    expect(e).toEqual({ kind: 'forward', host: '::1', port: 24224, tls: false });
    expect(formatDestination(e)).toBe('forward://[::1]:24224');
    expect(parseInputUrl('forward://0.0.0.0:0').port).toBe(0);
  });

  it('refuses a logstash URL without a port and a scheme of the wrong side', () => {
    expect(() => parseOutputUrl('logstash://host')).toThrow(/needs a port/);
    expect(() => parseOutputUrl('forward://host:1')).toThrow(HushlogConfigError);
    expect(() => parseInputUrl('fluent://host:1')).toThrow(/forward:\/\//);
    expect(() => parseOutputUrl('fluent://host:1/path')).toThrow(/no path/);
  });

  it('refuses credentials without echoing them', () => {
    let message = '';
    try {
      parseOutputUrl('fluent://user:hunter2-s3cret@host:24224');
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/credentials/);
    expect(message).not.toContain('hunter2');
  });

  it('tells URLs from file paths', () => {
    expect(isEndpointUrl('fluent://h:1')).toBe(true);
    expect(isEndpointUrl('/var/log/out.log')).toBe(false);
    expect(isEndpointUrl('http://h:1')).toBe(false);
  });
});
