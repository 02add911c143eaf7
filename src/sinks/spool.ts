import { constants as fsConstants } from 'node:fs';
import { type FileHandle, mkdir, open, readdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { HushlogConfigError } from '../errors.js';
import {
  DeliveryError,
  type Outbox,
  OutboxCursor,
  type OutboxEntry,
  type OutboxPending,
  type Parcel,
} from './delivery-queue.js';

/**
 * A durable outbox (`--spool DIR`): parcels of already-scrubbed, already-encoded records are
 * appended to segment files and fsync'd before write() resolves; a segment is deleted once every
 * parcel in it was confirmed. On start, what the last run left is sent first, in order.
 *
 * Frame: magic 'HLS1' | crc32(body) u32 | body length u32 | body
 * Body:  records u32 | key length u16 | key (ASCII) | data
 * A frame cut short by a crash fails its length or CRC check and ends that segment's recovery.
 * Confirmations are not fsync'd one by one: a clean shutdown writes, next to each partly
 * confirmed segment, the offsets of its confirmed parcels (`.acked`); after a crash the confirmed
 * parcels of a partly confirmed segment are sent again (at-least-once: duplicates, never loss).
 */

const MAGIC = 0x484c5331;
const HEADER_BYTES = 12;
const BODY_FIXED_BYTES = 6;
const SEGMENT_PATTERN = /^segment-(\d{12})\.spool$/;
const LOCK_FILE = 'LOCK';
const ACKED_SUFFIX = '.acked';
/** Freshly written parcels kept in memory so sending them does not read them back from disk. */
const RESIDENT_BUDGET = 8 * 1024 * 1024;

export const DEFAULT_SPOOL_MAX_BYTES = 1024 * 1024 * 1024;
const DEFAULT_SEGMENT_BYTES = 16 * 1024 * 1024;

export interface SpoolOptions {
  dir: string;
  /** Disk bytes before put() waits (`--spool-max-bytes`, default 1 GiB). */
  maxBytes?: number;
  /** Segment size before a new file starts (default 16 MiB, at most a quarter of maxBytes). */
  segmentBytes?: number;
}

interface Segment {
  id: number;
  path: string;
  size: number;
  /** Parcels not yet confirmed. */
  live: number;
  /** Data offsets of confirmed parcels, written to the `.acked` file on a clean shutdown. */
  confirmed: number[];
  /** Open for appending (the active segment) or for reading. */
  handle?: FileHandle;
  writable: boolean;
}

interface SpoolEntry extends OutboxEntry {
  segment: Segment;
  /** Offset of the data (after the frame header and key). */
  offset: number;
  data?: Uint8Array;
}

export interface SpoolRecovery {
  parcels: number;
  records: number;
  /** Bytes of torn or corrupt frames skipped (a crash in the middle of a write). */
  discardedBytes: number;
}

export class SpoolOutbox extends OutboxCursor<SpoolEntry> implements Outbox {
  readonly durable = true;
  private readonly maxBytes: number;
  private readonly segmentBytes: number;
  /** Bytes on disk in segment files. */
  private diskBytes = 0;
  private residentBytes = 0;
  private nextSegmentId = 1;
  private active: Segment | undefined;
  /** Appends and deletions run one at a time so a segment is never deleted under a write. */
  private chain: Promise<unknown> = Promise.resolve();

  private constructor(
    readonly dir: string,
    opts: SpoolOptions,
    readonly recovery: SpoolRecovery,
  ) {
    super();
    this.maxBytes = opts.maxBytes ?? DEFAULT_SPOOL_MAX_BYTES;
    this.segmentBytes = Math.max(
      4096,
      Math.min(opts.segmentBytes ?? DEFAULT_SEGMENT_BYTES, Math.floor(this.maxBytes / 4)),
    );
  }

  /** Takes the directory's lock and loads what a previous run left. */
  static async open(opts: SpoolOptions): Promise<SpoolOutbox> {
    await mkdir(opts.dir, { recursive: true });
    await takeLock(opts.dir);
    const spool = new SpoolOutbox(opts.dir, opts, { parcels: 0, records: 0, discardedBytes: 0 });
    try {
      await spool.recover();
    } catch (err) {
      await releaseLock(opts.dir);
      throw err;
    }
    return spool;
  }

  private async recover(): Promise<void> {
    const names = (await readdir(this.dir)).filter((n) => SEGMENT_PATTERN.test(n)).sort();
    for (const name of names) {
      const id = Number(SEGMENT_PATTERN.exec(name)?.[1]);
      this.nextSegmentId = Math.max(this.nextSegmentId, id + 1);
      const path = join(this.dir, name);
      const bytes = await readFile(path);
      const segment: Segment = {
        id,
        path,
        size: bytes.length,
        live: 0,
        confirmed: await readAcked(path),
        writable: false,
      };
      const { frames, validBytes } = parseFrames(bytes);
      this.recovery.discardedBytes += bytes.length - validBytes;
      const done = new Set(segment.confirmed);
      const pending = frames.filter((f) => !done.has(f.offset));
      if (pending.length === 0) {
        await unlink(path);
        await unlink(path + ACKED_SUFFIX).catch(() => undefined);
        continue;
      }
      for (const f of pending) {
        this.entries.push({
          seq: this.seq++,
          segment,
          offset: f.offset,
          size: f.size,
          records: f.records,
          key: f.key,
        });
        segment.live++;
        this.records += f.records;
        this.recovery.parcels++;
        this.recovery.records += f.records;
      }
      this.diskBytes += segment.size;
    }
  }

  async put(parcel: Parcel): Promise<void> {
    const key = Buffer.from(parcel.key ?? '', 'latin1');
    const frameBytes = HEADER_BYTES + BODY_FIXED_BYTES + key.length + parcel.data.byteLength;
    while (!this.aborted && this.diskBytes > 0 && this.diskBytes + frameBytes > this.maxBytes) {
      await this.roomWaiters.wait();
    }
    if (this.aborted) throw this.aborted;
    await this.serial(() => this.append(parcel, key, frameBytes));
    this.unsentWaiters.wake();
  }

  private async append(parcel: Parcel, key: Buffer, frameBytes: number): Promise<void> {
    if (!this.active || this.active.size >= this.segmentBytes) await this.startSegment();
    const segment = this.active as Segment;
    const frame = Buffer.allocUnsafe(frameBytes);
    frame.writeUInt32BE(MAGIC, 0);
    frame.writeUInt32BE(frameBytes - HEADER_BYTES, 8);
    frame.writeUInt32BE(parcel.records, HEADER_BYTES);
    frame.writeUInt16BE(key.length, HEADER_BYTES + 4);
    key.copy(frame, HEADER_BYTES + BODY_FIXED_BYTES);
    const dataOffset = HEADER_BYTES + BODY_FIXED_BYTES + key.length;
    frame.set(parcel.data, dataOffset);
    frame.writeUInt32BE(crc32(frame.subarray(HEADER_BYTES)), 4);
    try {
      const handle = segment.handle as FileHandle;
      await handle.write(frame, 0, frame.length, segment.size);
      await handle.datasync();
    } catch (err) {
      throw this.ioError('write', err);
    }
    const entry: SpoolEntry = {
      seq: this.seq++,
      segment,
      offset: segment.size + dataOffset,
      size: parcel.data.byteLength,
      records: parcel.records,
      key: parcel.key,
    };
    if (this.residentBytes + entry.size <= RESIDENT_BUDGET) {
      entry.data = parcel.data;
      this.residentBytes += entry.size;
    }
    segment.size += frame.length;
    segment.live++;
    this.diskBytes += frame.length;
    this.records += parcel.records;
    this.entries.push(entry);
  }

  private async startSegment(): Promise<void> {
    if (this.active) await this.sealActive();
    const id = this.nextSegmentId++;
    const path = join(this.dir, `segment-${String(id).padStart(12, '0')}.spool`);
    try {
      const handle = await open(path, 'wx+');
      this.active = { id, path, size: 0, live: 0, confirmed: [], handle, writable: true };
      await syncDirectory(this.dir);
    } catch (err) {
      throw this.ioError('create segment', err);
    }
  }

  private async sealActive(): Promise<void> {
    const seg = this.active;
    if (!seg) return;
    this.active = undefined;
    seg.writable = false;
    if (seg.live === 0) await this.removeSegment(seg);
  }

  async load(entry: OutboxEntry): Promise<Uint8Array> {
    const e = entry as SpoolEntry;
    if (e.data) {
      const data = e.data;
      e.data = undefined;
      this.residentBytes -= e.size;
      return data;
    }
    const seg = e.segment;
    try {
      seg.handle ??= await open(seg.path, 'r');
      const out = Buffer.allocUnsafe(e.size);
      const { bytesRead } = await seg.handle.read(out, 0, e.size, e.offset);
      if (bytesRead !== e.size) throw Object.assign(new Error('short read'), { code: 'ESHORT' });
      return out;
    } catch (err) {
      throw this.ioError('read', err);
    }
  }

  async settle(entry: OutboxEntry): Promise<void> {
    const e = entry as SpoolEntry;
    const i = this.entries.indexOf(e);
    if (i < 0) return;
    this.entries.splice(i, 1);
    if (i < this.sentCount) this.sentCount--;
    if (e.data) {
      e.data = undefined;
      this.residentBytes -= e.size;
    }
    this.records -= e.records;
    e.segment.live--;
    e.segment.confirmed.push(e.offset);
    if (e.segment.live === 0) {
      await this.serial(async () => {
        // Re-checked inside the chain: an append may have added a parcel meanwhile.
        if (e.segment.live !== 0) return;
        if (e.segment === this.active) this.active = undefined;
        await this.removeSegment(e.segment);
      });
    }
    if (this.entries.length === 0) this.emptyWaiters.wake();
  }

  private async removeSegment(seg: Segment): Promise<void> {
    try {
      await seg.handle?.close();
      seg.handle = undefined;
      await unlink(seg.path);
      if (seg.confirmed.length > 0) await unlink(seg.path + ACKED_SUFFIX).catch(() => undefined);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw this.ioError('delete segment', err);
    }
    this.diskBytes -= seg.size;
    this.roomWaiters.wake();
  }

  pending(): OutboxPending {
    return { parcels: this.entries.length, records: this.records, bytes: this.diskBytes };
  }

  async dispose(): Promise<void> {
    await this.chain.catch(() => undefined);
    const segments = new Set(this.entries.map((e) => e.segment));
    if (this.active) segments.add(this.active);
    for (const seg of segments) {
      await seg.handle?.close().catch(() => undefined);
      if (seg.live > 0 && seg.confirmed.length > 0)
        await writeAcked(seg.path, seg.confirmed).catch(() => undefined);
    }
    if (this.active && this.active.live === 0) await unlink(this.active.path).catch(() => undefined);
    this.active = undefined;
    await releaseLock(this.dir);
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.chain.then(fn, fn);
    this.chain = run.catch(() => undefined);
    return run;
  }

  private ioError(what: string, err: unknown): DeliveryError {
    const code = (err as NodeJS.ErrnoException).code ?? 'EIO';
    return new DeliveryError('SPOOL_IO', `spool ${this.dir}`, `${what} failed (${code})`);
  }
}

interface FrameInfo {
  offset: number;
  size: number;
  records: number;
  key?: string;
}

/** Valid frames of one segment, up to the first torn or corrupt one. */
export function parseFrames(bytes: Buffer): { frames: FrameInfo[]; validBytes: number } {
  const frames: FrameInfo[] = [];
  let pos = 0;
  while (pos + HEADER_BYTES + BODY_FIXED_BYTES <= bytes.length) {
    if (bytes.readUInt32BE(pos) !== MAGIC) break;
    const bodyLen = bytes.readUInt32BE(pos + 8);
    const bodyStart = pos + HEADER_BYTES;
    if (bodyLen < BODY_FIXED_BYTES || bodyStart + bodyLen > bytes.length) break;
    const body = bytes.subarray(bodyStart, bodyStart + bodyLen);
    if (crc32(body) !== bytes.readUInt32BE(pos + 4)) break;
    const keyLen = body.readUInt16BE(4);
    if (BODY_FIXED_BYTES + keyLen > bodyLen) break;
    const key = keyLen > 0 ? body.toString('latin1', BODY_FIXED_BYTES, BODY_FIXED_BYTES + keyLen) : undefined;
    const dataStart = bodyStart + BODY_FIXED_BYTES + keyLen;
    frames.push({
      offset: dataStart,
      size: bodyStart + bodyLen - dataStart,
      records: body.readUInt32BE(0),
      key,
    });
    pos = bodyStart + bodyLen;
  }
  return { frames, validBytes: pos };
}

async function readAcked(segmentPath: string): Promise<number[]> {
  try {
    const list: unknown = JSON.parse(await readFile(segmentPath + ACKED_SUFFIX, 'utf8'));
    return Array.isArray(list) ? list.filter((n): n is number => Number.isInteger(n)) : [];
  } catch {
    // Missing or unreadable: every parcel of the segment is sent again, which is safe.
    return [];
  }
}

/** Written via rename so a crash leaves the old list or the new one, never half of one. */
async function writeAcked(segmentPath: string, offsets: number[]): Promise<void> {
  const tmp = `${segmentPath}${ACKED_SUFFIX}.tmp`;
  await writeFile(tmp, JSON.stringify(offsets));
  await rename(tmp, segmentPath + ACKED_SUFFIX);
}

async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, fsConstants.O_RDONLY);
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function takeLock(dir: string): Promise<void> {
  const path = join(dir, LOCK_FILE);
  try {
    await writeFile(path, `${process.pid}\n`, { flag: 'wx' });
    return;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
      throw new HushlogConfigError(
        'SPOOL_UNUSABLE',
        `cannot lock the spool directory (${(err as NodeJS.ErrnoException).code})`,
        {
          file: dir,
        },
      );
    }
  }
  const holder = Number.parseInt(await readFile(path, 'utf8').catch(() => ''), 10);
  if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && isAlive(holder)) {
    throw new HushlogConfigError('SPOOL_LOCKED', `spool directory is in use by process ${holder}`, {
      file: dir,
    });
  }
  // A lock left by a process that is gone: take it over.
  await writeFile(path, `${process.pid}\n`);
}

async function releaseLock(dir: string): Promise<void> {
  await unlink(join(dir, LOCK_FILE)).catch(() => undefined);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
