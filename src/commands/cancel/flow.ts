// One cancel, start to outcome (SPEC §3 "Cancel" 4–5): exactly one POST; when it gets no clear answer or a refusal, the
// action is read back before anything else is offered, and a retry reads it again before it sends.
import type { CancelHooks } from '../../defender/client';
import { isDefenderApiError } from '../../defender/errors';
import { isCancellable, isFinal, MachineAction } from '../../defender/machineAction';
import { CancelOutcome, classifyAfterReread, classifyCancelError, classifyCancelResult } from './outcome';

/** The part of DefenderClient a cancel uses. */
export interface CancelClient {
  /** undefined: accepted (2xx) without a usable entity of this id. */
  cancelMachineAction(id: string, comment: string, signal?: AbortSignal, hooks?: CancelHooks): Promise<MachineAction | undefined>;
  getMachineAction(id: string, signal?: AbortSignal): Promise<MachineAction>;
}

export interface CancelRequest {
  id: string;
  comment: string;
  /** Read the action first and send nothing unless it is still cancellable (a retry after an unconfirmed cancel). */
  verifyFirst?: boolean;
  /** The client waits this long before sending (the rate budget, or a 429's Retry-After before its one retry). */
  onThrottled?(seconds: number): void;
  /**
   * The user's Cancel. It stops the cancel only while nothing is on the wire (waiting for the rate budget or a
   * Retry-After; runCancel then rejects with the abort reason). A POST already sent cannot be taken back, so from then
   * on the abort is ignored and `onTooLateToStop` says so.
   */
  signal?: AbortSignal;
  onTooLateToStop?(): void;
  /** The POST is about to go on the wire: from here on it cannot be stopped. */
  onSending?(): void;
}

function unconfirmedRead(outcome: CancelOutcome, error: unknown): CancelOutcome {
  return outcome.kind === 'unconfirmed' ? { ...outcome, rereadError: error } : outcome;
}

export async function runCancel(client: CancelClient, request: CancelRequest): Promise<CancelOutcome> {
  const { signal } = request;
  const stop = new AbortController();
  let onWire = false;
  const onAbort = (): void => (onWire ? request.onTooLateToStop?.() : stop.abort(signal?.reason));
  if (signal?.aborted) {
    onAbort();
  }
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    return await cancelUnlessStopped(client, request, stop.signal, (sending) => { onWire = sending; });
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}

async function cancelUnlessStopped(
  client: CancelClient, request: CancelRequest, stop: AbortSignal, setOnWire: (sending: boolean) => void,
): Promise<CancelOutcome> {
  if (request.verifyFirst) {
    let current: MachineAction;
    try {
      current = await client.getMachineAction(request.id, stop);
    } catch (error) {
      stop.throwIfAborted();
      return unconfirmedRead(classifyCancelError(error), error);
    }
    // Only a final status sends nothing; one neither cancellable nor final (Queued) is left to the service to decide.
    if (isFinal(current.status)) {
      return classifyCancelResult(current);
    }
  }
  try {
    const hooks: CancelHooks = {
      onSending: () => {
        setOnWire(true);
        request.onSending?.();
      },
      // A wait (rate budget, or a 429's Retry-After: the 429 was not processed) means nothing is on the wire.
      onThrottled: (seconds) => {
        setOnWire(false);
        request.onThrottled?.(seconds);
      },
    };
    const answered = await client.cancelMachineAction(request.id, request.comment, stop, hooks);
    return answered ? classifyCancelResult(answered) : await readAfterAccepted(client, request.id);
  } catch (error) {
    stop.throwIfAborted();
    const outcome = classifyCancelError(error);
    if (isDefenderApiError(error) && error.status === 400) {
      return readAfterRefusal(client, request.id, outcome, error);
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
 * A 2xx without the entity (204, empty, HTML, another action's entity) means accepted: one GET says what it came to.
 * Never a failure; when the GET fails too, the state is simply not known.
 */
async function readAfterAccepted(client: CancelClient, id: string): Promise<CancelOutcome> {
  try {
    return classifyCancelResult(await client.getMachineAction(id));
  } catch (rereadError) {
    return { kind: 'accepted', rereadError };
  }
}

/**
 * A refusal (400) carries no entity: the action is read back, so the view shows its final state instead of still
 * offering the cancel just refused. Still cancellable means the 400 was not the race: then it is reported as the error.
 * When the re-read fails, or shows a status neither cancellable nor final (Queued), it is refused, saying which.
 */
async function readAfterRefusal(client: CancelClient, id: string, refused: CancelOutcome, error: unknown): Promise<CancelOutcome> {
  let current: MachineAction;
  try {
    current = await client.getMachineAction(id);
  } catch (rereadError) {
    return { kind: 'refused', error, rereadError };
  }
  if (isCancellable(current.status)) {
    return { kind: 'failed', error };
  }
  if (!isFinal(current.status)) {
    return { kind: 'refused', error, current };
  }
  return refused.kind === 'alreadyFinished' ? { ...refused, action: current } : { kind: 'alreadyFinished', how: 'refused', error, action: current };
}
