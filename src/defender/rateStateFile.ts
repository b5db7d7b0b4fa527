// The rate budget shared by every VS Code window of this user (issue 11 item 12): a small JSON file of the calls of
// the last hour and the Retry-After pause, read before each decision and replaced atomically (temp file + rename)
// after each change, so a reader never sees half a file. Each read-decide-write holds a lock file (created with 'wx',
// so only one process can), or two windows would both admit the last call of a minute. The extension
// passes a path in globalStorageUri.
import type * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { RateState, RateStateStore, RecordedCall } from './rateLimiter';

/** A lock older than this (ms) belongs to a process that died while holding it: it is taken over. */
export const STALE_LOCK_MS = 2000;
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
   * Runs `work` holding `<file>.lock`: waits (synchronously, a few ms at a time) while another process holds it, and
   * takes over a lock older than STALE_LOCK_MS. When the lock cannot be created at all (reported), `work` runs without.
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
        fs.closeSync(fs.openSync(lockPath, 'wx'));
        this.failing.delete('lock');
        return lockPath;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
          this.report('lock', error);
          return undefined;
        }
      }
      if (lockAgeMs(lockPath) > STALE_LOCK_MS) {
        fs.rmSync(lockPath, { force: true });
      } else {
        Atomics.wait(sleeper, 0, 0, LOCK_RETRY_MS);
      }
    }
  }

  private report(operation: Operation, error: unknown): void {
    if (!this.failing.has(operation)) {
      this.failing.add(operation);
      this.onError(`Could not ${operation} the shared rate budget ${this.filePath} (only this window's calls are counted): ${String(error)}`);
    }
  }
}

/** How long ago the lock was created, in ms; 0 when it is gone already (the next try will tell). */
function lockAgeMs(lockPath: string): number {
  try {
    return Date.now() - fs.statSync(lockPath).mtimeMs;
  } catch {
    return 0;
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
