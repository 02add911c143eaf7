import { EventTime, type ForwardEvent } from './fluent-event.js';

/**
 * Forward events as JSON lines (Logstash `json_lines`). Written by hand rather than with
 * JSON.stringify because records decoded from msgpack hold bigint (64-bit integers must keep
 * every digit) and byte arrays, which JSON.stringify rejects or mangles.
 */

export interface EventJsonOptions {
  /** Field receiving the tag unless the record has it (default `tag`; empty = leave out). */
  tagKey?: string;
  /** Field receiving the time as ISO-8601 unless the record has it (default `@timestamp`; empty = leave out). */
  timeKey?: string;
}

/** Nesting beyond this is written as null (a recursion guard; msgpack input is depth-limited earlier). */
const MAX_DEPTH = 512;
const textDecoder = new TextDecoder();

export function eventToJsonLine(event: ForwardEvent, opts: EventJsonOptions = {}): string {
  const tagKey = opts.tagKey ?? 'tag';
  const timeKey = opts.timeKey ?? '@timestamp';
  const extra: Array<[string, unknown]> = [];
  if (tagKey && !Object.hasOwn(event.record, tagKey)) extra.push([tagKey, event.tag]);
  if (timeKey && !Object.hasOwn(event.record, timeKey)) {
    const t = event.time instanceof EventTime ? event.time : new EventTime(event.time, 0);
    extra.push([timeKey, t.toISOString()]);
  }
  const body = serialize(event.record, 0);
  if (extra.length === 0) return `${body}\n`;
  const head = extra.map(([k, v]) => `${JSON.stringify(k)}:${serialize(v, 1)}`).join(',');
  return body === '{}' ? `{${head}}\n` : `{${head},${body.slice(1)}\n`;
}

function serialize(value: unknown, depth: number): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      return Number.isFinite(value) ? String(value) : 'null';
    case 'bigint':
      return value.toString();
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      break;
    default:
      return 'null';
  }
  if (value === null || depth > MAX_DEPTH) return 'null';
  if (value instanceof Uint8Array) return JSON.stringify(textDecoder.decode(value));
  if (value instanceof EventTime) return JSON.stringify(value.toISOString());
  if (value instanceof Date)
    return Number.isNaN(value.getTime()) ? 'null' : JSON.stringify(value.toISOString());
  if (Array.isArray(value)) return `[${value.map((v) => serialize(v, depth + 1)).join(',')}]`;
  const parts: string[] = [];
  for (const [k, v] of Object.entries(value)) {
    if (v === undefined) continue;
    parts.push(`${JSON.stringify(k)}:${serialize(v, depth + 1)}`);
  }
  return `{${parts.join(',')}}`;
}
