// What comes after an action, in a real extension host signed in to the simulated cloud: a live response command's
// output opened in an editor, an investigation package saved to a file, and the view's rows exported (CSV cells a
// spreadsheet would run neutralised). The dialogs and pickers are stubbed where the engineer would answer them.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { Commands } from '../../../src/constants';
import type { RawAction } from '../../simulators/defenderSimulator';
import { isoTicks, machineIdOf, stableGuid } from '../../simulators/seedActions';
import type { SimulatedCloud } from '../../simulators/simulatedCloud';
import { extensionLogText } from './extensionLog';
import { recordUi, type RecordedUi } from './recordedUi';
import { waitFor } from '../../support/waitFor';
import { readTree, rowOfDevice, signInToSimulatedCloud, type SignedIn } from './signedIn';

const DEVICES = {
  output: 'output.results.host.test',
  running: 'running.results.host.test',
  package: 'package.results.host.test',
  hostile: 'hostile.results.host.test',
};
const HOSTILE_COMMENT = '=HYPERLINK("http://203.0.113.7/x","Open")';

/** A copy of the first seeded action that `find` accepts, on `device`, created a minute ago. */
function addCopy(cloud: SimulatedCloud, find: (a: RawAction) => boolean, device: string, changes: Partial<RawAction> = {}): RawAction {
  const template = cloud.defender.actions.find(find);
  assert.ok(template, `the seed has an action to copy for ${device}`);
  const created = isoTicks(Date.now() - 60_000);
  const action: RawAction = {
    ...structuredClone(template), id: stableGuid(`results-${device}`), computerDnsName: device, machineId: machineIdOf(device),
    creationDateTimeUtc: created, lastUpdateDateTimeUtc: created, ...changes,
  };
  delete action.lastUpdateTimeUtc;
  cloud.defender.addAction(action);
  return action;
}

/** Replaces `name` of `target` until the returned function is called. */
function stub<T extends object, K extends keyof T>(target: T, name: K, stand: T[K]): () => void {
  const original = target[name];
  target[name] = stand;
  return () => {
    target[name] = original;
  };
}

suite('Following an action through in a real host: output, package, export', () => {
  let session: SignedIn;
  let ui: RecordedUi;
  let restores: Array<() => void> = [];
  const saveDialogs: vscode.SaveDialogOptions[] = [];
  const quickPicks: string[][] = [];
  let folder: string;

  suiteSetup(async function () {
    this.timeout(60_000);
    folder = fs.mkdtempSync(path.join(os.tmpdir(), 'mde-results-'));
    session = await signInToSimulatedCloud((cloud) => {
      const liveResponse = (status: string) => (a: RawAction) => a.type === 'LiveResponse' && a.status === status && Array.isArray(a.commands) && a.commands.length === 2;
      addCopy(cloud, liveResponse('Succeeded'), DEVICES.output);
      addCopy(cloud, liveResponse('InProgress'), DEVICES.running);
      addCopy(cloud, (a) => a.type === 'CollectInvestigationPackage' && a.status === 'Succeeded', DEVICES.package);
      addCopy(cloud, (a) => a.type === 'Isolate' && a.status === 'Succeeded', DEVICES.hostile, { requestorComment: HOSTILE_COMMENT });
    });
  });

  suiteTeardown(async () => {
    await session?.dispose();
    fs.rmSync(folder, { recursive: true, force: true });
  });

  setup(() => {
    ui = recordUi();
    saveDialogs.length = 0;
    quickPicks.length = 0;
    session.cloud.defender.clearRequests();
    session.cloud.download.reset();
  });

  teardown(async () => {
    restores.forEach((restore) => restore());
    restores = [];
    ui.restore();
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  /** The save dialog answers `file` (in the test's folder); the quick pick takes the first item `choose` accepts. */
  function answerDialogs(file: string | undefined, choose: (item: vscode.QuickPickItem) => boolean = () => false): void {
    restores.push(
      stub(vscode.window, 'showSaveDialog', async (options?: vscode.SaveDialogOptions) => {
        saveDialogs.push(options ?? {});
        return file === undefined ? undefined : vscode.Uri.file(path.join(folder, file));
      }),
      stub(vscode.window, 'showQuickPick', (async (items: readonly vscode.QuickPickItem[] | Thenable<readonly vscode.QuickPickItem[]>) => {
        const list = await items;
        quickPicks.push(list.map((item) => `${item.label} — ${item.description ?? ''}`));
        return list.find(choose);
      }) as unknown as typeof vscode.window.showQuickPick),
    );
  }

  async function row(device: string): Promise<unknown> {
    const found = rowOfDevice(await readTree(session.api), device);
    assert.ok(found, `the row of ${device}`);
    return found.node;
  }

  const downloads = () => session.cloud.download.requests;

  test('Open Command Output on a row: the command picked (each listed with its status) opens as JSON in a read-only tab', async () => {
    answerDialogs(undefined, (item) => item.label.includes('RunScript'));
    await vscode.commands.executeCommand(Commands.openCommandOutput, await row(DEVICES.output), []);
    assert.equal(quickPicks.length, 1, 'the commands were offered');
    assert.match(quickPicks[0][0], /0: GetFile — Completed/);
    assert.match(quickPicks[0][1], /1: RunScript — Completed/);
    const editor = vscode.window.activeTextEditor;
    assert.ok(editor, `an editor opened; shown: ${JSON.stringify(ui.notifications)}`);
    assert.equal(editor.document.uri.scheme, 'mde-output');
    assert.equal(editor.document.languageId, 'json');
    assert.match(path.posix.basename(editor.document.uri.path), new RegExp(`^RunScript .* · ${DEVICES.output.replace(/\./g, '\\.')} · \\d{4}-\\d{2}-\\d{2} \\d{4} UTC\\.json$`));
    assert.match(editor.document.getText(), new RegExp(`"script_output": "Transcript started on ${DEVICES.output.replace(/\./g, '\\.')}`));
    assert.deepEqual(ui.errors, []);
    assert.ok(ui.progress.some((p) => p.startsWith('Downloading the output of command 1')), JSON.stringify(ui.progress));
    // The link went to another origin, without the token; its signature is not in the log.
    assert.deepEqual(downloads().map((r) => [r.status, r.headers.authorization]), [[200, undefined]]);
    const log = await extensionLogText('Opened the output of command 1');
    assert.match(log, /Opened the output of command 1/);
    for (const signature of session.cloud.download.signatures) {
      assert.ok(!log.includes(signature), 'no link signature in the log');
    }
  });

  test('a GetFile result is offered Save As… (its own file name), not opened', async () => {
    answerDialogs('saved.ps1', (item) => item.label.includes('GetFile'));
    await vscode.commands.executeCommand(Commands.openCommandOutput, await row(DEVICES.output), []);
    assert.equal(path.basename(saveDialogs[0]?.defaultUri?.fsPath ?? ''), 'dropper.ps1', 'the file\'s own name is suggested');
    const bytes = fs.readFileSync(path.join(folder, 'saved.ps1'));
    assert.deepEqual([...bytes.subarray(0, 2)], [0xff, 0xfe], 'the bytes as the device had them (UTF-16 with its mark)');
    assert.equal(vscode.window.activeTextEditor?.document.uri.scheme === 'mde-output', false, 'no output tab');
    assert.match(ui.info.at(-1) ?? '', new RegExp(`^Saved the output of command 0 of .*${DEVICES.output.replace(/\./g, '\\.')}.* to .*saved\\.ps1 \\(\\d+ bytes\\)\\.$`));
    assert.match(await extensionLogText('Saved the output of command 0'), /Saved the output of command 0 of action \S+ to .*saved\.ps1 \(\d+ bytes\)/);
  });

  test('a slow download shows the bytes received, and Cancel stops it quietly without leaving a file', async () => {
    answerDialogs('cancelled.zip');
    session.cloud.download.switches.chunkBytes = 64;
    session.cloud.download.switches.chunkDelayMs = 300;
    // The notification's Cancel button: the token VS Code would cancel, cancelled once some bytes were shown.
    const cancel = new vscode.CancellationTokenSource();
    const messages: string[] = [];
    restores.push(stub(vscode.window, 'withProgress', ((options: vscode.ProgressOptions, task: Parameters<typeof vscode.window.withProgress>[1]) => {
      assert.equal(options.cancellable, true, 'the notification offers Cancel');
      return task({ report: ({ message }) => {
        messages.push(message ?? '');
        cancel.cancel();
      } }, cancel.token);
    }) as typeof vscode.window.withProgress));
    await vscode.commands.executeCommand(Commands.downloadInvestigationPackage, await row(DEVICES.package), []);
    assert.match(messages[0] ?? '', /^\d+ bytes of \d+(\.\d)? (bytes|KiB) \(\d+%\)$/, JSON.stringify(messages));
    assert.deepEqual(ui.notifications, [], 'a cancel is not an error');
    assert.deepEqual(fs.readdirSync(folder).filter((name) => name.startsWith('cancelled') || name.includes('.part')), []);
  });

  test('a refused link call names the permission it needs; an expired link is asked for once more, and neither shows a signature', async () => {
    answerDialogs('refused.zip');
    session.cloud.defender.failNext({ kind: 'status', status: 403, code: 'Forbidden', message: 'Missing application roles.' }, { pathIncludes: 'getPackageUri' });
    await vscode.commands.executeCommand(Commands.downloadInvestigationPackage, await row(DEVICES.package), []);
    assert.equal(ui.errors.length, 1, JSON.stringify(ui.notifications));
    assert.match(ui.errors[0], /^Could not download the investigation package: .*Machine\.CollectForensics/);
    assert.deepEqual(downloads(), [], 'no download without a link');

    session.cloud.download.switches.expireNextLinks = Infinity;
    await vscode.commands.executeCommand(Commands.downloadInvestigationPackage, await row(DEVICES.package), []);
    assert.equal(ui.errors.length, 2, JSON.stringify(ui.notifications));
    assert.match(ui.errors[1], /refused the download link \(403 Forbidden\), and a fresh one too/);
    assert.deepEqual(downloads().map((r) => r.status), [403, 403], 'one fresh link, once');
    for (const text of [...ui.errors, await extensionLogText('and a fresh one too')]) {
      assert.doesNotMatch(text, /sig=|se=/, 'no link query shown or logged');
      for (const signature of session.cloud.download.signatures) {
        assert.ok(!text.includes(signature));
      }
    }
    assert.deepEqual(fs.readdirSync(folder).filter((name) => name.startsWith('refused') || name.includes('.part')), []);
  });

  test('a command that has not completed is named with its state, and nothing is requested', async () => {
    const running = session.cloud.defender.getAction(stableGuid(`results-${DEVICES.running}`))!;
    await vscode.commands.executeCommand(Commands.openCommandOutput, { actionId: running.id, commandIndex: 1 });
    assert.equal(ui.info.length, 1, JSON.stringify(ui.notifications));
    assert.match(ui.info[0], /Command 1 \(RunScript\) .* has no output: it is InProgress/);
    assert.deepEqual(session.cloud.defender.requests.map((r) => r.path), [], 'no API call');
    assert.deepEqual(downloads(), []);
  });

  test('Open Command Output on an action without commands says why before any picker, however it is named', async () => {
    answerDialogs(undefined);
    const isolate = stableGuid(`results-${DEVICES.hostile}`);
    for (const target of [isolate, await row(DEVICES.hostile), { actionId: isolate }]) {
      await vscode.commands.executeCommand(Commands.openCommandOutput, target);
    }
    assert.deepEqual(quickPicks, [], 'no (empty) picker');
    assert.deepEqual(ui.info, Array(3).fill(`Action ${isolate} is an Isolate action: only a live response action has command output.`));
    assert.deepEqual(session.cloud.defender.requests.map((r) => r.path), [], 'no API call');
  });

  test('an id that is no machine action ID is refused in the words the cancel uses, and nothing is requested', async () => {
    await vscode.commands.executeCommand(Commands.downloadInvestigationPackage, { actionId: 'not-an-id' });
    assert.equal(ui.errors.length, 1, JSON.stringify(ui.notifications));
    assert.match(ui.errors[0], /^Could not download the investigation package: Not a machine action ID: not-an-id\. An action ID is a GUID such as /);
    assert.deepEqual(session.cloud.defender.requests.map((r) => r.path), [], 'no API call');
    const link = '[x](command:workbench.action.terminal.new)';
    await vscode.commands.executeCommand(Commands.downloadInvestigationPackage, { actionId: link });
    assert.doesNotMatch(ui.errors[1], /\]\(command:/, 'no link can form in the notification');
    assert.match(await extensionLogText(link), /Not a machine action ID: \[x\]\(command:workbench\.action\.terminal\.new\)/, 'the log has the id as it was passed');
  });

  test('Download Investigation Package… writes the zip where the engineer saves it, then offers Reveal and Open Folder', async () => {
    answerDialogs('package.zip');
    await vscode.commands.executeCommand(Commands.downloadInvestigationPackage, await row(DEVICES.package), []);
    assert.equal(saveDialogs.length, 1);
    assert.match(path.basename(saveDialogs[0].defaultUri?.fsPath ?? ''), new RegExp(`^${DEVICES.package.replace(/\./g, '\\.')}-\\d{4}-\\d{2}-\\d{2}-investigation-package\\.zip$`));
    const file = path.join(folder, 'package.zip');
    await waitFor(() => fs.existsSync(file), 'the package file');
    assert.equal(fs.readFileSync(file).subarray(0, 2).toString('latin1'), 'PK', 'a zip');
    const saved = ui.notifications.find((n) => n.message.startsWith('Saved the investigation package'));
    assert.ok(saved, JSON.stringify(ui.notifications));
    assert.deepEqual(saved.buttons, ['Reveal in File Explorer', 'Open Folder']);
    assert.deepEqual(downloads().map((r) => r.headers.authorization), [undefined], 'the token never reaches storage');
    assert.deepEqual(fs.readdirSync(folder).filter((name) => name.endsWith('.part')), [], 'no partial file left');
  });

  test('Export Machine Actions… to a CSV file: the filtered rows only, and a formula in a comment is neutralised', async () => {
    answerDialogs('export.csv');
    await vscode.commands.executeCommand(Commands.filter, { deviceText: 'hostile.results' });
    try {
      await vscode.commands.executeCommand(Commands.exportActions, { format: 'csv', to: 'file' });
    } finally {
      await vscode.commands.executeCommand(Commands.clearFilter);
    }
    const csv = fs.readFileSync(path.join(folder, 'export.csv'), 'utf8');
    const lines = csv.trimEnd().split('\r\n');
    assert.equal(lines.length, 2, `a header and the one row the filter shows:\n${csv}`);
    assert.ok(lines[1].includes(`"'=HYPERLINK(""http://203.0.113.7/x"",""Open"")"`), lines[1]);
    assert.ok(!/(^|,)"?=/.test(lines[1]), 'no cell starts with =');
    assert.match(ui.info.at(-1) ?? '', /^Exported 1 machine action to .*export\.csv\.$/);
  });

  test('Export Machine Actions… as JSON to an untitled editor (format and place picked): every shown row', async () => {
    answerDialogs(undefined, (item) => item.label === 'JSON' || item.label.includes('Untitled editor'));
    await vscode.commands.executeCommand(Commands.exportActions);
    assert.equal(quickPicks.length, 2, 'asked for the format, then the place');
    const editor = vscode.window.activeTextEditor;
    assert.ok(editor?.document.isUntitled, 'an untitled editor');
    const exported = JSON.parse(editor.document.getText()) as Array<{ id: string; computerDnsName: string }>;
    const shownRows = (await readTree(session.api)).flatMap((group) => group.children);
    assert.deepEqual(exported.map((a) => a.id).sort(), shownRows.map((r) => (r.node as { action: { id: string } }).action.id).sort());
    assert.ok(exported.some((a) => a.computerDnsName === DEVICES.hostile));
  });

  // Last: it signs the suite's session out.
  test('signed out, a result command without an argument or with a row or id says to sign in and offers Sign In, before any picker', async () => {
    answerDialogs(undefined);
    const packageRow = await row(DEVICES.package);
    const packageId = (packageRow as { action: { id: string } }).action.id;
    await vscode.commands.executeCommand(Commands.signOut);
    await waitFor(() => session.api.auth.account === undefined, 'signed out');
    ui.notifications.length = 0;
    await vscode.commands.executeCommand(Commands.openCommandOutput);
    await vscode.commands.executeCommand(Commands.downloadInvestigationPackage);
    assert.deepEqual(quickPicks, []);
    assert.deepEqual(ui.notifications.map((n) => [n.severity, n.buttons.includes('Sign In')]), [['error', true], ['error', true]], JSON.stringify(ui.notifications));
    assert.match(ui.errors[0], /^Could not open the command output: Sign in to Microsoft Defender to open command output/);
    assert.match(ui.errors[1], /^Could not download the investigation package: Sign in to Microsoft Defender to download the investigation package/);
    await vscode.commands.executeCommand(Commands.downloadInvestigationPackage, packageRow);
    await vscode.commands.executeCommand(Commands.openCommandOutput, { actionId: packageId });
    assert.match(ui.errors[2], /^Could not download the investigation package: Sign in to Microsoft Defender/, 'a row of the list before the sign-out');
    assert.match(ui.errors[3], /^Could not open the command output: Sign in to Microsoft Defender/, 'an id');
  });
});
