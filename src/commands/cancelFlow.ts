// One cancel, start to outcome (SPEC §3 "Cancel" 4–5): exactly one POST; when it gets no clear answer or a refusal, the
// action is read back before anything else is offered, and a retry reads it again before it sends. Pure (no vscode).
import type { CancelHooks } from '../defender/client';
import { isCancellable, MachineAction } from '../defender/machineAction';
import { CancelOutcome, classifyAfterReread, classifyCancelError, classifyCancelResult } from './cancelOutcome';

/** The part of DefenderClient a cancel uses. */
export interface CancelClient {
  cancelMachineAction(id: string, comment: string, signal?: AbortSignal, hooks?: CancelHooks): Promise<MachineAction>;
  getMachineAction(id: string, signal?: AbortSignal): Promise<MachineAction>;
}

export interface CancelRequest {
  id: string;
  comment: string;
  /** Read the action first and send nothing unless it is still cancellable (a retry after an unconfirmed cancel). */
  verifyFirst?: boolean;
  /** The service answered 429: the client waits this long, then retries once. */
  onThrottled?(seconds: number): void;
}

function unconfirmedRead(outcome: CancelOutcome, error: unknown): CancelOutcome {
  return outcome.kind === 'unconfirmed' ? { ...outcome, rereadError: error } : outcome;
}

export async function runCancel(client: CancelClient, request: CancelRequest): Promise<CancelOutcome> {
  if (request.verifyFirst) {
    let current: MachineAction;
    try {
      current = await client.getMachineAction(request.id);
    } catch (error) {
      return unconfirmedRead(classifyCancelError(error), error);
    }
    if (!isCancellable(current.status)) {
      return classifyCancelResult(current);
    }
  }
  try {
    const hooks: CancelHooks = { onThrottled: (seconds) => request.onThrottled?.(seconds) };
    return classifyCancelResult(await client.cancelMachineAction(request.id, request.comment, undefined, hooks));
  } catch (error) {
    const outcome = classifyCancelError(error);
    if (outcome.kind === 'alreadyFinished') {
      return readAfterRefusal(client, request.id, outcome);
    }
    if (outcome.kind !== 'unconfirmed') {
      return outcome;
    }
    try {
      return classifyAfterReread(outcome, await client.getMachineAction(request.id));
    } catch (rereadError) {
      return { ...outcome, rereadError };
    }
  }
}

/**
 * A refusal (400) carries no entity: the action is read back, so the view shows its final state instead of still
 * offering the cancel just refused. Still cancellable means the 400 was not the race: then it is reported as the error.
 */
async function readAfterRefusal(client: CancelClient, id: string, refused: Extract<CancelOutcome, { kind: 'alreadyFinished' }>): Promise<CancelOutcome> {
  let current: MachineAction;
  try {
    current = await client.getMachineAction(id);
  } catch {
    return refused;
  }
  return isCancellable(current.status) ? { kind: 'failed', error: refused.error } : { ...refused, action: current };
}
