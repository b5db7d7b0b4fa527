// Decoding an answer's Content-Encoding ourselves (node-fetch's own decoding flushes a gzip stream that ends early
// as if it were complete, so a cut-off body reached the JSON parser as "malformed", and a download was saved partial).
import type * as stream from 'node:stream';
import { promisify } from 'node:util';
import type * as zlib from 'node:zlib';

/** The zlib decoder an encoding needs. */
type Method = 'gunzip' | 'inflate' | 'inflateRaw' | 'brotli';

function zlibModule(): typeof zlib {
  // Loaded on the first body to decode rather than at activation.
  return require('node:zlib') as typeof zlib;
}

type Decode = (raw: Buffer, options: zlib.ZlibOptions | zlib.BrotliOptions) => Promise<Buffer>;

/** zlib's one-shot decoders. */
function decoders(): Record<Method, Decode> {
  const z = zlibModule();
  return { gunzip: promisify(z.gunzip), inflate: promisify(z.inflate), inflateRaw: promisify(z.inflateRaw), brotli: promisify(z.brotliDecompress) };
}

/** zlib's streaming decoders, strict as its one-shot ones: a stream that ends before its end is an error. */
function streamDecoder(method: Method): stream.Transform & zlib.Zlib {
  const z = zlibModule();
  return { gunzip: z.createGunzip, inflate: z.createInflate, inflateRaw: z.createInflateRaw, brotli: z.createBrotliDecompress }[method]();
}

/**
 * The decoder for a Content-Encoding (trimmed, lower case) given the body's first byte; undefined for none. Throws
 * UndecodableBodyError 'corrupt' for an encoding not asked for.
 */
function methodFor(encoding: string, firstByte: number | undefined): Method | undefined {
  switch (encoding) {
    case '':
    case 'identity':
      return undefined;
    case 'gzip':
    case 'x-gzip':
      return 'gunzip';
    case 'deflate':
      // Servers send deflate with and without the zlib header; a header's first byte is 0x78 (as node-fetch checks).
      return ((firstByte ?? 0) & 0x0f) === 0x08 ? 'inflate' : 'inflateRaw';
    case 'br':
      return 'brotli';
    default:
      throw new UndecodableBodyError('corrupt', encoding, new Error(`Content-Encoding "${encoding}" was not asked for`));
  }
}

function normalised(contentEncoding: string | null | undefined): string {
  return (contentEncoding ?? '').trim().toLowerCase();
}

/** The most encodings decoded one over the other (`gzip, br`); no real host stacks more. */
export const MAX_STACKED_ENCODINGS = 2;

/** The codings a Content-Encoding header names, in the order they were applied, without empty ones and `identity`. */
function codingsOf(contentEncoding: string | null | undefined): string[] {
  return normalised(contentEncoding).split(',').map((part) => part.trim()).filter((part) => part !== '' && part !== 'identity');
}

/**
 * The codings of a Content-Encoding header in the order to undo them (the last applied first). Throws
 * UndecodableBodyError 'corrupt' for an encoding not asked for, 'stacked' for more than MAX_STACKED_ENCODINGS.
 */
function layersOf(contentEncoding: string | null | undefined): string[] {
  const layers = codingsOf(contentEncoding).reverse();
  for (const layer of layers) {
    methodFor(layer, undefined);
  }
  if (layers.length > MAX_STACKED_ENCODINGS) {
    throw new UndecodableBodyError('stacked', `${layers.length} encodings`, new Error(`${layers.length} encodings stacked`));
  }
  return layers;
}

/** Whether a body with this Content-Encoding header is encoded: not for none, an empty one or only `identity`. */
export function isEncoded(contentEncoding: string | null | undefined): boolean {
  return codingsOf(contentEncoding).length > 0;
}

/** The encodings asked for in Accept-Encoding, each of which decodeBody reads. */
export const ACCEPTED_ENCODINGS = 'gzip, deflate, br';

/**
 * Why a body could not be decoded: it ended early, its data is corrupt, it inflates past the cap, it inflates like
 * a decompression bomb (see INFLATION_GUARD), or it names more than MAX_STACKED_ENCODINGS encodings.
 */
export type UndecodableReason = 'cut' | 'corrupt' | 'tooLarge' | 'bomb' | 'stacked';

/**
 * When decodeStream calls a body a bomb: once it has given more than `afterBytes` (decoded), at more than `maxRatio`
 * decoded bytes per compressed byte taken from the wire (over all stacked encodings). Deflate gives at most about
 * 1,032:1 (1,028:1 measured for zeros; brotli
far more), real text about 3:1 to 350:1 (a transcript of one repeated line: 343:1), and a zip (an investigation
 * package) about 1:1, so 1,000:1 is met only by data that is almost all one byte; `afterBytes` leaves a small body
 * alone and stops a bomb after 16 MiB on disk instead of the file cap.
 */
export const INFLATION_GUARD = { maxRatio: 1000, afterBytes: 16 * 1024 * 1024 } as const;

export class UndecodableBodyError extends Error {
  override readonly name = 'UndecodableBodyError';

  constructor(readonly reason: UndecodableReason, readonly encoding: string, cause: unknown) {
    super(`${encoding} body ${{ cut: 'ended early', corrupt: 'is corrupt', tooLarge: 'is too large', bomb: 'inflates like a bomb', stacked: 'has too many encodings' }[reason]}`, { cause });
  }
}

/**
 * `raw` decoded as its Content-Encoding (gzip, x-gzip, deflate with or without its zlib header, br; none or identity
 * as is; up to MAX_STACKED_ENCODINGS of them, `gzip, br`, undone last first), at most `maxBytes` once decoded, at
 * each step. Throws UndecodableBodyError: 'cut' when the stream ends before its end (a dropped connection), 'corrupt'
 * for data no decoder reads or an encoding not asked for, 'tooLarge' past `maxBytes`, 'stacked' (see layersOf).
 */
export async function decodeBody(raw: Buffer, contentEncoding: string | null | undefined, maxBytes: number): Promise<Buffer> {
  let body = raw;
  for (const encoding of layersOf(contentEncoding)) {
    try {
      body = await decoders()[methodFor(encoding, body[0]) as Method](body, { maxOutputLength: maxBytes });
    } catch (error) {
      throw new UndecodableBodyError(reasonOf(error), encoding, error);
    }
  }
  return body;
}

/**
 * `source` (a body's bytes as they arrive) decoded as its Content-Encoding, as decodeBody reads it, chunk by chunk and
 * as strictly: throws UndecodableBodyError 'cut' when the compressed stream ends before its end, although the HTTP
 * framing was whole (node-fetch's own decoding passes that as complete), 'corrupt' for data no decoder reads or an
 * encoding not asked for, 'stacked' (see layersOf), 'bomb' past INFLATION_GUARD at any layer. An error of `source`
 * itself (a dropped connection, an abort) passes unchanged. No size cap: the caller counts what it takes.
 */
export async function* decodeStream(source: AsyncIterable<Buffer>, contentEncoding: string | null | undefined): AsyncGenerator<Buffer> {
  let decoded = source;
  // The decoder taking the bytes off the wire: each layer's output is weighed against what it took.
  let wire: zlib.Zlib | undefined;
  for (const encoding of layersOf(contentEncoding)) {
    decoded = decodeLayer(decoded, encoding, (decoder) => (wire ??= decoder));
  }
  yield* decoded;
}

/** One encoding undone; `wireOf` is told its decoder and answers the one taking the bytes off the wire. */
async function* decodeLayer(source: AsyncIterable<Buffer>, encoding: string, wireOf: (decoder: zlib.Zlib) => zlib.Zlib): AsyncGenerator<Buffer> {
  const chunks = source[Symbol.asyncIterator]();
  const first = await chunks.next();
  const decoder = streamDecoder(methodFor(encoding, first.done ? undefined : first.value[0]) as Method);
  const wire = wireOf(decoder);
  let sourceFailed = false;
  const input = async function* (): AsyncGenerator<Buffer> {
    try {
      if (!first.done) {
        yield first.value;
      }
      yield* { [Symbol.asyncIterator]: () => chunks };
    } catch (error) {
      sourceFailed = true;
      throw error;
    }
  };
  // Loaded here, not at activation (node:stream brings stream/promises). Errors reach the loop below through the
  // decoder, which pipeline destroys with them.
  const { pipeline, Readable } = require('node:stream') as typeof stream;
  pipeline(Readable.from(input()), decoder, () => undefined);
  let produced = 0;
  try {
    for await (const chunk of decoder) {
      produced += (chunk as Buffer).length;
      // bytesWritten: the compressed bytes the decoder has taken, not those read ahead of it.
      if (produced > INFLATION_GUARD.afterBytes && produced > INFLATION_GUARD.maxRatio * wire.bytesWritten) {
        throw new UndecodableBodyError('bomb', encoding, new Error(`${produced} bytes from ${wire.bytesWritten}`));
      }
      yield chunk as Buffer;
    }
  } catch (error) {
    // A failure of the layer below (its own UndecodableBodyError included) comes as the source's: passed unchanged.
    throw sourceFailed || error instanceof UndecodableBodyError ? error : new UndecodableBodyError(reasonOf(error), encoding, error);
  } finally {
    decoder.destroy();
  }
}

function reasonOf(error: unknown): UndecodableReason {
  const { code } = error as { code?: unknown };
  if (code === 'ERR_BUFFER_TOO_LARGE') {
    return 'tooLarge';
  }
  return code === 'Z_BUF_ERROR' || /unexpected end/i.test(String((error as Error).message)) ? 'cut' : 'corrupt';
}
