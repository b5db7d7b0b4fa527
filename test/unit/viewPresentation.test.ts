// How an action reads in the view, its tooltip's escaping (rendered by a real CommonMark renderer), the details
// document, the status bar and the portal link.
import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { isCancellable, KNOWN_ACTION_TYPES, KNOWN_STATUSES, parseMachineAction, MachineAction } from '../../src/defender/machineAction';
import { machineAction } from '../support/machineAction';
import { portalDeviceUrl } from '../../src/commands/portalLink';
import { detailsText, missingDetailsText } from '../../src/views/detailsText';
import {
  actionDescription, actionLabel, actionTooltipMarkdown, deviceLabel, NEUTRAL_ICON, rowLabel, shortDeviceLabel, shortRequestor, splitWords,
  statusIcon, statusLabel, typeLabel,
} from '../../src/views/presentation';
import { statusBarContent } from '../../src/views/statusBarContent';
import { INJECTION_COMMENT, seedActions } from '../simulators/seedActions';
import { compactAge, relativeAge } from '../../src/shared/time';
import { escapeMarkdown, quickPickText } from '../../src/shared/userText';

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

  it('at the default width (236 px for label and description) a row shows in full what, which device and how long', () => {
    // 236 px hold about 32 characters of label + description in VS Code's default font (label 13 px, description 90 %):
    // "Isolate (Selective) e45afb4d… · 1m" and "Release Isolation ws-hr-0077 · 15m" were cut there.
    const VISIBLE = 32;
    const fullThroughAge = (row: MachineAction): string => {
      const [host, age] = actionDescription(row, { now: NOW, showStatus: false, cancelling: false }).split(' · ');
      return `${rowLabel(row)} ${host} · ${age}`;
    };
    const scopes: Record<string, Array<string | undefined>> = { Isolate: ['Full', 'Selective'], RunAntiVirusScan: ['Quick', 'Full'] };
    for (const type of KNOWN_ACTION_TYPES) {
      for (const scope of scopes[type] ?? [undefined]) {
        // A typical 10-character host name and a 3-character age.
        const row = machineAction({ type, scope, computerDnsName: 'ws-hr-0077.corp.contoso.com', requestor: 'jane.doe@contoso.com', creationDateTimeUtc: '2026-03-10T11:15:00Z' });
        const visible = fullThroughAge(row);
        assert.ok(visible.length <= VISIBLE && visible.endsWith('ws-hr-0077 · 45m'), `${visible} (${visible.length} characters)`);
        assert.ok(!visible.includes('contoso.com'), 'the full DNS name is for the tooltip');
        assert.ok(actionTooltipMarkdown(row, NOW).startsWith(`**${escapeMarkdown(actionLabel(row))}**`), 'the long name heads the tooltip');
      }
    }
    const seeded = seedActions(new Date(NOW)).map((raw) => parseMachineAction(raw)).filter((a) => isCancellable(a.status));
    for (const row of seeded) {
      assert.ok(fullThroughAge(row).length <= VISIBLE, `seeded: ${fullThroughAge(row)} (${fullThroughAge(row).length} characters)`);
    }
    assert.equal(rowLabel(machineAction({ type: 'RunAntiVirusScan', scope: 'Quick' })), 'Quick Scan');
    assert.equal(rowLabel(machineAction({ type: 'Isolate', scope: 'Selective' })), 'Isolate (Sel.)');
    assert.equal(rowLabel(machineAction({ type: 'Isolate', scope: 'Full' })), 'Isolate (Full)');
    assert.equal(rowLabel(machineAction({ type: 'CollectFile', scope: null })), 'Collect File', 'an unknown type: its words');
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

  it('the CamelCase splitter is linear: a 100 KB type or status builds its row in well under 100 ms', () => {
    for (const value of ['A'.repeat(100_000), 'Ab'.repeat(50_000), `${'A'.repeat(99_999)}b`]) {
      const started = performance.now();
      const row = machineAction({ type: value, status: value });
      actionLabel(row);
      actionDescription(row, { now: NOW, showStatus: true, cancelling: false });
      statusLabel(value);
      const elapsed = performance.now() - started;
      assert.ok(elapsed < 100, `${elapsed.toFixed(1)} ms for ${value.slice(0, 4)}…`);
    }
    for (const value of ['A'.repeat(100_000), `${'A'.repeat(99_999)}b`]) {
      const started = performance.now();
      assert.equal(splitWords(value).length, value.length + (value.endsWith('b') ? 1 : 0));
      assert.ok(performance.now() - started < 100, 'the splitter itself, on the whole 100 KB');
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
