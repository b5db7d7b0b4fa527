// Activation cost (SPEC §4): loading the production bundle in a fresh `node` process (no V8 code cache, nothing
// warmed), with the stub `vscode` module; the median of several processes. activate() is not called.
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { emit, median, ms } from './common.mjs';
import { root } from '../setup.mjs';

const PROCESSES = 9;
const probe = `
const Module = require('node:module');
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  return request === 'vscode' ? ${JSON.stringify(path.join(root, 'scripts/bench/vscodeStub.cjs'))} : resolve.call(this, request, ...rest);
};
const start = performance.now();
require(${JSON.stringify(path.join(root, 'dist/extension.js'))});
console.log(performance.now() - start);
`;

const env = { ...process.env };
delete env.NODE_COMPILE_CACHE;
const samples = Array.from({ length: PROCESSES }, () => {
  const child = spawnSync(process.execPath, ['-e', probe], { env, encoding: 'utf8' });
  if (child.status !== 0) {
    throw new Error(`loading the bundle failed: ${child.stderr}`);
  }
  return Number(child.stdout.trim());
});
const coldLoadMs = median(samples);
console.log(`Cold load of dist/extension.js in a fresh process: ${ms(coldLoadMs)} (median of ${PROCESSES}; ${samples.map((s) => s.toFixed(0)).join(', ')})`);
emit({ coldLoadMs });
