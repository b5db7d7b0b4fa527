// Status changes between two loads of the list; views/statusChangeText.ts words the one notification for them.
import type { MachineAction } from '../defender/machineAction';

/** One action whose status changed between two loads, `from` → `to`, in the one spelling (canonicalStatus). */
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
  // Both statuses are in their one spelling (canonicalStatus): a plain comparison is enough.
  return before && before.status !== after.status
    ? { action: after, from: before.status, to: after.status }
    : undefined;
}
