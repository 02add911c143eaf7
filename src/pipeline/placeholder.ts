import { asBuffer, NEWLINE } from './records.js';

/**
 * What replaces records that could not be scrubbed (fail closed): one line per input record,
 * so downstream record counts stay right, carrying no byte of the original content.
 */
export const WITHHELD_RECORD = '[hushlog: record withheld: scrub failed]';

/**
 * The same for a record that looks like a JSON object: a JSON consumer (Fluentd exec_filter,
 * Logstash json_lines) stops reading a stream at the first invalid record, so it gets valid JSON.
 */
export const WITHHELD_JSON_RECORD = '{"hushlog":"record withheld: scrub failed"}';

/** Stands in for the part of an over-long record whose window could not be scrubbed. */
export const WITHHELD_WINDOW = '[hushlog: window withheld: scrub failed]';

const TEXT = Buffer.from(WITHHELD_RECORD);
const JSON_OBJECT = Buffer.from(WITHHELD_JSON_RECORD);
const LF = Buffer.from('\n');

/** One placeholder line per record of `input`; the last lacks `\n` when the input's last record did. */
export function withheldRecords(input: Uint8Array): Uint8Array {
  const buf = asBuffer(input);
  const parts: Buffer[] = [];
  let start = 0;
  while (start < buf.length) {
    const nl = buf.indexOf(NEWLINE, start);
    const end = nl < 0 ? buf.length : nl;
    parts.push(looksLikeJsonObject(buf, start, end) ? JSON_OBJECT : TEXT);
    if (nl >= 0) parts.push(LF);
    start = end + 1;
  }
  return Buffer.concat(parts);
}

/** Placeholder for one window of an over-long record; keeps the window's final `\n`, if any. */
export function withheldWindow(window: Uint8Array): Uint8Array {
  const terminated = window.length > 0 && window[window.length - 1] === NEWLINE;
  return Buffer.from(terminated ? `${WITHHELD_WINDOW}\n` : WITHHELD_WINDOW);
}

function looksLikeJsonObject(buf: Buffer, start: number, end: number): boolean {
  let i = start;
  while (i < end && (buf[i] === 0x20 || buf[i] === 0x09)) i++;
  return i < end && buf[i] === 0x7b;
}
