// Grouping of the machine actions for the view (SPEC §3 "The tree"): one pass over the list,
// so 10,000 actions group in a few milliseconds.
import { SHOWN_LENGTH, shownText } from '../shared/userText';
import type { GroupBy } from '../config';
import { isCancellable, KNOWN_STATUSES, MachineAction } from '../defender/machineAction';
import { deviceLabel, statusLabel, typeLabel } from './presentation';
import { nextTimeOrder, parseTime, TimeOrder } from '../shared/time';

export interface ActionGroup {
  /** Stable across refreshes, so VS Code keeps each group's expanded state. */
  key: string;
  label: string;
  actions: MachineAction[];
  cancellableCount: number;
  /** Groups that hold something to act on open expanded. */
  expanded: boolean;
}

/** The TimeOrder of the creation times of `actions`, in one pass. */
function creationOrder(actions: readonly MachineAction[]): TimeOrder {
  let order: TimeOrder = 'newestFirst';
  const first = actions[0]?.creationDateTimeUtc ?? null;
  for (let i = 0; i < actions.length && order !== 'mixed'; i++) {
    order = nextTimeOrder(order, first, i > 0 ? actions[i - 1].creationDateTimeUtc : null, actions[i].creationDateTimeUtc);
  }
  return order;
}

const newerText = (a: MachineAction, b: MachineAction): number =>
  (a.creationDateTimeUtc! > b.creationDateTimeUtc! ? -1 : a.creationDateTimeUtc! < b.creationDateTimeUtc! ? 1 : 0);

/**
 * Sorts `actions` in place, newest first (those without a creation time last), and returns it. Defender's times
 * share one form, so they sort as text (and mostly come sorted); any other mix is parsed, each time once, not once
 * per comparison. `order`: how the creation times stand when known (the store knows it from the client), else read.
 */
export function sortNewestFirst(actions: MachineAction[], order: TimeOrder = creationOrder(actions)): MachineAction[] {
  if (order !== 'mixed') {
    return order === 'text' ? actions.sort(newerText) : actions;
  }
  const keyed = actions.map((action) => ({ action, time: parseTime(action.creationDateTimeUtc) ?? -Infinity }));
  keyed.sort((a, b) => b.time - a.time);
  keyed.forEach((entry, i) => {
    actions[i] = entry.action;
  });
  return actions;
}

function statusRank(status: string): number {
  const index = KNOWN_STATUSES.indexOf(status);
  return index < 0 ? KNOWN_STATUSES.length : index;
}

interface GroupRule {
  key(action: MachineAction): string;
  compare(a: ActionGroup, b: ActionGroup): number;
}

const byLabel = (a: ActionGroup, b: ActionGroup): number => a.label.localeCompare(b.label);

const RULES: Readonly<Record<Exclude<GroupBy, 'none'>, GroupRule>> = {
  // Pending and InProgress come first (KNOWN_STATUSES starts with them); statuses the service adds later go last.
  // Statuses and types are in one spelling since parsing (canonicalStatus, canonicalType).
  status: {
    key: (a) => a.status,
    compare: (a, b) => statusRank(a.actions[0].status) - statusRank(b.actions[0].status) || byLabel(a, b),
  },
  // By machine id: an action created a minute ago has no device name yet but belongs with its device's others.
  device: {
    key: (a) => a.machineId?.toLowerCase() || `name:${deviceLabel(a).toLowerCase()}`,
    compare: byLabel,
  },
  type: {
    key: (a) => a.type,
    compare: byLabel,
  },
};

function groupName(groupBy: Exclude<GroupBy, 'none'>, actions: readonly MachineAction[]): string {
  switch (groupBy) {
    case 'status':
      return statusLabel(actions[0].status);
    case 'device':
      return deviceLabel(actions.find((a) => a.computerDnsName?.trim()) ?? actions[0]);
    case 'type':
      return typeLabel(actions[0].type);
  }
}

/** The group's row text, through the text gate (device names and unknown values are server text). */
function groupLabel(groupBy: Exclude<GroupBy, 'none'>, actions: readonly MachineAction[]): string {
  return shownText(groupName(groupBy, actions), SHOWN_LENGTH.row);
}

/** A group being counted, then filled: its rows in list order and how many of them can be cancelled. */
interface Bucket {
  members: MachineAction[];
  /** Rows the group gets (counted first), then rows put in so far. */
  size: number;
  cancellable: number;
}

/**
 * The groups of `actions` for a grouping other than `none`, each sorted newest first. A group is a part of the list,
 * in the same order, so the list's `order` (as in sortNewestFirst) holds for each. A refresh groups 10,000 rows: each
 * is read once more when the order is not known, and once for its bucket (one Map lookup) and whether it is
 * cancellable. Each group's array is made at its size (a count first, then a fill from the bucket numbers): at
 * 100,000 rows, push grew them by three times the list's size while all JSON.parse made is alive (SPEC §4).
 */
export function groupActions(actions: readonly MachineAction[], groupBy: Exclude<GroupBy, 'none'>, order: TimeOrder = creationOrder(actions)): ActionGroup[] {
  const rule = RULES[groupBy];
  const byKey = new Map<string, number>();
  const buckets: Bucket[] = [];
  const bucketOf = new Int32Array(actions.length);
  for (let i = 0; i < actions.length; i++) {
    const action = actions[i];
    const key = rule.key(action);
    let at = byKey.get(key);
    if (at === undefined) {
      at = buckets.push({ members: [], size: 0, cancellable: 0 }) - 1;
      byKey.set(key, at);
    }
    const bucket = buckets[at];
    bucket.size++;
    if (isCancellable(action.status)) {
      bucket.cancellable++;
    }
    bucketOf[i] = at;
  }
  for (const bucket of buckets) {
    bucket.members = new Array<MachineAction>(bucket.size);
    bucket.size = 0;
  }
  for (let i = 0; i < actions.length; i++) {
    const bucket = buckets[bucketOf[i]];
    bucket.members[bucket.size++] = actions[i];
  }
  const groups: ActionGroup[] = [];
  for (const [key, at] of byKey) {
    const { members, cancellable } = buckets[at];
    sortNewestFirst(members, order);
    groups.push({ key: `${groupBy}:${key}`, label: groupLabel(groupBy, members), actions: members, cancellableCount: cancellable, expanded: cancellable > 0 });
  }
  return groups.sort(rule.compare);
}

export function countCancellable(actions: readonly MachineAction[]): number {
  let count = 0;
  for (const { status } of actions) {
    count += isCancellable(status) ? 1 : 0;
  }
  return count;
}
