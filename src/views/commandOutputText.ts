// How a live-response command's output is shown in an editor: the document's name (the tab title names the command,
// the device and the time) and its text, JSON pretty-printed and named .json so VS Code highlights it.
import type { MachineAction } from '../defender/machineAction';
import { commandAt } from '../defender/resultLinks';
import { cutWhole } from '../shared/cut';
import { fileNameSafe, oneLine } from '../shared/userText';
import { formatUtc, parseTime } from '../shared/time';
import { deviceLabel } from './presentation';

/** The text to show and the extension that gives it its language: `json` when the whole output parses as JSON. */
export function outputDocumentContent(text: string): { text: string; extension: 'json' | 'txt' } {
  const trimmed = text.trim();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    try {
      return { text: `${JSON.stringify(JSON.parse(trimmed), null, 2)}\n`, extension: 'json' };
    } catch {
      // Not JSON after all: shown as text.
    }
  }
  return { text, extension: 'txt' };
}

/**
 * The document's file name (its tab title), without extension: `RunScript triage.ps1 · ws-01.contoso.local ·
 * 2026-11-23 0805 UTC` — the command with its first parameter (a path's last part), the device, and when the command ended (else
 * `fetchedAt`, epoch ms). Characters a tab or a path would misread become `_`; at most 150 characters.
 */
export function outputDocumentName(action: MachineAction, index: number, fetchedAt: number): string {
  const command = commandAt(action, index);
  const firstParam = command?.command.params[0]?.value?.split(/[\\/]/).pop() ?? '';
  const what = [command?.command.type ?? `Command ${index}`, firstParam].filter((part) => part).join(' ');
  // No colon in a file name: 08:05 is written 0805.
  const when = formatUtc(parseTime(command?.endTime) ?? fetchedAt).replace(':', '');
  const name = fileNameSafe(oneLine([what, deviceLabel(action), when].join(' · ')), '_', true);
  // In the mde-output: URI's path `#` would start a fragment and `%` an escape.
  return cutWhole(name.replace(/[#%]+/g, '_'), 150);
}
