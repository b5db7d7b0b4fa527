// Grouping of the machine actions for the view (SPEC §3 "The tree"): one pass over the list,
// so 10,000 actions group in a few milliseconds.
import { SHOWN_LENGTH, shownText } from '../shared/userText';
import type { GroupBy } from '../config';
import { isCancellable, isCancellableStatus, KNOWN_STATUSES, MachineAction } from '../defender/machineAction';
import { deviceLabel, statusLabel, typeLabel } from './presentation';
import { parseTime } from '../shared/time';

export interface ActionGroup {
  /** Stable across refreshes, so VS Code keeps each group's expanded state. */
  key: string;
  label: string;
  actions: MachineAction[];
  cancellableCount: number;
  /** Groups that hold something to act on open expanded. */
  expanded: boolean;
}

/** A creation time in one fixed UTC form (`2026-03-10T11:59:00Z`, any number of fraction digits, the same for all). */
const UTC_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z$/;

/**
 * How a list's creation times stand: 'text' when all have the same length and UTC form (then their text order is
 * their time order), 'newestFirst' when they are also in that order already (Defender sends them so), 'mixed' else.
 */
type TimeOrder = 'newestFirst' | 'text' | 'mixed';

/** The TimeOrder of `actions`, in one pass. */
function timeOrder(actions: readonly MachineAction[]): TimeOrder {
  const length = actions[0]?.creationDateTimeUtc?.length;
  let previous = '';
  let newestFirst = true;
  for (const { creationDateTimeUtc: time } of actions) {
    if (time === null || time.length !== length || !UTC_TIME.test(time)) {
      return 'mixed';
    }
    newestFirst &&= previous === '' || previous >= time;
    previous = time;
  }
  return newestFirst ? 'newestFirst' : 'text';
}

const newerText = (a: MachineAction, b: MachineAction): number =>
  (a.creationDateTimeUtc! > b.creationDateTimeUtc! ? -1 : a.creationDateTimeUtc! < b.creationDateTimeUtc! ? 1 : 0);

/**
 * Sorts `actions` in place, newest first (those without a creation time last), and returns it. Defender's times
 * share one form, so they sort as text (and mostly come sorted); any other mix is parsed, each time once, not once
 * per comparison.
 */
export function sortNewestFirst(actions: MachineAction[]): MachineAction[] {
  return sortByTime(actions, timeOrder(actions));
}

/** sortNewestFirst for `actions` whose times stand as `order` says (or a part of such a list, e.g. a group). */
function sortByTime(actions: MachineAction[], order: TimeOrder): MachineAction[] {
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

/** A group being filled: its rows in list order and how many of them can be cancelled. */
interface Bucket {
  members: MachineAction[];
  cancellable: number;
}

/**
 * The groups of `actions` for a grouping other than `none`, each sorted newest first. The list is read twice (a
 * refresh groups 10,000 rows): its time order, then each action's bucket (one Map lookup per row) and whether it is
 * cancellable.
 */
export function groupActions(actions: readonly MachineAction[], groupBy: Exclude<GroupBy, 'none'>): ActionGroup[] {
  const rule = RULES[groupBy];
  // Decided once for the whole list: a group is a part of it, in the same order.
  const order = timeOrder(actions);
  const buckets = new Map<string, Bucket>();
  for (const action of actions) {
    const key = rule.key(action);
    let bucket = buckets.get(key);
    if (!bucket) {
      bucket = { members: [], cancellable: 0 };
      buckets.set(key, bucket);
    }
    bucket.members.push(action);
    if (isCancellableStatus(action.status)) {
      bucket.cancellable++;
    }
  }
  const groups: ActionGroup[] = [];
  for (const [key, { members, cancellable }] of buckets) {
    sortByTime(members, order);
    groups.push({ key: `${groupBy}:${key}`, label: groupLabel(groupBy, members), actions: members, cancellableCount: cancellable, expanded: cancellable > 0 });
  }
  return groups.sort(rule.compare);
}

export function countCancellable(actions: readonly MachineAction[]): number {
  // Decided once per distinct status text, not once per action: a refresh of 10,000 counts every row.
  const seen = new Map<string, boolean>();
  let count = 0;
  for (const { status } of actions) {
    let cancellable = seen.get(status);
    if (cancellable === undefined) {
      cancellable = isCancellable(status);
      seen.set(status, cancellable);
    }
    count += cancellable ? 1 : 0;
  }
  return count;
}
