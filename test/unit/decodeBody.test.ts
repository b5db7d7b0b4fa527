// decodeBody: the answer's Content-Encoding decoded by the client itself, so a compressed body that ends early is
// told from a complete one.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as zlib from 'node:zlib';
import { decodeBody, decodeStream, INFLATION_GUARD, UndecodableBodyError } from '../../src/defender/decodeBody';
import { damagedGzip, gzipBomb } from '../support/gzip';

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
    assert.equal(await reasonFor(damagedGzip(json, 'cut'), 'gzip'), 'cut', 'only the trailer missing');
    assert.equal(await reasonFor(damagedGzip(json, 'half'), 'gzip'), 'cut');
    assert.equal(await reasonFor(zlib.deflateSync(json).subarray(0, -6), 'deflate'), 'cut');
    assert.equal(await reasonFor(zlib.brotliCompressSync(json).subarray(0, -5), 'br'), 'cut');
  });

  it('calls altered data or an encoding not asked for "corrupt", and a body inflating past the cap "tooLarge"', async () => {
    assert.equal(await reasonFor(damagedGzip(json, 'corrupt'), 'gzip'), 'corrupt');
    assert.equal(await reasonFor(json, 'compress'), 'corrupt');
    assert.equal(await reasonFor(gzipBomb(2_000_000), 'gzip'), 'tooLarge');
  });
});

/** `raw` fed to decodeStream in chunks of 100 bytes, as a body arrives; what it yields, joined. */
async function streamed(raw: Buffer, encoding: string | null): Promise<Buffer> {
  const source = async function* (): AsyncGenerator<Buffer> {
    for (let at = 0; at < raw.length; at += 100) {
      yield raw.subarray(at, at + 100);
    }
  };
  const out: Buffer[] = [];
  for await (const chunk of decodeStream(source(), encoding)) {
    out.push(chunk);
  }
  return Buffer.concat(out);
}

/** `json` under stacked encodings, as a host applies them in header order, with the header that says so. */
const stacked: ReadonlyArray<readonly [string, Buffer]> = [
  ['gzip, br', zlib.brotliCompressSync(zlib.gzipSync(json))], ['gzip, gzip', zlib.gzipSync(zlib.gzipSync(json))],
  ['identity, gzip', zlib.gzipSync(json)], ['deflate, identity', zlib.deflateSync(json)], ['br,deflate', zlib.deflateRawSync(zlib.brotliCompressSync(json))],
];

describe('decodeBody: stacked encodings', () => {
  it('undoes two encodings one over the other, the last applied first, and refuses a third', async () => {
    for (const [encoding, raw] of stacked) {
      assert.deepEqual(await decodeBody(raw, encoding, 1_000_000), json, encoding);
    }
    assert.equal(await reasonFor(zlib.gzipSync(zlib.gzipSync(zlib.gzipSync(json))), 'gzip, gzip, gzip'), 'stacked');
    assert.equal(await reasonFor(zlib.gzipSync(json), 'compress, gzip'), 'corrupt', 'one not asked for among them');
    assert.equal(await reasonFor(zlib.gzipSync(gzipBomb(2_000_000)), 'gzip, gzip'), 'tooLarge');
  });
});

describe('decodeStream', () => {
  it('undoes stacked encodings as decodeBody does, and refuses a third', async () => {
    for (const [encoding, raw] of stacked) {
      assert.deepEqual(await streamed(raw, encoding), json, encoding);
    }
    await assert.rejects(streamed(zlib.gzipSync(zlib.gzipSync(zlib.gzipSync(json))), 'gzip, gzip, gzip'), (error: unknown) => error instanceof UndecodableBodyError && error.reason === 'stacked');
  });

  it('weighs what stacked encodings give against the bytes on the wire: each under the ratio, together a bomb', async () => {
    const transcript = Buffer.from('C:\\> Get-Process | Select-Object Name,Id\r\n'.repeat((INFLATION_GUARD.afterBytes + 1024 * 1024) / 42));
    // gzip gives 343:1 and gzip again 183:1: each alone passes, 62,000:1 together does not.
    await assert.rejects(streamed(zlib.gzipSync(zlib.gzipSync(transcript)), 'gzip, gzip'), (error: unknown) => error instanceof UndecodableBodyError && error.reason === 'bomb');
    const text = Buffer.from(Array.from({ length: 200_000 }, (_, i) => `line ${i * 7919 % 100_003}\n`).join(''));
    assert.deepEqual(await streamed(zlib.brotliCompressSync(zlib.gzipSync(text)), 'gzip, br'), text, 'real text under two encodings');
  });

  it('decodes a body chunk by chunk as decodeBody does', async () => {
    for (const [encoding, raw] of [
      ['gzip', zlib.gzipSync(json)], ['x-gzip', zlib.gzipSync(json)], ['deflate', zlib.deflateSync(json)],
      ['deflate', zlib.deflateRawSync(json)], ['br', zlib.brotliCompressSync(json)], ['', json], [null, json], [' GZIP ', zlib.gzipSync(json)],
    ] as const) {
      assert.deepEqual(await streamed(raw, encoding), json, String(encoding));
    }
  });

  it('fails a stream that ends early ("cut") or does not decode ("corrupt"), where node-fetch would pass it', async () => {
    for (const [raw, encoding, reason] of [
      [damagedGzip(json, 'half'), 'gzip', 'cut'], [damagedGzip(json, 'cut'), 'gzip', 'cut'], [Buffer.alloc(0), 'gzip', 'cut'],
      [zlib.brotliCompressSync(json).subarray(0, -5), 'br', 'cut'],
      [damagedGzip(json, 'corrupt'), 'gzip', 'corrupt'], [json, 'compress', 'corrupt'],
    ] as const) {
      await assert.rejects(streamed(raw, encoding), (error: unknown) => error instanceof UndecodableBodyError && error.reason === reason, `${encoding} ${raw.length}`);
    }
  });

  it(`calls a body that inflates over ${INFLATION_GUARD.maxRatio}:1 past ${INFLATION_GUARD.afterBytes} bytes a "bomb", whatever the encoding, and reads real data past it`, async () => {
    const zeros = Buffer.alloc(INFLATION_GUARD.afterBytes + 1024 * 1024);
    for (const [encoding, raw] of [['gzip', gzipBomb(zeros.length)], ['br', zlib.brotliCompressSync(zeros, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 1 } })]] as const) {
      await assert.rejects(streamed(raw, encoding), (error: unknown) => error instanceof UndecodableBodyError && error.reason === 'bomb', encoding);
    }
    const transcript = Buffer.from('C:\\> Get-Process | Select-Object Name,Id\r\n'.repeat(zeros.length / 32));
    assert.equal((await streamed(zlib.gzipSync(transcript), 'gzip')).length, transcript.length, 'a transcript of one repeated line');
  });

  it('passes an error of the body itself on unchanged', async () => {
    const dropped = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    const source = async function* (): AsyncGenerator<Buffer> {
      yield damagedGzip(json, 'half');
      throw dropped;
    };
    await assert.rejects(async () => {
      // Read to the end: the drop must surface as the stream's own error.
      for await (const _chunk of decodeStream(source(), 'gzip')) { /* each chunk is dropped */ }
    }, (error: unknown) => error === dropped);
  });
});
