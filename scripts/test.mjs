// `npm test`: installs what is missing, type-checks, builds, packages the VSIX, runs every suite, prints one summary.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { build, ensureDependencies, packageVsix, root } from './setup.mjs';

const results = [];

function runUnitSuite(vsixPath) {
  const tap = path.join(root, 'test-results', 'unit.tap');
  fs.mkdirSync(path.dirname(tap), { recursive: true });
  const child = spawnSync(process.execPath, [
    '--test', '--test-concurrency=2',
    '--test-reporter=spec', '--test-reporter-destination=stdout',
    '--test-reporter=tap', `--test-reporter-destination=${tap}`,
    'out/test/unit/',
  ], { cwd: root, stdio: 'inherit', env: { ...process.env, MDE_TEST_VSIX: vsixPath } });
  results.push({ suite: 'unit', ...countTap(fs.readFileSync(tap, 'utf8')), exitCode: child.status });
}

function countTap(text) {
  const count = (name) => {
    const match = text.match(new RegExp(`^# ${name} (\\d+)$`, 'm'));
    return match ? Number(match[1]) : 0;
  };
  return { passed: count('pass'), failed: count('fail'), skipped: count('skipped') + count('todo') };
}

let setupError;
try {
  ensureDependencies();
  build();
  runUnitSuite(packageVsix());
} catch (error) {
  setupError = error;
}

const total = results.reduce((t, r) => ({ passed: t.passed + r.passed, failed: t.failed + r.failed, skipped: t.skipped + r.skipped }),
  { passed: 0, failed: 0, skipped: 0 });
console.log('\n── Summary ──');
for (const r of results) {
  console.log(`${r.suite}: ${r.passed} passed, ${r.failed} failed, ${r.skipped} skipped`);
}
if (setupError) {
  console.log(`set-up failed: ${setupError.message}`);
}
console.log(`${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped`);
const ok = !setupError && total.failed === 0 && total.passed > 0 && results.every((r) => r.exitCode === 0);
process.exit(ok ? 0 : 1);
