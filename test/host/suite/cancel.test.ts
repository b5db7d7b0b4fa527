// Cancel Machine Action… in a real extension host, signed in to the simulated Custom cloud: the command with a row or
// with action ids and `{ comment }` (the input box cannot be typed into from here), what reaches Defender (the
// simulator's request log), what the engineer is told (the notifications, captured), how the row changes, and the log.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { Commands } from '../../../src/constants';
import type { SimulatedCloud } from '../../simulators/simulatedCloud';
import type { RawAction, RecordedRequest } from '../../simulators/defenderSimulator';
import { isoTicks, machineIdOf, stableGuid } from '../../simulators/seedActions';
import { extensionLogText } from './extensionLog';
import { groupOf, readTree, rowOfDevice, signInToSimulatedCloud, type SignedIn } from './signedIn';
import { waitFor } from '../../support/waitFor';
import { type Notification, recordUi, type RecordedUi } from './recordedUi';

/** One action per test, each on a device of its own, so the tests never share state in the simulator or the view. */
interface TestAction {
  action: RawAction;
  device: string;
  /** How notifications and prompts name it: "Isolate (Full) on <device>". */
  subject: string;
}

const PERMISSIONS = 'Machine.CollectForensics, Machine.Isolate, Machine.RestrictExecution, Machine.Scan, Machine.Offboard, Machine.StopAndQuarantine, Machine.LiveResponse';

interface OutcomeCase {
  title: string;
  /** A live response action (for the "completed anyway" form); default an isolation. */
  liveResponse?: boolean;
  arrange?(cloud: SimulatedCloud, action: RawAction): void;
  severity: Notification['severity'];
  /** Sentences the notification must hold; `{subject}` stands for the action and device. */
  says: string[];
  buttons: string[];
  posts: number;
  /** GETs of the action after the POST (re-reads). */
  rereads: number;
  /** The group the row is in afterwards; null: gone from the tree. */
  group: string | null;
  /** Progress messages shown while it ran. */
  progress?: string[];
  /** false: no answer reached the extension (dropped, timed out), so it cannot log a correlation id. */
  answered?: false;
  /** More to check in the POSTs (as the simulator got them). */
  check?(posts: RecordedRequest[], cloud: SimulatedCloud): void;
  timeoutMs?: number;
}

/** SPEC §3 "Cancel" 5: every outcome and what the engineer is told. */
const OUTCOMES: OutcomeCase[] = [
  {
    title: 'cancelled', severity: 'info', says: ['{subject} cancelled.'], buttons: [], posts: 1, rereads: 0, group: 'Cancelled',
  },
  {
    title: 'accepted with 204 and no entity: read back once, cancelled — never "Could not cancel"',
    arrange: (cloud, action) => cloud.defender.cancelAnswer(action.id, 'noContent'),
    severity: 'info', says: ['{subject} cancelled.'], buttons: [], posts: 1, rereads: 1, group: 'Cancelled',
  },
  {
    title: 'accepted with a gateway\'s HTML page while the action still shows Pending',
    arrange: (cloud, action) => cloud.defender.cancelAnswer(action.id, 'html200', 'stillPending'),
    severity: 'info', says: ['Defender accepted the cancel of {subject}; the action still shows Pending.'], buttons: [], posts: 1, rereads: 1, group: 'Pending',
  },
  {
    title: 'answered with another action\'s entity: not applied to that row; the requested one is read back',
    arrange: (cloud, action) => cloud.defender.cancelAnswer(action.id, 'otherId'),
    severity: 'info', says: ['{subject} cancelled.'], buttons: [], posts: 1, rereads: 1, group: 'Cancelled',
  },
  {
    title: 'a live response of which one command had already run: named in the notification', liveResponse: true,
    arrange: (cloud, action) => {
      (action.commands as unknown[]).unshift({ index: 0, startTime: null, endTime: null, commandStatus: 'Created', errors: [], command: { type: 'GetFile', params: [{ key: 'Path', value: 'C:\\x.log' }] } });
      cloud.defender.finishBeforeCancel(action.id, 'partlyRun');
    },
    severity: 'warning', says: ['{subject} cancelled, but part of it had already run. Already ran on the device: GetFile C:\\x.log.'], buttons: ['Show Log'],
    posts: 1, rereads: 0, group: 'Cancelled',
  },
  {
    title: 'a 400 that is not the race, then a failed read-back: Defender refused, quoted, state unknown',
    arrange: (cloud, action) => {
      cloud.defender.failCancel(action.id, { kind: 'status', status: 400, code: 'InvalidInput', message: 'The comment is not valid for this action.' });
      cloud.defender.notFoundFirst(action.id, 1);
    },
    severity: 'error', says: ['Defender refused the cancel of {subject}. Defender said: The comment is not valid for this action.', 'Its current state could not be read'],
    buttons: ['Retry', 'Show Log'], posts: 1, rereads: 1, group: 'Pending',
  },
  {
    title: 'already finished: Defender refuses with 400',
    arrange: (cloud, action) => cloud.defender.finishBeforeCancel(action.id, 'succeeded'),
    severity: 'warning', says: ['{subject} had already finished: Defender refused the cancel. Defender said: '], buttons: ['Show Log'],
    posts: 1, rereads: 1, group: 'Succeeded',
  },
  {
    title: 'already finished: Cancelled although the live response commands completed', liveResponse: true,
    arrange: (cloud, action) => cloud.defender.finishBeforeCancel(action.id, 'completedAnyway'),
    severity: 'warning', says: ['{subject} is marked Cancelled, but its live response commands had already completed: the work was done anyway.'],
    buttons: ['Show Log'], posts: 1, rereads: 0, group: 'Cancelled',
  },
  {
    title: '401 after one silent token refresh: session expired, Sign In',
    arrange: (cloud, action) => cloud.defender.failCancel(action.id, { kind: 'status', status: 401, code: 'Unauthorized', message: 'The token is not valid.' }),
    severity: 'error', says: ['Session expired — Sign In, then cancel {subject} again. Nothing was cancelled.'], buttons: ['Sign In', 'Show Log'],
    posts: 2, rereads: 0, group: 'Pending',
    check: (posts, cloud) => {
      assert.notEqual(posts[0].headers.authorization, posts[1].headers.authorization, 'the retry carries a new token');
      assert.ok(cloud.entra.requests.some((r) => r.grantType === 'refresh_token' && r.status === 200), 'got it with the refresh token');
    },
  },
  {
    title: '403: the missing permission, named, then Defender\'s words',
    arrange: (cloud, action) => cloud.defender.failCancel(action.id),
    severity: 'error',
    says: [`Your account lacks permission to cancel {subject}: the app registration needs one of the API permissions ${PERMISSIONS}`,
      'Defender said: The user does not have the Defender role required to perform this action on this device.'],
    buttons: ['Show Log'], posts: 1, rereads: 0, group: 'Pending',
  },
  {
    title: '404 right after listing: not "gone" — the row stays, Retry offered, the next list decides',
    arrange: (cloud, action) => cloud.defender.setActions(cloud.defender.actions.filter((a) => a !== action)),
    severity: 'warning', says: ['Defender could not find {subject} right now (404).', 'the row stays until the next refresh decides'], buttons: ['Retry', 'Show Log'],
    posts: 1, rereads: 0, group: 'Pending',
  },
  {
    title: '429: the Retry-After wait is shown, then one retry goes through',
    // 2 s: a wait under 1 s is not announced, and a few ms pass between the 429 and the next try.
    arrange: (cloud) => cloud.defender.failNext({ kind: 'status', status: 429, retryAfterSeconds: 2 }, { method: 'POST' }),
    severity: 'info', says: ['{subject} cancelled.'], buttons: [], posts: 2, rereads: 0, group: 'Cancelled',
    // While it waits, and only then, a notification whose Cancel stops the wait (nothing is on the wire yet).
    progress: ['Waiting 2 s for the Defender API rate limit…',
      'The cancel of {subject} waits for the Defender API rate limit; nothing is sent yet. Cancel stops waiting and sends nothing.'],
  },
  {
    title: '429 again after the one retry: not cancelled, Retry-After shown, Retry offered',
    arrange: (cloud) => cloud.defender.failNext({ kind: 'status', status: 429, retryAfterSeconds: 1 }, { method: 'POST', times: 2 }),
    severity: 'warning', says: ['Defender is throttling requests (rate limit); {subject} was not cancelled. Retry-After: 1 s.'], buttons: ['Retry', 'Show Log'],
    posts: 2, rereads: 0, group: 'Pending',
  },
  {
    title: 'connection dropped: says so, reads the state back (still pending), offers Retry — no second POST',
    arrange: (cloud) => cloud.defender.failNext({ kind: 'reset' }, { method: 'POST' }),
    severity: 'error',
    says: ['The cancel request for {subject} got no clear answer', 'Defender still reports it as Pending. Retry reads its state again before sending another cancel.'],
    buttons: ['Retry', 'Show Log'], posts: 1, rereads: 1, group: 'Pending', answered: false,
  },
  {
    title: 'connection dropped after Defender applied it: the state read back shows it cancelled',
    arrange: (cloud) => cloud.defender.failNext({ kind: 'reset', afterHandling: true }, { method: 'POST' }),
    severity: 'info', says: ['{subject} cancelled.'], buttons: [], posts: 1, rereads: 1, group: 'Cancelled', answered: false,
  },
  {
    // The client gives up after its 30 s time-out; the simulator applies the cancel at once and answers late.
    title: 'time-out: the state read back decides (here the late cancel applied)', timeoutMs: 60_000,
    arrange: (cloud) => cloud.defender.failNext({ kind: 'slow', delayMs: 35_000 }, { method: 'POST' }),
    severity: 'info', says: ['{subject} cancelled.'], buttons: [], posts: 1, rereads: 1, group: 'Cancelled', answered: false,
  },
];

const OTHER_TESTS = ['row', 'bulk-1', 'bulk-2', 'rapid', 'retry', 'prompt', 'empty', 'palette', 'pasted', 'in-sight'];

/**
 * The palette's quick pick, driven from the test: the extension creates it through vscode.window.createQuickPick
 * (replaced for the test), the test types, accepts and closes it as the engineer would.
 */
class DrivenQuickPick<T extends vscode.QuickPickItem> {
  title: string | undefined;
  placeholder: string | undefined;
  matchOnDescription = false;
  matchOnDetail = false;
  items: readonly T[] = [];
  selectedItems: readonly T[] = [];
  value = '';
  shown = false;
  disposed = false;
  private readonly changed = new vscode.EventEmitter<string>();
  private readonly accepted = new vscode.EventEmitter<void>();
  private readonly hidden = new vscode.EventEmitter<void>();
  readonly onDidChangeValue = this.changed.event;
  readonly onDidAccept = this.accepted.event;
  readonly onDidHide = this.hidden.event;

  show(): void {
    this.shown = true;
  }

  dispose(): void {
    this.disposed = true;
  }

  type(value: string): void {
    this.value = value;
    this.changed.fire(value);
  }

  /** What the picker shows for the typed value: items marked alwaysShow, and those whose texts contain it. */
  get shownItems(): T[] {
    const typed = this.value.trim().toLowerCase();
    const texts = (item: T) => [item.label, this.matchOnDescription ? item.description : '', this.matchOnDetail ? item.detail : ''];
    return this.items.filter((item) => item.alwaysShow || texts(item).some((text) => text?.toLowerCase().includes(typed)));
  }

  /** Enter: the first item shown is the active one; none when nothing is shown. */
  accept(): void {
    this.selectedItems = this.shownItems.slice(0, 1);
    this.accepted.fire();
  }

  escape(): void {
    this.hidden.fire();
  }
}

/** Replaces createQuickPick while `use` runs the command; resolves to what `use` returns. */
async function withDrivenQuickPick<R>(use: (pick: () => DrivenQuickPick<vscode.QuickPickItem>) => Promise<R>): Promise<R> {
  const original = vscode.window.createQuickPick;
  let created: DrivenQuickPick<vscode.QuickPickItem> | undefined;
  (vscode.window as { createQuickPick: unknown }).createQuickPick = () => (created = new DrivenQuickPick());
  try {
    return await use(() => {
      assert.ok(created, 'the command opened a quick pick');
      return created;
    });
  } finally {
    (vscode.window as { createQuickPick: unknown }).createQuickPick = original;
  }
}

function deviceOf(name: string): string {
  return `${name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 40)}.host.test`;
}

/** A pending action like a seeded one of that type, created a minute ago on `device`. */
function addAction(cloud: SimulatedCloud, device: string, liveResponse: boolean): TestAction {
  const template = cloud.defender.actions.find((a) => a.status === 'Pending' && a.type === (liveResponse ? 'LiveResponse' : 'Isolate') && a.computerDnsName);
  assert.ok(template, 'the seed has a pending action to copy');
  const created = isoTicks(Date.now() - 60_000);
  const id = stableGuid(`host-${device}`);
  assert.equal(cloud.defender.getAction(id), undefined, `one action per device: ${device} is taken`);
  const action: RawAction = {
    ...structuredClone(template), id, computerDnsName: device, machineId: machineIdOf(device), creationDateTimeUtc: created, lastUpdateDateTimeUtc: created,
  };
  delete action.lastUpdateTimeUtc;
  cloud.defender.addAction(action);
  return { action, device, subject: `${liveResponse ? 'Live Response' : 'Isolate (Full)'} on ${device}` };
}

suite('Cancelling machine actions in a real host', () => {
  let session: SignedIn;
  let ui: RecordedUi;
  const actions = new Map<string, TestAction>();

  suiteSetup(async function () {
    this.timeout(60_000);
    // Every test's action is there before the first list loads: no test needs a refresh of its own.
    session = await signInToSimulatedCloud((cloud) => {
      for (const c of OUTCOMES) {
        actions.set(c.title, addAction(cloud, deviceOf(c.title), c.liveResponse === true));
      }
      for (const name of OTHER_TESTS) {
        actions.set(name, addAction(cloud, deviceOf(name), false));
      }
    });
  });

  suiteTeardown(async () => {
    await session?.dispose();
  });

  setup(() => {
    ui = recordUi();
    session.cloud.defender.clearRequests();
  });

  teardown(() => {
    ui.restore();
  });

  const requests = () => session.cloud.defender.requests;
  const posts = () => requests().filter((r) => r.method === 'POST');
  const readsOf = (id: string) => requests().filter((r) => r.method === 'GET' && r.path.toLowerCase() === `/api/machineactions/${id.toLowerCase()}`);

  /** The group label of the action's row now; null when it is not in the tree. */
  async function groupNow(device: string): Promise<string | null> {
    const tree = await readTree(session.api);
    const row = rowOfDevice(tree, device);
    return row ? groupOf(tree, row)?.label ?? null : null;
  }

  function cancel(target: TestAction, comment: string): Thenable<unknown> {
    return vscode.commands.executeCommand(Commands.cancelAction, { actionId: target.action.id, comment });
  }

  test('right-click a row → Cancel Machine Action…: one POST with exactly {"Comment": …}, "Cancelled", the row moves without a reload', async () => {
    const { device, subject, action } = actions.get('row')!;
    const tree = await readTree(session.api);
    const row = rowOfDevice(tree, device)!;
    assert.equal(row.item.contextValue, 'machineAction.cancellable', 'the row offers Cancel');
    const badge = session.api.treeView.badge?.value;
    // What VS Code passes for a context-menu click (the row and the selection), plus the comment.
    await vscode.commands.executeCommand(Commands.cancelAction, row.node, [row.node], { comment: 'Wrong device' });

    assert.equal(requests().length, 1, 'one request, no reload');
    const [post] = requests();
    assert.equal(post.path, `/api/machineactions/${action.id}/cancel`);
    assert.equal(post.body, '{"Comment":"Wrong device"}');
    assert.match(String(post.headers['content-type']), /^application\/json/);
    assert.match(String(post.headers.authorization), /^Bearer \S+$/);
    assert.deepEqual(ui.notifications, [{ severity: 'info', message: `${subject} cancelled.`, buttons: [] }]);
    assert.ok(ui.progress.includes(`Cancelling ${subject}`), 'a progress notification while it ran');
    assert.equal(await groupNow(device), 'Cancelled');
    assert.equal(session.api.treeView.badge?.value, badge! - 1);
  });

  for (const c of OUTCOMES) {
    test(`outcome — ${c.title}`, async function () {
      this.timeout(c.timeoutMs ?? 20_000);
      const target = actions.get(c.title)!;
      const { action, device, subject } = target;
      c.arrange?.(session.cloud, action);
      await cancel(target, `Host test: ${c.title}`);

      assert.deepEqual(ui.notifications.map((n) => [n.severity, n.buttons]), [[c.severity, c.buttons]], JSON.stringify(ui.notifications));
      for (const sentence of c.says) {
        assert.ok(ui.notifications[0].message.includes(sentence.replace('{subject}', subject)), `says "${sentence}": ${ui.notifications[0].message}`);
      }
      assert.equal(posts().length, c.posts, 'POSTs');
      const postedAt = requests().indexOf(posts()[0]);
      assert.equal(readsOf(action.id).filter((r) => requests().indexOf(r) > postedAt).length, c.rereads, 'reads of the action after the POST');
      for (const message of (c.progress ?? []).map((p) => p.replace('{subject}', subject))) {
        assert.ok(ui.progress.includes(message), `progress "${message}": ${JSON.stringify(ui.progress)}`);
      }
      c.check?.(posts(), session.cloud);
      assert.equal(await groupNow(device), c.group);
      // The log has the request with its comment, the outcome, and the correlation id of every answered POST.
      const log = await extensionLogText(`Cancel outcome: action ${action.id}`);
      assert.ok(log.includes(`Cancel requested: action ${action.id} (${subject.replace(` on ${device}`, '')}) on ${device}, comment "Host test: ${c.title}"`));
      assert.ok(log.includes(`Cancel outcome: action ${action.id} on ${device}: `));
      for (const post of c.answered === false ? [] : posts()) {
        assert.ok(log.includes(post.correlationId), `the log names correlation ${post.correlationId}`);
      }
    });
  }

  test('several ids at once: one comment, one POST each, one summary', async () => {
    const targets = [actions.get('bulk-1')!, actions.get('bulk-2')!];
    await vscode.commands.executeCommand(Commands.cancelAction, { actionIds: targets.map((t) => t.action.id), comment: 'Duplicate requests' });
    assert.deepEqual(posts().map((p) => [p.path, p.body]).sort(),
      targets.map((t) => [`/api/machineactions/${t.action.id}/cancel`, '{"Comment":"Duplicate requests"}']).sort());
    assert.deepEqual(ui.notifications, [{ severity: 'info', message: `2 cancelled: ${targets.map((t) => t.subject).join(', ')}.`, buttons: [] }]);
  });

  test('two cancels of the same action at once send one request; the row shows "Cancelling…" meanwhile', async () => {
    const target = actions.get('rapid')!;
    session.cloud.defender.switches.delayMs = 500;
    try {
      const both = Promise.all([cancel(target, 'First click'), cancel(target, 'Second click')]);
      await waitFor(() => posts().length === 1, 'the cancel request');
      const row = rowOfDevice(await readTree(session.api), target.device)!;
      assert.deepEqual([row.description.split(' · ').slice(0, 2), row.item.contextValue], [['Cancelling…', target.device.split('.')[0]], 'machineAction.cancelling']);
      await both;
    } finally {
      session.cloud.defender.switches.delayMs = 0;
    }
    assert.equal(posts().length, 1);
    assert.ok(ui.notifications.some((n) => n.message === `${target.subject} cancelled.`), JSON.stringify(ui.notifications));
  });

  test('Retry after a cancel without a clear answer reads the state first, then sends one more POST', async () => {
    const target = actions.get('retry')!;
    session.cloud.defender.failNext({ kind: 'reset' }, { method: 'POST' });
    ui.answer = (notification) => (notification.buttons.includes('Retry') ? 'Retry' : undefined);
    await cancel(target, 'Retry after a dropped connection');
    await waitFor(() => ui.notifications.some((n) => n.message === `${target.subject} cancelled.`), 'the retried cancel');
    const sequence = requests().map((r) => `${r.method} ${r.path.endsWith('/cancel') ? 'cancel' : 'read'} ${r.status}`);
    // The dropped POST, its read-back, then the Retry: a read first, and only then the POST.
    assert.deepEqual(sequence, ['POST cancel 0', 'GET read 200', 'GET read 200', 'POST cancel 200']);
  });

  test('without a comment the input box asks, naming the action and device; it refuses bad comments; Escape sends nothing', async () => {
    const target = actions.get('prompt')!;
    await vscode.commands.executeCommand(Commands.cancelAction, { actionId: target.action.id });
    assert.equal(ui.inputBoxes.length, 1);
    const box = ui.inputBoxes[0];
    assert.match(box.prompt ?? '', new RegExp(`^Why cancel ${target.subject.replace(/[().]/g, '\\$&')}\\?`));
    const validate = (value: string) => box.validateInput?.(value);
    assert.equal(validate('   '), 'A comment is required.');
    assert.match(String(validate('x'.repeat(1001))), /at most 1000/);
    assert.match(String(validate('line one\nline two')), /U\+000A, a control/);
    assert.match(String(validate('wrong host\u202e reimaged')), /U\+202E/, 'a bidi override is refused and named');
    assert.equal(validate('Requested on the wrong device'), undefined);
    assert.equal(posts().length, 0, 'Escape: nothing sent');
    assert.deepEqual(ui.notifications, []);

    ui.type = () => '  Requested on the wrong device  ';
    await vscode.commands.executeCommand(Commands.cancelAction, { actionId: target.action.id });
    assert.deepEqual(posts().map((p) => p.body), ['{"Comment":"Requested on the wrong device"}']);
  });

  test('a given comment is validated like a typed one: an empty one is refused and nothing is sent', async () => {
    await cancel(actions.get('empty')!, '   ');
    assert.deepEqual(ui.notifications.map((n) => [n.severity, n.message]), [['error', 'Could not cancel the machine action: The cancel comment was not accepted: A comment is required.']]);
    assert.equal(posts().length, 0);
  });

  test('the palette: garbage keeps the picker open with the reason; a braced, upper-case, padded id is accepted and cancelled', async () => {
    const target = actions.get('palette')!;
    await withDrivenQuickPick(async (pick) => {
      const command = vscode.commands.executeCommand(Commands.cancelAction, { comment: 'Pasted from the ticket' });
      await waitFor(() => pick().shown, 'the quick pick');
      pick().type('not an action id');
      pick().accept();
      assert.ok(!pick().disposed, 'still open');
      assert.equal(pick().items[0].label, '$(error) Not a machine action ID');
      assert.match(pick().items[0].detail ?? '', /^Not a machine action ID: not an action id\. An action ID is a GUID/);
      pick().type(`  {${target.action.id.toUpperCase()}} `);
      assert.equal(pick().items[0].label, `$(search) Action ${target.action.id.toLowerCase()}`);
      pick().accept();
      await command;
      assert.ok(pick().disposed);
    });
    assert.deepEqual(posts().map((p) => p.path), [`/api/machineactions/${target.action.id.toLowerCase()}/cancel`]);
    assert.deepEqual(ui.notifications.map((n) => n.message), [`${target.subject} cancelled.`], 'no toast for the garbage');
  });

  test('the palette: an id the list knows as final is not offered — it says the action is final; nothing is sent', async () => {
    const finished = session.cloud.defender.actions.filter((a) => a.status === 'Succeeded')
      .sort((a, b) => String(b.creationDateTimeUtc).localeCompare(String(a.creationDateTimeUtc)))[0];
    assert.ok(finished);
    await withDrivenQuickPick(async (pick) => {
      const command = vscode.commands.executeCommand(Commands.cancelAction, { comment: 'Too late' });
      await waitFor(() => pick().shown, 'the quick pick');
      pick().type(finished.id);
      assert.match(pick().items[0].label, /^\$\(error\) .* is Succeeded$/);
      assert.equal(pick().items[0].detail, 'It is final: only Pending or In Progress actions can be cancelled.');
      pick().accept();
      assert.ok(!pick().disposed, 'still open');
      pick().escape();
      await command;
    });
    assert.equal(requests().length, 0);
    assert.deepEqual(ui.notifications, []);
  });

  test('a pasted id (braces, upper case) is an action id; a made-up one is "not found" (check the ID and tenant), not "no longer exists"', async () => {
    const target = actions.get('pasted')!;
    await vscode.commands.executeCommand(Commands.cancelAction, `{${target.action.id.toUpperCase()}}`, { comment: 'Pasted' });
    assert.deepEqual(ui.notifications.map((n) => n.message), [`${target.subject} cancelled.`]);
    const madeUp = stableGuid('an action that never existed');
    await vscode.commands.executeCommand(Commands.cancelAction, { actionId: `{ ${madeUp} }`, comment: 'Pasted' });
    await waitFor(() => ui.notifications.length === 2, 'the lookup\'s outcome');
    assert.equal(ui.notifications[1].severity, 'warning');
    assert.match(ui.notifications[1].message, new RegExp(`^Machine action ${madeUp} was not found: check the ID, and that you are signed in to the tenant`));
    assert.equal(posts().length, 1, 'nothing sent for the made-up id');
  });

  test('a pasted id of an action created seconds ago answers 404 at first: Retry looks it up again and cancels it with the comment given', async () => {
    // Created after the list loaded, so the id is not listed: the command looks it up.
    const target = addAction(session.cloud, deviceOf('created seconds ago'), false);
    session.cloud.defender.notFoundFirst(target.action.id, 1);
    ui.answer = (notification) => (notification.buttons.includes('Retry') ? 'Retry' : undefined);
    await vscode.commands.executeCommand(Commands.cancelAction, { actionId: target.action.id, comment: 'Created by mistake' });
    await waitFor(() => ui.notifications.some((n) => n.message === `${target.subject} cancelled.`), 'the retried cancel');
    const [notFound] = ui.notifications;
    assert.equal(notFound.severity, 'warning');
    assert.match(notFound.message, new RegExp(`^Machine action ${target.action.id} was not found: .* An action created moments ago can be missing for a while`));
    assert.deepEqual(notFound.buttons, ['Retry', 'Show Log']);
    assert.deepEqual(posts().map((r) => r.body), [JSON.stringify({ Comment: 'Created by mistake' })]);
    assert.equal(readsOf(target.action.id)[0].status, 404, 'the first look-up');
  });

  test('after a cancel the row stays in sight (its group expanded, the row selected); the progress offers no Cancel that could read as undo', async () => {
    const target = actions.get('in-sight')!;
    await vscode.commands.executeCommand(`workbench.view.extension.mdeActions`);
    await waitFor(() => session.api.treeView.visible, 'the view to show');
    const progressOptions: vscode.ProgressOptions[] = [];
    const withProgress = vscode.window.withProgress;
    (vscode.window as { withProgress: unknown }).withProgress = (options: vscode.ProgressOptions, task: never) => {
      progressOptions.push(options);
      return withProgress(options, task);
    };
    try {
      await cancel(target, 'Keep it in sight');
    } finally {
      (vscode.window as { withProgress: unknown }).withProgress = withProgress;
    }
    assert.deepEqual(progressOptions.filter((o) => o.title === `Cancelling ${target.subject}`).map((o) => o.cancellable), [false]);
    await waitFor(() => session.api.treeView.selection.some((node) => (node as { action?: { id: string } }).action?.id === target.action.id),
      'the cancelled row to be selected');
    assert.equal(await groupNow(target.device), 'Cancelled');
  });

  test('the log of all these cancels holds no token or code the simulator issued', async () => {
    const log = await extensionLogText('Cancel outcome:');
    for (const secret of session.cloud.entra.issuedSecrets()) {
      assert.ok(!log.includes(secret), 'an issued token or code is in the log');
    }
    assert.doesNotMatch(log, /Bearer\s+[A-Za-z0-9]/);
  });
});
