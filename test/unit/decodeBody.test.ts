// decodeBody: the answer's Content-Encoding decoded by the client itself, so a compressed body that ends early is
// told from a complete one.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as zlib from 'node:zlib';
import { decodeBody, UndecodableBodyError } from '../../src/defender/decodeBody';

const json = Buffer.from(JSON.stringify({ value: [{ id: 'a', status: 'Pending', pad: 'x'.repeat(4000) }] }));

async function reasonFor(raw: Buffer, encoding: string, maxBytes = 1_000_000): Promise<string> {
  try {
    await decodeBody(raw, encoding, maxBytes);
    return 'decoded';
  } catch (error) {
    assert.ok(error instanceof UndecodableBodyError, String(error));
    return error.reason;
  }
}

describe('decodeBody', () => {
  it('decodes gzip, deflate (with and without its zlib header) and brotli; passes an unencoded body as is', async () => {
    for (const [encoding, raw] of [
      ['gzip', zlib.gzipSync(json)], ['x-gzip', zlib.gzipSync(json)], ['deflate', zlib.deflateSync(json)],
      ['deflate', zlib.deflateRawSync(json)], ['br', zlib.brotliCompressSync(json)], ['', json], ['identity', json], [' GZIP ', zlib.gzipSync(json)],
    ] as const) {
      assert.deepEqual(await decodeBody(raw, encoding, 1_000_000), json, encoding);
    }
    assert.deepEqual(await decodeBody(json, null, 1_000_000), json);
  });

  it('calls a stream that ends early "cut", whatever the encoding, and where it ends', async () => {
    const gzip = zlib.gzipSync(json);
    assert.equal(await reasonFor(gzip.subarray(0, gzip.length - 12), 'gzip'), 'cut', 'only the trailer missing');
    assert.equal(await reasonFor(gzip.subarray(0, 30), 'gzip'), 'cut');
    assert.equal(await reasonFor(zlib.deflateSync(json).subarray(0, -6), 'deflate'), 'cut');
    assert.equal(await reasonFor(zlib.brotliCompressSync(json).subarray(0, -5), 'br'), 'cut');
  });

  it('calls altered data or an encoding not asked for "corrupt", and a body inflating past the cap "tooLarge"', async () => {
    const gzip = zlib.gzipSync(json);
    assert.equal(await reasonFor(Buffer.concat([gzip.subarray(0, 10), Buffer.alloc(20, 0xff), gzip.subarray(30)]), 'gzip'), 'corrupt');
    assert.equal(await reasonFor(json, 'compress'), 'corrupt');
    assert.equal(await reasonFor(zlib.gzipSync(Buffer.alloc(2_000_000)), 'gzip'), 'tooLarge');
  });
});
