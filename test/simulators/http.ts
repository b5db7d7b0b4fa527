// Small server helpers shared by the HTTPS simulators (Defender API, Entra ID): body reading, replies,
// listening and closing, and the CLI convention (one JSON line on stdout, run until SIGINT/SIGTERM).
import type * as http from 'node:http';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TlsMaterial } from './tls';

/** A response decided before it is written, so it can be logged, delayed or replaced. */
export interface Reply {
  status: number;
  headers: Record<string, string>;
  /** Written as is (a Buffer for binary bodies such as gzip); '' sends no body. */
  body: string | Buffer;
}

export const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';

export function jsonReply(status: number, value: unknown, headers: Record<string, string> = {}): Reply {
  return { status, headers: { 'content-type': JSON_CONTENT_TYPE, ...headers }, body: JSON.stringify(value) };
}

export function htmlReply(status: number, html: string, headers: Record<string, string> = {}): Reply {
  return { status, headers: { 'content-type': 'text/html; charset=utf-8', ...headers }, body: html };
}

export function writeReply(res: http.ServerResponse, reply: Reply): void {
  res.writeHead(reply.status, { ...reply.headers, 'content-length': String(Buffer.byteLength(reply.body)) });
  res.end(reply.body);
}

/** Reads the whole request body as UTF-8; refuses bodies over `limit` bytes. */
export function readBody(req: http.IncomingMessage, limit = 1024 * 1024): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(new Error(`request body over ${limit} bytes`));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** Starts an HTTPS server on host:port (0 = any free port) and resolves with the port it got. */
export function listenHttps(
  tls: TlsMaterial,
  handler: (req: http.IncomingMessage, res: http.ServerResponse) => void,
  port: number,
  host: string,
): Promise<{ server: https.Server; port: number }> {
  const server = https.createServer({ key: tls.keyPem, cert: tls.certPem }, handler);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve({ server, port: (server.address() as AddressInfo).port });
    });
  });
}

/** Closes the server and drops open connections, so a test never waits for a keep-alive socket. */
export function closeServer(server: https.Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/** Reads `--name value` options of a simulator CLI. */
export function cliOption(args: readonly string[], name: string): string | undefined {
  const index = args.indexOf(`--${name}`);
  return index >= 0 ? args[index + 1] : undefined;
}

/** The CLI convention: print one JSON line once listening, close cleanly on SIGINT/SIGTERM. */
export function announceAndRunUntilSignal(info: unknown, close: () => Promise<void>): void {
  process.stdout.write(`${JSON.stringify(info)}\n`);
  const stop = () => {
    void close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
