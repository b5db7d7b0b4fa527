// Runs inside the extension host (desktop VS Code or code-server): every *.test.js beside this file, with mocha.
// The extension host's console is not the terminal, so the outcome goes to the file MDE_HOST_RESULT names, which
// runTests.ts prints and `npm test` counts.
import * as fs from 'node:fs';
import * as path from 'node:path';
import Mocha from 'mocha';
import type { HostResult, HostTestOutcome } from '../hostResult';

export function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'tdd', timeout: 20_000, color: false });
  // MDE_HOST_FILES (comma-separated, e.g. accounts.test.js) runs only those files: one area while working on it.
  const only = process.env.MDE_HOST_FILES?.split(',');
  for (const file of fs.readdirSync(__dirname).filter((name) => name.endsWith('.test.js') && (!only || only.includes(name))).sort()) {
    mocha.addFile(path.join(__dirname, file));
  }
  const tests: HostTestOutcome[] = [];
  return new Promise((resolve, reject) => {
    try {
      const runner = mocha.run((failures) => {
        writeResult(tests);
        if (failures > 0) {
          reject(new Error(`${failures} host test(s) failed`));
        } else {
          resolve();
        }
      });
      runner.on('pass', (test) => tests.push({ title: test.fullTitle(), state: 'passed', durationMs: test.duration }));
      runner.on('fail', (test, error) => tests.push({ title: test.fullTitle(), state: 'failed', error: error.stack ?? String(error) }));
      runner.on('pending', (test) => tests.push({ title: test.fullTitle(), state: 'skipped' }));
    } catch (error) {
      tests.push({ title: 'loading the host suite', state: 'failed', error: error instanceof Error ? error.stack : String(error) });
      writeResult(tests);
      reject(error);
    }
  });
}

function writeResult(tests: HostTestOutcome[]): void {
  const file = process.env.MDE_HOST_RESULT;
  if (!file) {
    return;
  }
  const count = (state: HostTestOutcome['state']) => tests.filter((t) => t.state === state).length;
  const result: HostResult = { passed: count('passed'), failed: count('failed'), skipped: count('skipped'), tests };
  // Renamed into place: the launcher takes the file's appearance as the end of the run.
  fs.writeFileSync(`${file}.partial`, JSON.stringify(result, null, 2));
  fs.renameSync(`${file}.partial`, file);
}
