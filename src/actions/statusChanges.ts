// Status changes between two loads of the list, and the one notification that reports them (SPEC §3 "Status and
// errors": say so once, batched when many change). Pure (no vscode).
import { userText } from '../commands/userText';
import type { MachineAction } from '../defender/machineAction';
import { actionSubject, statusLabel } from '../views/presentation';

export interface StatusChange {
  action: MachineAction;
  from: string;
  to: string;
}

/**
 * The change from `before` (the copy of the last load; undefined for a new action, which is not a change) to `after`
 * (the same action now), or undefined when its status is the same.
 */
export function statusChange(before: MachineAction | undefined, after: MachineAction): StatusChange | undefined {
  return before && before.status !== after.status && before.status.toLowerCase() !== after.status.toLowerCase()
    ? { action: after, from: before.status, to: after.status }
    : undefined;
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
