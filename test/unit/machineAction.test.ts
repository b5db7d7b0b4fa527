import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isDefenderApiError } from '../../src/defender/errors';
import {
  cancelCommentProblem,
  completedDespiteCancellation,
  isCancellable,
  isFinal,
  isGuid,
  KNOWN_STATUSES,
  listEnvelope,
  parseMachineAction,
  ranBeforeCancellation,
  shortMachineId,
} from '../../src/defender/machineAction';
import { seedActions } from '../simulators/seedActions';
import { ACTION_ID, machineAction, rawMachineAction } from '../support/machineAction';


/** The statuses after which nothing changes any more (SPEC §1), in their one spelling. */
const FINAL_STATUSES = ['Succeeded', 'Cancelled', 'Failed', 'TimeOut'];

function assertMalformed(fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(isDefenderApiError(error), 'a DefenderApiError');
    assert.equal(error.kind, 'malformed');
    assert.match(error.message, pattern);
    return true;
  });
}

describe('parseMachineAction', () => {
  it('maps every documented field and keeps the original object', () => {
    const raw = rawMachineAction();
    const action = parseMachineAction(raw);
    assert.equal(action.id, ACTION_ID);
    assert.equal(action.type, 'Isolate');
    assert.equal(action.scope, 'Selective');
    assert.equal(action.status, 'Pending');
    assert.equal(action.requestor, 'analyst@contoso.com');
    assert.equal(action.requestorComment, 'suspicious beaconing');
    assert.equal(action.computerDnsName, 'ws-0042.contoso.local');
    assert.equal(action.creationDateTimeUtc, '2026-03-01T10:00:00.1234567Z');
    assert.equal(action.lastUpdateDateTimeUtc, '2026-03-01T10:01:00Z');
    assert.equal(action.externalId, 'ext-1');
    assert.equal(action.requestSource, 'PublicApi');
    assert.equal(action.errorHResult, 0);
    assert.deepEqual(action.commands, []);
    assert.equal(action.raw, raw);
  });

  it('accepts the old spellings lastUpdateTimeUtc and externalID', () => {
    const raw = rawMachineAction();
    delete raw.lastUpdateDateTimeUtc;
    delete raw.externalId;
    raw.lastUpdateTimeUtc = '2026-03-02T00:00:00Z';
    raw.externalID = 'EXT-OLD';
    const action = parseMachineAction(raw);
    assert.equal(action.lastUpdateDateTimeUtc, '2026-03-02T00:00:00Z');
    assert.equal(action.externalId, 'EXT-OLD');
  });

  it('keeps unknown type and status values as they are', () => {
    const action = machineAction({ type: 'ContainDevice', status: 'Queued' });
    assert.equal(action.type, 'ContainDevice');
    assert.equal(action.status, 'Queued');
    assert.equal(isCancellable(action.status), false);
    assert.equal(isFinal(action.status), false);
  });

  it('turns missing optional fields into null and missing type/status into Unknown', () => {
    const action = parseMachineAction({ id: ACTION_ID });
    assert.equal(action.type, 'Unknown');
    assert.equal(action.status, 'Unknown');
    for (const field of ['scope', 'title', 'requestor', 'requestorComment', 'machineId', 'computerDnsName', 'creationDateTimeUtc',
      'lastUpdateDateTimeUtc', 'cancellationRequestor', 'cancellationComment', 'cancellationDateTimeUtc', 'externalId',
      'requestSource', 'errorHResult', 'relatedFileInfo', 'troubleshootInfo'] as const) {
      assert.equal(action[field], null, field);
    }
    assert.deepEqual(action.commands, []);
  });

  it('ignores extra fields', () => {
    const action = machineAction({ '@odata.context': 'x/$entity', newField: { deep: [1, 2] } });
    assert.equal(action.id, ACTION_ID);
    assert.equal((action as unknown as Record<string, unknown>).newField, undefined);
  });

  it('turns wrong-typed optional fields into null rather than failing', () => {
    const action = parseMachineAction({
      ...rawMachineAction(),
      type: 42,
      status: ['Pending'],
      computerDnsName: 17,
      creationDateTimeUtc: {},
      errorHResult: '-2147024891',
      relatedFileInfo: 'file',
      commands: 'none',
      requestor: false,
    });
    assert.equal(action.type, 'Unknown');
    assert.equal(action.status, 'Unknown');
    assert.equal(action.computerDnsName, null);
    assert.equal(action.creationDateTimeUtc, null);
    assert.equal(action.errorHResult, null);
    assert.equal(action.relatedFileInfo, null);
    assert.deepEqual(action.commands, []);
    assert.equal(action.requestor, null);
  });

  it('reads relatedFileInfo, troubleshootInfo and live-response commands, tolerating odd elements', () => {
    const action = parseMachineAction({
      ...rawMachineAction(),
      type: 'LiveResponse',
      relatedFileInfo: { fileIdentifier: 'a'.repeat(40), fileIdentifierType: 'Sha1', extra: true },
      troubleshootInfo: { duration: 4 },
      commands: [
        {
          index: 0,
          startTime: '2026-03-01T10:00:05Z',
          endTime: null,
          commandStatus: 'Completed',
          errors: ['first', 3, null, 'second'],
          command: { type: 'RunScript', params: [{ key: 'ScriptName', value: 'collect.ps1' }, { key: 'Timeout', value: 30 }, { value: 'no key' }, 'junk'] },
        },
        'not a command',
        { index: 'one', command: null },
      ],
    });
    assert.deepEqual(action.relatedFileInfo, { fileIdentifier: 'a'.repeat(40), fileIdentifierType: 'Sha1' });
    assert.deepEqual(action.troubleshootInfo, { duration: 4 });
    assert.equal(action.commands.length, 2);
    assert.deepEqual(action.commands[0], {
      index: 0,
      startTime: '2026-03-01T10:00:05Z',
      endTime: null,
      commandStatus: 'Completed',
      errors: ['first', 'second'],
      command: { type: 'RunScript', params: [{ key: 'ScriptName', value: 'collect.ps1' }, { key: 'Timeout', value: '30' }] },
    });
    assert.deepEqual(action.commands[1], {
      index: null, startTime: null, endTime: null, commandStatus: null, errors: [], command: { type: null, params: [] },
    });
  });

  it('refuses a value that is not an object, or has no id, with a malformed error', () => {
    assertMalformed(() => parseMachineAction(null), /null where a machine action was expected/);
    assertMalformed(() => parseMachineAction([rawMachineAction()]), /an array/);
    assertMalformed(() => parseMachineAction('Pending'), /a string/);
    assertMalformed(() => machineAction({ id: undefined }), /without an id/);
    assertMalformed(() => machineAction({ id: '  ' }), /without an id/);
    assertMalformed(() => machineAction({ id: 12 }), /without an id/);
  });

  it('names the request in a malformed error when given one', () => {
    assert.throws(() => parseMachineAction(7, { method: 'GET', path: `/api/machineactions/${ACTION_ID}` }), (error: unknown) =>
      isDefenderApiError(error) && error.method === 'GET' && error.path === `/api/machineactions/${ACTION_ID}`);
  });
});

describe('listEnvelope', () => {
  it('takes the value array and the nextLink', () => {
    const elements = [rawMachineAction(), { ...rawMachineAction(), id: 'b'.repeat(8) }];
    const page = listEnvelope({
      '@odata.context': 'https://api.security.microsoft.com/api/$metadata#MachineActions',
      value: elements,
      '@odata.nextLink': 'https://api.security.microsoft.com/api/machineactions?$skip=2',
    });
    assert.deepEqual(page.elements, elements);
    assert.equal(page.nextLink, 'https://api.security.microsoft.com/api/machineactions?$skip=2');
    assert.equal(listEnvelope({ value: [], '@odata.nextLink': '' }).nextLink, null);
  });

  it('refuses an answer without a value array', () => {
    assertMalformed(() => listEnvelope({ values: [] }), /without a "value" array/);
    assertMalformed(() => listEnvelope({ value: {} }), /without a "value" array/);
    assertMalformed(() => listEnvelope([rawMachineAction()]), /without a "value" array/);
    assertMalformed(() => listEnvelope(null), /without a "value" array/);
  });
});

describe('status and id helpers', () => {
  it('knows which statuses are final and which can be cancelled, in any case', () => {
    assert.deepEqual([...FINAL_STATUSES].sort(), ['Cancelled', 'Failed', 'Succeeded', 'TimeOut']);
    for (const s of ['Pending', 'InProgress', 'pending', 'INPROGRESS']) {
      assert.equal(isCancellable(s), true, s);
      assert.equal(isFinal(s), false, s);
    }
    for (const s of ['Succeeded', 'Cancelled', 'Failed', 'TimeOut', 'timeout', 'CANCELLED']) {
      assert.equal(isCancellable(s), false, s);
      assert.equal(isFinal(s), true, s);
    }
    assert.equal(isCancellable(null), false);
    assert.equal(isFinal(undefined), false);
    assert.deepEqual(KNOWN_STATUSES.filter(isCancellable), ['Pending', 'InProgress'], 'a status in its one spelling');
  });

  it('recognises the completed-anyway cancel race only when every command completed', () => {
    const command = (commandStatus: string) => ({ index: 0, commandStatus, command: { type: 'RunScript', params: [] } });
    const action = (status: string, commands: unknown[]) => machineAction({ status, commands });
    assert.equal(completedDespiteCancellation(action('Cancelled', [command('Completed'), command('completed')])), true);
    assert.equal(completedDespiteCancellation(action('Cancelled', [command('Completed'), command('Cancelled')])), false);
    assert.equal(completedDespiteCancellation(action('Cancelled', [])), false);
    assert.equal(completedDespiteCancellation(action('Succeeded', [command('Completed')])), false);
  });

  it('reads a command status and type in any spelling: a partly run live response is never a clean cancel', () => {
    const command = (commandStatus: string, type = 'RunScript') => ({ index: 0, commandStatus, command: { type, params: [{ key: 'ScriptName', value: 'triage.ps1' }] } });
    const action = (commands: unknown[]) => machineAction({ type: 'LiveResponse', status: 'Cancelled', commands });
    for (const spelling of ['Completed ', 'Completed\u200b', 'COMPLETED', ' completed']) {
      const partly = action([command(spelling, 'run_script'), command('Canceled')]);
      assert.deepEqual(partly.commands.map((c) => [c.commandStatus, c.command.type]), [['Completed', 'RunScript'], ['Cancelled', 'RunScript']], spelling);
      assert.equal(ranBeforeCancellation(partly), 'RunScript triage.ps1', JSON.stringify(spelling));
      assert.equal(completedDespiteCancellation(action([command('Completed'), command(spelling)])), true, JSON.stringify(spelling));
    }
    assert.equal(machineAction({ commands: [{ index: 0 }] }).commands[0].commandStatus, null, 'absent stays absent');
  });

  it('describes a command of any type, also one named like an object property (constructor, __proto__, toString)', () => {
    for (const type of ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf', 'CONSTRUCTOR']) {
      const action = machineAction({ type: 'LiveResponse', status: 'Cancelled', commands: [{ commandStatus: 'Completed', command: { type, params: [{ key: 'Path', value: 'C:\\x' }] } }] });
      assert.match(ranBeforeCancellation(action) ?? '', /^\S+ C:\\x$/, type);
    }
  });

  it('checks GUIDs', () => {
    assert.equal(isGuid(ACTION_ID), true);
    assert.equal(isGuid(ACTION_ID.toUpperCase()), true);
    assert.equal(isGuid(`{${ACTION_ID}}`), false);
    assert.equal(isGuid(`${ACTION_ID}/cancel`), false);
    assert.equal(isGuid('../machines'), false);
    assert.equal(isGuid(''), false);
    assert.equal(isGuid(undefined), false);
  });

  it('shortens a machine id for display', () => {
    assert.equal(shortMachineId('1e5bc9d7e413ddd7902c2932e418702b84d0cc07'), '1e5bc9d7…');
    assert.equal(shortMachineId('short'), 'short');
    assert.equal(shortMachineId(null), '');
  });

  it('validates a cancel comment as the API and the input box need it', () => {
    assert.equal(cancelCommentProblem('  wrong host  '), undefined);
    assert.match(cancelCommentProblem('   ') ?? '', /required/);
    assert.match(cancelCommentProblem('x'.repeat(1001)) ?? '', /1001 characters.*at most 1000/);
    assert.equal(cancelCommentProblem(` ${'x'.repeat(1000)} `), undefined);
    assert.match(cancelCommentProblem('line one\nline two') ?? '', /U\+000A, a control/);
  });

  it('refuses bidi overrides, zero-width and other invisible characters in the comment, naming each as U+XXXX', () => {
    for (const [character, name] of [['\u202e', 'U+202E'], ['\u202a', 'U+202A'], ['\u2066', 'U+2066'], ['\u2069', 'U+2069'],
      ['\u200b', 'U+200B'], ['\u200f', 'U+200F'], ['\u2060', 'U+2060'], ['\u2064', 'U+2064'], ['\ufeff', 'U+FEFF'],
      ['\u00ad', 'U+00AD'], ['\u{e0041}', 'U+E0041'], ['\t', 'U+0009']]) {
      const problem = cancelCommentProblem(`wrong host${character}, reimaged`);
      assert.ok(problem?.includes(name), `${name}: ${problem}`);
    }
    assert.equal(cancelCommentProblem('Falscher Host – nicht isolieren, ünd 日本語 🙂'), undefined, 'ordinary Unicode text passes');
  });
});

describe('one spelling, one meaning (SPEC §1 field shapes)', () => {
  it('parses every spelling of a status or type to one canonical value and keeps the raw one', () => {
    for (const status of ['Canceled', 'canceled', 'CANCELLED', 'Cancelled', ' cancelled ']) {
      const action = machineAction({ status });
      assert.equal(action.status, 'Cancelled', status);
      assert.equal(isFinal(action.status), true, `${status} is final`);
      assert.equal(action.raw.status, status, 'the raw spelling stays for the details document');
    }
    for (const status of ['In Progress', 'inProgress', 'IN_PROGRESS', 'in-progress']) {
      assert.equal(machineAction({ status }).status, 'InProgress', status);
      assert.equal(isCancellable(machineAction({ status }).status), true, status);
    }
    assert.equal(machineAction({ status: 'Timed Out' }).status, 'TimeOut');
    for (const type of ['Live Response', 'liveResponse', 'live_response', 'LIVERESPONSE']) {
      assert.equal(machineAction({ type }).type, 'LiveResponse', type);
    }
    assert.equal(machineAction({ type: 'run antivirus scan' }).type, 'RunAntiVirusScan');
    assert.equal(machineAction({ type: 'collect_file' }).type, machineAction({ type: 'CollectFile' }).type, 'an unknown type in one spelling too');
    assert.equal(machineAction({ status: 'QUEUED' }).status, machineAction({ status: 'queued' }).status);
    assert.equal(machineAction({ status: '  ' }).status, 'Unknown');
    for (const blank of ['_', '-', '__', ' - ', '_\u200b_', '\u2800', '\u3164']) {
      const action = machineAction({ type: blank, status: blank });
      assert.deepEqual([action.type, action.status], ['Unknown', 'Unknown'], `separators or blank-looking only: ${JSON.stringify(blank)}`);
    }
  });

  it('reads a scope in one spelling, and a blank one as none', () => {
    for (const [scope, expected] of [['quick', 'Quick'], ['QUICK', 'Quick'], [' Quick', 'Quick'], ['selective', 'Selective'], ['FULL', 'Full'],
      ['Partial', 'Partial'], ['ws-1', 'ws-1'], ['', null], ['  ', null], ['\u200b', null], [null, null], [5, null]] as const) {
      assert.equal(machineAction({ scope }).scope, expected, JSON.stringify(scope));
    }
  });

  it('reads a spelling the same however many other values came before (a server may send a new one per row)', () => {
    const hostile = Array.from({ length: 2_000 }, (_, i) => machineAction({ status: `Queued ${i}`, type: 'x'.repeat(100 + i) }));
    assert.deepEqual([hostile[0].status, hostile[1_999].status, hostile[1_999].type.length], ['Queued0', 'Queued1999', 2_099]);
    for (let round = 0; round < 2; round++) {
      assert.equal(machineAction({ status: ' canceled ' }).status, 'Cancelled', `round ${round}`);
      assert.equal(machineAction({ status: 'Pend\u200bing' }).status, 'Pending', `round ${round}`);
      assert.equal(machineAction({ status: 'queued_7' }).status, 'Queued7', `round ${round}`);
      assert.equal(machineAction({ type: 'live_response' }).type, 'LiveResponse', `round ${round}`);
    }
    assert.equal(machineAction({ status: 'in progress'.repeat(10_000) }).status.length, 100_000, 'a long value is read, not cut');
  });

  it('tells apart spellings of one length, however many a server sends: each read right, the first time and again', () => {
    const sameLength = Array.from({ length: 40 }, (_, i) => `queued_${String(i).padStart(2, '0')}`);
    for (let round = 0; round < 2; round++) {
      assert.deepEqual(sameLength.map((status) => machineAction({ status }).status), sameLength.map((_, i) => `Queued${String(i).padStart(2, '0')}`), `round ${round}`);
      assert.deepEqual(['Succeeded', 'Cancelled', 'cancelled', 'succeeded'].map((status) => machineAction({ status }).status), ['Succeeded', 'Cancelled', 'Cancelled', 'Succeeded'], `round ${round}`);
    }
    const started = performance.now();
    const rows = Array.from({ length: 10_000 }, (_, i) => machineAction({ type: `t${String(i).padStart(8, '0')}` }));
    assert.equal(rows[9_999].type, 'T00009999');
    assert.ok(performance.now() - started < 1_000, 'a new value of one length per row is read in linear time');
  });

  it('the final-state and cancellable checks accept any spelling', () => {
    for (const s of ['Canceled', 'timed out', 'succeeded']) {
      assert.equal(isFinal(s), true, s);
    }
    assert.equal(isCancellable('in progress'), true);
  });

  it('reads a …Utc time without a zone designator as UTC, whatever the local time zone and spelling', () => {
    const zone = process.env.TZ;
    process.env.TZ = 'America/New_York';
    try {
      const action = machineAction({ creationDateTimeUtc: '2026-03-01T14:05:00.1234567', lastUpdateDateTimeUtc: '2026-03-01T14:06:00',
        cancellationDateTimeUtc: '2026-03-01T14:07:00.123' });
      assert.equal(Date.parse(action.creationDateTimeUtc ?? ''), Date.UTC(2026, 2, 1, 14, 5, 0, 123));
      assert.equal(Date.parse(action.lastUpdateDateTimeUtc ?? ''), Date.UTC(2026, 2, 1, 14, 6));
      assert.equal(Date.parse(action.cancellationDateTimeUtc ?? ''), Date.UTC(2026, 2, 1, 14, 7, 0, 123));
      assert.equal(action.raw.creationDateTimeUtc, '2026-03-01T14:05:00.1234567', 'the raw text is kept');
      for (const spelling of ['2026-03-01 14:05:00', '2026-03-01 14:05:00.1234567', '2026-03-01t14:05:00', '2026-03-01T14:05:00.12345678']) {
        const other = machineAction({ creationDateTimeUtc: spelling });
        assert.equal(Date.parse(other.creationDateTimeUtc ?? ''), Date.UTC(2026, 2, 1, 14, 5, 0, spelling.includes('.') ? 123 : 0), spelling);
        assert.match(other.creationDateTimeUtc ?? '', /^2026-03-01T14:05:00(\.\d+)?Z$/, spelling);
      }
      const zoned = machineAction({ creationDateTimeUtc: '2026-03-01T14:05:00.123456+01:00' });
      assert.equal(Date.parse(zoned.creationDateTimeUtc ?? ''), Date.UTC(2026, 2, 1, 13, 5, 0, 123), 'a zone that is there counts');
    } finally {
      process.env.TZ = zone;
      if (zone === undefined) {
        delete process.env.TZ;
      }
    }
  });

  it('the seed toggles produce the other spellings and zoneless times, and they parse like the canonical seed', () => {
    const now = new Date('2026-03-10T12:00:00Z');
    const canonical = seedActions(now).map((raw) => parseMachineAction(raw));
    const variantRaw = seedActions(now, { enumSpelling: 'variant', timeFormat: 'zoneless' });
    assert.ok(variantRaw.some((a) => a.status === 'Canceled') && variantRaw.some((a) => a.type === 'Live Response'));
    assert.ok(variantRaw.every((a) => typeof a.creationDateTimeUtc === 'string' && !a.creationDateTimeUtc.endsWith('Z')));
    const variant = variantRaw.map((raw) => parseMachineAction(raw));
    assert.deepEqual(variant.map((a) => [a.type, a.status]), canonical.map((a) => [a.type, a.status]));
    assert.ok(variantRaw.some((a) => JSON.stringify(a.commands ?? []).includes('Completed ')), 'command statuses vary too');
    const commandsOf = (actions: typeof canonical) => actions.map((a) => a.commands.map((c) => [c.commandStatus, c.command.type]));
    assert.deepEqual(commandsOf(variant), commandsOf(canonical));
    assert.deepEqual(variant.map((a) => Math.floor(Date.parse(a.creationDateTimeUtc ?? '') / 1000)),
      canonical.map((a) => Math.floor(Date.parse(a.creationDateTimeUtc ?? '') / 1000)));
  });
});
