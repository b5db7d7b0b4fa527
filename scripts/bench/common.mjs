// Helpers shared by the benchmark's parts (scripts/bench/*.mjs). Each part runs in its own `node` process, prints
// what it wants a reader to see, and ends with one JSON line of figures that scripts/bench.mjs collects.
import * as Module from 'node:module';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { root } from '../setup.mjs';

const require = Module.createRequire(import.meta.url);

/** A module compiled to out/ (`npm run compile-tests`), e.g. `src/views/treeNodes.js`. */
export const out = (file) => require(path.join(root, 'out', file));

export const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** Forces a full GC when the process runs with --expose-gc, so one sample does not pay for the last one's garbage. */
export const collect = () => globalThis.gc?.();

/** Milliseconds `fn` takes (awaited), median of `runs`, each from a collected heap. `fn` may return a result to keep. */
export async function timeMedian(fn, runs) {
  const samples = [];
  for (let i = 0; i < runs; i++) {
    collect();
    const start = performance.now();
    await fn();
    samples.push(performance.now() - start);
  }
  return median(samples);
}

/** Makes `require('vscode')` return the stub of scripts/bench/vscodeStub.cjs (the tree provider and the bundle need it). */
export const stubVscode = () => out('test/support/vscodeStub.js').stubVscode();

/** A clock the client, its rate limiter and the simulator share: sleeping moves it on at once. */
export class FakeClock {
  constructor(time = Date.now()) {
    this.time = time;
  }

  now() {
    return this.time;
  }

  async sleep(ms, signal) {
    signal?.throwIfAborted();
    this.time += ms;
  }

  /** Moves to `time` if that is later (a timer tick). */
  advanceTo(time) {
    this.time = Math.max(this.time, time);
  }
}

export const quietLogger = { trace() {}, debug() {}, info() {}, warn() {}, error() {} };

/** The last line of a part's output: its figures. */
export function emit(figures) {
  console.log(JSON.stringify(figures));
}

export const ms = (value) => `${value.toFixed(1)} ms`;
