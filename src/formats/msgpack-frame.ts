/**
 * Finds where one msgpack object ends without decoding it (strings and binaries are skipped
 * by their length), so a stream of back-to-back maps (Fluentd's exec/exec_filter format) can
 * be cut at record boundaries. Hand-written because @msgpack/msgpack decodes values but does
 * not report their byte extent; the format's header table is small and fixed.
 */

export class MalformedMsgpack extends Error {
  constructor(readonly offset: number) {
    super(`malformed msgpack at byte ${offset}`);
    this.name = 'MalformedMsgpack';
  }
}

const INCOMPLETE = -1;

/** End (exclusive) of the object starting at `pos`, or -1 if buf[pos, to) holds only part of it. */
export function msgpackObjectEnd(buf: Uint8Array, pos: number, to: number): number {
  let remaining = 1;
  let p = pos;
  while (remaining > 0) {
    if (p >= to) return INCOMPLETE;
    const b = buf[p];
    remaining--;
    let skip = 0;
    let header = 1;
    if (b <= 0x7f || b >= 0xe0 || b === 0xc0 || b === 0xc2 || b === 0xc3) {
      // fixint, nil, bool
    } else if (b <= 0x8f) remaining += 2 * (b & 0x0f);
    else if (b <= 0x9f) remaining += b & 0x0f;
    else if (b <= 0xbf) skip = b & 0x1f;
    else {
      switch (b) {
        case 0xc4:
        case 0xd9:
          header = 2;
          if (p + 2 > to) return INCOMPLETE;
          skip = buf[p + 1];
          break;
        case 0xc5:
        case 0xda:
          header = 3;
          if (p + 3 > to) return INCOMPLETE;
          skip = (buf[p + 1] << 8) | buf[p + 2];
          break;
        case 0xc6:
        case 0xdb:
          header = 5;
          if (p + 5 > to) return INCOMPLETE;
          skip = readU32(buf, p + 1);
          break;
        case 0xc7:
          header = 3;
          if (p + 2 > to) return INCOMPLETE;
          skip = buf[p + 1];
          break;
        case 0xc8:
          header = 4;
          if (p + 3 > to) return INCOMPLETE;
          skip = (buf[p + 1] << 8) | buf[p + 2];
          break;
        case 0xc9:
          header = 6;
          if (p + 5 > to) return INCOMPLETE;
          skip = readU32(buf, p + 1);
          break;
        case 0xca:
          header = 5;
          break;
        case 0xcb:
          header = 9;
          break;
        case 0xcc:
        case 0xd0:
          header = 2;
          break;
        case 0xcd:
        case 0xd1:
          header = 3;
          break;
        case 0xce:
        case 0xd2:
          header = 5;
          break;
        case 0xcf:
        case 0xd3:
          header = 9;
          break;
        case 0xd4:
          header = 3;
          break;
        case 0xd5:
          header = 4;
          break;
        case 0xd6:
          header = 6;
          break;
        case 0xd7:
          header = 10;
          break;
        case 0xd8:
          header = 18;
          break;
        case 0xdc:
          header = 3;
          if (p + 3 > to) return INCOMPLETE;
          remaining += (buf[p + 1] << 8) | buf[p + 2];
          break;
        case 0xdd:
          header = 5;
          if (p + 5 > to) return INCOMPLETE;
          remaining += readU32(buf, p + 1);
          break;
        case 0xde:
          header = 3;
          if (p + 3 > to) return INCOMPLETE;
          remaining += 2 * ((buf[p + 1] << 8) | buf[p + 2]);
          break;
        case 0xdf:
          header = 5;
          if (p + 5 > to) return INCOMPLETE;
          remaining += 2 * readU32(buf, p + 1);
          break;
        default:
          throw new MalformedMsgpack(p); // 0xc1 is never used
      }
    }
    p += header + skip;
  }
  return p > to ? INCOMPLETE : p;
}

function readU32(buf: Uint8Array, p: number): number {
  return ((buf[p] << 24) >>> 0) + (buf[p + 1] << 16) + (buf[p + 2] << 8) + buf[p + 3];
}

/** True for a byte that can start a map (the only top-level record Fluentd writes). */
export function isMapHeader(b: number): boolean {
  return (b >= 0x80 && b <= 0x8f) || b === 0xde || b === 0xdf;
}
