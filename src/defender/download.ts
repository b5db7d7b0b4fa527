// Downloads a result (live response output, investigation package) from the short-lived link the API hands out.
// The link points to another origin (blob storage) and carries its own signature in the query, so:
// - no Authorization header, ever: this module never sees a token;
// - up to MAX_REDIRECTS redirects are followed, each only to https (a CDN in front of storage may redirect once;
//   a redirect to http would expose the signature and the content, so it is refused);
// - the log and every error carry the host and path only, never the query, and nothing of a redirect's address (its
//   host and path are the storage host's own text, which may echo the signature): it is "the address … redirected to";
// - a 403 from the storage host means the link expired: one fresh link is requested, once;
// - a connection that drops before any byte of the body arrived (a keep-alive socket the host had already closed) is
//   a transient failure: the same GET is sent once more. After body bytes arrived, a drop is reported, not retried.
import type * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import type * as https from 'node:https';
import * as path from 'node:path';
import type { Readable } from 'node:stream';
import type { Response } from 'node-fetch';
import { errorDetail } from '../shared/errors';
import { byteSize, byteSizes, GiB, MiB } from '../shared/byteSize';
import { isHttps } from '../shared/httpsUrl';
import type { Logger } from '../shared/logger';
import { reportingCutBodies } from './cutBodies';
import { ACCEPTED_ENCODINGS, decodeStream, INFLATION_GUARD, isEncoded, MAX_STACKED_ENCODINGS, UndecodableBodyError } from './decodeBody';
import { DROPPED_CONNECTION_CODES } from './errors';

/** The most text an editor tab is given (bytes); a bigger output is offered as Save As instead. */
const MAX_EDITOR_TEXT_BYTES = 5 * MiB;
/**
 * The most written to a file (decoded bytes), so that a hostile or broken storage host cannot fill the disk (a gzip
 * bomb). Investigation packages are zip files of tens to a few hundred MB, but a live response GetFile result, also
 * saved through a file, may reach the 3 GB Microsoft documents for `getfile`: 4 GiB is above every real result.
 */
const MAX_FILE_BYTES = 4 * GiB;
export const MAX_REDIRECTS = 3;
/** A download fails when no byte arrives for this long (ms); a slow but moving download is never cut off. */
const DEFAULT_IDLE_TIMEOUT_MS = 60_000;

/**
 * Where the bytes go: a file (written beside it, renamed into place when complete) or memory as text. `maxBytes`: the
 * most decoded bytes taken (4 GiB for a file, 5 MiB for text unless given).
 */
export type DownloadSink = { kind: 'file'; path: string; maxBytes?: number } | { kind: 'text'; maxBytes?: number };

/** What download() needs: where the link comes from, where the bytes go, and its limits (idleTimeoutMs in ms). */
export interface DownloadOptions {
  /** Asks the API for a fresh link (e.g. DefenderClient.getResultLink); called once, and once more after a 403. */
  getLink: (signal?: AbortSignal) => Promise<URL>;
  sink: DownloadSink;
  logger: Logger;
  /** Rejects the download with `signal.reason`; a partial file is removed. */
  signal?: AbortSignal;
  /**
   * After each chunk; `totalBytes` when the server sent Content-Length. Restarts at 0 after a fresh link. A throw is
   * logged as our bug and ends the reports, not the download.
   */
  onProgress?: (receivedBytes: number, totalBytes?: number) => void;
  /** For a CA that must be trusted explicitly (tests, TLS-inspecting proxies). */
  agent?: https.Agent;
  idleTimeoutMs?: number;
}

/** A finished download: `bytes` received (after decoding) and what was made of them. */
export interface DownloadResult {
  bytes: number;
  /** The server's Content-Type, if any. */
  contentType?: string;
  /** The text (UTF-8, or UTF-16 with a byte-order mark), for a 'text' sink. */
  text?: string;
  /** The file written, for a 'file' sink. */
  path?: string;
}

export type DownloadErrorKind = 'expired' | 'http' | 'insecureRedirect' | 'tooManyRedirects' | 'tooLarge' | 'network' | 'timeout' | 'file';

/** A failed download. `message` is a sentence for the user and never holds the link's query (its signature). */
export class DownloadError extends Error {
  override readonly name = 'DownloadError';

  constructor(
    readonly kind: DownloadErrorKind,
    message: string,
    /** The storage host's HTTP status, for 'expired' and 'http'. */
    readonly status?: number,
    /** The size announced or reached, for 'tooLarge' (bytes). */
    readonly totalBytes?: number,
  ) {
    super(message);
  }
}

/** By shape, not instanceof: a second copy of this module (bundles, tests) must still be recognised. */
export function isDownloadError(error: unknown): error is DownloadError {
  return typeof error === 'object' && error !== null && (error as { name?: unknown }).name === 'DownloadError';
}

/**
 * What may be logged of a GET: host and path of the link the API handed out; nothing of a redirect's address, whose
 * host and path are the storage host's own text and may echo the signature (bare, encoded, or as a host name).
 */
function describeHop(link: URL, redirects: number): string {
  return redirects === 0 ? `${link.host}${link.pathname}` : `redirect ${redirects} of ${link.host} (its address is not shown)`;
}

/**
 * Who answered (or did not), for messages after "the": the storage host the API named, or the address it redirected
 * to, which is not shown (see describeHop).
 */
function whereOf(link: URL, redirects: number): string {
  return redirects === 0 ? `storage host ${link.host}` : `address the storage host ${link.host} redirected to`;
}

/**
 * Downloads the result behind `getLink()` into `sink`, following up to MAX_REDIRECTS https redirects.
 * Throws DownloadError ('expired' after a second 403, 'http' for another status or an answer that is not valid HTTP,
 * 'insecureRedirect', 'tooManyRedirects', 'tooLarge' for more than the sink's `maxBytes` (a body announced over it is
 * dropped unread, one refused while read is dropped then) or compressed data that inflates like a bomb, 'network' (a
 * connection that dropped twice before the body, or once during it; at once for a body whose connection closed before
 * its Content-Length, and for compressed data that stops short, does not decode or stacks more than two encodings),
 * 'timeout' when no byte came for idleTimeoutMs (a body left unfinished on an open connection), 'file'), whatever
 * `getLink` throws (DefenderApiError), or `signal.reason` when the caller cancels.
 */
export async function download(options: DownloadOptions): Promise<DownloadResult> {
  const idle = new IdleTimer(options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS, options.signal);
  try {
    return await transferWithRetries(options, idle);
  } catch (error) {
    throw idle.explain(error);
  } finally {
    idle.stop();
  }
}

/** transfer() with one fresh link after a 403 and one more GET after a connection that dropped before the body. */
async function transferWithRetries(options: DownloadOptions, idle: IdleTimer): Promise<DownloadResult> {
  let link = await freshLink(options, idle);
  let askedAgain = false;
  let sentAgain = false;
  for (;;) {
    try {
      return await transfer(link, options, idle);
    } catch (error) {
      if (isDownloadError(error) && error.kind === 'expired' && !askedAgain) {
        askedAgain = true;
        options.logger.warn('The storage host refused the download link (403): it may have expired; asking for a fresh one, once');
        link = await freshLink(options, idle);
      } else if (error instanceof EarlyDrop && !sentAgain) {
        sentAgain = true;
        options.logger.warn(`The connection to the ${error.where} dropped before the download began (${error.code}); sending the request once more`);
      } else {
        throw error instanceof EarlyDrop ? droppedTwice(error) : error;
      }
    }
  }
}

/** One GET of `link` (with its redirects) into the sink. Throws EarlyDrop, or 'expired' for a 403 (see download). */
async function transfer(link: URL, options: DownloadOptions, idle: IdleTimer): Promise<DownloadResult> {
  const exchange = await open(link, options, idle);
  const { status } = exchange.response;
  if (status < 200 || status >= 300) {
    exchange.drop();
    throw status === 403
      ? new DownloadError('expired', 'The storage host refused the download link (403 Forbidden), and a fresh one too: the links may expire before they are used (a slow network) or be altered on the way (a proxy). Try again; if it keeps failing, download the result from the Action Center of the Defender portal.', 403)
      // Only the number: a host may echo the signed URL in its status text.
      : new DownloadError('http', `The storage host answered HTTP ${status} to the download.`, status);
  }
  return await receive(exchange, options, idle);
}

/** The connection to `where` (whereOf) dropped (`code`) before any byte of the body arrived: the GET is sent again. */
class EarlyDrop extends Error {
  constructor(readonly where: string, readonly code: string) {
    super(`The connection to the ${where} dropped before the body (${code})`);
  }
}

function droppedTwice(drop: EarlyDrop): DownloadError {
  return new DownloadError('network', `The connection to the ${drop.where} dropped before the download began (${drop.code}), and again when the request was sent once more. Nothing was kept; check the network or proxy and try again.`);
}

/** The API call for a link is not a stalled download: the idle clock stops meanwhile. */
async function freshLink(options: DownloadOptions, idle: IdleTimer): Promise<URL> {
  options.signal?.throwIfAborted();
  idle.pause();
  const link = await options.getLink(options.signal);
  idle.touch();
  return link;
}

/** An answer, and how to drop its body unread. */
interface Exchange {
  response: Response;
  /**
   * Aborts the request: the connection closes, so the host stops sending. Draining instead would read a refused body
   * (a redirect's, an error page, a text too large) to its end, however large.
   */
  drop(): void;
  /** Whether the connection closed before the body was complete (Content-Length not reached). */
  wasCut(): boolean;
  /** Who answered (whereOf: never a redirect's address), for messages. */
  where: string;
}

/** One GET with its redirects; answers the first non-redirect response. */
async function open(link: URL, options: DownloadOptions, idle: IdleTimer): Promise<Exchange> {
  let url = link;
  for (let redirects = 0; ; redirects++) {
    const started = Date.now();
    const exchange = await get(url, whereOf(link, redirects), options.agent, idle);
    const { status, headers } = exchange.response;
    idle.touch();
    options.logger.info(`GET ${describeHop(link, redirects)} → ${status} in ${Date.now() - started} ms`);
    const location = status >= 300 && status < 400 ? headers.get('location') : null;
    if (!location) {
      return exchange;
    }
    exchange.drop();
    url = nextHop(url, location, exchange.where, redirects);
  }
}

/** Where `location`, answered by `where` (whereOf) for `from`, leads; its address is named in no message. */
function nextHop(from: URL, location: string, where: string, redirects: number): URL {
  let next: URL;
  try {
    next = new URL(location, from);
  } catch {
    throw new DownloadError('http', `The ${where} redirected the download to an address that is not a URL.`);
  }
  if (!isHttps(next)) {
    throw new DownloadError('insecureRedirect', `The ${where} redirected the download to an unencrypted address (not https); it was not followed, so the link's signature and the content stay protected.`);
  }
  if (redirects >= MAX_REDIRECTS) {
    throw new DownloadError('tooManyRedirects', `The download was redirected more than ${MAX_REDIRECTS} times; it was stopped.`);
  }
  return next;
}

/**
 * The request itself: no credentials of ours, redirects handled by `open`, errors without the query. A 2xx body that
 * breaks off with its socket closed (Content-Length not reached) is aborted at once (see wasCut). Aborted with the
 * download, or alone by the exchange's drop(). Throws EarlyDrop for a connection that dropped before the answer.
 */
async function get(url: URL, where: string, agent: https.Agent | undefined, idle: IdleTimer): Promise<Exchange> {
  const { signal } = idle;
  signal.throwIfAborted();
  const request = new AbortController();
  const follow = (): void => request.abort(signal.reason);
  signal.addEventListener('abort', follow, { once: true });
  const release = (): void => signal.removeEventListener('abort', follow);
  let cut = false;
  const onCut = (status: number): void => {
    // Only a 2xx body is read: a redirect's or an error's is discarded, so its cut costs nothing.
    if (status >= 200 && status < 300 && !request.signal.aborted) {
      cut = true;
      request.abort();
    }
  };
  try {
    // Loaded on the first download, not at activation (node-fetch brings http, https, tls and zlib).
    const { default: fetch } = await import('node-fetch');
    const watched = reportingCutBodies(agent ?? (require('node:https') as typeof https).globalAgent, onCut);
    const response = await fetch(url.href, {
      method: 'GET', redirect: 'manual', agent: watched, signal: request.signal,
      headers: { Accept: '*/*', 'Accept-Encoding': ACCEPTED_ENCODINGS },
      // Decoded by receive(): node-fetch would pass a compressed stream that ends early as complete.
      compress: false,
    });
    return {
      response,
      drop: () => {
        // node-fetch reports the abort as an error of the body, which no one reads any more.
        response.body.on('error', () => undefined);
        release();
        request.abort();
      },
      wasCut: () => cut,
      where,
    };
  } catch (error) {
    release();
    if (signal.aborted) {
      throw error;
    }
    throw noAnswer(error, where);
  }
}

/** Why a GET got no answer: a connection that dropped (EarlyDrop), an answer that is not HTTP, an unreachable host. */
function noAnswer(error: unknown, where: string): Error {
  const code = (error as { code?: unknown }).code;
  if (typeof code !== 'string') {
    return new DownloadError('network', `Could not reach the ${where}.`);
  }
  if (isUnparsable(code)) {
    return invalidAnswer(where, code);
  }
  return DROPPED_CONNECTION_CODES.has(code) ? new EarlyDrop(where, code) : new DownloadError('network', `Could not reach the ${where} (${code}).`);
}

type Transform = (source: AsyncIterable<Buffer>) => AsyncGenerator<Buffer>;

/**
 * Streams the body, decoded as its Content-Encoding, into the sink with progress (decoded bytes); refuses more than
 * the sink's limit. Throws EarlyDrop when the connection dropped before any byte of the body arrived.
 */
async function receive(exchange: Exchange, options: DownloadOptions, idle: IdleTimer): Promise<DownloadResult> {
  const { response } = exchange;
  const { sink } = options;
  const encoding = response.headers.get('content-encoding');
  // With a Content-Encoding, Content-Length counts the encoded bytes, not the ones received here: no total then.
  const announced = isEncoded(encoding) ? NaN : Number(response.headers.get('content-length') ?? NaN);
  const totalBytes = Number.isFinite(announced) && announced >= 0 ? announced : undefined;
  const contentType = response.headers.get('content-type') ?? undefined;
  const limit = sink.maxBytes ?? (sink.kind === 'text' ? MAX_EDITOR_TEXT_BYTES : MAX_FILE_BYTES);
  if (totalBytes !== undefined && totalBytes > limit) {
    exchange.drop();
    throw tooLarge(sink.kind, totalBytes, limit, true);
  }
  let arrived = 0;
  let received = 0;
  const progress = isolated(options);
  const counted: Transform = async function* (source) {
    const arriving = async function* (): AsyncGenerator<Buffer> {
      for await (const chunk of source) {
        arrived += chunk.length;
        yield chunk;
      }
    };
    for await (const chunk of decoded(arriving(), encoding)) {
      received += chunk.length;
      if (received > limit) {
        throw tooLarge(sink.kind, received, limit, false);
      }
      idle.touch();
      progress(received, totalBytes);
      yield chunk;
    }
  };
  const body = response.body as unknown as Readable;
  try {
    if (sink.kind === 'file') {
      await toFile(body, counted, sink.path, idle.signal, options.logger);
      return { bytes: received, contentType, path: sink.path };
    }
    const text = await toText(body, counted, idle.signal);
    return { bytes: received, contentType, text };
  } catch (error) {
    const failure = brokenBody(error, exchange, arrived);
    // Whatever stopped the reading (a cap, a bomb, a break), the host would go on sending into an open connection.
    exchange.drop();
    throw failure;
  }
}

/**
 * The caller's onProgress, kept from breaking the download: a throw is a bug of ours, not the network's or the disk's,
 * so it is logged once and the progress reports stop; the download goes on.
 */
function isolated({ onProgress, logger }: DownloadOptions): NonNullable<DownloadOptions['onProgress']> {
  let failed = false;
  return (receivedBytes, totalBytes) => {
    if (!onProgress || failed) {
      return;
    }
    try {
      onProgress(receivedBytes, totalBytes);
    } catch (error) {
      failed = true;
      logger.error(`Reporting the download's progress failed (a bug of this extension); the download goes on without it: ${errorDetail(error)}`);
    }
  };
}

/** The body collected in memory, as text (decodeText). */
async function toText(body: Readable, transform: Transform, signal: AbortSignal): Promise<string> {
  const chunks: Buffer[] = [];
  const { pipeline } = await import('node:stream/promises');
  await pipeline(body, transform, async (source: AsyncIterable<Buffer>) => {
    for await (const chunk of source) {
      chunks.push(chunk);
    }
  }, { signal });
  return decodeText(Buffer.concat(chunks));
}

/**
 * Why reading a body failed: our own verdicts (DownloadError) and aborts pass unchanged; a connection that dropped
 * (cut before its Content-Length, reset, closed early) is an EarlyDrop when no byte of the body had `arrived`, else a
 * 'network' DownloadError, as is any other break.
 */
function brokenBody(error: unknown, exchange: Exchange, arrived: number): unknown {
  const cut = exchange.wasCut();
  if (isDownloadError(error) || (!cut && (error as { name?: unknown }).name === 'AbortError')) {
    return error;
  }
  const own = String((error as { code?: unknown }).code ?? 'connection closed');
  if (isUnparsable(own)) {
    return invalidAnswer(exchange.where, own);
  }
  const code = cut ? 'connection closed' : own;
  return arrived === 0 && (cut || DROPPED_CONNECTION_CODES.has(code)) ? new EarlyDrop(exchange.where, code) : brokeOff(exchange.where, code);
}

/** The body decoded (decodeStream); compressed data that ends early or does not decode is a broken transfer. */
async function* decoded(source: AsyncIterable<Buffer>, encoding: string | null): AsyncGenerator<Buffer> {
  try {
    yield* decodeStream(source, encoding);
  } catch (error) {
    throw error instanceof UndecodableBodyError ? undecodable(error) : error;
  }
}

/** A 'network' DownloadError ('tooLarge' for a bomb): nothing of the body is kept. Throws nothing. */
function undecodable(error: UndecodableBodyError): DownloadError {
  if (error.reason === 'bomb') {
    return new DownloadError('tooLarge', `The download was refused: its ${error.encoding} data inflates more than ${INFLATION_GUARD.maxRatio.toLocaleString('en')} times over (past ${byteSize(INFLATION_GUARD.afterBytes)}), which no real result does (a decompression bomb). Nothing was kept.`);
  }
  if (error.reason === 'stacked') {
    return new DownloadError('network', `The download could not be decoded: the storage host stacked more encodings on it than the ${MAX_STACKED_ENCODINGS} (such as gzip under br) this extension undoes. Nothing was kept.`);
  }
  const what = error.reason === 'cut'
    ? `The download broke off before the end: its ${error.encoding} data stops short, although the transfer looked complete (the host or a proxy cut it).`
    // The encoding is not named: one not asked for is the host's text.
    : 'The download could not be decoded: its compressed data is corrupt or in an encoding not asked for (a proxy may have altered it).';
  return new DownloadError('network', `${what} Nothing was kept; try again.`);
}

/** Node's HTTP parser refused the answer (`HPE_…`, e.g. a Content-Length of 10^23): the host was reached. */
function isUnparsable(code: string): boolean {
  return code.startsWith('HPE_');
}

function invalidAnswer(where: string, code: string): DownloadError {
  return new DownloadError('http', `The ${where} sent an answer that is not valid HTTP (${code}). Nothing was kept; try again, and if it keeps failing, download the result from the Action Center of the Defender portal.`);
}

function brokeOff(where: string, code: string): DownloadError {
  return new DownloadError('network', `The connection to the ${where} dropped during the download (${code}). Nothing was kept; try again.`);
}

/** The most bytes of a file name on common file systems (ext4, APFS; NTFS counts 255 UTF-16 units, never more). */
const MAX_NAME_BYTES = 255;

/**
 * Where a download is written until complete: beside `target` (a rename within one folder), named after it but
 * shortened so that the added `.` and `.xxxxxxxx.part` (15 bytes) never make a valid name too long.
 */
function partialPath(target: string): string {
  const suffix = `.${(require('node:crypto') as typeof crypto).randomBytes(4).toString('hex')}.part`;
  let room = MAX_NAME_BYTES - 1 - suffix.length;
  let stem = '';
  // By code point, so a name is never cut inside a UTF-8 sequence.
  for (const char of path.basename(target)) {
    room -= Buffer.byteLength(char);
    if (room < 0) {
      break;
    }
    stem += char;
  }
  return path.join(path.dirname(target), `.${stem}${suffix}`);
}

/** Writes beside the target and renames it into place when complete: a failed download leaves no partial file. */
async function toFile(body: Readable, transform: Transform, target: string, signal: AbortSignal, logger: Logger): Promise<void> {
  const partial = partialPath(target);
  const file = fs.createWriteStream(partial, { flags: 'wx' });
  let fileError: NodeJS.ErrnoException | undefined;
  let bodyError: unknown;
  body.once('error', (error) => {
    bodyError = error;
  });
  file.on('error', (error: NodeJS.ErrnoException) => {
    // pipeline destroys the file with the body's own error (a reset, an answer that is not HTTP), its premature close,
    // an abort (cancel, stall, cut body) or our own verdict on the body (compressed data that ends early): the
    // network's or the caller's. The disk's is a failed system call of the file's own.
    if (error !== bodyError && typeof error.syscall === 'string') {
      fileError = error;
    }
  });
  try {
    const { pipeline } = await import('node:stream/promises');
    await pipeline(body, transform, file, { signal });
    await fs.promises.rename(partial, target);
  } catch (error) {
    // A partial whose open failed was never made (its folder is a file or missing): nothing to remove or warn of.
    // Otherwise the first error is the one to report: a partial that cannot be removed must not replace it.
    if (fileError?.syscall !== 'open') {
      await fs.promises.rm(partial, { force: true }).catch((error: NodeJS.ErrnoException) => {
        logger.warn(`A partial download may be left behind: could not remove ${partial} (${error.code ?? 'error'})`);
      });
    }
    const failure = fileError ?? (isDownloadError(error) ? undefined : (error as NodeJS.ErrnoException).syscall === 'rename' ? error as NodeJS.ErrnoException : undefined);
    throw failure ? new DownloadError('file', `Could not write ${target} (${failure.code ?? 'error'}): ${failure.message}`) : error;
  }
}

/**
 * Over the sink's limit. `announced`: the server said the size up front; otherwise reading stopped as soon as it
 * passed the limit.
 */
function tooLarge(sink: DownloadSink['kind'], bytes: number, limit: number, announced: boolean): DownloadError {
  const [said, cap] = byteSizes(bytes, limit);
  const message = sink === 'text'
    ? `The output is ${announced ? `${said}, more than the ${cap}` : `more than ${byteSize(limit)}, the most`} shown in an editor: save it to a file instead.`
    : `The download ${announced ? `is ${said}, more than the ${cap}` : `passed ${byteSize(limit)}, the most`} this extension saves to a file; no real result is that large, so it was refused. Nothing was kept.`;
  return new DownloadError('tooLarge', message, undefined, bytes);
}

/** UTF-8 unless a byte-order mark says UTF-16; the mark itself is dropped. */
function decodeText(bytes: Buffer): string {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) {
    return bytes.subarray(2).toString('utf16le');
  }
  if (bytes[0] === 0xfe && bytes[1] === 0xff) {
    return Buffer.from(bytes.subarray(2)).swap16().toString('utf16le');
  }
  const text = bytes.toString('utf8');
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** Aborts when no byte has arrived for `ms` or when the caller aborts; tells the two apart afterwards. */
class IdleTimer {
  private readonly controller = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  private timedOut = false;
  private readonly onCallerAbort = () => this.controller.abort(this.caller?.reason);

  constructor(private readonly ms: number, private readonly caller?: AbortSignal) {
    if (caller?.aborted) {
      this.controller.abort(caller.reason);
    }
    caller?.addEventListener('abort', this.onCallerAbort, { once: true });
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  touch(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timedOut = true;
      this.controller.abort();
    }, this.ms);
  }

  pause(): void {
    clearTimeout(this.timer);
  }

  stop(): void {
    clearTimeout(this.timer);
    this.caller?.removeEventListener('abort', this.onCallerAbort);
  }

  /** The caller's reason after a cancel, a 'timeout' DownloadError after a stall, else the error itself. */
  explain(error: unknown): unknown {
    if (this.caller?.aborted) {
      return this.caller.reason;
    }
    if (this.timedOut) {
      return new DownloadError('timeout', `The download stalled: no data arrived for ${Math.round(this.ms / 1000)} s.`);
    }
    return error;
  }
}
