// The read-only details document of one action: a readable summary as JSONC comments, then the raw JSON as received.
// Every summary line passes the text gate: one line (so it cannot end the comment and turn into content), no
// invisible or reordering characters, secrets redacted, bounded; the raw JSON below keeps the full text.
import { cutWhole } from '../shared/cut';
import { fileNameSafe, SHOWN_LENGTH, shownText } from '../shared/userText';
import type { MachineAction } from '../defender/machineAction';
import { actionFields, actionSubject, commandLines } from './presentation';

function comment(line: string): string {
  return line ? `// ${shownText(line, SHOWN_LENGTH.tooltipField)}` : '//';
}

/** The details document of an action: a summary as JSONC comments (through the gate), then the raw JSON; `now` in ms. */
export function detailsText(action: MachineAction, now: number): string {
  const fields = actionFields(action, now);
  const width = Math.max(...fields.map(([label]) => label.length)) + 1;
  const lines = [
    `Machine action: ${actionSubject(action)}`,
    '',
    ...fields.map(([label, value]) => `${`${label}:`.padEnd(width)} ${value}`),
  ];
  const commands = commandLines(action);
  if (commands.length) {
    lines.push('', 'Live response commands:', ...commands.map((c) => `  ${c}`));
  }
  lines.push('', 'Read-only. The raw JSON as Defender sent it:');
  return `${lines.map(comment).join('\n')}\n${JSON.stringify(action.raw, null, 2)}\n`;
}

/** The details document of an action the list no longer holds: what happened and what to do. */
export function missingDetailsText(id: string): string {
  return [
    `Machine action ${id} is not in the list any more (it left the time window, the filter, or the tenant changed).`,
    'Refresh the view and open it again from there.',
  ].map(comment).join('\n') + '\n';
}

/** The details document's name without `.jsonc`, its tab title: the action's subject (else its id), at most 100 characters. */
export function detailsDocumentName(id: string, action: MachineAction | undefined): string {
  return cutWhole(fileNameSafe(action ? actionSubject(action) : id, '_'), 100);
}
