// A blob-storage host over real HTTPS on 127.0.0.1 (same throwaway CA as the other simulators): it serves the
// results the Defender API simulator hands out links to — live response output, GetFile bytes, investigation
// packages — at signed, short-lived links on ANOTHER origin than the API, as Azure Storage does.
//
//   const store = await startDownloadSimulator();
//   const link = store.publish({ body: Buffer.from('hello'), contentType: 'text/plain' });  // a fresh signed URL
//   store.requests                                  // method, path (no query), lower-case headers, status
//   await store.close();
//
// A link is `https://127.0.0.1:{port}/results/{blob}?sv=…&se={expiry}&sr=b&sp=r&sig={random}`; only the exact
// signature it was issued with opens it, and only until it expires (403 AuthenticationFailed, as Azure answers).
// Toggles (store.switches), all cleared by reset():
//   expireNextLinks   the next n links published are born expired (Infinity: every one) — the 403 path
//   redirect          'https': each download first redirects once to another https path of this host;
//                     'http': redirects to http:// (the client must refuse); 'loop': redirects forever
//   chunkBytes / chunkDelayMs   write the body in chunks of chunkBytes with a pause between them (slow body)
//   omitContentLength send no Content-Length (chunked), so a client cannot know the total
//   cutBody           'close': send the first half of a 200's body, then close the socket with Content-Length not
//                     reached; 'reset': the same half, then a TCP reset (the client reads ECONNRESET); 'hold': the
//                     same half, then keep the socket open and send nothing more (a stall)
//   encoding          'gzip': a 200's body gzip-encoded (Content-Encoding: gzip; Content-Length the encoded size);
//                     'gzipTruncated': only the first half of that gzip stream, with whole HTTP framing (Content-Length
//                     matching what is sent, or a properly ended chunked body with omitContentLength); 'gzipCorrupt':
//                     the whole gzip stream with 20 bytes of its data overwritten, as a proxy that alters bodies would;
//                     'emptyHeader': the body as it is, under an empty Content-Encoding header (no encoding);
//                     'gzipBomb': gzip of bombBytes zero bytes instead of the blob (about 1/1,028 of that on the wire,
//                     the most deflate compresses), as a hostile host would send to fill the disk; 'gzipThenBr':
//                     gzip, then brotli over it (Content-Encoding: gzip, br); 'gzipThrice': gzip three times over
//                     (Content-Encoding: gzip, gzip, gzip), more than a client undoes
//   bombBytes         how far the 'gzipBomb' body inflates (bytes; 64 MiB by default)
//   resetConnections  the next n requests have their connection closed before any answer, as on a keep-alive socket
//                     the host had already closed (the client sees "socket hang up", ECONNRESET); status 0
// Every body is written as fast as the client reads it (waiting for 'drain'); store.requests[i].sentBytes counts
// what was handed to the connection, so a test can see whether a refused body was still sent, and
// store.requests[i].unfinished whether the connection closed before the whole answer went out (the client dropped it).
// largeText(bytes) makes a text body of that size, for the editor cap and progress.
import * as crypto from 'node:crypto';
import type * as http from 'node:http';
import type * as https from 'node:https';
import type * as net from 'node:net';
import * as zlib from 'node:zlib';
import { closeServer, listenHttps } from './http';
import { type RawAction, resultContent, type ResultContent } from './seedActions';
import { ensureTlsMaterial, type TlsMaterial } from './tls';
import { damagedGzip, gzipBomb } from '../support/gzip';

/** A stored result: its bytes and Content-Type. */
export type Blob = ResultContent;

export interface DownloadSwitches {
  expireNextLinks: number;
  redirect: 'none' | 'https' | 'http' | 'loop';
  chunkBytes: number;
  chunkDelayMs: number;
  omitContentLength: boolean;
  cutBody: 'none' | 'close' | 'reset' | 'hold';
  encoding: 'none' | 'emptyHeader' | 'gzip' | 'gzipTruncated' | 'gzipCorrupt' | 'gzipBomb' | 'gzipThenBr' | 'gzipThrice';
  bombBytes: number;
  resetConnections: number;
}

export interface DownloadRequest {
  method: string;
  /** The path only: the query holds the signature. */
  path: string;
  /** The query as requested (it holds the signature): for asserting which link was used. */
  query: string;
  headers: http.IncomingHttpHeaders;
  /** 0 for a connection closed unanswered (resetConnections). */
  status: number;
  /** Body bytes handed to the connection so far. */
  sentBytes: number;
  /** Whether the connection closed before the whole answer went out: the client dropped it (or cutBody cut it). */
  unfinished: boolean;
}

/** How long a link lives, as the service's links do (minutes). */
export const LINK_LIFETIME_MS = 5 * 60_000;
/** Without the slow-body switch, bodies go out in chunks of this size (bytes), each when the last was taken. */
const DEFAULT_CHUNK_BYTES = 64 * 1024;
const AUTH_FAILED = '<?xml version="1.0" encoding="utf-8"?><Error><Code>AuthenticationFailed</Code><Message>Server failed to authenticate the request. Signed expiry time has passed.</Message></Error>';

interface Issued {
  blob: string;
  signature: string;
  expires: number;
}

export class DownloadSimulator {
  readonly origin: string;
  readonly requests: DownloadRequest[] = [];
  switches: DownloadSwitches = defaultSwitches();
  private readonly blobs = new Map<string, Blob>();
  private readonly issued = new Map<string, Issued>();
  private readonly timers = new Set<NodeJS.Timeout>();

  /** Use startDownloadSimulator(); the constructor does not listen. */
  constructor(private readonly server: https.Server, readonly port: number, readonly now: () => number) {
    this.origin = `https://127.0.0.1:${port}`;
  }

  /** Stores `blob` under a new name and returns a fresh signed link to it. */
  publish(blob: Blob): string {
    const name = crypto.randomUUID();
    this.blobs.set(name, blob);
    const signature = crypto.randomBytes(24).toString('base64url');
    const bornExpired = this.switches.expireNextLinks > 0;
    if (bornExpired) {
      this.switches.expireNextLinks--;
    }
    const expires = bornExpired ? this.now() - 1000 : this.now() + LINK_LIFETIME_MS;
    this.issued.set(signature, { blob: name, signature, expires });
    const query = new URLSearchParams({ sv: '2021-08-06', se: new Date(expires).toISOString(), sr: 'b', sp: 'r', sig: signature });
    return `${this.origin}/results/${name}?${query}`;
  }

  /** Every signature issued so far: none may appear in a client's log. */
  get signatures(): string[] {
    return [...this.issued.keys()];
  }

  reset(): void {
    this.switches = defaultSwitches();
    this.requests.length = 0;
  }

  async close(): Promise<void> {
    for (const timer of this.timers) {
      clearTimeout(timer);
    }
    await closeServer(this.server);
  }

  /** The request handler; public only so startDownloadSimulator can wire it before the instance exists. */
  handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = new URL(req.url ?? '/', this.origin);
    const record: DownloadRequest = { method: req.method ?? '', path: url.pathname, query: url.search, headers: { ...req.headers }, status: 0, sentBytes: 0, unfinished: false };
    this.requests.push(record);
    res.once('close', () => {
      record.unfinished = !res.writableFinished;
    });
    if (this.switches.resetConnections > 0) {
      this.switches.resetConnections--;
      req.socket.destroy();
      return;
    }
    const decided = this.decide(url, req.method ?? '');
    const { status, headers, body } = decided.status === 200 ? this.encoded(decided) : decided;
    record.status = status;
    res.writeHead(status, body && !this.switches.omitContentLength ? { ...headers, 'content-length': String(body.length) } : headers);
    if (status === 200 && this.switches.cutBody !== 'none') {
      this.cut(res, body ?? Buffer.alloc(0), record);
      return;
    }
    this.write(res, body ?? Buffer.alloc(0), record);
  }

  /** The encoding switch applied to a 200. */
  private encoded(reply: Decided): Decided {
    if (this.switches.encoding === 'none' || !reply.body) {
      return reply;
    }
    if (this.switches.encoding === 'emptyHeader') {
      return { ...reply, headers: { ...reply.headers, 'content-encoding': '' } };
    }
    const plain = reply.body;
    const gzip = (): Buffer => zlib.gzipSync(plain);
    const { encoding } = this.switches;
    const body = {
      gzip,
      gzipTruncated: () => damagedGzip(plain, 'half'),
      gzipCorrupt: () => damagedGzip(plain, 'corrupt'),
      gzipBomb: () => gzipBomb(this.switches.bombBytes),
      gzipThenBr: () => zlib.brotliCompressSync(gzip()),
      gzipThrice: () => zlib.gzipSync(zlib.gzipSync(gzip())),
    }[encoding]();
    const header = { gzipThenBr: 'gzip, br', gzipThrice: 'gzip, gzip, gzip' }[encoding as string] ?? 'gzip';
    return { ...reply, headers: { ...reply.headers, 'content-encoding': header }, body };
  }

  /** The cutBody switch: half the body, then a closed or reset socket, or silence on an open one. */
  private cut(res: http.ServerResponse, body: Buffer, record: DownloadRequest): void {
    const half = body.subarray(0, Math.floor(body.length / 2));
    res.write(half);
    record.sentBytes += half.length;
    const { cutBody } = this.switches;
    if (cutBody === 'close' || cutBody === 'reset') {
      // After the half has been flushed: the client gets headers and some bytes, then the close.
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        // A reset goes to the TCP socket under the TLS one (resetAndDestroy refuses a TLS socket's handle).
        const tcp = (res.socket as (net.Socket & { _parent?: net.Socket }) | null)?._parent;
        if (cutBody === 'reset' && tcp) {
          tcp.resetAndDestroy();
        } else {
          res.socket?.destroy();
        }
      }, 20);
      this.timers.add(timer);
    }
  }

  private decide(url: URL, method: string): Decided {
    const redirect = this.redirectFor(url);
    if (redirect) {
      return { status: 302, headers: { location: redirect } };
    }
    const match = /^\/(?:results|moved)\/([0-9a-f-]+)$/.exec(url.pathname);
    const issued = this.issued.get(url.searchParams.get('sig') ?? '');
    if (method !== 'GET' || !match || !issued || issued.blob !== match[1]) {
      return xmlError(method !== 'GET' ? 405 : 403);
    }
    if (issued.expires <= this.now()) {
      return xmlError(403);
    }
    const blob = this.blobs.get(issued.blob);
    return blob ? { status: 200, headers: { 'content-type': blob.contentType, 'x-ms-blob-type': 'BlockBlob' }, body: blob.body } : xmlError(404);
  }

  /** Where the `redirect` switch sends a request first, if anywhere. */
  private redirectFor(url: URL): string | undefined {
    const moved = url.pathname.startsWith('/moved/');
    switch (this.switches.redirect) {
      case 'https':
        return moved ? undefined : `${this.origin}${url.pathname.replace('/results/', '/moved/')}${url.search}`;
      case 'http':
        return `http://127.0.0.1:${this.port}${url.pathname}${url.search}`;
      case 'loop':
        return `${this.origin}${url.pathname.replace(/^\/(results|moved)\//, moved ? '/results/' : '/moved/')}${url.search}`;
      case 'none':
        return undefined;
    }
  }

  /**
   * In chunks of chunkBytes (64 KiB by default) with chunkDelayMs between them (the slow-body switch), each when the
   * connection has taken the last one ('drain'), counting them into `record.sentBytes`.
   */
  private write(res: http.ServerResponse, body: Buffer, record: DownloadRequest): void {
    const { chunkBytes, chunkDelayMs } = this.switches;
    const size = chunkBytes > 0 ? chunkBytes : DEFAULT_CHUNK_BYTES;
    let offset = 0;
    const next = (): void => {
      if (res.destroyed) {
        return;
      }
      const chunk = body.subarray(offset, offset + size);
      offset += chunk.length;
      record.sentBytes += chunk.length;
      if (offset >= body.length) {
        res.end(chunk);
        return;
      }
      const taken = res.write(chunk);
      const later = (): void => {
        const timer = setTimeout(() => {
          this.timers.delete(timer);
          next();
        }, chunkDelayMs);
        this.timers.add(timer);
      };
      if (taken) {
        later();
      } else {
        res.once('drain', later);
      }
    };
    next();
  }
}

function defaultSwitches(): DownloadSwitches {
  return {
    expireNextLinks: 0, redirect: 'none', chunkBytes: 0, chunkDelayMs: 0, omitContentLength: false, cutBody: 'none', encoding: 'none',
    bombBytes: 64 * 1024 * 1024, resetConnections: 0,
  };
}

/** What a request is answered; a 200's body is the blob. */
interface Decided {
  status: number;
  headers: Record<string, string>;
  body?: Buffer;
}

function xmlError(status: number): { status: number; headers: Record<string, string>; body: Buffer } {
  const body = status === 403 ? AUTH_FAILED : `<?xml version="1.0" encoding="utf-8"?><Error><Code>${status === 404 ? 'BlobNotFound' : 'UnsupportedHttpVerb'}</Code></Error>`;
  return { status, headers: { 'content-type': 'application/xml' }, body: Buffer.from(body) };
}

/** A UTF-8 text body of exactly `bytes` bytes (lines of a transcript). */
export function largeText(bytes: number): Buffer {
  const line = 'C:\\> Get-Process | Select-Object Name,Id  # triage output line\n';
  return Buffer.from(line.repeat(Math.ceil(bytes / line.length)).slice(0, bytes));
}

/** The Defender simulator's `resultLink` option: a fresh link on `store` to the seed content of that result. */
export function resultLinks(store: DownloadSimulator): (action: RawAction, index: number | undefined) => string {
  return (action, index) => store.publish(resultContent(action, index));
}

export async function startDownloadSimulator(options: { tls?: TlsMaterial; now?: () => number } = {}): Promise<DownloadSimulator> {
  const tls = options.tls ?? ensureTlsMaterial();
  let simulator: DownloadSimulator | undefined;
  const { server, port } = await listenHttps(tls, (req, res) => simulator?.handle(req, res), 0, '127.0.0.1');
  simulator = new DownloadSimulator(server, port, options.now ?? Date.now);
  return simulator;
}
