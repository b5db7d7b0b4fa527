// The two link calls (live response output, investigation package) against the Defender simulator, with the download
// simulator wired in as in the demo; and the pure checks that say "no result yet" without a request.
import assert from 'node:assert/strict';
import * as https from 'node:https';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { DefenderClient } from '../../src/defender/client';
import { DefenderApiError, isDefenderApiError } from '../../src/defender/errors';
import { MachineAction, parseMachineAction } from '../../src/defender/machineAction';
import { availableResults, commandIndexes, resultUnavailableReason, suggestedFileName } from '../../src/defender/resultLinks';
import { DEFAULT_SCOPES, DefenderSimulator, startDefenderSimulator } from '../simulators/defenderSimulator';
import { DownloadSimulator, resultLinks, startDownloadSimulator } from '../simulators/downloadSimulator';
import { RawAction } from '../simulators/seedActions';
import { ensureTlsMaterial } from '../simulators/tls';
import { ManualClock } from '../support/manualClock';
import { RecordingLogger } from '../support/recordingLogger';

let sim: DefenderSimulator;
let store: DownloadSimulator;
let agent: https.Agent;
const logger = new RecordingLogger();
/** When set, the link the API hands out instead of a real one on the storage host. */
let offeredLink: string | undefined;

/** Waits pass at once and move this clock on by as much, so the client's retries cost no real time. */
const instantClock = new ManualClock({ sleeps: 'instant' });

function client(scopes: readonly string[] = DEFAULT_SCOPES): DefenderClient {
  const token = sim.createToken({ scopes: [...scopes] });
  return new DefenderClient({
    apiBaseUrl: sim.url, agent, clock: instantClock,
    logger,
    getAccessToken: async () => token,
  });
}

function seed(predicate: (action: RawAction) => boolean): MachineAction {
  const raw = sim.actions.find(predicate);
  assert.ok(raw, 'the seed has such an action');
  return parseMachineAction(structuredClone(raw));
}

/** `action` as the API would send it with `changes` (another spelling of its type or status), parsed again. */
function reparsed(action: MachineAction, changes: Partial<RawAction>): MachineAction {
  return parseMachineAction({ ...action.raw, ...changes });
}

const completedLiveResponse = () => seed((a) => a.type === 'LiveResponse' && a.status === 'Succeeded');
const runningLiveResponse = () => seed((a) => a.type === 'LiveResponse' && a.status === 'InProgress');
const succeededPackage = () => seed((a) => a.type === 'CollectInvestigationPackage' && a.status === 'Succeeded');
const pendingPackage = () => seed((a) => a.type === 'CollectInvestigationPackage' && a.status === 'Pending');

async function rejectsWith(promise: Promise<unknown>, check: (error: DefenderApiError) => void): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(isDefenderApiError(error), `expected a DefenderApiError, got ${String(error)}`);
    check(error);
    return true;
  });
}

before(async () => {
  const tls = ensureTlsMaterial();
  store = await startDownloadSimulator({ tls });
  const published = resultLinks(store);
  sim = await startDefenderSimulator({ tls, resultLink: (action, index) => offeredLink ?? published(action, index) });
  agent = new https.Agent({ ca: tls.caPem });
});

after(async () => {
  agent.destroy();
  await Promise.all([sim.close(), store.close()]);
});

beforeEach(() => {
  sim.reset();
  store.reset();
  logger.clear();
  offeredLink = undefined;
});

afterEach(() => {
  for (const line of logger.messages()) {
    for (const signature of store.signatures) {
      assert.ok(!line.includes(signature), `a log line holds a link's signature: ${line}`);
    }
    assert.doesNotMatch(line, /sig=|simtoken/, `a log line holds a secret: ${line}`);
  }
});

describe('getResultLink: live response output', () => {
  it('asks GetLiveResponseResultDownloadLink(index=i) once and returns the https link on the storage origin', async () => {
    const action = completedLiveResponse();
    const link = await client().getResultLink(action, { kind: 'commandOutput', index: 1 });
    assert.equal(sim.requests.length, 1);
    assert.equal(sim.requests[0].method, 'GET');
    assert.equal(sim.requests[0].path, `/api/machineactions/${action.id}/GetLiveResponseResultDownloadLink(index=1)`);
    assert.equal(link.protocol, 'https:');
    assert.equal(link.origin, store.origin);
    assert.notEqual(link.origin, sim.origin);
    assert.ok(link.searchParams.get('sig'), 'the link carries its own signature');
  });

  it('asks again for every request: a link is never cached', async () => {
    const action = completedLiveResponse();
    const api = client();
    const first = await api.getResultLink(action, { kind: 'commandOutput', index: 0 });
    const second = await api.getResultLink(action, { kind: 'commandOutput', index: 0 });
    assert.equal(sim.requests.length, 2);
    assert.notEqual(first.href, second.href);
  });

  it('says a command that has not completed has no output, without calling the API', async () => {
    const action = runningLiveResponse();
    const running = action.commands.findIndex((c) => c.commandStatus !== 'Completed');
    await rejectsWith(client().getResultLink(action, { kind: 'commandOutput', index: running }), (error) => {
      assert.equal(error.kind, 'invalidInput');
      assert.match(error.message, /Command 1 \(RunScript\) .* has no output: it is InProgress/);
    });
    assert.equal(sim.requests.length, 0);
  });

  it('names Machine.LiveResponse when the service refuses with 403', async () => {
    await rejectsWith(client(['Machine.Read']).getResultLink(completedLiveResponse(), { kind: 'commandOutput', index: 0 }), (error) => {
      assert.equal(error.status, 403);
      assert.match(error.message, /Missing permissions/);
      assert.match(error.message, /needs the delegated permission Machine\.LiveResponse/);
      assert.ok(error.correlationId);
    });
  });

  it('names the permission on a 401 that a fresh token did not cure', async () => {
    sim.failNext({ kind: 'status', status: 401 }, { times: 2 });
    await rejectsWith(client().getResultLink(completedLiveResponse(), { kind: 'commandOutput', index: 0 }), (error) => {
      assert.equal(error.status, 401);
      assert.match(error.message, /Sign in again; this call needs the delegated permission Machine\.LiveResponse/);
    });
    assert.equal(sim.requests.length, 2);
  });
});

describe('getResultLink: investigation package', () => {
  it('asks getPackageUri and returns the link', async () => {
    const action = succeededPackage();
    const link = await client().getResultLink(action, { kind: 'investigationPackage' });
    assert.equal(sim.requests[0].path, `/api/machineactions/${action.id}/getPackageUri`);
    assert.equal(link.origin, store.origin);
  });

  it('names Machine.CollectForensics on a 403, and says a collection that has not succeeded has no package', async () => {
    const withoutForensics = DEFAULT_SCOPES.filter((scope) => scope !== 'Machine.CollectForensics');
    await rejectsWith(client(withoutForensics).getResultLink(succeededPackage(), { kind: 'investigationPackage' }), (error) => {
      assert.equal(error.status, 403);
      assert.match(error.message, /Machine\.CollectForensics/);
    });
    sim.clearRequests();
    await rejectsWith(client().getResultLink(pendingPackage(), { kind: 'investigationPackage' }), (error) => {
      assert.equal(error.kind, 'invalidInput');
      assert.match(error.message, /the collection is Pending, and a package exists only once it has Succeeded/);
    });
    assert.equal(sim.requests.length, 0);
  });
});

describe('getResultLink: errors as for the other calls', () => {
  const call = () => client().getResultLink(succeededPackage(), { kind: 'investigationPackage' });

  it('maps 404 with the server message', async () => {
    const gone = reparsed(succeededPackage(), { id: '00000000-0000-4000-8000-000000000000' });
    await rejectsWith(client().getResultLink(gone, { kind: 'investigationPackage' }), (error) => {
      assert.equal(error.status, 404);
      assert.match(error.message, /was not found/);
    });
  });

  it('waits out a 429 and retries; retries a 5xx; explains an HTML page', async () => {
    sim.failNext({ kind: 'status', status: 429, retryAfterSeconds: 2 });
    sim.failNext({ kind: 'status', status: 503 });
    assert.equal((await call()).origin, store.origin);
    assert.equal(sim.requests.length, 3);
    sim.failNext({ kind: 'html', status: 502 }, { times: 3 });
    await rejectsWith(call(), (error) => assert.match(error.message, /HTML page/));
  });

  it('refuses an answer that is not JSON, or whose link is missing or not https', async () => {
    sim.failNext({ kind: 'malformed' });
    await rejectsWith(call(), (error) => assert.equal(error.kind, 'malformed'));
    // JSON cut off after the link: the body, quoted by other calls' errors, holds the signature.
    sim.failNext({ kind: 'malformed', body: '{"value":"https://store.example/r/x?sv=1&sig=CUTSIGNATURE' });
    await rejectsWith(call(), (error) => {
      assert.equal(error.kind, 'malformed');
      assert.match(error.message, /not the expected JSON \(not shown: it may carry a signed link\)/);
      assert.doesNotMatch(error.message, /CUTSIGNATURE|store\.example/);
    });
    for (const [link, message] of [['', /without a download link/], ['not a url', /without a download link/], ['http://127.0.0.1:1/results/x?sig=abc', /not https \(http:\/\/127\.0\.0\.1:1\); it was not used/]] as const) {
      offeredLink = link;
      await rejectsWith(call(), (error) => {
        assert.equal(error.kind, 'malformed');
        assert.match(error.message, message);
        assert.doesNotMatch(error.message, /sig=/);
      });
    }
  });
});

describe('resultUnavailableReason and suggestedFileName (pure)', () => {
  it('accepts only completed commands of live response actions and succeeded packages, in any spelling', () => {
    const action = completedLiveResponse();
    assert.equal(resultUnavailableReason(action, { kind: 'commandOutput', index: 0 }), undefined);
    assert.equal(resultUnavailableReason(reparsed(action, { type: 'live_response' }), { kind: 'commandOutput', index: 0 }), undefined);
    assert.match(resultUnavailableReason(action, { kind: 'commandOutput', index: 5 }) ?? '', /has no command 5 \(it has 2\)/);
    assert.match(resultUnavailableReason(action, { kind: 'commandOutput', index: -1 }) ?? '', /not a command number/);
    assert.match(resultUnavailableReason(action, { kind: 'investigationPackage' }) ?? '', /only a Collect Investigation Package action/);
    assert.match(resultUnavailableReason(succeededPackage(), { kind: 'commandOutput', index: 0 }) ?? '', /only a live response action/);
    const isolate = reparsed(succeededPackage(), { type: 'Isolate' });
    assert.equal(resultUnavailableReason(isolate, { kind: 'commandOutput', index: 0 }),
      `Action ${isolate.id} is an Isolate action: only a live response action has command output.`);
    assert.match(resultUnavailableReason(reparsed(isolate, { type: 'Unknown' }), { kind: 'investigationPackage' }) ?? '', /is an Unknown action:/);
    assert.match(resultUnavailableReason(reparsed(isolate, { type: 'RunAntiVirusScan' }), { kind: 'investigationPackage' }) ?? '', /is a RunAntiVirusScan action:/);
    assert.equal(resultUnavailableReason(reparsed(completedLiveResponse(), { commands: [] }), { kind: 'commandOutput', index: 0 }),
      `Live response action ${action.id} has no commands.`);
    const spelled = reparsed(pendingPackage(), { type: 'Collect Investigation Package', status: 'succeeded' });
    assert.equal(resultUnavailableReason(spelled, { kind: 'investigationPackage' }), undefined);
    assert.deepEqual(availableResults(spelled), { commandOutput: false, investigationPackage: true }, 'the row offers the download');
  });

  it('a live response with 50,000 commands: its row menu and the command pick take linear time, not minutes', () => {
    // Every row drawn asks availableResults for its menu, and the pick asks once per command: a lookup by index that
    // scans the commands made both quadratic (a 60 KB answer of `{}` commands froze the extension host for seconds per
    // row drawn). Linear takes a few ms; the bound is wide so a loaded machine cannot fail it, a quadratic one cannot pass.
    const shapes: Record<string, (i: number) => Record<string, unknown>> = {
      'without an index': () => ({}),
      'with their index': (i) => ({ index: i, commandStatus: 'InProgress' }),
    };
    for (const [shape, command] of Object.entries(shapes)) {
      for (const lastCompleted of [false, true]) {
        const commands = Array.from({ length: 50_000 }, (_, i) => command(i));
        if (lastCompleted) {
          commands[commands.length - 1] = { ...commands[commands.length - 1], commandStatus: 'Completed' };
        }
        const action = reparsed(runningLiveResponse(), { commands });
        const started = performance.now();
        const offered = availableResults(action).commandOutput;
        const ready = commandIndexes(action).filter((index) => !resultUnavailableReason(action, { kind: 'commandOutput', index }));
        const elapsed = performance.now() - started;
        assert.equal(offered, lastCompleted, `${shape}: the row offers the output only when a command completed`);
        assert.deepEqual(ready, lastCompleted ? [49_999] : [], shape);
        assert.ok(elapsed < 1000, `${shape}: ${elapsed.toFixed(1)} ms`);
      }
    }
  });

  it('a command index sent twice: the first command with it answers for it, as before', () => {
    const action = (statuses: string[]) => reparsed(runningLiveResponse(), {
      commands: statuses.map((commandStatus) => ({ index: 1, commandStatus, command: { type: 'RunScript', params: [] } })),
    });
    assert.equal(resultUnavailableReason(action(['Completed', 'Failed']), { kind: 'commandOutput', index: 1 }), undefined);
    assert.match(resultUnavailableReason(action(['Failed', 'Completed']), { kind: 'commandOutput', index: 1 }) ?? '', /it is Failed/);
    assert.match(resultUnavailableReason(action(['Completed']), { kind: 'commandOutput', index: 0 }) ?? '', /has no command 0 \(it has 1\)/,
      'once a command carries an index, a position is no index');
  });

  it('suggests the device and date for a package, the file name for GetFile, and nothing a file system rejects', () => {
    const action = reparsed(succeededPackage(), { computerDnsName: 'ws:01/evil\\..', creationDateTimeUtc: '2026-11-23T08:00:00.1234567Z' });
    assert.equal(suggestedFileName(action, { kind: 'investigationPackage' }), 'ws_01_evil_..-2026-11-23-investigation-package.zip');
    const live = completedLiveResponse();
    assert.equal(suggestedFileName(live, { kind: 'commandOutput', index: 0 }), 'dropper.ps1');
    assert.equal(suggestedFileName(live, { kind: 'commandOutput', index: 1 }), `${live.computerDnsName}-command-1-RunScript.txt`);
    const getFile = (path: string) => suggestedFileName(reparsed(live, {
      commands: [{ index: 0, commandStatus: 'Completed', command: { type: 'GetFile', params: [{ key: 'Path', value: path }] } }],
    }), { kind: 'commandOutput', index: 0 });
    assert.equal(getFile('C:\\Temp\\report\u202efdp.exe'), 'reportfdp.exe', 'a bidi override cannot make it read "reportexe.pdf"');
    assert.equal(getFile('C:\\Temp\\zero\u200bwidth\u2060\u3164.txt'), 'zerowidth.txt', 'nothing invisible or blank-looking');
    assert.equal(getFile('C:\\Temp\\two\u2028lines.txt'), 'two_lines.txt');
    assert.deepEqual(['CON', 'nul.txt', 'COM1.log', 'lpt9', 'console.txt'].map((name) => getFile(`C:\\${name}`)), ['_CON', '_nul.txt', '_COM1.log', '_lpt9', 'console.txt'], 'a Windows device name');
  });
});
