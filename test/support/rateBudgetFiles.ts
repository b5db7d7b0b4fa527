// The shared rate budget's files as other windows leave them, and one acquire in another window (a fresh process),
// for the tests of FileRateStateStore and its lock.
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** The compiled modules, for scripts run in other processes. */
export const MODULES = {
  limiter: require.resolve('../../src/defender/rateLimiter'),
  store: require.resolve('../../src/defender/rateStateFile'),
};

/** A state file's path in a fresh temporary folder, in a subfolder not made yet. */
export function tempRateFile(): string {
  return path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'rate-')), 'sub', 'rate-budget.json');
}

/** What lies beside the state file other than itself and released locks: a held lock or a temp file. */
export function leftovers(file: string): string[] {
  const released = new RegExp(`^${path.basename(file).replace(/\./g, '\\.')}\\.lock\\.\\d+\\.free$`);
  return fs.readdirSync(path.dirname(file)).filter((name) => name !== path.basename(file) && !released.test(name));
}

/**
 * What a window that died holding the lock leaves: a process takes the lock of `file` and exits inside the work.
 * Returns the paths of the lock files it left.
 */
export function leaveLockOfDeadWindow(file: string): string[] {
  const script = `new (require(${JSON.stringify(MODULES.store)}).FileRateStateStore)(process.argv[1]).exclusive(() => process.exit(0));`;
  const ended = spawnSync(process.execPath, ['-e', script, file], { encoding: 'utf8' });
  assert.equal(ended.status, 0, ended.stderr);
  const left = leftovers(file).map((name) => path.join(path.dirname(file), name));
  assert.notDeepEqual(left, [], 'the window left its lock');
  return left;
}

/** The lock of `file` as a holder leaves it: naming `holder` (a process id, or '' for none), dated `mtime`. */
export function leaveLock(file: string, holder: string, mtime: Date): string[] {
  const left = leaveLockOfDeadWindow(file);
  for (const lock of left) {
    fs.writeFileSync(lock, holder);
    fs.utimesSync(lock, mtime, mtime);
  }
  return left;
}

/**
 * One acquire on `file` in a fresh process (another window's extension host): whether it was admitted, how long
 * the acquire held the thread (ms), how often it paused for the lock (a pause is Atomics.wait: counted, not timed,
 * so a loaded machine cannot change it) and what it reported. A process stuck on the lock fails the test after 10 s
 * instead of hanging the runner.
 */
export function acquireInOtherWindow(file: string): Promise<{ admitted: number; heldMs: number; pauses: number; reported: string }> {
  const script = `
    const { RateLimiter } = require(${JSON.stringify(MODULES.limiter)});
    const { FileRateStateStore } = require(${JSON.stringify(MODULES.store)});
    const wait = Atomics.wait;
    let pauses = 0;
    Atomics.wait = (...args) => { pauses++; return wait(...args); };
    const limiter = new RateLimiter({ store: new FileRateStateStore(process.argv[1], (m) => console.error(m)) });
    const started = performance.now();
    const done = limiter.acquire(undefined, { maxWaitMs: 0 });
    const heldMs = performance.now() - started;
    const say = (admitted) => console.log(JSON.stringify({ admitted, heldMs, pauses }));
    done.then(() => say(1), () => say(0));`;
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['-e', script, file], { timeout: 10_000 }, (error, stdout, stderr) => (error
      ? reject(error)
      : resolve({ ...(JSON.parse(stdout) as { admitted: number; heldMs: number; pauses: number }), reported: stderr })));
  });
}
