// The lock of the rate budget shared by all windows (issue 11 item 12): never two holders, a short and bounded wait
// on the extension host's thread, and no read of anything that is not a plain file.
import assert from 'node:assert/strict';
import { ChildProcess, execFile, execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { FileLock, MAX_LOCK_WAIT_MS, STALE_LOCK_MS } from '../../src/defender/fileLock';
import { FileRateStateStore } from '../../src/defender/rateStateFile';
import { acquireInOtherWindow, leaveLock, leaveLockOfDeadWindow, leftovers, MODULES, tempRateFile } from '../support/rateBudgetFiles';
import { waitFor } from '../support/waitFor';

// The fs module itself (the `import * as` above is a copy of its bindings): what the code under test calls.
const realFs = require('node:fs') as Record<string, unknown>;
/** The fs functions that take a path which the lock and the store call. */
const PATH_CALLS = ['mkdirSync', 'readdirSync', 'lstatSync', 'statSync', 'openSync', 'readFileSync', 'writeFileSync',
  'renameSync', 'unlinkSync', 'rmSync', 'existsSync'];
const sleeper = new Int32Array(new SharedArrayBuffer(4));
/** How long the other window holds the lock, in ms: far below STALE_LOCK_MS, so it is never taken over from it. */
const HOLD_MS = 30;
/** What a loaded machine (2 cores, a load of 9) may add to a wall-clock time, in ms. */
const LOAD_MS = 350;

/** Blocks the thread for `ms`, as a window's synchronous read-decide-write does. */
function nap(ms: number): void {
  Atomics.wait(sleeper, 0, 0, ms);
}

/**
 * Runs `body` with `after(n)` called after the n-th call (from 1) of an fs function on a path in `dir`, whether it
 * succeeded or threw; the calls `after` makes itself are not counted.
 */
function afterEachFsCall<T>(dir: string, after: (n: number) => void, body: () => T): T {
  let count = 0;
  let inside = false;
  const originals = PATH_CALLS.map((name) => [name, realFs[name] as (...args: unknown[]) => unknown] as const);
  for (const [name, original] of originals) {
    realFs[name] = (...args: unknown[]) => {
      try {
        return original(...args);
      } finally {
        if (!inside && typeof args[0] === 'string' && (args[0] === dir || args[0].startsWith(dir + path.sep))) {
          inside = true;
          try {
            after(++count);
          } finally {
            inside = false;
          }
        }
      }
    };
  }
  try {
    return body();
  } finally {
    for (const [name, original] of originals) {
      realFs[name] = original;
    }
  }
}

/**
 * Another window in its own process: each time it is told to (go), it takes the lock of the given state file, says
 * so, holds it HOLD_MS and says it is done.
 */
class OtherWindow {
  private rounds = 0;
  private stderr = '';

  private constructor(private readonly control: string, child: ChildProcess) {
    child.stderr?.on('data', (chunk: Buffer) => { this.stderr += chunk.toString(); });
  }

  static async start(): Promise<OtherWindow> {
    const control = fs.mkdtempSync(path.join(os.tmpdir(), 'window-'));
    const script = `
      const fs = require('node:fs'), path = require('node:path');
      const { FileRateStateStore } = require(${JSON.stringify(MODULES.store)});
      const nap = (ms) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
      const marker = (name) => path.join(process.argv[1], name);
      fs.writeFileSync(marker('ready'), '');
      for (let round = 0; ; round++) {
        const deadline = Date.now() + 60000;
        while (!fs.existsSync(marker('go-' + round))) { if (Date.now() > deadline) process.exit(1); nap(1); }
        const file = fs.readFileSync(marker('go-' + round), 'utf8');
        if (file === 'stop') process.exit(0);
        new FileRateStateStore(file, (m) => console.error(m)).exclusive(() => {
          fs.writeFileSync(marker('in-' + round), '');
          nap(${HOLD_MS});
          fs.writeFileSync(marker('out-' + round), '');
        });
      }`;
    const child = spawn(process.execPath, ['-e', script, control], { stdio: ['ignore', 'ignore', 'pipe'] });
    const window = new OtherWindow(control, child);
    await waitFor(() => fs.existsSync(path.join(control, 'ready')), 'the other window to start');
    return window;
  }

  /** Tells the window to take the lock of `file` (written whole, by rename); returns the round's number. */
  go(file: string): number {
    const round = this.rounds++;
    fs.writeFileSync(path.join(this.control, 'next'), file);
    fs.renameSync(path.join(this.control, 'next'), path.join(this.control, `go-${round}`));
    return round;
  }

  isInside(round: number): boolean {
    return fs.existsSync(path.join(this.control, `in-${round}`));
  }

  isDone(round: number): boolean {
    return fs.existsSync(path.join(this.control, `out-${round}`));
  }

  /** What the window reported (its store's warnings). */
  get reported(): string {
    return this.stderr;
  }

  stop(): void {
    this.go('stop');
  }
}

/** What happened when the other window was told to take the lock right after one step of this window's. */
interface Turn {
  /** Whether this window's work ran while the other window was inside its own. */
  overlapped: boolean;
  /** How long this window stood still after its step until the other window was inside (ms). */
  stoodMs: number;
}

/**
 * This window takes the lock of `file`; right after its `step`-th fs call on the lock's folder, it stands still while
 * the other window takes the lock `turns` times in a row, and goes on once the other is inside for the last time.
 * Undefined when this window made fewer calls.
 */
async function takeTurns(other: OtherWindow, file: string, step: number, turns: number): Promise<Turn | undefined> {
  let round: number | undefined;
  let stoodMs = 0;
  let overlapped = false;
  afterEachFsCall(path.dirname(file), (n) => {
    if (n === step) {
      const started = performance.now();
      for (let turn = 1; turn <= turns; turn++) {
        const current = other.go(file);
        const entered = (): boolean => (turn < turns ? other.isDone(current) : other.isInside(current));
        while (!entered() && performance.now() - started < 10_000) {
          nap(1);
        }
        round = current;
      }
      stoodMs = performance.now() - started;
    }
  }, () => new FileRateStateStore(file).exclusive(() => {
    overlapped = round !== undefined && other.isInside(round) && !other.isDone(round);
  }));
  if (round === undefined) {
    return undefined;
  }
  const last = round;
  await waitFor(() => other.isDone(last), `the other window's turn ${last}`);
  return { overlapped, stoodMs };
}

/** The lock files of `abandoned` copied beside `file`, naming `holder` (unchanged when undefined), dated `ageMs` back. */
function copyLock(abandoned: string[], file: string, holder: string | undefined, ageMs: number): void {
  fs.mkdirSync(path.dirname(file));
  for (const lock of abandoned) {
    const copy = path.join(path.dirname(file), path.basename(lock));
    fs.copyFileSync(lock, copy);
    if (holder !== undefined) {
      fs.writeFileSync(copy, holder);
    }
    fs.utimesSync(copy, new Date(Date.now() - ageMs), new Date(Date.now() - ageMs));
  }
}

describe('FileRateStateStore lock (issue 11 item 12)', () => {
  it('never lets two windows hold the lock, whichever step of taking over an abandoned lock the other acts after', async () => {
    const other = await OtherWindow.start();
    try {
      const abandoned = leaveLockOfDeadWindow(tempRateFile());
      for (const [left, holder, ageMs] of [['by a window that died', undefined, 0], ['5 s ago, naming no process', '', 5000]] as const) {
        // Two turns: this window's look is then two generations behind when it acts on it.
        for (const turns of [1, 2]) {
          let interleaved = 0;
          for (let step = 1; ; step++) {
            const file = tempRateFile();
            copyLock(abandoned, file, holder, ageMs);
            const turn = await takeTurns(other, file, step, turns);
            if (!turn) {
              break;
            }
            // Standing still that long, this window's own lock may be taken over: a holder stuck past STALE_LOCK_MS.
            if (turn.stoodMs < STALE_LOCK_MS - 20) {
              interleaved++;
              assert.equal(turn.overlapped, false, `lock left ${left}: both windows held it when the other took it ${turns} times after step ${step}`);
            }
          }
          assert.ok(interleaved >= 3, `lock left ${left}: the other window got in ${turns} times between the steps only ${interleaved} times`);
        }
      }
    } finally {
      other.stop();
    }
  });

  it('leaves the lock of a window that took it over alone when the window it was taken from finishes', async () => {
    const other = await OtherWindow.start();
    try {
      const file = tempRateFile();
      let round = -1;
      new FileRateStateStore(file).exclusive(() => {
        // This window stands still holding the lock, until the other takes it over as stuck.
        round = other.go(file);
        while (!other.isInside(round)) {
          nap(1);
        }
      });
      let overlapped: boolean | undefined;
      new FileRateStateStore(file).exclusive(() => { overlapped = !other.isDone(round); });
      assert.equal(overlapped, false, 'a third window got in while the window that took the lock over held it');
      await waitFor(() => other.isDone(round) && other.reported.includes('\n'), 'the other window to finish and say why');
      assert.match(other.reported, new RegExp(`^Took over the lock of the shared rate budget .* from process ${process.pid}, which held it for \\d+ ms`));
    } finally {
      other.stop();
    }
  });

  it(`goes on without the lock after ${MAX_LOCK_WAIT_MS} ms when other windows keep taking it, and says so once`, () => {
    const file = tempRateFile();
    const others = new FileLock(file, { report: () => undefined, solved: () => undefined });
    let held = others.acquire();
    const reported: string[] = [];
    const store = new FileRateStateStore(file, (message) => reported.push(message));
    for (const attempt of [1, 2]) {
      const started = performance.now();
      // Each time this window looks, another has just taken the lock: it is never free nor old.
      const ran = afterEachFsCall(path.dirname(file), () => {
        others.release(held ?? assert.fail('the other windows lost the lock'));
        held = others.acquire();
      }, () => store.exclusive(() => true));
      const waited = performance.now() - started;
      assert.equal(ran, true, 'the work still runs');
      assert.ok(waited >= MAX_LOCK_WAIT_MS && waited < MAX_LOCK_WAIT_MS + LOAD_MS, `attempt ${attempt} held the thread ${Math.round(waited)} ms`);
    }
    assert.equal(reported.length, 1, 'said once, not on every call');
    assert.match(reported[0], new RegExp(`^Could not lock the shared rate budget .*rate-budget\\.json \\(the budget is read and written without it.*\\): other windows held it for over ${MAX_LOCK_WAIT_MS} ms$`));
  });

  for (const [left, leave] of [
    ['a moment ago by a window that died holding it', (file: string) => leaveLockOfDeadWindow(file)],
    ['dated 990 ms ahead by a window still running', (file: string) => leaveLock(file, String(process.pid), new Date(Date.now() + 990))],
    ['dated 990 ms ahead, naming no process', (file: string) => leaveLock(file, '', new Date(Date.now() + 990))],
    ['dated an hour ahead by a window still running', (file: string) => leaveLock(file, String(process.pid), new Date(Date.now() + 3_600_000))],
  ] as const) {
    it(`takes over at once a lock left ${left}`, async () => {
      const file = tempRateFile();
      leave(file);
      const { admitted, pauses, reported } = await acquireInOtherWindow(file);
      assert.equal(admitted, 1, 'the budget still works');
      assert.equal(pauses, 0, 'the extension host\'s thread did not wait for the lock');
      assert.equal(reported, '', 'a lock taken over is no failure to report');
      assert.equal(JSON.parse(fs.readFileSync(file, 'utf8')).calls.length, 1, 'the call is in the shared file');
      assert.deepEqual(leftovers(file), [], 'no lock held');
    });
  }

  it('takes over at once a lock this window left behind (naming its process, not held by it)', () => {
    const file = tempRateFile();
    leaveLock(file, String(process.pid), new Date());
    const reported: string[] = [];
    const wait = Atomics.wait;
    let pauses = 0;
    Atomics.wait = ((typedArray: Int32Array, index: number, value: number, timeout?: number) => {
      pauses++;
      return wait(typedArray, index, value, timeout);
    }) as typeof Atomics.wait;
    try {
      assert.equal(new FileRateStateStore(file, (message) => reported.push(message)).exclusive(() => 'ran'), 'ran');
    } finally {
      Atomics.wait = wait;
    }
    assert.equal(pauses, 0, 'this thread cannot be waiting for a lock it holds itself');
    assert.deepEqual(reported, []);
    assert.deepEqual(leftovers(file), [], 'no lock held');
  });

  it(`waits for the lock of a live process until it is ${STALE_LOCK_MS} ms old, then takes it over and says so`, async () => {
    const file = tempRateFile();
    leaveLock(file, String(process.pid), new Date());
    const { admitted, heldMs, reported } = await acquireInOtherWindow(file);
    assert.equal(admitted, 1);
    assert.ok(heldMs < MAX_LOCK_WAIT_MS + LOAD_MS, `the extension host's thread was held ${Math.round(heldMs)} ms`);
    const age = new RegExp(`^Took over the lock of the shared rate budget .*rate-budget\\.json from process ${process.pid}, which held it for (\\d+) ms \\(a window holds it for a few ms`).exec(reported);
    assert.ok(age, reported);
    // The message rounds the age: one just over the limit reads as the limit itself.
    assert.ok(Number(age[1]) >= STALE_LOCK_MS, `taken over when ${age[1]} ms old`);
    assert.deepEqual(leftovers(file), [], 'no lock held');
  });

  for (const [what, make] of [
    ['a named pipe', (lock: string) => execFileSync('mkfifo', [lock])],
    ['a folder', (lock: string) => fs.mkdirSync(lock)],
  ] as const) {
    it(`passes over at once a lock file that is ${what}, without reading it, and says so`, async () => {
      const file = tempRateFile();
      const [lock] = leaveLockOfDeadWindow(file);
      fs.rmSync(lock);
      make(lock);
      const { admitted, pauses, reported } = await acquireInOtherWindow(file);
      assert.equal(admitted, 1, 'the budget still works');
      assert.equal(pauses, 0, 'the extension host\'s thread did not wait for the lock');
      assert.match(reported, new RegExp(`^${lock.replace(/[.\\]/g, '\\$&')} is ${what}, not a lock this extension made: passed over\n`));
      assert.equal(JSON.parse(fs.readFileSync(file, 'utf8')).calls.length, 1, 'the call is in the shared file');
    });
  }

  it('does not read a state file that is a named pipe, says so and replaces it', async () => {
    const file = tempRateFile();
    fs.mkdirSync(path.dirname(file));
    execFileSync('mkfifo', [file]);
    const { admitted, reported } = await acquireInOtherWindow(file);
    assert.equal(admitted, 1, 'the budget still works');
    assert.match(reported, /^Could not read the shared rate budget .*rate-budget\.json \(only this window's calls are counted\): Error: rate-budget\.json is a named pipe, not a file\n$/);
    assert.equal(JSON.parse(fs.readFileSync(file, 'utf8')).calls.length, 1, 'written as a plain file');
  });
});

describe('RateLimiter shared through a file by processes (issue 11 item 12)', () => {
  /**
   * `count` windows, each a process, take calls as fast as they can until refused, from the same moment on; the
   * calls each was admitted and what it reported.
   */
  function race(file: string, count: number, perMinute: number): Promise<Array<{ admitted: number; reported: string }>> {
    const script = `
      const { RateLimiter } = require(${JSON.stringify(MODULES.limiter)});
      const { FileRateStateStore } = require(${JSON.stringify(MODULES.store)});
      const limiter = new RateLimiter({ perMinute: ${perMinute}, readReserve: { minute: 0, hour: 0 },
        store: new FileRateStateStore(process.argv[1], (m) => console.error(m)) });
      setTimeout(async () => {
        let admitted = 0;
        for (;;) {
          try { await limiter.acquire(undefined, { maxWaitMs: 0 }); admitted++; } catch { break; }
        }
        console.log(admitted);
      }, Number(process.argv[2]) - Date.now());`;
    const start = String(Date.now() + 1000);
    return Promise.all(Array.from({ length: count }, () => new Promise<{ admitted: number; reported: string }>((resolve, reject) => {
      execFile(process.execPath, ['-e', script, file, start], { timeout: 20_000 }, (error, stdout, stderr) => (error ? reject(error) : resolve({ admitted: Number(stdout), reported: stderr })));
    })));
  }

  /**
   * What a window says when a holder kept the lock past STALE_LOCK_MS: on a machine this loaded, a process can be
   * starved that long in the middle of its read-decide-write, and the others may not wait longer.
   */
  const STARVED = /which held it for \d+ ms|other windows held it for over/;

  for (const [left, leave] of [
    ['no lock', () => undefined],
    ['the lock of a window that died', (file: string) => leaveLockOfDeadWindow(file)],
    ['a lock 5 s old naming no process', (file: string) => leaveLock(file, '', new Date(Date.now() - 5000))],
  ] as const) {
    it(`three windows taking calls as fast as they can, from ${left}, admit exactly the minute budget together`, async () => {
      const starved: string[] = [];
      // A race in which a holder was starved past the lock's lease says so, and proves nothing either way: run another.
      for (let trial = 0; trial < 3; trial++) {
        const file = tempRateFile();
        leave(file);
        const windows = await race(file, 3, 20);
        const reported = windows.map((window) => window.reported).join('');
        if (STARVED.test(reported)) {
          starved.push(reported);
          continue;
        }
        assert.equal(reported, '');
        assert.equal(windows.reduce((sum, window) => sum + window.admitted, 0), 20, `admitted ${windows.map((window) => window.admitted).join(' + ')}`);
        assert.equal(JSON.parse(fs.readFileSync(file, 'utf8')).calls.length, 20);
        assert.deepEqual(leftovers(file), [], 'no lock or temp file left');
        return;
      }
      assert.fail(`a window was starved past the lock's lease in every race: ${starved.join('')}`);
    });
  }
});
