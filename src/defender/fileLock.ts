// The lock that lets one process at a time read, change and write a small shared file (issue 11 item 12: the rate
// budget of all VS Code windows). It is a row of generations beside the file: `<file>.lock.<n>` names the process
// that holds generation n, and `<file>.lock.<n>.free` says n was released. A process takes generation n + 1 by
// creating its file exclusively ('wx'), so of all who want it exactly one gets it, whether the holder of n released
// it or left it behind. Nothing is ever removed by path to take a lock over: removing by path removes whatever is
// there by then, which may be the lock another process has just taken (two holders, and calls over the limit).
import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * A lock older than this (ms) is taken over, whoever holds it: a live holder keeps it for one read and one write of
 * a small file (well under a millisecond, a few ms on a slow disk), so a holder this late is stuck or gone.
 */
export const STALE_LOCK_MS = 200;
/**
 * The longest the extension host's one thread waits for the lock (ms); the wait is synchronous, and 2 s froze the
 * window. Past it, the work goes on without the lock (reported): at worst two read-merge-writes overlap once and
 * one call is missing from the file until its window writes again (its own count still has it), and the API's 429
 * with Retry-After stays the net.
 */
export const MAX_LOCK_WAIT_MS = 250;
/**
 * A lock dated further ahead than this (ms) was not made by a process of this machine (they share one clock; file
 * times and Date.now() differ only by rounding and clock granularity), so it is taken over at once.
 */
const FUTURE_TOLERANCE_MS = 100;
/** Pause between two looks at a held lock, in ms. */
const LOCK_RETRY_MS = 2;
/** A lock file holds a process id: more is not a lock this extension made. */
const MAX_LOCK_BYTES = 64;
const sleeper = new Int32Array(new SharedArrayBuffer(4));

/** Lock files this process holds now: one naming this process and not among them was left behind by it. */
const heldHere = new Set<string>();

/** Where a lock tells of its problems: each `key` is told once, until `solved(key)`. */
export interface LockProblems {
  report(key: string, message: string): void;
  solved(key: string): void;
}

/** A path that is something other than a plain file (a named pipe, a folder, a device), which is never read. */
class NotAPlainFileError extends Error {}

/**
 * The text of the plain file `filePath` of at most `maxBytes` bytes. Opens without waiting (O_NONBLOCK), so a named
 * pipe cannot hold the thread, and reads nothing that is not a plain file. Throws the open's error (code ENOENT
 * when there is no file), or NotAPlainFileError naming what is there instead or its size when it is larger.
 */
export function readPlainFile(filePath: string, maxBytes: number): string {
  const fd = fs.openSync(filePath, fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0));
  try {
    const stat = fs.fstatSync(fd);
    if (!stat.isFile()) {
      throw new NotAPlainFileError(`${path.basename(filePath)} is ${kindOf(stat)}, not a file`);
    }
    if (stat.size > maxBytes) {
      throw new NotAPlainFileError(`${path.basename(filePath)} holds ${stat.size} bytes, more than the ${maxBytes} expected`);
    }
    return fs.readFileSync(fd, 'utf8');
  } finally {
    fs.closeSync(fd);
  }
}

/** One file of the lock's row: generation `generation`, held or (`free`) released. */
interface LockEntry {
  path: string;
  generation: number;
  free: boolean;
}

type Verdict = 'held' | 'abandoned' | 'gone';

/**
 * The lock of one shared file, `<file>.lock.<n>` beside it. Synchronous: the limiter's read-decide-write must not
 * let another turn of the event loop in.
 */
export class FileLock {
  private readonly dir: string;
  private readonly prefix: string;

  /** `filePath`: the shared file (its folder is created when missing); `problems` hears what goes wrong. */
  constructor(private readonly filePath: string, private readonly problems: LockProblems) {
    this.dir = path.dirname(filePath);
    this.prefix = `${path.basename(filePath)}.lock.`;
  }

  /**
   * Takes the lock and returns its file for release(): at once when it is free, or held by a process that ended, or
   * left behind by this one, or dated ahead; else after waiting (a few ms at a time) until it is released or
   * STALE_LOCK_MS old. Undefined, reported, when it could not be had within MAX_LOCK_WAIT_MS or not be made at all.
   */
  acquire(): string | undefined {
    const started = performance.now();
    try {
      fs.mkdirSync(this.dir, { recursive: true });
      for (;;) {
        const top = highest(this.entries());
        const verdict = !top || top.free ? 'abandoned' : this.judge(top);
        const mine = verdict === 'abandoned' ? this.claim((top?.generation ?? 0) + 1) : undefined;
        if (mine) {
          this.problems.solved('lock');
          return mine;
        }
        if (performance.now() - started >= MAX_LOCK_WAIT_MS) {
          this.problems.report('lock', this.withoutLock(`other windows held it for over ${MAX_LOCK_WAIT_MS} ms`));
          return undefined;
        }
        if (verdict === 'held') {
          Atomics.wait(sleeper, 0, 0, LOCK_RETRY_MS);
        }
      }
    } catch (error) {
      this.problems.report('lock', this.withoutLock(String(error)));
      return undefined;
    }
  }

  /** Releases the lock `mine` that acquire() returned; taken over and removed meanwhile, there is nothing to do. */
  release(mine: string): void {
    heldHere.delete(mine);
    try {
      fs.renameSync(mine, `${mine}.free`);
      this.problems.solved('unlock');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
        this.problems.report('unlock', `Could not unlock the shared rate budget ${this.filePath} (other windows take `
          + `the lock over when it is ${STALE_LOCK_MS} ms old): ${String(error)}`);
      }
    }
  }

  private withoutLock(cause: string): string {
    return `Could not lock the shared rate budget ${this.filePath} (the budget is read and written without it, and two `
      + `windows may each count a call at the same moment): ${cause}`;
  }

  /** The lock files beside the shared file; other names are not the lock's and are left alone. */
  private entries(): LockEntry[] {
    return fs.readdirSync(this.dir).flatMap((name) => {
      const match = name.startsWith(this.prefix) ? /^(\d{1,15})(\.free)?$/.exec(name.slice(this.prefix.length)) : null;
      return match ? [{ path: path.join(this.dir, name), generation: Number(match[1]), free: match[2] !== undefined }] : [];
    });
  }

  /** Whether the holder of the latest generation, `top`, may still be at work. */
  private judge(top: LockEntry): Verdict {
    let stat: fs.Stats;
    try {
      stat = fs.lstatSync(top.path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        return 'gone';
      }
      throw error;
    }
    if (!stat.isFile()) {
      this.problems.report(`odd:${top.path}`, `${top.path} is ${kindOf(stat)}, not a lock this extension made: passed over`);
      return 'abandoned';
    }
    const age = Date.now() - stat.mtimeMs;
    const holder = holderOf(top.path);
    if (age < -FUTURE_TOLERANCE_MS || (holder !== undefined && !mayHold(holder, top.path))) {
      return 'abandoned';
    }
    if (age <= STALE_LOCK_MS) {
      return 'held';
    }
    if (holder !== undefined) {
      this.problems.report(`stuck:${holder}`, `Took over the lock of the shared rate budget ${this.filePath} from process ${holder}, `
        + `which held it for ${Math.round(age)} ms (a window holds it for a few ms: that process is stuck or starved, or its id now `
        + 'belongs to another program)');
    }
    return 'abandoned';
  }

  /**
   * Creates generation `generation`; the path when this process holds the lock now. Undefined when another process
   * created it first, or a later generation exists (this one was chosen from an outdated look and never counted).
   */
  private claim(generation: number): string | undefined {
    const mine = path.join(this.dir, `${this.prefix}${generation}`);
    try {
      fs.writeFileSync(mine, String(process.pid), { flag: 'wx' });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
        return undefined;
      }
      throw error;
    }
    heldHere.add(mine);
    const entries = this.entries();
    if (entries.some((entry) => entry.generation >= generation && entry.path !== mine)) {
      heldHere.delete(mine);
      this.remove(mine);
      return undefined;
    }
    for (const entry of entries.filter((older) => older.generation < generation)) {
      this.remove(entry.path);
    }
    return mine;
  }

  /** Removes a lock file of a generation that no longer counts; one that stays is reported once and does no harm. */
  private remove(lockPath: string): void {
    try {
      fs.unlinkSync(lockPath);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
        this.problems.report(`remove:${lockPath}`, `Could not remove ${lockPath}, a lock of the shared rate budget that `
          + `no longer counts (it stays behind and does no harm): ${String(error)}`);
      }
    }
  }
}

/** The latest generation (a released one before a held one of the same number), or undefined when there is none. */
function highest(entries: LockEntry[]): LockEntry | undefined {
  return entries.reduce<LockEntry | undefined>((top, entry) => (!top || entry.generation > top.generation
    || (entry.generation === top.generation && entry.free) ? entry : top), undefined);
}

/** The process id a lock file names; undefined when it names none (being written, unreadable, or not ours). */
function holderOf(lockPath: string): number | undefined {
  let text: string;
  try {
    text = readPlainFile(lockPath, MAX_LOCK_BYTES);
  } catch {
    return undefined;
  }
  return /^[1-9]\d{0,9}$/.test(text) ? Number(text) : undefined;
}

/**
 * Whether process `pid` may still hold the lock `lockPath`: it runs, and when it is this process, it holds the lock
 * now (this thread cannot be waiting for a lock it holds itself, so one it does not hold was left behind).
 */
function mayHold(pid: number, lockPath: string): boolean {
  return pid === process.pid ? heldHere.has(lockPath) : isRunning(pid);
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

/** What a path that is not a plain file is, for a message. */
function kindOf(stat: fs.Stats): string {
  if (stat.isFIFO()) {
    return 'a named pipe';
  }
  if (stat.isDirectory()) {
    return 'a folder';
  }
  if (stat.isSymbolicLink()) {
    return 'a symbolic link';
  }
  return stat.isSocket() ? 'a socket' : 'a device';
}
