// How an action reads in the view, its tooltip's escaping (rendered by a real CommonMark renderer), the details
// document, the status bar and the portal link.
import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { isCancellable, KNOWN_ACTION_TYPES, KNOWN_STATUSES, parseMachineAction, MachineAction } from '../../src/defender/machineAction';
import { machineAction } from '../support/machineAction';
import { portalDeviceUrl } from '../../src/commands/portalLink';
import { detailsText, missingDetailsText } from '../../src/views/detailsText';
import {
  actionDescription, actionFields, actionLabel, actionTooltipMarkdown, deviceLabel, NEUTRAL_ICON, ROW_NAME_LENGTH, rowLabel, shortDeviceLabel, shortRequestor, splitWords,
  statusIcon, statusLabel, typeLabel,
} from '../../src/views/presentation';
import { statusBarContent } from '../../src/views/statusBarContent';
import { INJECTION_COMMENT, longHostActions, seedActions } from '../simulators/seedActions';
import { compactAge, relativeAge } from '../../src/shared/time';
import { escapeMarkdown, quickPickText } from '../../src/shared/userText';
import { textWidth } from '../support/uiFont';

// VS Code renders MarkdownStrings with a CommonMark renderer; markdown-it is one, with links and autolinks on.
const MarkdownIt = require('markdown-it') as new (options: object) => { render(source: string): string };
const renderer = new MarkdownIt({ html: false, linkify: true });

const NOW = Date.parse('2026-03-10T12:00:00Z');

function textOf(html: string): string {
  return html.replace(/<[^>]*>/g, '').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&amp;/g, '&');
}

describe('viewPresentation', () => {
  it('the label is the type and its scope; unknown types still read as words', () => {
    assert.equal(actionLabel(machineAction({ type: 'Isolate', scope: 'Full' })), 'Isolate (Full)');
    assert.equal(actionLabel(machineAction({ type: 'RunAntiVirusScan', scope: 'Quick' })), 'Antivirus Scan (Quick)');
    assert.equal(actionLabel(machineAction({ type: 'LiveResponse', scope: null })), 'Live Response');
    assert.equal(actionLabel(machineAction({ type: 'CollectFile', scope: null })), 'Collect File');
    assert.equal(actionLabel(machineAction({ type: undefined, scope: null })), 'Unknown');
  });

  it('a device name that draws nothing reads as the short machine id, like a missing one', () => {
    const machineId = '1e5b2a9c0f3d4e7a8b6c5d4e3f2a1b0c9d8e7f6a';
    for (const computerDnsName of ['\u200b', '\u202e', '\u3164', '\u00ad', ' \u200b ', '\u2800']) {
      const row = machineAction({ computerDnsName, machineId, creationDateTimeUtc: '2026-03-10T11:55:00Z', requestor: 'jane@contoso.com' });
      assert.equal(deviceLabel(row), '1e5b2a9c…', JSON.stringify(computerDnsName));
      assert.equal(actionDescription(row, { now: NOW, showStatus: false, cancelling: false }), '1e5b2a9c… · 5m · jane', JSON.stringify(computerDnsName));
    }
    const blankFirstLabel = machineAction({ computerDnsName: '\u200b\u200b.contoso.local', machineId });
    assert.equal(shortDeviceLabel(blankFirstLabel), '\u200b\u200b.contoso.local', 'a blank first label: the whole name, which the gate then cleans');
  });

  it('the description: short host name, age, who asked; a short id while the name is unknown', () => {
    const named = machineAction({ computerDnsName: 'ws-fin-0142.contoso.local', creationDateTimeUtc: '2026-03-10T11:55:00.0000000Z', requestor: 'jane.doe@contoso.com' });
    assert.equal(actionDescription(named, { now: NOW, showStatus: false, cancelling: false }), 'ws-fin-0142 · 5m · jane.doe');
    const unnamed = machineAction({ computerDnsName: null, machineId: '1e5b2a9c0f3d4e7a8b6c5d4e3f2a1b0c9d8e7f6a', creationDateTimeUtc: '2026-03-07T12:00:00Z',
      requestor: '7c9f3e21-5b4a-4d8e-9f10-2a6b8c3d4e5f' });
    assert.equal(deviceLabel(unnamed), '1e5b2a9c…');
    assert.equal(actionDescription(unnamed, { now: NOW, showStatus: true, cancelling: false }), '1e5b2a9c… · 3d · app · Pending');
    assert.equal(actionDescription(named, { now: NOW, showStatus: true, cancelling: true }), 'Cancelling… · ws-fin-0142 · 5m · jane.doe');
    const automation = machineAction({ computerDnsName: '10.1.2.3', requestor: 'Contoso SOAR Playbook Runner', creationDateTimeUtc: '2026-03-10T09:00:00Z' });
    assert.equal(actionDescription(automation, { now: NOW, showStatus: false, cancelling: false }), '10.1.2.3 · 3h · Contoso SOA…');
    assert.equal(shortDeviceLabel(machineAction({ computerDnsName: 'srv-sql-02' })), 'srv-sql-02');
    const short = (computerDnsName: string) => shortDeviceLabel(machineAction({ computerDnsName }));
    assert.deepEqual(['::ffff:10.1.2.3', 'fe80::1', '10.1.2.3', ' 1host.contoso.local ', '.contoso.local', 'ws-fin-0142.'].map(short),
      ['::ffff:10.1.2.3', 'fe80::1', '10.1.2.3', '1host', '.contoso.local', 'ws-fin-0142'], 'IP literals whole, names to their first label');
    assert.equal(shortRequestor(null), '');
    assert.equal(compactAge('2026-03-10T11:59:40Z', NOW), 'now');
  });

  // A row at the default side bar width (300 px), as measured in the UI test's workbench: label and description share
  // 225 px, less the 13 px ellipsis VS Code draws when the text overflows (the requestor after a long host does); the
  // label is 13 px, the description 90 % of it, 0.5 em after the label.
  const ROW_ROOM = 225 - textWidth('…', 13);
  const LABEL_GAP = 0.5 * 11.7;
  /** Room kept for rounding and kerning in the estimate. */
  const SAFETY = 2;

  /** The width of a row's label and of its description up to the age: what must be on screen. */
  function widthThroughAge(row: MachineAction): { text: string; width: number } {
    const [host, age] = actionDescription(row, { now: NOW, showStatus: false, cancelling: false }).split(' · ');
    return { text: `${rowLabel(row)}  ${host} · ${age}`, width: textWidth(rowLabel(row), 13) + LABEL_GAP + textWidth(`${host} · ${age}`, 11.7) };
  }

  it('every known type, with each scope it takes, has a row name of at most 12 characters, whole', () => {
    const scopes: Record<string, Array<string | undefined>> = { Isolate: [undefined, 'Full', 'Selective'], RunAntiVirusScan: [undefined, 'Quick', 'Full'] };
    const names = KNOWN_ACTION_TYPES.flatMap((type) => (scopes[type] ?? [undefined]).map((scope) => rowLabel(machineAction({ type, scope }))));
    const tooLong = names.filter((name) => name.length > ROW_NAME_LENGTH || name.includes('…'));
    assert.deepEqual(tooLong, [], `row names over ${ROW_NAME_LENGTH} characters (or cut to them)`);
    assert.deepEqual(names, ['AV Scan', 'Quick AV', 'Full AV', 'Offboard', 'Live Resp.', 'Package', 'Isolate', 'Isolate', 'Isolate Sel',
      'Release', 'Quar. File', 'Restrict', 'Unrestrict']);
    // The long-host seed, which the UI test shows at the default width, has every one of them.
    const seeded = new Set(longHostActions(new Date(NOW)).map((raw) => rowLabel(parseMachineAction(raw))));
    assert.deepEqual(names.filter((name) => !seeded.has(name)), [], 'names the long-host seed lacks');
    // An unknown type reads as its words, cut to the same budget with an ellipsis; so is an unknown scope.
    assert.equal(rowLabel(machineAction({ type: 'CollectFile', scope: null })), 'Collect File');
    assert.equal(rowLabel(machineAction({ type: 'CollectForensicsBundle', scope: null })), 'Collect For…');
    assert.equal(rowLabel(machineAction({ type: 'Isolate', scope: 'Partial' })), 'Isolate (Pa…');
    assert.equal(rowLabel(machineAction({ type: 'CollectFile\u202e<b>', scope: null })), 'Collect Fil…', 'through the text gate: no bidi override');
  });

  it('at the default width a row shows in full what, which device (a 15-character host) and how long', () => {
    const rows = [...longHostActions(new Date(NOW)), ...seedActions(new Date(NOW))].map((raw) => parseMachineAction(raw)).filter((a) => isCancellable(a.status));
    assert.equal(rows[0].computerDnsName?.split('.')[0].length, 15);
    const cut = rows.map(widthThroughAge).filter((row) => row.width > ROW_ROOM - SAFETY).map((row) => `${row.text} (${row.width.toFixed(1)} px)`);
    assert.deepEqual(cut, [], `rows wider than ${ROW_ROOM - SAFETY} px through the age`);
    for (const row of rows) {
      assert.ok(actionTooltipMarkdown(row, NOW).startsWith(`**${escapeMarkdown(actionLabel(row))}**`), 'the long name heads the tooltip');
    }
  });

  it('every known type has a friendly name, and no raw API name shows in a row, group or details summary', () => {
    for (const type of KNOWN_ACTION_TYPES) {
      assert.ok(typeLabel(type).includes(' ') || ['Isolate', 'Offboard'].includes(type), `${type} → ${typeLabel(type)}`);
    }
    assert.equal(typeLabel('RunAntiVirusScan'), 'Antivirus Scan');
    assert.equal(typeLabel('Unisolate'), 'Release from Isolation');
    const scan = machineAction({ type: 'RunAntiVirusScan', scope: 'Quick' });
    assert.ok(!detailsText(scan, NOW).split('\n')[0].includes('RunAntiVirusScan'), 'the summary line is friendly');
    assert.match(detailsText(scan, NOW), /Type: +Antivirus Scan \(RunAntiVirusScan\), scope Quick/);
    assert.match(detailsText(machineAction({ type: 'Live Response' }), NOW), /Type: +Live Response \(LiveResponse, sent as "Live Response"\)/);
  });

  it('the CamelCase splitter is linear: a 100 KB type or status builds its row in under a second', () => {
    // Linear takes a few ms; the old splitter took seconds on a few thousand capitals, hours on 100 KB. The bound is
    // that wide so that a loaded machine cannot fail it and a quadratic splitter cannot pass it.
    for (const value of ['A'.repeat(100_000), 'Ab'.repeat(50_000), `${'A'.repeat(99_999)}b`]) {
      const started = performance.now();
      const row = machineAction({ type: value, status: value });
      actionLabel(row);
      actionDescription(row, { now: NOW, showStatus: true, cancelling: false });
      statusLabel(value);
      const elapsed = performance.now() - started;
      assert.ok(elapsed < 1000, `${elapsed.toFixed(1)} ms for ${value.slice(0, 4)}…`);
    }
    for (const value of ['A'.repeat(100_000), `${'A'.repeat(99_999)}b`]) {
      const started = performance.now();
      assert.equal(splitWords(value).length, value.length + (value.endsWith('b') ? 1 : 0));
      assert.ok(performance.now() - started < 1000, 'the splitter itself, on the whole 100 KB');
    }
    assert.equal(splitWords('AVScanHTTPRequest2Go'), 'AV Scan HTTP Request2 Go');
  });

  it('relative ages', () => {
    assert.equal(relativeAge('2026-03-10T11:59:40Z', NOW), 'just now');
    assert.equal(relativeAge('2026-03-10T12:05:00Z', NOW), 'just now', 'a clock ahead of ours is not "in the future"');
    assert.equal(relativeAge('2026-03-10T09:00:00Z', NOW), '3 h ago');
    assert.equal(relativeAge('2026-02-08T12:00:00Z', NOW), '30 d ago');
    assert.equal(relativeAge(null, NOW), '');
    assert.equal(relativeAge('not a date', NOW), '');
  });

  it('each status has its icon and a colour of its own; an unknown status gets a neutral icon, never an error', () => {
    assert.deepEqual(statusIcon('Pending'), { id: 'clock', color: 'charts.yellow' });
    const colours = KNOWN_STATUSES.map((s) => statusIcon(s).color);
    assert.equal(new Set(colours).size, KNOWN_STATUSES.length, `distinct colours: ${colours.join(', ')}`);
    assert.ok(colours.every((c) => c), 'every known status is coloured');
    // In the default themes these read as one amber: Pending and Timed Out must not both be one of them.
    const AMBER = new Set(['charts.yellow', 'charts.orange', 'editorWarning.foreground', 'list.warningForeground', 'problemsWarningIcon.foreground']);
    assert.ok(colours.filter((c) => AMBER.has(c ?? '')).length <= 1, `one amber at most: ${colours.join(', ')}`);
    assert.equal(statusIcon('InProgress').id, 'sync');
    assert.equal(statusIcon('Succeeded').id, 'pass');
    assert.equal(statusIcon('Failed').id, 'error');
    assert.equal(statusIcon('TimeOut').id, 'watch');
    assert.equal(statusIcon('cancelled').id, 'circle-slash', 'any case');
    for (const odd of ['Queued', 'Unknown', '']) {
      assert.deepEqual(statusIcon(odd), NEUTRAL_ICON, odd);
      assert.notEqual(statusIcon(odd).id, 'error');
    }
    assert.equal(statusLabel('InProgress'), 'In Progress');
    assert.equal(statusLabel('TimeOut'), 'Timed Out');
    assert.equal(statusLabel('PartiallySucceeded'), 'Partially Succeeded');
  });

  it('a comment with a command link, emphasis and HTML renders as its own text in the tooltip', () => {
    const hostile = '[x](command:workbench.action.quit) **b** <img src=x> https://evil.example www.evil.example `code` # h';
    const md = actionTooltipMarkdown(machineAction({ requestorComment: hostile, computerDnsName: '[dev](https://evil.example)' }), NOW);
    const html = renderer.render(md);
    assert.doesNotMatch(html, /<a[\s>]/, 'no link of any kind');
    assert.doesNotMatch(html, /<img/);
    assert.doesNotMatch(html, /<code>/);
    assert.doesNotMatch(html, /<h1>/);
    assert.equal((html.match(/<strong>/g) ?? []).length, 1, 'only our own heading is bold');
    const text = textOf(html);
    assert.ok(text.includes(`Comment: ${hostile}`), 'the comment reads exactly as typed');
    assert.ok(text.includes('Device: [dev](https://evil.example)'));
  });

  it('a type or status named like an object member ("constructor", "toString") reads as its words, with the neutral icon', () => {
    for (const name of ['constructor', 'toString', '__proto__', 'valueOf', 'hasOwnProperty']) {
      const row = machineAction({ type: name, status: name, scope: null, computerDnsName: 'ws-fin-0142', creationDateTimeUtc: '2026-03-10T11:55:00Z', requestor: null });
      const words = splitWords(row.status);
      assert.deepEqual([typeLabel(row.type), actionLabel(row), statusLabel(row.status)], [words, words, words], name);
      assert.equal(rowLabel(row), words.length > ROW_NAME_LENGTH ? `${words.slice(0, ROW_NAME_LENGTH - 1).trimEnd()}…` : words);
      assert.equal(actionDescription(row, { now: NOW, showStatus: true, cancelling: false }), `ws-fin-0142 · 5m · ${words}`);
      assert.deepEqual(statusIcon(row.status), NEUTRAL_ICON, name);
    }
  });

  it('escapeMarkdown keeps the text and leaves no markdown syntax', () => {
    for (const sample of [INJECTION_COMMENT, '*a* _b_ ~~c~~ | d | \\ e', '1. list', '- item', '> quote', '&amp; &#91;', '$(zap) icon']) {
      const html = renderer.render(escapeMarkdown(sample));
      assert.equal(textOf(html).trim(), sample, sample);
      assert.match(html, /^<p>[^<]*<\/p>\n$/, `${sample} stays one plain paragraph`);
    }
    assert.equal(escapeMarkdown('line one\nline two\u202e'), 'line one line two', 'line breaks and bidi controls cannot reshape it');
  });

  it('the tooltip lists every field a responder needs', () => {
    const [liveResponse] = seedActions(new Date(NOW)).map((raw) => parseMachineAction(raw)).filter((a) => a.type === 'LiveResponse' && a.status === 'InProgress');
    const text = textOf(renderer.render(actionTooltipMarkdown(liveResponse, NOW)));
    for (const label of ['Status: In Progress', 'Device: srv-web-01.contoso.local', 'Machine ID: ', 'Requested by: analyst@contoso.com',
      'Comment: Grab dropper and run triage', 'Created: ', 'Last update: ', 'Action ID: ', 'Live response commands:', '1. GetFile Path=C:\\Windows\\Temp\\dropper.ps1 — Completed']) {
      assert.ok(text.includes(label), `${label} in:\n${text}`);
    }
    const cancelled = machineAction({ status: 'Cancelled', cancellationRequestor: 'ir-lead@contoso.com', cancellationComment: 'Wrong device', cancellationDateTimeUtc: '2026-03-10T11:00:00Z', errorHResult: -2147024894 });
    const cancelledText = textOf(renderer.render(actionTooltipMarkdown(cancelled, NOW)));
    assert.match(cancelledText, /Cancelled by: ir-lead@contoso\.com/);
    assert.match(cancelledText, /Cancellation comment: Wrong device/);
    assert.match(cancelledText, /Cancelled at: 2026-03-10 11:00 UTC/);
    assert.match(cancelledText, /Error: HRESULT 0x80070002/);
    const byApp = machineAction({ requestor: '7c9f3e21-5b4a-4d8e-9f10-2a6b8c3d4e5f' });
    assert.match(textOf(renderer.render(actionTooltipMarkdown(byApp, NOW))), /Requested by: application 7c9f3e21/);
  });


  it('a creation time that is no date-time shows as the server wrote it, without an empty age', () => {
    const fields = new Map(actionFields(machineAction({ creationDateTimeUtc: '2026-02-30T08:00:00' }), NOW));
    assert.equal(fields.get('Created'), '2026-02-30T08:00:00');
    assert.match(new Map(actionFields(machineAction({ creationDateTimeUtc: '2026-03-10T11:55:00Z' }), NOW)).get('Created') ?? '', /^2026-03-10 11:55 UTC \(5 min ago\)$/);
  });
  it('quick pick text cannot turn into an icon or a second line', () => {
    assert.equal(quickPickText('$(zap) boom\nnext'), '$\u200b(zap) boom next');
  });

  it('the details document: a summary in comments that server text cannot escape, then the raw JSON', () => {
    const raw = { id: '7d4c4b2a-0f3e-4a55-9d1c-2b8e6f0a1c33', type: 'Isolate', scope: 'Full', status: 'Pending', requestorComment: 'first\n{"injected": true}', extra: 1 };
    const text = detailsText(parseMachineAction(raw), NOW);
    const lines = text.split('\n');
    const jsonStart = lines.findIndex((l) => !l.startsWith('//'));
    assert.ok(jsonStart > 3);
    assert.ok(lines.slice(0, jsonStart).some((l) => l === '// Comment:      first {"injected": true}'), text);
    assert.deepEqual(JSON.parse(lines.slice(jsonStart).join('\n')), raw, 'the raw JSON as received, extra fields included');
    assert.match(missingDetailsText('abc'), /^\/\/ Machine action abc is not in the list/);
  });

  it('the status bar: hidden until configured, then the cancellable count with the account in the tooltip', () => {
    assert.equal(statusBarContent({ configured: false, account: undefined, cancellable: undefined }).visible, false);
    const spoofed = statusBarContent({ configured: true, account: { username: 'analyst@\u202emoc.osotnoc', tenantId: 'contoso\u200b' }, cancellable: 1 });
    assert.match(spoofed.tooltip, /Signed in as analyst@moc\.osotnoc \(tenant contoso\)/, 'no bidi override or zero-width character in the account line');
    assert.match(statusBarContent({ configured: true, account: undefined, cancellable: undefined }).text, /Signed out/);
    const content = statusBarContent({ configured: true, account: { username: 'analyst@contoso.com', tenantId: 'contoso-tenant' }, cancellable: 3 });
    assert.equal(content.text, '$(shield) 3 cancellable');
    assert.match(content.tooltip, /3 cancellable actions/);
    assert.match(content.tooltip, /Signed in as analyst@contoso\.com \(tenant contoso-tenant\)/);
    const tenantId = '72f988bf-86f1-41af-91ab-2d7cd011db47';
    const long = statusBarContent({ configured: true, account: { username: `${'a'.repeat(700)}@contoso.com`, tenantId }, cancellable: 3 });
    assert.ok(long.tooltip.includes(`(tenant ${tenantId})`), 'a long user name does not push the tenant id out');
  });

  it('the portal device page for each cloud', () => {
    const machine = '1e5b2a9c0f3d4e7a8b6c5d4e3f2a1b0c9d8e7f6a';
    assert.equal(portalDeviceUrl('Commercial', machine), `https://security.microsoft.com/machines/${machine}/overview`);
    assert.equal(portalDeviceUrl('GCC', machine), `https://security.microsoft.com/machines/${machine}/overview`);
    assert.equal(portalDeviceUrl('GCCHigh', machine), `https://security.microsoft.us/machines/${machine}/overview`);
    assert.equal(portalDeviceUrl('DoD', machine), `https://security.apps.mil/machines/${machine}/overview`);
    assert.equal(portalDeviceUrl('Custom', machine), undefined);
    assert.equal(portalDeviceUrl('Commercial', '../x?y'), 'https://security.microsoft.com/machines/..%2Fx%3Fy/overview');
  });

  it('a live response with 5,000 commands: the tooltip lists the first 20 and says how many more the details hold', () => {
    const commands = Array.from({ length: 5000 }, (_, i) => ({
      index: i, commandStatus: 'Completed', errors: [], command: { type: 'RunScript', params: [{ key: 'ScriptName', value: `script-${i}.ps1 ${'x'.repeat(900)}` }] },
    }));
    const tooltip = actionTooltipMarkdown(machineAction({ type: 'LiveResponse', status: 'InProgress', commands }), NOW);
    const text = textOf(renderer.render(tooltip));
    assert.ok(tooltip.length < 64 * 1024, `${tooltip.length} characters`);
    assert.match(text, /script-19\.ps1/);
    assert.doesNotMatch(text, /script-20\.ps1/);
    assert.match(text, /… and 4980 more \(see the details document\)/);
    assert.match(detailsText(machineAction({ type: 'LiveResponse', commands }), NOW), /script-4999\.ps1/, 'the details list every command');
  });
});
