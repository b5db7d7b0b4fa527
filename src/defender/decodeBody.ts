// Decoding an answer's Content-Encoding ourselves (node-fetch's own decoding flushes a gzip stream that ends early
// as if it were complete, so a cut-off body reached the JSON parser as "malformed").
import { promisify } from 'node:util';
import type * as zlib from 'node:zlib';

/** zlib's decoders, loaded on the first body to decode rather than at activation. */
function decoders(): { gunzip: Decode; inflate: Decode; inflateRaw: Decode; brotli: Decode } {
  const z = require('node:zlib') as typeof zlib;
  return { gunzip: promisify(z.gunzip), inflate: promisify(z.inflate), inflateRaw: promisify(z.inflateRaw), brotli: promisify(z.brotliDecompress) };
}

type Decode = (raw: Buffer, options: zlib.ZlibOptions | zlib.BrotliOptions) => Promise<Buffer>;

/** The encodings asked for in Accept-Encoding, each of which decodeBody reads. */
export const ACCEPTED_ENCODINGS = 'gzip, deflate, br';

/** Why a body could not be decoded: it ended early, its data is corrupt, or it inflates past the cap. */
export type UndecodableReason = 'cut' | 'corrupt' | 'tooLarge';

export class UndecodableBodyError extends Error {
  override readonly name = 'UndecodableBodyError';

  constructor(readonly reason: UndecodableReason, readonly encoding: string, cause: unknown) {
    super(`${encoding} body ${reason === 'cut' ? 'ended early' : reason === 'corrupt' ? 'is corrupt' : 'is too large'}`, { cause });
  }
}

/**
 * `raw` decoded as its Content-Encoding (gzip, x-gzip, deflate with or without its zlib header, br; none or identity
 * as is), at most `maxBytes` once decoded. Throws UndecodableBodyError: 'cut' when the stream ends before its end
 * (a dropped connection), 'corrupt' for data no decoder reads or an encoding not asked for, 'tooLarge' past `maxBytes`.
 */
export async function decodeBody(raw: Buffer, contentEncoding: string | null | undefined, maxBytes: number): Promise<Buffer> {
  const encoding = (contentEncoding ?? '').trim().toLowerCase();
  const options = { maxOutputLength: maxBytes };
  try {
    switch (encoding) {
      case '':
      case 'identity':
        return raw;
      case 'gzip':
      case 'x-gzip':
        return await decoders().gunzip(raw, options);
      case 'deflate':
        // Servers send deflate with and without the zlib header; a header's first byte is 0x78 (as node-fetch checks).
        return await ((raw[0] & 0x0f) === 0x08 ? decoders().inflate : decoders().inflateRaw)(raw, options);
      case 'br':
        return await decoders().brotli(raw, options);
      default:
        throw new UndecodableBodyError('corrupt', encoding, new Error(`Content-Encoding "${encoding}" was not asked for`));
    }
  } catch (error) {
    throw error instanceof UndecodableBodyError ? error : new UndecodableBodyError(reasonOf(error), encoding, error);
  }
}

function reasonOf(error: unknown): UndecodableReason {
  const { code } = error as { code?: unknown };
  if (code === 'ERR_BUFFER_TOO_LARGE') {
    return 'tooLarge';
  }
  return code === 'Z_BUF_ERROR' || /unexpected end/i.test(String((error as Error).message)) ? 'cut' : 'corrupt';
}
