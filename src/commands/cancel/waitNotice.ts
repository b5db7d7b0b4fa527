// The one way to stop a cancel (SPEC §3 "Cancel"): only while it waits before it is sent (the rate budget, or a 429's
// Retry-After). The "Cancelling …" progress has no Cancel button, so no one can read it as "undo the cancel".
import { SafeProgress, withNotificationProgress } from '../../notify';

/**
 * A notification shown while a cancel waits to be sent, whose Cancel button stops the wait: nothing is on the wire
 * yet, so stopping loses nothing. `signal` aborts when it is pressed; end() removes the notification (call it when
 * the request goes out and when the cancel settles).
 */
export class StopWaitingNotice {
  private readonly stop = new AbortController();
  private open = false;
  private close: (() => void) | undefined;
  private progress: SafeProgress | undefined;

  constructor(private readonly subject: string) {}

  get signal(): AbortSignal {
    return this.stop.signal;
  }

  /** Shows the notice, or updates it, for a wait of `seconds` (s). */
  show(seconds: number): void {
    const message = `${seconds} s until it is sent.`;
    if (this.open) {
      this.progress?.report({ message });
      return;
    }
    this.open = true;
    void withNotificationProgress(`The cancel of ${this.subject} waits for the Defender API rate limit; nothing is sent yet. Cancel stops waiting and sends nothing.`,
      { cancellable: true }, (progress, signal) => {
        if (!this.open) {
          return Promise.resolve();
        }
        this.progress = progress;
        progress.report({ message });
        signal.addEventListener('abort', () => this.stop.abort(signal.reason), { once: true });
        return new Promise<void>((resolve) => {
          this.close = resolve;
        });
      });
  }

  end(): void {
    this.open = false;
    this.close?.();
    this.close = undefined;
    this.progress = undefined;
  }
}
