// A live response cancelled while some of its commands had already run on the device (issue 8 item 2): the engineer
// learns which (type and main parameter) in the outcome notification, the row's tooltip and the details document —
// none ran, some ran, all ran — through the real client against the HTTPS Defender simulator.
import { test, before, after, beforeEach } from 'node:test';
import * as assert from 'node:assert/strict';
import * as https from 'node:https';
import { runCancel } from '../../src/commands/cancelFlow';
import { outcomeEntity, presentCancelOutcome } from '../../src/commands/cancelOutcome';
import { DefenderClient } from '../../src/defender/client';
import { describeLiveResponseCommand, MachineAction, parseMachineAction } from '../../src/defender/machineAction';
import { detailsText } from '../../src/views/detailsText';
import { actionTooltipMarkdown } from '../../src/views/presentation';
import { DefenderSimulator, startDefenderSimulator } from '../simulators/defenderSimulator';

// VS Code renders tooltips with a CommonMark renderer; markdown-it is one. The tooltip is checked as the user reads it.
const MarkdownIt = require('markdown-it') as new (options: object) => { render(source: string): string };
const renderer = new MarkdownIt({ html: false, linkify: true });
const tooltipText = (action: MachineAction): string => renderer.render(actionTooltipMarkdown(action, Date.now())).replace(/<[^>]*>/g, '');

const COMMENT = 'Wrong device';
const SUBJECT = 'Live Response on ws-fin-0142';
let sim: DefenderSimulator;
let agent: https.Agent;

before(async () => {
  sim = await startDefenderSimulator();
  agent = new https.Agent({ ca: sim.caPem });
});

after(async () => {
  agent.destroy();
  await sim.close();
});

beforeEach(() => sim.reset());

function client(): DefenderClient {
  const quiet = () => undefined;
  const token = sim.createToken();
  return new DefenderClient({
    apiBaseUrl: sim.url, agent, timeoutMs: 5000,
    logger: { trace: quiet, debug: quiet, info: quiet, warn: quiet, error: quiet },
    getAccessToken: async () => token,
  });
}

/** The cancellable live response with `commands` commands, cancelled after `arrange`; its outcome and entity. */
async function cancelLiveResponse(commands: number, arrange: (id: string) => void = () => undefined) {
  const raw = sim.actions.find((a) => Array.isArray(a.commands) && a.commands.length === commands && ['Pending', 'InProgress'].includes(String(a.status)));
  assert.ok(raw, `the seed has a cancellable live response with ${commands} command(s)`);
  arrange(raw.id);
  const outcome = await runCancel(client(), { id: raw.id, comment: COMMENT });
  const entity = outcomeEntity(outcome);
  assert.ok(entity);
  return { outcome, entity, shown: presentCancelOutcome(outcome, SUBJECT) };
}

const RAN_LINE = 'Already ran on the device: GetFile C:\\Windows\\Temp\\dropper.ps1';

test('none ran: a clean cancel, nothing named', async () => {
  const { shown, entity } = await cancelLiveResponse(1);
  assert.deepEqual([shown.severity, shown.message], ['info', `${SUBJECT} cancelled.`]);
  assert.doesNotMatch(tooltipText(entity), /Already ran/);
  assert.doesNotMatch(detailsText(entity, Date.now()), /Already ran/);
});

test('some ran: cancelled, and the notification, the tooltip and the details name what had already run', async () => {
  const { outcome, shown, entity } = await cancelLiveResponse(2, (id) => sim.finishBeforeCancel(id, 'partlyRun'));
  assert.equal(outcome.kind, 'cancelled');
  assert.equal(shown.severity, 'warning');
  assert.equal(shown.message, `${SUBJECT} cancelled, but part of it had already run. ${RAN_LINE}.`);
  assert.ok(tooltipText(entity).includes(RAN_LINE), tooltipText(entity));
  assert.match(detailsText(entity, Date.now()), /^\/\/ Already ran on the device: +GetFile C:\\Windows\\Temp\\dropper\.ps1$/m);
});

test('all ran: the work was done anyway, and each command is named', async () => {
  const { outcome, shown, entity } = await cancelLiveResponse(2, (id) => sim.finishBeforeCancel(id, 'completedAnyway'));
  assert.equal(outcome.kind, 'alreadyFinished');
  assert.match(shown.message, /the work was done anyway\. Already ran on the device: GetFile C:\\Windows\\Temp\\dropper\.ps1, RunScript collect-triage\.ps1\.$/);
  assert.match(detailsText(entity, Date.now()), /Already ran on the device: +GetFile .*, RunScript collect-triage\.ps1$/m);
});

test('a command is named by its type and main parameter, whatever the order or case of its parameters', () => {
  const command = (type: string | null, params: Array<{ key: string; value: string }>): MachineAction['commands'][number] =>
    parseMachineAction({ id: 'x', commands: [{ commandStatus: 'Completed', command: { type, params } }] }).commands[0];
  assert.equal(describeLiveResponseCommand(command('RunScript', [{ key: 'Args', value: '-v' }, { key: 'scriptname', value: 'triage.ps1' }])), 'RunScript triage.ps1');
  assert.equal(describeLiveResponseCommand(command('GetFile', [{ key: 'Path', value: 'C:\\x.log' }])), 'GetFile C:\\x.log');
  assert.equal(describeLiveResponseCommand(command('PutFile', [{ key: 'FileName', value: 'tool.exe' }])), 'PutFile tool.exe');
  assert.equal(describeLiveResponseCommand(command('Collect', [{ key: 'Target', value: 'memory' }])), 'Collect memory', 'unknown type: its first parameter');
  assert.equal(describeLiveResponseCommand(command(null, [])), 'Command');
});
