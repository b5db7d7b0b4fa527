/**
 * Runs MSAL calls one at a time, in order. MSAL reads the token cache from SecretStorage before a call and writes it
 * after; two calls in flight could each write a cache that lacks the other's change.
 */
export class MsalQueue {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.tail.then(task);
    const settled = (): void => undefined;
    this.tail = result.then(settled, settled);
    return result;
  }
}
