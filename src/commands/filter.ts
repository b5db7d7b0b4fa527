// mdeActions.filter: statuses and types (multi-select), only mine, and a device name text; kept in workspaceState.
// mdeActions.clearFilter: back to everything.
//
// Programmatic use: executeCommand('mdeActions.filter', { statuses?, types?, deviceText?, onlyMine? }) sets the filter
// without asking ({} clears it).
import * as vscode from 'vscode';
import { ActionFilter, normalizeFilter } from '../model/actionFilter';
import { Commands } from '../constants';
import { KNOWN_ACTION_TYPES, KNOWN_STATUSES } from '../defender/machineAction';
import type { ExtensionLog } from '../log';
import type { ActionsController } from '../views/actionsController';
import { statusIcon, statusLabel, typeLabel } from '../views/presentation';
import { registerCommand } from './registerCommand';
import { quickPickText } from '../shared/userText';

type FilterPick = vscode.QuickPickItem & (
  | { part: 'status' | 'type'; value: string }
  | { part: 'onlyMine' | 'device' }
  | { part: 'separator' }
);

const FILTER_KEYS = ['statuses', 'types', 'deviceText', 'onlyMine'];

function isFilterArgument(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    && (Object.keys(value).length === 0 || Object.keys(value).some((k) => FILTER_KEYS.includes(k)));
}

/** Known values first, then the ones the loaded list holds that the extension does not know (yet). */
function valuesOf(known: readonly string[], present: readonly string[]): string[] {
  const lower = new Set(known.map((k) => k.toLowerCase()));
  const extra = [...new Set(present)].filter((p) => !lower.has(p.toLowerCase())).sort();
  return [...known, ...extra];
}

function count(values: readonly string[], value: string): number {
  const v = value.toLowerCase();
  return values.reduce((n, x) => n + (x.toLowerCase() === v ? 1 : 0), 0);
}

/** The quick pick's rows: the statuses and types (known and loaded, with their counts), "only mine", the device. */
function filterItems(controller: ActionsController, current: ActionFilter): FilterPick[] {
  const statuses = controller.store.actions.map((a) => a.status);
  const types = controller.store.actions.map((a) => a.type);
  const has = (list: string[], value: string) => list.some((v) => v.toLowerCase() === value.toLowerCase());
  return [
    { part: 'separator', label: 'Status', kind: vscode.QuickPickItemKind.Separator },
    ...valuesOf(KNOWN_STATUSES, statuses).map((status): FilterPick => ({
      part: 'status', value: status, label: `$(${statusIcon(status).id}) ${quickPickText(statusLabel(status))}`,
      description: `${count(statuses, status)} loaded`, picked: has(current.statuses, status),
    })),
    { part: 'separator', label: 'Type', kind: vscode.QuickPickItemKind.Separator },
    ...valuesOf(KNOWN_ACTION_TYPES, types).map((type): FilterPick => ({
      part: 'type', value: type, label: quickPickText(typeLabel(type)),
      description: `${count(types, type)} loaded`, picked: current.types.includes(type),
    })),
    { part: 'separator', label: 'Requestor and device', kind: vscode.QuickPickItemKind.Separator },
    { part: 'onlyMine', label: '$(account) Only actions I requested', picked: current.onlyMine },
    { part: 'device', label: '$(vm) Device name contains…', description: current.deviceText ? quickPickText(`"${current.deviceText}"`) : 'asked next', picked: current.deviceText !== '' },
  ];
}

/** The device text when "Device name contains…" was picked ('' when not); undefined when the engineer pressed Escape. */
async function askDeviceText(picked: readonly FilterPick[], current: ActionFilter): Promise<string | undefined> {
  if (!picked.some((p) => p.part === 'device')) {
    return '';
  }
  return vscode.window.showInputBox({
    title: 'Filter Machine Actions: device',
    prompt: 'Show actions whose device name or machine ID contains this text (any case).',
    value: current.deviceText,
    placeHolder: 'e.g. ws-fin',
  });
}

async function askFilter(controller: ActionsController): Promise<ActionFilter | undefined> {
  const current = controller.filter;
  const items = filterItems(controller, current);
  const picked = await vscode.window.showQuickPick(items, {
    title: 'Filter Machine Actions',
    placeHolder: 'Pick what to show (nothing picked = show everything)',
    canPickMany: true,
    matchOnDescription: true,
  });
  const deviceText = picked && await askDeviceText(picked, current);
  if (!picked || deviceText === undefined) {
    return undefined;
  }
  const chosen = (part: 'status' | 'type') => picked.flatMap((p) => (p.part === part ? [p.value] : []));
  const allStatuses = items.filter((i) => i.part === 'status').length;
  const allTypes = items.filter((i) => i.part === 'type').length;
  return normalizeFilter({
    // Every status (or type) picked is the same as none: no narrowing, and nothing hidden when a new value appears.
    statuses: chosen('status').length === allStatuses ? [] : chosen('status'),
    types: chosen('type').length === allTypes ? [] : chosen('type'),
    deviceText,
    onlyMine: picked.some((p) => p.part === 'onlyMine'),
  });
}

/** mdeActions.filter, and mdeActions.clearFilter (the view title's filled filter icon and the palette, while filtered). */
export function registerFilterCommands(context: vscode.ExtensionContext, log: ExtensionLog, controller: ActionsController): void {
  registerCommand(context, log, Commands.filter, 'Could not change the filter', async (...args: unknown[]) => {
    const filter = isFilterArgument(args[0]) ? normalizeFilter(args[0]) : await askFilter(controller);
    if (filter) {
      await controller.setFilter(filter);
    }
  });
  registerCommand(context, log, Commands.clearFilter, 'Could not clear the filter', () => controller.clearFilter());
}
