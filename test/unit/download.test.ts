// Downloads from the storage-host simulator (HTTPS on 127.0.0.1, another origin than the API): the token never goes
// there, an expired link is replaced once, redirects to http are refused, the editor cap, progress, cancel, time-out,
// and no signature in the log or in an error.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as https from 'node:https';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { DefenderClient } from '../../src/defender/client';
import { download, DownloadError, DownloadOptions, DownloadResult, isDownloadError, MAX_REDIRECTS } from '../../src/defender/download';
import { parseMachineAction } from '../../src/defender/machineAction';
import { startDefenderSimulator } from '../simulators/defenderSimulator';
import { listenHttps } from '../simulators/http';
import { Blob, DownloadSimulator, largeText, resultLinks, startDownloadSimulator } from '../simulators/downloadSimulator';
import { resultContent, seedActions } from '../simulators/seedActions';
import { ensureTlsMaterial } from '../simulators/tls';
import { RecordingLogger } from '../support/recordingLogger';
import { waitFor } from '../support/waitFor';

const MiB = 1024 * 1024;
let store: DownloadSimulator;
let agent: https.Agent;
let errors: unknown[] = [];
let dir: string;

const logger = new RecordingLogger();

/** A getLink that publishes `blob` afresh on every call, as the API hands out a new link each time; counts calls. */
function linksTo(blob: Blob): { getLink: () => Promise<URL>; calls: () => number } {
  let calls = 0;
  return { getLink: async () => (calls++, new URL(store.publish(blob))), calls: () => calls };
}

/** The download, with any failure kept for the signature check. */
async function run(options: Partial<DownloadOptions> & Pick<DownloadOptions, 'getLink' | 'sink'>): Promise<DownloadResult> {
  try {
    return await download({ logger, agent, ...options });
  } catch (error) {
    errors.push(error);
    throw error;
  }
}

function rejectsWithKind(promise: Promise<unknown>, kind: DownloadError['kind'], message?: RegExp): Promise<void> {
  return assert.rejects(promise, (error: unknown) => {
    assert.ok(isDownloadError(error), `expected a DownloadError, got ${String(error)}`);
    assert.equal(error.kind, kind, error.message);
    if (message) {
      assert.match(error.message, message);
    }
    return true;
  });
}

const text = (value: string): Blob => ({ body: Buffer.from(value), contentType: 'text/plain; charset=utf-8' });

before(async () => {
  const tls = ensureTlsMaterial();
  store = await startDownloadSimulator({ tls });
  agent = new https.Agent({ ca: tls.caPem });
});

after(async () => {
  agent.destroy();
  await store.close();
});

beforeEach(() => {
  store.reset();
  logger.clear();
  errors = [];
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mde-download-'));
});

afterEach(() => {
  const said = [...logger.messages(), ...errors.map((e) => (e instanceof Error ? e.message : String(e)))];
  for (const line of said) {
    for (const signature of store.signatures) {
      assert.ok(!line.includes(signature), `a signature reached the log or an error: ${line}`);
    }
    assert.doesNotMatch(line, /[?&](sig|se|sv)=/, `a link's query reached the log or an error: ${line}`);
  }
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('download: the link from the API, the bytes from the storage host', () => {
  it('never sends the bearer token to the storage origin', async () => {
    const tls = ensureTlsMaterial();
    const api = await startDefenderSimulator({ tls, resultLink: resultLinks(store) });
    try {
      const token = api.createToken();
      const client = new DefenderClient({ apiBaseUrl: api.url, agent, logger, getAccessToken: async () => token });
      const raw = api.actions.find((a) => a.type === 'LiveResponse' && a.status === 'Succeeded');
      assert.ok(raw);
      const action = parseMachineAction(raw);
      const result = await run({ getLink: (signal) => client.getResultLink(action, { kind: 'commandOutput', index: 1 }, signal), sink: { kind: 'text' } });
      assert.equal(JSON.parse(result.text ?? '').exit_code, 0);
      assert.match(String(api.requests[0].headers.authorization), /^Bearer /, 'the API got the token');
      assert.equal(store.requests.length, 1);
      assert.equal(store.requests[0].headers.authorization, undefined);
      assert.ok(!JSON.stringify(store.requests[0].headers).includes(token), 'no header carries the token');
      assert.ok(logger.messages().every((line) => !line.includes(token)));
    } finally {
      await api.close();
    }
  });

  it('reads text/JSON output into memory with progress and its content type', async () => {
    const blob = resultContent(seedActions(new Date()).find((a) => a.type === 'LiveResponse' && a.status === 'Succeeded')!, 1);
    const progress: Array<[number, number | undefined]> = [];
    const result = await run({ ...linksTo(blob), sink: { kind: 'text' }, onProgress: (received, total) => progress.push([received, total]) });
    assert.deepEqual(JSON.parse(result.text ?? ''), JSON.parse(blob.body.toString()));
    assert.equal(result.contentType, 'application/json');
    assert.equal(result.bytes, blob.body.length);
    assert.deepEqual(progress.at(-1), [blob.body.length, blob.body.length]);
    assert.match(logger.messages().join('\n'), new RegExp(`GET 127\\.0\\.0\\.1:${store.port}/results/[0-9a-f-]+ → 200 in \\d+ ms`));
  });

  it('saves a GetFile result and an investigation package byte for byte, and decodes UTF-16 text', async () => {
    const live = seedActions(new Date()).find((a) => a.type === 'LiveResponse' && a.status === 'Succeeded')!;
    const pkg = seedActions(new Date()).find((a) => a.type === 'CollectInvestigationPackage' && a.status === 'Succeeded')!;
    for (const [blob, name] of [[resultContent(live, 0), 'dropper.ps1'], [resultContent(pkg), 'package.zip']] as const) {
      const target = path.join(dir, name);
      const result = await run({ ...linksTo(blob), sink: { kind: 'file', path: target } });
      assert.equal(result.path, target);
      assert.deepEqual(fs.readFileSync(target), blob.body);
    }
    assert.equal(fs.readFileSync(path.join(dir, 'package.zip')).subarray(0, 4).toString('latin1'), 'PK\u0003\u0004');
    assert.deepEqual(fs.readdirSync(dir).sort(), ['dropper.ps1', 'package.zip'], 'no partial files left behind');
    const decoded = await run({ ...linksTo(resultContent(live, 0)), sink: { kind: 'text' } });
    assert.match(decoded.text ?? '', /^# C:\\Windows\\Temp\\dropper\.ps1\r\nIEX/);
  });
});

describe('download: an expired link', () => {
  it('asks for a fresh link once after a 403 and then succeeds', async () => {
    store.switches.expireNextLinks = 1;
    const links = linksTo(text('output'));
    const result = await run({ ...links, sink: { kind: 'text' } });
    assert.equal(result.text, 'output');
    assert.equal(links.calls(), 2);
    assert.deepEqual(store.requests.map((r) => r.status), [403, 200]);
    assert.notEqual(store.requests[0].query, store.requests[1].query, 'the second request used the fresh link');
    assert.match(logger.messages().join('\n'), /refused the download link \(403\).*fresh one, once/);
  });

  it('gives up after the fresh link is refused too, asking no third time, and keeps an existing file', async () => {
    store.switches.expireNextLinks = Infinity;
    const links = linksTo(text('new'));
    const target = path.join(dir, 'output.txt');
    fs.writeFileSync(target, 'old');
    await rejectsWithKind(run({ ...links, sink: { kind: 'file', path: target } }), 'expired', /refused the download link \(403 Forbidden\), and a fresh one too/);
    assert.equal(links.calls(), 2);
    assert.equal(store.requests.length, 2);
    assert.equal(fs.readFileSync(target, 'utf8'), 'old');
  });

  it('passes on a failure of the link call itself unchanged', async () => {
    store.switches.expireNextLinks = 1;
    let calls = 0;
    const refused = new Error('Defender API answered 403 Forbidden');
    const getLink = async () => {
      if (calls++ > 0) {
        throw refused;
      }
      return new URL(store.publish(text('x')));
    };
    await assert.rejects(run({ getLink, sink: { kind: 'text' } }), (error) => error === refused);
  });
});

describe('download: redirects', () => {
  it('follows an https redirect on its way to the file', async () => {
    store.switches.redirect = 'https';
    const result = await run({ ...linksTo(text('moved')), sink: { kind: 'text' } });
    assert.equal(result.text, 'moved');
    assert.deepEqual(store.requests.map((r) => r.status), [302, 200]);
    assert.ok(store.requests.every((r) => r.headers.authorization === undefined));
  });

  it('refuses a redirect to http, sending nothing there', async () => {
    store.switches.redirect = 'http';
    await rejectsWithKind(run({ ...linksTo(text('x')), sink: { kind: 'text' } }), 'insecureRedirect', /^The storage host 127\.0\.0\.1:\d+ redirected the download to an unencrypted address \(not https\); it was not followed/);
    assert.equal(store.requests.length, 1);
  });

  it(`stops after ${MAX_REDIRECTS} redirects`, async () => {
    store.switches.redirect = 'loop';
    await rejectsWithKind(run({ ...linksTo(text('x')), sink: { kind: 'file', path: path.join(dir, 'x') } }), 'tooManyRedirects');
    assert.equal(store.requests.length, MAX_REDIRECTS + 1);
    assert.deepEqual(fs.readdirSync(dir), []);
  });
});

describe('download: size, progress, cancel and time-out', () => {
  it('refuses text over the editor cap before reading it, and while reading when no size is announced', async () => {
    const big = { body: largeText(6 * MiB), contentType: 'text/plain' };
    const progress: number[] = [];
    await rejectsWithKind(run({ ...linksTo(big), sink: { kind: 'text' }, onProgress: (n) => progress.push(n) }), 'tooLarge', /6 MiB, more than the 5 MiB shown in an editor: save it to a file instead/);
    assert.deepEqual(progress, [], 'nothing was read');
    store.switches.omitContentLength = true;
    await rejectsWithKind(run({ ...linksTo(big), sink: { kind: 'text' } }), 'tooLarge', /The output is more than 5 MiB, the most shown in an editor/);
  });

  it('drops a text body announced over the cap: the host stops sending instead of the whole body being read', async () => {
    const big = { body: largeText(32 * MiB), contentType: 'text/plain' };
    await rejectsWithKind(run({ ...linksTo(big), sink: { kind: 'text', maxBytes: MiB } }), 'tooLarge', /32 MiB, more than the 1 MiB/);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const [request] = store.requests;
    assert.ok(request.sentBytes < 8 * MiB, `the host went on to send ${request.sentBytes} bytes of a refused body`);
  });

  it('drops the connection of every body refused while it is read, so the host stops sending', async () => {
    const big = { body: largeText(64 * MiB), contentType: 'text/plain' };
    const cases = [
      ['text over the editor cap', { kind: 'text' }, 'none'], ['a file over its cap', { kind: 'file', path: path.join(dir, 'big.txt'), maxBytes: MiB }, 'none'],
      ['a gzip bomb', { kind: 'file', path: path.join(dir, 'bomb.bin') }, 'gzipBomb'],
    ] as const;
    for (const [what, sink, encoding] of cases) {
      store.reset();
      store.switches.omitContentLength = true;
      store.switches.encoding = encoding;
      // A bomb is small on the wire (128 KiB): sent slowly (about 0.6 s), it is still going out when it is refused.
      store.switches.bombBytes = 128 * MiB;
      store.switches.chunkBytes = encoding === 'gzipBomb' ? 4096 : 0;
      store.switches.chunkDelayMs = encoding === 'gzipBomb' ? 20 : 0;
      await rejectsWithKind(run({ ...linksTo(big), sink }), 'tooLarge');
      await waitFor(() => store.requests[0].unfinished, `the connection of ${what} closed`, 2000);
      const { sentBytes } = store.requests[0];
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.equal(store.requests[0].sentBytes, sentBytes, `the host stopped sending ${what}`);
    }
    assert.deepEqual(fs.readdirSync(dir), []);
  });

  it('reads an empty Content-Encoding header as none, as the decoder does: the announced size counts, up front', async () => {
    store.switches.encoding = 'emptyHeader';
    const big = { body: largeText(32 * MiB), contentType: 'text/plain' };
    await rejectsWithKind(run({ ...linksTo(big), sink: { kind: 'text', maxBytes: MiB } }), 'tooLarge', /32 MiB, more than the 1 MiB/);
  });

  it('streams a large body to a file with progress, without a total when none is announced', async () => {
    store.switches.omitContentLength = true;
    const big = { body: largeText(6 * MiB), contentType: 'text/plain' };
    const progress: Array<[number, number | undefined]> = [];
    const target = path.join(dir, 'big.txt');
    const result = await run({ ...linksTo(big), sink: { kind: 'file', path: target }, onProgress: (n, total) => progress.push([n, total]) });
    assert.equal(result.bytes, 6 * MiB);
    assert.equal(fs.statSync(target).size, 6 * MiB);
    assert.ok(progress.length > 1, 'more than one progress report');
    assert.ok(progress.every(([, total], i) => total === undefined && (i === 0 || progress[i - 1][0] < progress[i][0])));
  });

  it('cancels a slow download with the caller\'s reason and leaves no partial file', async () => {
    store.switches.chunkBytes = 64 * 1024;
    store.switches.chunkDelayMs = 50;
    const controller = new AbortController();
    const reason = new Error('cancelled by the user');
    const target = path.join(dir, 'slow.bin');
    const started = Date.now();
    await assert.rejects(run({
      ...linksTo({ body: largeText(2 * MiB), contentType: 'application/octet-stream' }),
      sink: { kind: 'file', path: target }, signal: controller.signal,
      onProgress: (_received, total) => {
        assert.equal(total, 2 * MiB);
        controller.abort(reason);
      },
    }), (error) => error === reason);
    assert.ok(Date.now() - started < 1000, 'stopped at once, not after the whole body');
    assert.deepEqual(fs.readdirSync(dir), []);
  });

  it('goes on when the progress report throws, logging it once as a bug of ours, not as the disk\'s failure', async () => {
    const target = path.join(dir, 'package.zip');
    const blob = { body: largeText(512 * 1024), contentType: 'application/zip' };
    let calls = 0;
    const result = await run({ ...linksTo(blob), sink: { kind: 'file', path: target }, onProgress: () => {
      calls++;
      throw new TypeError('progress reporter broke');
    } });
    assert.equal(result.bytes, blob.body.length);
    assert.deepEqual(fs.readFileSync(target), blob.body);
    assert.equal(calls, 1, 'no more reports after the first throw');
    const bugs = logger.messages().filter((line) => line.includes('a bug of this extension'));
    assert.equal(bugs.length, 1);
    assert.match(bugs[0], /Reporting the download's progress failed .*: progress reporter broke$/);
  });

  it('goes on and logs the bug when the progress report throws a value that is no Error, even one String() cannot convert', async () => {
    const thrown: Array<[unknown, RegExp]> = [
      [Object.create(null), /: a thrown object that cannot be shown as text$/],
      [undefined, /: undefined$/],
      [Symbol('reporter'), /: Symbol\(reporter\)$/],
    ];
    for (const [value, said] of thrown) {
      logger.clear();
      const target = path.join(dir, `odd-${thrown.findIndex(([v]) => v === value)}.zip`);
      const blob = { body: largeText(64 * 1024), contentType: 'application/zip' };
      const result = await run({ ...linksTo(blob), sink: { kind: 'file', path: target }, onProgress: () => {
        throw value;
      } });
      assert.deepEqual(fs.readFileSync(target), blob.body);
      assert.equal(result.bytes, blob.body.length);
      const bugs = logger.messages().filter((line) => line.includes('a bug of this extension'));
      assert.equal(bugs.length, 1, logger.messages().join('\n'));
      assert.match(bugs[0], said);
    }
  });

  it('fails a download that stalls, naming the wait', async () => {
    store.switches.chunkBytes = 1024;
    store.switches.chunkDelayMs = 2000;
    await rejectsWithKind(run({ ...linksTo(text('x'.repeat(4096))), sink: { kind: 'text' }, idleTimeoutMs: 200 }), 'timeout', /stalled: no data arrived for 0 s/);
  });

  it('reports a body cut off before its Content-Length at once as a dropped connection, not sent again once bytes came, and leaves no file', async () => {
    const blob = { body: largeText(64 * 1024), contentType: 'application/octet-stream' };
    const started = Date.now();
    // A reset may be seen as the socket's close (Content-Length not reached) before its ECONNRESET reaches the body.
    for (const [cutBody, code] of [['close', 'connection closed'], ['reset', 'connection closed|ECONNRESET']] as const) {
      store.switches.cutBody = cutBody;
      const dropped = new RegExp(`^The connection to the storage host 127\\.0\\.0\\.1:\\d+ dropped during the download \\((?:${code})\\)\\. Nothing was kept; try again\\.$`);
      await rejectsWithKind(run({ ...linksTo(blob), sink: { kind: 'file', path: path.join(dir, 'cut.bin') } }), 'network', dropped);
      await rejectsWithKind(run({ ...linksTo(blob), sink: { kind: 'text' } }), 'network', dropped);
    }
    assert.ok(Date.now() - started < 5000, `reported after ${Date.now() - started} ms, not after the 60 s idle time-out`);
    assert.equal(store.requests.length, 4, 'one GET per download: half the body had arrived');
    assert.deepEqual(store.requests.map((r) => r.sentBytes), Array(4).fill(blob.body.length / 2), 'the host sent half of each body');
    assert.deepEqual(fs.readdirSync(dir), []);
  });

  it('decodes a gzip body, also under br (gzip, br), and refuses one whose gzip data stops short although the transfer was whole, leaving no file', async () => {
    const blob = { body: largeText(512 * 1024), contentType: 'text/plain' };
    for (const encoding of ['gzip', 'gzipThenBr'] as const) {
      store.switches.encoding = encoding;
      const whole = await run({ ...linksTo(blob), sink: { kind: 'file', path: path.join(dir, 'whole.txt') } });
      assert.equal(whole.bytes, blob.body.length);
      assert.deepEqual(fs.readFileSync(path.join(dir, 'whole.txt')), blob.body);
      fs.rmSync(path.join(dir, 'whole.txt'));
    }
    store.switches.encoding = 'gzipTruncated';
    for (const omitContentLength of [false, true]) {
      store.switches.omitContentLength = omitContentLength;
      for (const sink of [{ kind: 'file', path: path.join(dir, 'short.txt') }, { kind: 'text' }] as const) {
        const progress: Array<[number, number | undefined]> = [];
        await rejectsWithKind(run({ ...linksTo(blob), sink, onProgress: (n, total) => progress.push([n, total]) }), 'network',
          /^The download broke off before the end: its gzip data stops short, although the transfer looked complete \(the host or a proxy cut it\)\. Nothing was kept; try again\.$/);
        assert.ok(progress.every(([n, total], i) => total === undefined && n < blob.body.length && (i === 0 || progress[i - 1][0] < n)), JSON.stringify(progress));
      }
    }
    store.switches.encoding = 'gzipCorrupt';
    await rejectsWithKind(run({ ...linksTo(blob), sink: { kind: 'file', path: path.join(dir, 'corrupt.txt') } }), 'network',
      /^The download could not be decoded: its compressed data is corrupt or in an encoding not asked for \(a proxy may have altered it\)\. Nothing was kept; try again\.$/);
    assert.equal(store.requests.length, 7);
    assert.ok(store.requests.every((r) => r.status === 200 && /gzip/.test(String(r.headers['accept-encoding']))), 'asked for gzip, got it');
    assert.deepEqual(fs.readdirSync(dir), []);
  });

  it('refuses a body under three stacked encodings, saying so', async () => {
    store.switches.encoding = 'gzipThrice';
    await rejectsWithKind(run({ ...linksTo(text('x'.repeat(4096))), sink: { kind: 'text' } }), 'network',
      /^The download could not be decoded: the storage host stacked more encodings on it than the 2 \(such as gzip under br\) this extension undoes\. Nothing was kept\.$/);
    assert.equal(store.requests[0].headers['accept-encoding'], 'gzip, deflate, br');
  });

  it('leaves a cut body on an open connection to the idle time-out', async () => {
    store.switches.cutBody = 'hold';
    await rejectsWithKind(run({ ...linksTo(text('x'.repeat(4096))), sink: { kind: 'text' }, idleTimeoutMs: 200 }), 'timeout', /stalled/);
    assert.equal(store.requests[0].sentBytes, 2048, 'half the body went out');
  });

  it('names an unreachable storage host without its link\'s query', async () => {
    const unreachable = new URL(store.publish(text('x')));
    unreachable.port = '1';
    await rejectsWithKind(run({ getLink: async () => unreachable, sink: { kind: 'text' } }), 'network', /Could not reach the storage host 127\.0\.0\.1:1 \(ECONNREFUSED\)/);
  });

  it('reports a file that cannot be written', async () => {
    await rejectsWithKind(run({ ...linksTo(text('x')), sink: { kind: 'file', path: path.join(dir, 'missing', 'out.txt') } }), 'file', /Could not write .*out\.txt \(ENOENT\)/);
  });

  it('warns of a partial file that may be left behind only when one was made and cannot be removed', async () => {
    store.switches.chunkBytes = 1024;
    store.switches.chunkDelayMs = 10;
    store.switches.omitContentLength = true;
    const swapped: string[] = [];
    // Once the partial file exists, its name is taken by a folder that is not empty, so it cannot be removed.
    const onProgress = (): void => {
      const partial = fs.readdirSync(dir).find((name) => name.endsWith('.part'));
      if (partial && swapped.length === 0) {
        swapped.push(partial);
        fs.rmSync(path.join(dir, partial));
        fs.mkdirSync(path.join(dir, partial));
        fs.writeFileSync(path.join(dir, partial, 'keep'), 'k');
      }
    };
    await rejectsWithKind(run({ ...linksTo(text('x'.repeat(16 * 1024))), sink: { kind: 'file', path: path.join(dir, 'out.txt'), maxBytes: 8 * 1024 }, onProgress }), 'tooLarge');
    assert.equal(swapped.length, 1);
    assert.match(logger.messages().join('\n'), /A partial download may be left behind: could not remove .*\.part \(/);
  });

  it('reports the disk\'s error, and no partial file left behind, when the partial file cannot even be created', async () => {
    // Under a file: the partial cannot be created (ENOTDIR), so there is none to remove.
    fs.writeFileSync(path.join(dir, 'plain'), 'a file, not a folder');
    await rejectsWithKind(run({ ...linksTo(text('x')), sink: { kind: 'file', path: path.join(dir, 'plain', 'out.txt') } }), 'file', /^Could not write .*out\.txt \(ENOTDIR\)/);
    await rejectsWithKind(run({ ...linksTo(text('x')), sink: { kind: 'file', path: path.join(dir, 'missing', 'out.txt') } }), 'file', /^Could not write .*out\.txt \(ENOENT\)/);
    assert.deepEqual(logger.messages().filter((line) => /partial/i.test(line)), []);
  });

  it('saves to a valid name of 249 bytes, whose partial file gets a shorter name in the same folder', async () => {
    for (const name of [`${'L'.repeat(245)}.zip`, `${'é'.repeat(122)}.zip`]) {
      const target = path.join(dir, name);
      const result = await run({ ...linksTo(text('hello')), sink: { kind: 'file', path: target } });
      assert.equal(result.path, target);
      assert.equal(fs.readFileSync(target, 'utf8'), 'hello');
    }
    assert.equal(fs.readdirSync(dir).length, 2, 'no partial file left behind');
  });
});

describe('download: a file cannot fill the disk', () => {
  it('stops a gzip bomb at the file cap, naming it, keeps an existing file and leaves no partial one', async () => {
    store.switches.encoding = 'gzipBomb';
    store.switches.bombBytes = 8 * MiB;
    const target = path.join(dir, 'package.zip');
    fs.writeFileSync(target, 'old');
    const progress: number[] = [];
    await rejectsWithKind(run({ ...linksTo(text('x')), sink: { kind: 'file', path: target, maxBytes: MiB }, onProgress: (n) => progress.push(n) }), 'tooLarge',
      /^The download passed 1 MiB, the most this extension saves to a file; no real result is that large, so it was refused\. Nothing was kept\.$/);
    assert.ok(Math.max(...progress) <= MiB, `took ${Math.max(...progress)} bytes`);
    assert.deepEqual(fs.readdirSync(dir), ['package.zip']);
    assert.equal(fs.readFileSync(target, 'utf8'), 'old');
  });

  it('refuses a file announced over the cap before reading it', async () => {
    const progress: number[] = [];
    await rejectsWithKind(run({ ...linksTo({ body: largeText(3 * MiB), contentType: 'application/zip' }), sink: { kind: 'file', path: path.join(dir, 'big.zip'), maxBytes: MiB }, onProgress: (n) => progress.push(n) }),
      'tooLarge', /^The download is 3 MiB, more than the 1 MiB this extension saves to a file; no real result is that large, so it was refused\. Nothing was kept\.$/);
    assert.deepEqual(progress, []);
    assert.deepEqual(fs.readdirSync(dir), []);
  });

  it('refuses a body inflating more than 1,000:1 under the default 4 GiB cap, after 16 MiB', async () => {
    store.switches.encoding = 'gzipBomb';
    store.switches.bombBytes = 24 * MiB;
    const progress: number[] = [];
    await rejectsWithKind(run({ ...linksTo(text('x')), sink: { kind: 'file', path: path.join(dir, 'bomb.zip') }, onProgress: (n) => progress.push(n) }), 'tooLarge',
      /^The download was refused: its gzip data inflates more than 1,000 times over \(past 16 MiB\), which no real result does \(a decompression bomb\)\. Nothing was kept\.$/);
    assert.ok(Math.max(...progress) <= 16 * MiB, `took ${Math.max(...progress)} bytes before refusing`);
    assert.deepEqual(fs.readdirSync(dir), []);
  });

  it('saves real text past 16 MiB that gzip compresses 343:1', async () => {
    store.switches.encoding = 'gzip';
    const transcript = { body: largeText(17 * MiB), contentType: 'text/plain' };
    const result = await run({ ...linksTo(transcript), sink: { kind: 'file', path: path.join(dir, 'transcript.txt') } });
    assert.equal(result.bytes, 17 * MiB);
    assert.deepEqual(fs.readFileSync(path.join(dir, 'transcript.txt')), transcript.body);
  });
});

describe('download: a dropped connection', () => {
  it('sends the GET once more, with the same link and no token, when the connection drops before the answer', async () => {
    store.switches.resetConnections = 1;
    const links = linksTo({ body: largeText(256 * 1024), contentType: 'application/zip' });
    const target = path.join(dir, 'package.zip');
    const result = await run({ ...links, sink: { kind: 'file', path: target } });
    assert.equal(result.bytes, 256 * 1024);
    assert.equal(fs.statSync(target).size, 256 * 1024);
    assert.equal(links.calls(), 1, 'the same signed link');
    assert.equal(store.requests.length, 2);
    assert.equal(store.requests[0].query, store.requests[1].query);
    assert.ok(store.requests.every((r) => r.headers.authorization === undefined));
    assert.match(logger.messages().join('\n'), /connection to the storage host 127\.0\.0\.1:\d+ dropped before the download began \(ECONNRESET\); sending the request once more/);
  });

  it('reports a connection that drops twice before the answer as dropped, sending no third request, and leaves no file', async () => {
    store.switches.resetConnections = 2;
    await rejectsWithKind(run({ ...linksTo(text('x')), sink: { kind: 'file', path: path.join(dir, 'x.zip') } }), 'network',
      /^The connection to the storage host 127\.0\.0\.1:\d+ dropped before the download began \(ECONNRESET\), and again when the request was sent once more\. Nothing was kept; check the network or proxy and try again\.$/);
    assert.equal(store.requests.length, 2);
    assert.deepEqual(fs.readdirSync(dir), []);
  });
});

describe('download: what a hostile or broken storage host sends', () => {
  /** A one-route HTTPS server on 127.0.0.1 with the simulators' CA, for answers the storage simulator does not make. */
  async function oddHost(handle: (res: import('node:http').ServerResponse, req: import('node:http').IncomingMessage) => void): Promise<{ url: URL; close(): void }> {
    const { server, port } = await listenHttps(ensureTlsMaterial(), (req, res) => handle(res, req), 0, '127.0.0.1');
    return { url: new URL(`https://127.0.0.1:${port}/r/x?sv=1&sig=ODDSIGNATURE`), close: () => { server.closeAllConnections(); server.close(); } };
  }

  it('never quotes the host\'s status text, which may echo the signed link', async () => {
    const host = await oddHost((res) => {
      res.statusMessage = 'Not Found /r/x?sv=1&sig=ODDSIGNATURE';
      res.writeHead(404).end();
    });
    try {
      await rejectsWithKind(run({ getLink: async () => host.url, sink: { kind: 'text' } }), 'http', /^The storage host answered HTTP 404 to the download\.$/);
    } finally {
      host.close();
    }
  });

  it('says a size over the cap so that it never reads as equal to the cap, in bytes or KiB when small', async () => {
    const host = await oddHost((res) => res.writeHead(200, { 'content-length': String(4 * 1024 * MiB + 1) }).flushHeaders());
    try {
      await rejectsWithKind(run({ getLink: async () => host.url, sink: { kind: 'file', path: path.join(dir, 'p.zip') } }), 'tooLarge',
        /^The download is 4,294,967,297 bytes, more than the 4,294,967,296 bytes this extension saves/);
      await rejectsWithKind(run({ getLink: async () => host.url, sink: { kind: 'file', path: path.join(dir, 'p.zip'), maxBytes: 3.99 * 1024 * MiB } }), 'tooLarge',
        /^The download is 4 GiB, more than the 3\.99 GiB /);
    } finally {
      host.close();
    }
    await rejectsWithKind(run({ ...linksTo(text('x'.repeat(1000))), sink: { kind: 'file', path: path.join(dir, 'a'), maxBytes: 999 } }), 'tooLarge', /^The download is 1,000 bytes, more than the 999 bytes /);
    await rejectsWithKind(run({ ...linksTo(text('x'.repeat(3000))), sink: { kind: 'text', maxBytes: 2047 } }), 'tooLarge', /^The output is 2\.9 KiB, more than the 2 KiB /);
    store.switches.omitContentLength = true;
    await rejectsWithKind(run({ ...linksTo(text('x'.repeat(1000))), sink: { kind: 'file', path: path.join(dir, 'b'), maxBytes: 999 } }), 'tooLarge', /^The download passed 999 bytes, the most /);
    assert.deepEqual(fs.readdirSync(dir), []);
  });

  it('never logs or shows the path of a redirect, which may echo the signature, bare or encoded twice', async () => {
    const echoes = [(sig: string) => `/echo/${sig}/x`, (sig: string) => `/echo${encodeURIComponent(encodeURIComponent(`/r/x?sv=1&sig=${sig}`))}`];
    for (const echo of echoes) {
      logger.clear();
      const host = await oddHost((res, req) => {
        const url = new URL(req.url ?? '/', 'https://x');
        const sig = url.searchParams.get('sig') ?? '';
        if (url.pathname.startsWith('/echo')) {
          res.writeHead(404).end();
        } else {
          res.writeHead(302, { location: `${echo(sig)}?sv=1&sig=${sig}` }).end();
        }
      });
      try {
        await rejectsWithKind(run({ getLink: async () => host.url, sink: { kind: 'text' } }), 'http', /HTTP 404/);
        const said = [...logger.messages(), ...errors.map(String)];
        assert.match(said.join('\n'), /GET redirect 1 of 127\.0\.0\.1:\d+ \(its address is not shown\) → 404/);
        assert.ok(said.every((line) => !line.includes('ODDSIGNATURE')), said.join('\n'));
      } finally {
        host.close();
      }
    }
  });

  it('never names the host of a redirect, which may carry the signature, but the storage host that redirected', async () => {
    const cases: Array<[string, DownloadError['kind'], RegExp]> = [
      ['http://ODDSIGNATURE.example/x', 'insecureRedirect', /^The storage host 127\.0\.0\.1:\d+ redirected the download to an unencrypted address \(not https\); it was not followed/],
      ['https://ODDSIGNATURE.invalid/x', 'network', /^Could not reach the address the storage host 127\.0\.0\.1:\d+ redirected to \(E[A-Z_]+\)\.$/],
    ];
    for (const [location, kind, message] of cases) {
      logger.clear();
      errors = [];
      const host = await oddHost((res) => res.writeHead(302, { location }).end());
      try {
        await rejectsWithKind(run({ getLink: async () => host.url, sink: { kind: 'text' } }), kind, message);
        const said = [...logger.messages(), ...errors.map(String)];
        assert.ok(said.every((line) => !/oddsignature/i.test(line)), said.join('\n'));
      } finally {
        host.close();
      }
    }
  });

  it('calls an answer that is not valid HTTP what it is, in its headers or in its body, not an unreachable host', async () => {
    const answers = [
      (res: import('node:http').ServerResponse) => res.writeHead(200, { 'content-length': '99999999999999999999999' }).flushHeaders(),
      (res: import('node:http').ServerResponse) => res.socket?.end('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\nZZ\r\n'),
    ];
    for (const answer of answers) {
      const host = await oddHost(answer);
      try {
        await rejectsWithKind(run({ getLink: async () => host.url, sink: { kind: 'file', path: path.join(dir, 'p.zip') } }), 'http',
          /^The storage host 127\.0\.0\.1:\d+ sent an answer that is not valid HTTP \(HPE_INVALID_[A-Z_]+\)\. Nothing was kept; try again/);
      } finally {
        host.close();
      }
    }
    assert.deepEqual(fs.readdirSync(dir), []);
  });

  it('gives no total for a content-encoded body, so progress never passes it', async () => {
    const body = zlib.gzipSync(Buffer.alloc(256 * 1024, 65));
    const host = await oddHost((res) => res.writeHead(200, { 'content-encoding': 'gzip', 'content-length': String(body.length) }).end(body));
    const totals: Array<number | undefined> = [];
    try {
      const result = await run({ getLink: async () => host.url, sink: { kind: 'text' }, onProgress: (_received, total) => totals.push(total) });
      assert.equal(result.bytes, 256 * 1024);
      assert.ok(totals.length > 0 && totals.every((total) => total === undefined), JSON.stringify(totals));
    } finally {
      host.close();
    }
  });

  it('a body that breaks off on its way to a file is the network\'s failure, not the disk\'s, and leaves no file', async () => {
    const host = await oddHost((res) => {
      res.writeHead(200);
      res.write(Buffer.alloc(1000, 65));
      setTimeout(() => res.socket?.destroy(), 50);
    });
    try {
      await rejectsWithKind(run({ getLink: async () => host.url, sink: { kind: 'file', path: path.join(dir, 'cut.bin') } }), 'network');
      assert.deepEqual(fs.readdirSync(dir), []);
    } finally {
      host.close();
    }
  });

  it('sends the GET once more when the connection closes after the headers, before any byte of the body', async () => {
    let answers = 0;
    const host = await oddHost((res) => {
      if (answers++ === 0) {
        res.writeHead(200, { 'content-length': '1000' }).flushHeaders();
        setTimeout(() => res.socket?.destroy(), 50);
        return;
      }
      res.writeHead(200, { 'content-length': '1000' }).end(Buffer.alloc(1000, 65));
    });
    try {
      const result = await run({ getLink: async () => host.url, sink: { kind: 'file', path: path.join(dir, 'retried.bin') } });
      assert.equal(result.bytes, 1000);
      assert.equal(answers, 2);
      assert.match(logger.messages().join('\n'), /dropped before the download began \(connection closed\); sending the request once more/);
    } finally {
      host.close();
    }
  });

  it('a signal aborted before the download starts stops it at once, asking for no link', async () => {
    const reason = new Error('cancelled before it began');
    const links = linksTo(text('hello'));
    await assert.rejects(run({ ...links, sink: { kind: 'text' }, signal: AbortSignal.abort(reason) }), (error) => error === reason);
    assert.equal(links.calls(), 0);
  });
});
