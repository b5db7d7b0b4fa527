// Status changes between two loads of the list; views/statusChangeText.ts words the one notification for them.
import type { MachineAction } from '../defender/machineAction';

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
