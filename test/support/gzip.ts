// The one way the tests and simulators damage a gzip stream or make a gzip bomb, so every suite means the same thing
// by "cut", "corrupt" and "bomb".
import * as zlib from 'node:zlib';

/**
 * How a gzip stream is damaged. `cut`: without its last 12 bytes (the end of its data and its 8-byte trailer), so
 * only a decoder that checks the end notices; `half`: only its first half; `corrupt`: 20 bytes of its data after the
 * 10-byte header overwritten with 0xff, as a proxy that alters bodies would.
 */
export type GzipDamage = 'cut' | 'half' | 'corrupt';

/** `data` gzip-encoded, then damaged as `damage` says. */
export function damagedGzip(data: Buffer | string, damage: GzipDamage): Buffer {
  const gzip = zlib.gzipSync(data);
  switch (damage) {
    case 'cut':
      return gzip.subarray(0, gzip.length - 12);
    case 'half':
      return gzip.subarray(0, Math.floor(gzip.length / 2));
    case 'corrupt':
      return Buffer.concat([gzip.subarray(0, 10), Buffer.alloc(20, 0xff), gzip.subarray(30)]);
  }
}

/** A gzip stream of `inflatedBytes` zero bytes: about 1/1,028 of that on the wire, the most deflate compresses. */
export function gzipBomb(inflatedBytes: number): Buffer {
  return zlib.gzipSync(Buffer.alloc(inflatedBytes));
}
