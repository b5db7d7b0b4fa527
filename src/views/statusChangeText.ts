// The one notification for status changes between two loads (SPEC §3 "Status and errors": say so once, batched
// when many change).
import type { StatusChange } from '../model/statusChanges';
import { userText } from '../shared/userText';
import { actionSubject, statusLabel } from './presentation';

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
