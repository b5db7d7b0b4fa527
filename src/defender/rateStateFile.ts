// The rate budget shared by every VS Code window of this user (issue 11 item 12): a small JSON file of the calls of
// the last hour and the Retry-After pause, read before each decision and replaced atomically (temp file + rename)
// after each change, so a reader never sees half a file. Each read-decide-write holds a lock file (created with 'wx',
// so only one process can), or two windows would both admit the last call of a minute. The extension
// passes a path in globalStorageUri.
import type * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { RateState, RateStateStore, RecordedCall } from './rateLimiter';

/**
 * A lock older than this (ms), or dated this far ahead (another clock), is abandoned and taken over, whoever holds it;
 * one whose holder's process runs no more is taken over at once. The wait for a lock is synchronous on the extension
 * host's one thread, so it must be short (2 s froze the window): a live holder keeps the lock for one read and one
 * write of a small file (well under a millisecond, a few ms on a slow disk). Should one ever hold it longer, the two
 * read-merge-writes overlap once and a call may go uncounted; the API's 429 with Retry-After stays the net.
 */
export const STALE_LOCK_MS = 1000;
/** Pause between two tries for a held lock, in ms: a holder keeps it for well under a millisecond. */
const LOCK_RETRY_MS = 2;
const sleeper = new Int32Array(new SharedArrayBuffer(4));

type Operation = 'read' | 'write' | 'lock';

/**
 * The rate budget shared by every window of this user, in one JSON file (written atomically); a failing read, write
 * or lock is reported once through `warn` and the window goes on with its own count.
 */
export class FileRateStateStore implements RateStateStore {
  /** Failing operations already reported: each is reported once until it works again, not on every request. */
  private readonly failing = new Set<Operation>();

  /**
   * `filePath`: the JSON file (its folder is created when missing). `onError` hears of a file that cannot be read
   * or written; the limiter then goes on with what it knows, so the API stays usable and the budget of this window
   * still holds.
   */
  constructor(private readonly filePath: string, private readonly onError: (message: string) => void = () => undefined) {}

  /** Undefined when there is no file yet, or it cannot be read (reported) or is not a rate state (ignored, rewritten). */
  read(): RateState | undefined {
    let text: string;
    try {
      text = fs.readFileSync(this.filePath, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
        this.report('read', error);
      }
      return undefined;
    }
    this.failing.delete('read');
    return parseRateState(text);
  }

  write(state: RateState): void {
    const temp = `${this.filePath}.${(require('node:crypto') as typeof crypto).randomUUID()}.tmp`;
    try {
      fs.mkdirSync(path.dirname(this.filePath), { recursive: true });
      fs.writeFileSync(temp, JSON.stringify({ version: 1, calls: state.calls, pausedUntil: state.pausedUntil }));
      fs.renameSync(temp, this.filePath);
      this.failing.delete('write');
    } catch (error) {
      if (fs.existsSync(temp)) {
        fs.rmSync(temp, { force: true });
      }
      this.report('write', error);
    }
  }

  /**
   * Runs `work` holding `<file>.lock` (which names this process): waits (synchronously, a few ms at a time) while a
   * live process holds it, and takes over an abandoned one (its process gone, or older than STALE_LOCK_MS). When the
   * lock cannot be created, or an abandoned one cannot be removed, `work` runs without it (reported).
   */
  exclusive<T>(work: () => T): T {
    const lock = this.lock();
    try {
      return work();
    } finally {
      if (lock) {
        fs.rmSync(lock, { force: true });
      }
    }
  }

  /** The lock file's path once created, or undefined when it could not be (reported). */
  private lock(): string | undefined {
    const lockPath = `${this.filePath}.lock`;
    for (;;) {
      try {
        fs.mkdirSync(path.dirname(this.filePath), { recursive: true });
        fs.writeFileSync(lockPath, String(process.pid), { flag: 'wx' });
        this.failing.delete('lock');
        return lockPath;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
          this.report('lock', error);
          return undefined;
        }
      }
      if (!isAbandoned(lockPath)) {
        Atomics.wait(sleeper, 0, 0, LOCK_RETRY_MS);
      } else if (!takeOver(lockPath)) {
        this.report('lock', new Error(`${path.basename(lockPath)} was abandoned and cannot be removed`),
          'the budget is read and written without it, and two windows may each count a call at the same moment');
        return undefined;
      }
    }
  }

  /** `consequence`: what the window does without the operation, for the message. */
  private report(operation: Operation, error: unknown, consequence = 'only this window\'s calls are counted'): void {
    if (!this.failing.has(operation)) {
      this.failing.add(operation);
      this.onError(`Could not ${operation} the shared rate budget ${this.filePath} (${consequence}): ${String(error)}`);
    }
  }
}

/** Removes an abandoned lock; false when it stays (it cannot be removed). */
function takeOver(lockPath: string): boolean {
  try {
    fs.rmSync(lockPath, { force: true });
    return true;
  } catch {
    return false;
  }
}

/**
 * Whether the lock is older than STALE_LOCK_MS or dated that far ahead, or names a process that runs no more. False
 * when it is gone already (the next try will tell) or names no process yet (being written: judged by its age).
 */
function isAbandoned(lockPath: string): boolean {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(lockPath);
  } catch {
    return false;
  }
  if (Math.abs(Date.now() - stat.mtimeMs) > STALE_LOCK_MS) {
    return true;
  }
  let holder = NaN;
  try {
    holder = Number(fs.readFileSync(lockPath, 'utf8'));
  } catch {
    // Unreadable: judged by its age alone.
  }
  return Number.isInteger(holder) && holder > 0 && !isRunning(holder);
}

/** Whether a process with this id runs on this machine (signal 0 only asks; EPERM: it runs as another user). */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function isCall(value: unknown): value is RecordedCall {
  const call = value as Partial<RecordedCall> | null;
  return typeof call === 'object' && call !== null && Number.isFinite(call.at) && typeof call.id === 'string';
}

/** The file's content, keeping only well-formed entries; undefined when it is not a rate state at all. */
function parseRateState(text: string): RateState | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  const state = value as { calls?: unknown; pausedUntil?: unknown } | null;
  if (typeof state !== 'object' || state === null || !Array.isArray(state.calls)) {
    return undefined;
  }
  const pausedUntil = typeof state.pausedUntil === 'number' && Number.isFinite(state.pausedUntil) ? state.pausedUntil : 0;
  return { calls: state.calls.filter(isCall), pausedUntil };
}
