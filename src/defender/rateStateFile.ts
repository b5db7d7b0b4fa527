// The rate budget shared by every VS Code window of this user (issue 11 item 12): a small JSON file of the calls of
// the last hour and the Retry-After pause, read before each decision and replaced atomically (temp file + rename)
// after each change, so a reader never sees half a file. Each read-decide-write holds a FileLock, or two windows
// would both admit the last call of a minute. The extension passes a path in globalStorageUri.
import type * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FileLock, readPlainFile } from './fileLock';
import type { RateState, RateStateStore, RecordedCall } from './rateLimiter';

/** The state of 1500 calls is about 100 KB: a larger file is not one this extension wrote, and is not read. */
const MAX_STATE_BYTES = 1024 * 1024;

/**
 * The rate budget shared by every window of this user, in one JSON file (written atomically); a failing read, write
 * or lock is reported once through `warn` and the window goes on with its own count.
 */
export class FileRateStateStore implements RateStateStore {
  /** Problems already reported: each is reported once until it is solved, not on every request. */
  private readonly failing = new Set<string>();
  private readonly lock: FileLock;

  /**
   * `filePath`: the JSON file (its folder is created when missing). `onError` hears of a file that cannot be read
   * or written, or locked; the limiter then goes on with what it knows, so the API stays usable and the budget of
   * this window still holds.
   */
  constructor(private readonly filePath: string, private readonly onError: (message: string) => void = () => undefined) {
    this.lock = new FileLock(filePath, { report: (key, message) => this.report(key, message), solved: (key) => this.failing.delete(key) });
  }

  /**
   * Undefined when there is no file yet, or it cannot be read or is no plain file of at most 1 MiB (reported; a
   * named pipe is never opened for a blocking read), or is not a rate state (ignored; the next write replaces it).
   */
  read(): RateState | undefined {
    let text: string;
    try {
      text = readPlainFile(this.filePath, MAX_STATE_BYTES);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
        this.report('read', this.problem('read', error));
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
      // Not rmSync's force alone: it ignores only a missing file, and a folder path that is a file throws ENOTDIR.
      if (fs.existsSync(temp)) {
        fs.rmSync(temp, { force: true });
      }
      this.report('write', this.problem('write', error));
    }
  }

  /**
   * Runs `work` holding the file's lock (see FileLock.acquire: a wait of at most MAX_LOCK_WAIT_MS ms, synchronous).
   * When the lock cannot be had, `work` runs without it (reported).
   */
  exclusive<T>(work: () => T): T {
    const held = this.lock.acquire();
    try {
      return work();
    } finally {
      if (held) {
        this.lock.release(held);
      }
    }
  }

  private problem(operation: 'read' | 'write', error: unknown): string {
    return `Could not ${operation} the shared rate budget ${this.filePath} (only this window's calls are counted): ${String(error)}`;
  }

  private report(key: string, message: string): void {
    if (!this.failing.has(key)) {
      this.failing.add(key);
      this.onError(message);
    }
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
