// Status changes between two loads of the list, and the one notification that reports them (SPEC §3 "Status and
// errors": say so once, batched when many change). Pure (no vscode).
import { userText } from '../shared/userText';
import type { MachineAction } from '../defender/machineAction';
import { actionSubject, statusLabel } from '../views/presentation';

export interface StatusChange {
  action: MachineAction;
  from: string;
  to: string;
}

/** Actions present in both loads whose status differs; new and vanished actions are not changes. */
export function detectStatusChanges(previous: (id: string) => MachineAction | undefined, next: readonly MachineAction[]): StatusChange[] {
  const changes: StatusChange[] = [];
  for (const action of next) {
    const before = previous(action.id);
    if (before && before.status !== action.status && before.status.toLowerCase() !== action.status.toLowerCase()) {
      changes.push({ action, from: before.status, to: action.status });
    }
  }
  return changes;
}

/** One sentence for any number of changes, safe to show (server text cannot form a link); undefined when there are none. */
export function statusChangeMessage(changes: readonly StatusChange[]): string | undefined {
  if (changes.length === 0) {
    return undefined;
  }
  if (changes.length === 1) {
    const [c] = changes;
    return userText(`${actionSubject(c.action)}: ${statusLabel(c.from)} → ${statusLabel(c.to)}.`);
  }
  const counts = new Map<string, number>();
  for (const c of changes) {
    const label = statusLabel(c.to);
    counts.set(label, (counts.get(label) ?? 0) + 1);
  }
  const parts = [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([label, n]) => `${n} ${label}`);
  return userText(`${changes.length} machine actions changed status: now ${parts.join(', ')}.`);
}
