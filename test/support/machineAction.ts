// The one builder of machine actions for the tests: a documented action with what a test cares about on top.
import { MachineAction, parseMachineAction } from '../../src/defender/machineAction';

/** The id of the action the builder makes unless told otherwise. */
export const ACTION_ID = '7d4c4b2a-0f3e-4a55-9d1c-2b8e6f0a1c33';

/**
 * A cancel-able isolation as the API documents it (every field of SPEC §1), as a fresh JSON object, with `overrides`
 * on top; an override of `undefined` leaves the field out of the parse as if absent.
 */
export function rawMachineAction(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: ACTION_ID,
    type: 'Isolate',
    scope: 'Selective',
    title: null,
    requestor: 'analyst@contoso.com',
    requestorComment: 'suspicious beaconing',
    status: 'Pending',
    machineId: '1e5bc9d7e413ddd7902c2932e418702b84d0cc07',
    computerDnsName: 'ws-0042.contoso.local',
    creationDateTimeUtc: '2026-03-01T10:00:00.1234567Z',
    lastUpdateDateTimeUtc: '2026-03-01T10:01:00Z',
    cancellationRequestor: null,
    cancellationComment: null,
    cancellationDateTimeUtc: null,
    externalId: 'ext-1',
    requestSource: 'PublicApi',
    errorHResult: 0,
    relatedFileInfo: null,
    commands: [],
    troubleshootInfo: null,
    ...overrides,
  };
}

/** rawMachineAction(overrides) parsed as the extension parses what the API sends. */
export function machineAction(overrides: Record<string, unknown> = {}): MachineAction {
  return parseMachineAction(rawMachineAction(overrides));
}

/**
 * machineAction() with `fields` put over what parsing made, values no parser makes (a later code path might hand such
 * an action over). Not a spread: a parsed action reads most fields from `raw` when asked, and a spread loses them.
 */
export function unparsedAction(fields: Partial<Record<keyof MachineAction, unknown>>, overrides: Record<string, unknown> = {}): MachineAction {
  const parsed = machineAction(overrides);
  const action = Object.assign(Object.create(Object.getPrototypeOf(parsed) as object) as MachineAction, parsed);
  // Defined, not assigned: a field the parsed action reads through a getter (scope, title, …) has no setter.
  for (const [key, value] of Object.entries(fields)) {
    Object.defineProperty(action, key, { value, enumerable: true });
  }
  return action;
}
