// The words and names of the result commands: sizes in a progress notification, and the read-only output document's
// name (command, device, time) and language.
import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { progressText } from '../../src/commands/transferText';
import { byteSize, byteSizes } from '../../src/shared/byteSize';
import { parseMachineAction } from '../../src/defender/machineAction';
import { outputDocumentContent, outputDocumentName } from '../../src/views/commandOutputText';
import { seedActions } from '../simulators/seedActions';

describe('resultCommandsText', () => {
  it('sizes read one way everywhere (progress, "Saved …", the caps): bytes, KiB, MiB, GiB, and the share of a known total', () => {
    assert.deepEqual([0, 812, 1023, 4300, 13_107_200, 1_181_116_006].map(byteSize), ['0 bytes', '812 bytes', '1,023 bytes', '4.2 KiB', '12.5 MiB', '1.1 GiB']);
    assert.equal(progressText(1_300_000, 4_194_304), '1.2 MiB of 4 MiB (30%)');
    assert.equal(progressText(2048), '2 KiB', 'no Content-Length: the bytes alone');
    assert.equal(progressText(10, 0), '10 bytes');
    assert.deepEqual(byteSizes(4 * 1024 ** 3 + 1, 4 * 1024 ** 3), ['4,294,967,297 bytes', '4,294,967,296 bytes'], 'a size just over a cap never reads as the cap');
    assert.deepEqual(byteSizes(6 * 1024 ** 2, 5 * 1024 ** 2), ['6 MiB', '5 MiB']);
  });

  it('JSON output is pretty-printed and named .json; anything else stays as it came, named .txt', () => {
    assert.deepEqual(outputDocumentContent('{"exit_code":0,"script_output":"ok"}'), { text: '{\n  "exit_code": 0,\n  "script_output": "ok"\n}\n', extension: 'json' });
    assert.deepEqual(outputDocumentContent('  [1, 2]\n'), { text: '[\n  1,\n  2\n]\n', extension: 'json' });
    assert.deepEqual(outputDocumentContent('{not json'), { text: '{not json', extension: 'txt' });
    assert.deepEqual(outputDocumentContent('Processes: 142\n'), { text: 'Processes: 142\n', extension: 'txt' });
  });

  it('the document name says the command, the device and when the command ended, with nothing a path misreads', () => {
    const action = parseMachineAction(seedActions(new Date('2026-03-10T12:00:00Z')).find((a) => a.type === 'LiveResponse' && a.status === 'Succeeded')!);
    action.commands[1].endTime = '2026-03-10T07:05:09.1234567';
    const name = outputDocumentName(action, 1, Date.UTC(2026, 2, 10, 12));
    assert.equal(name, `${action.commands[1].command.type} ${action.commands[1].command.params[0].value} · ${action.computerDnsName} · 2026-03-10 0705 UTC`);
    action.commands[0].endTime = null;
    assert.match(outputDocumentName(action, 0, Date.UTC(2026, 2, 10, 12, 30)), /^GetFile dropper\.ps1 · .* · 2026-03-10 1230 UTC$/, 'a path\'s last part; no end time: the time fetched');
    action.commands[0].endTime = '2026-02-30T08:00:00';
    assert.match(outputDocumentName(action, 0, Date.UTC(2026, 2, 10, 12, 30)), / · 2026-03-10 1230 UTC$/, 'an end time that is no date: the time fetched, not 2 March');
    const evil = parseMachineAction({ ...action.raw, computerDnsName: 'evil/..\\dev:ice\u202e #1%2"?' });
    evil.commands[0].endTime = null;
    assert.equal(outputDocumentName(evil, 0, 0), 'GetFile dropper.ps1 · evil_.._dev_ice _1_2_ · 1970-01-01 0000 UTC',
      'what a file system, a tab or a URI path would misread is `_`, a run of it one `_`; invisible characters go');
  });
});
