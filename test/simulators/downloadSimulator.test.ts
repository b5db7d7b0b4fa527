// The simulators' result endpoints, asked directly (no client checks in the way): the Defender API's two link calls
// refuse what the service refuses, and the storage host opens a link only with its own signature, until it expires.
import assert from 'node:assert/strict';
import * as https from 'node:https';
import { after, before, beforeEach, describe, it } from 'node:test';
import * as zlib from 'node:zlib';
import fetch from 'node-fetch';
import { DefenderSimulator, startDefenderSimulator } from './defenderSimulator';
import { DownloadSimulator, LINK_LIFETIME_MS, resultLinks, startDownloadSimulator } from './downloadSimulator';
import { RawAction } from './seedActions';
import { ensureTlsMaterial } from './tls';

let api: DefenderSimulator;
let store: DownloadSimulator;
let agent: https.Agent;
let storeTime = Date.now();

async function ask(path: string, scopes?: string[], method = 'GET'): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${api.url}${path}`, { method, agent, headers: { authorization: `Bearer ${api.createToken({ scopes })}` } });
  return { status: response.status, body: await response.json() as Record<string, unknown> };
}

function id(predicate: (a: RawAction) => boolean): string {
  const action = api.actions.find(predicate);
  assert.ok(action);
  return action.id;
}

const succeededLive = () => id((a) => a.type === 'LiveResponse' && a.status === 'Succeeded');
const runningLive = () => id((a) => a.type === 'LiveResponse' && a.status === 'InProgress');
const succeededPackage = () => id((a) => a.type === 'CollectInvestigationPackage' && a.status === 'Succeeded');

before(async () => {
  const tls = ensureTlsMaterial();
  store = await startDownloadSimulator({ tls, now: () => storeTime });
  api = await startDefenderSimulator({ tls, resultLink: resultLinks(store) });
  agent = new https.Agent({ ca: tls.caPem });
});

after(async () => {
  agent.destroy();
  await Promise.all([api.close(), store.close()]);
});

beforeEach(() => {
  api.reset();
  store.reset();
  storeTime = Date.now();
});

describe('Defender simulator: link calls', () => {
  it('answers an Edm.String with a link on the storage host, for any casing of the path', async () => {
    const { status, body } = await ask(`/api/machineactions/${succeededLive()}/getliveresponseresultdownloadlink(index=0)`);
    assert.equal(status, 200);
    assert.match(String(body['@odata.context']), /#Edm\.String$/);
    assert.ok(String(body.value).startsWith(`${store.origin}/results/`));
  });

  it('refuses what has no result, an unknown id, another method, and a token without the permission', async () => {
    const cases: Array<[string, number, RegExp, string[]?, string?]> = [
      [`/api/machineactions/${runningLive()}/GetLiveResponseResultDownloadLink(index=1)`, 400, /Command 1 has no result: its status is InProgress/],
      [`/api/machineactions/${succeededLive()}/GetLiveResponseResultDownloadLink(index=7)`, 400, /Invalid command index '7'/],
      [`/api/machineactions/${succeededPackage()}/GetLiveResponseResultDownloadLink(index=0)`, 400, /not a live response action/],
      [`/api/machineactions/${succeededLive()}/getPackageUri`, 400, /not a CollectInvestigationPackage action/],
      [`/api/machineactions/${id((a) => a.type === 'CollectInvestigationPackage' && a.status === 'TimeOut')}/getPackageUri`, 400, /not available \(status TimeOut\)/],
      ['/api/machineactions/00000000-0000-4000-8000-000000000000/getPackageUri', 404, /was not found/],
      [`/api/machineactions/${succeededPackage()}/getPackageUri`, 405, /does not support http method 'POST'/, undefined, 'POST'],
      [`/api/machineactions/${succeededPackage()}/getPackageUri`, 403, /requires Machine\.CollectForensics/, ['Machine.Read', 'Machine.LiveResponse']],
      [`/api/machineactions/${succeededLive()}/GetLiveResponseResultDownloadLink(index=0)`, 403, /requires Machine\.LiveResponse/, ['Machine.Read', 'Machine.CollectForensics']],
    ];
    for (const [path, status, message, scopes, method] of cases) {
      const answer = await ask(path, scopes, method);
      assert.equal(answer.status, status, path);
      assert.match(String((answer.body.error as Record<string, unknown>).message), message, path);
    }
  });
});

describe('download simulator', () => {
  async function get(link: string): Promise<number> {
    return (await fetch(link, { agent, redirect: 'manual' })).status;
  }

  it('serves a link with its own signature only, until it expires', async () => {
    const link = new URL(store.publish({ body: Buffer.from('x'), contentType: 'text/plain' }));
    const other = new URL(store.publish({ body: Buffer.from('y'), contentType: 'text/plain' }));
    assert.equal(await get(link.href), 200);
    const swapped = new URL(link);
    swapped.searchParams.set('sig', other.searchParams.get('sig') ?? '');
    assert.equal(await get(swapped.href), 403, 'another blob\'s signature');
    storeTime += LINK_LIFETIME_MS;
    assert.equal(await get(link.href), 403, 'expired');
  });

  it('gzipBomb serves a small gzip body that inflates to bombBytes; resetConnections closes the next n connections unanswered', async () => {
    const link = store.publish({ body: Buffer.from('x'), contentType: 'application/zip' });
    store.switches.encoding = 'gzipBomb';
    store.switches.bombBytes = 8 * 1024 * 1024;
    const bomb = await fetch(link, { agent, compress: false });
    assert.equal(bomb.headers.get('content-encoding'), 'gzip');
    const raw = await bomb.buffer();
    assert.ok(raw.length * 1000 < store.switches.bombBytes, `${raw.length} bytes on the wire`);
    assert.equal(zlib.gunzipSync(raw).length, store.switches.bombBytes);
    store.switches.encoding = 'none';
    store.switches.resetConnections = 1;
    await assert.rejects(fetch(link, { agent }), (error: unknown) => (error as { code?: unknown }).code === 'ECONNRESET');
    assert.equal(await get(link), 200, 'only the next one');
    assert.deepEqual(store.requests.map((r) => r.status), [200, 0, 200]);
  });

  it('records the headers it got, and its redirect switches send the client elsewhere', async () => {
    const link = store.publish({ body: Buffer.from('x'), contentType: 'text/plain' });
    store.switches.redirect = 'http';
    const response = await fetch(link, { agent, redirect: 'manual', headers: { 'x-probe': '1' } });
    assert.equal(response.status, 302);
    assert.match(String(response.headers.get('location')), /^http:\/\/127\.0\.0\.1:\d+\/results\//);
    assert.equal(store.requests[0].headers['x-probe'], '1');
  });
});
