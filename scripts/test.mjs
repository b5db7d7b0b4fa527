// `npm test`: installs what is missing, type-checks, builds, packages the VSIX, runs every suite — unit (plain Node),
// host (a real extension host) and ui (a real browser on the packaged VSIX) — and prints one summary.
// `npm test -- unit host` runs only the suites named.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { prepare, prepareHost, root } from './setup.mjs';

const SUITES = ['unit', 'host', 'ui'];
const selected = process.argv.length > 2 ? process.argv.slice(2) : SUITES;
const unknown = selected.filter((name) => !SUITES.includes(name));
if (unknown.length > 0) {
  console.error(`Unknown suite ${unknown.join(', ')}; the suites are ${SUITES.join(', ')}.`);
  process.exit(2);
}
const results = [];
const resultsDir = path.join(root, 'test-results');

function runSuite(suite, command, args, env, readCounts) {
  const started = Date.now();
  const child = spawnSync(command, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
  results.push({ suite, ...readCounts(), exitCode: child.status, seconds: Math.round((Date.now() - started) / 1000) });
}

/** Runs the *.test.js files of `dirs` as one suite, counted together. */
function nodeTestSuite(suite, dirs, env) {
  const tap = path.join(resultsDir, `${suite}.tap`);
  fs.rmSync(tap, { force: true });
  // Only *.test.js: Node's default patterns would also run every helper below a `test` folder.
  const files = dirs.flatMap((dir) => fs.readdirSync(path.join(root, dir)).filter((f) => f.endsWith('.test.js')).map((f) => path.join(dir, f)));
  runSuite(suite, process.execPath, [
    '--test', `--test-concurrency=${suite === 'unit' ? 2 : 1}`,
    '--test-reporter=spec', '--test-reporter-destination=stdout',
    '--test-reporter=tap', `--test-reporter-destination=${tap}`,
    ...files,
  ], env, () => countTap(fs.existsSync(tap) ? fs.readFileSync(tap, 'utf8') : ''));
}

function countTap(text) {
  const count = (name) => {
    const match = text.match(new RegExp(`^# ${name} (\\d+)$`, 'm'));
    return match ? Number(match[1]) : 0;
  };
  return { passed: count('pass'), failed: count('fail') + count('cancelled'), skipped: count('skipped') + count('todo') };
}

function hostSuite(codeServer) {
  const resultFile = path.join(resultsDir, 'host.json');
  fs.rmSync(resultFile, { force: true });
  runSuite('host', process.execPath, ['out/test/host/runTests.js'], { MDE_HOST_RESULT: resultFile, MDE_CODE_SERVER: codeServer },
    () => fs.existsSync(resultFile) ? JSON.parse(fs.readFileSync(resultFile, 'utf8')) : { passed: 0, failed: 0, skipped: 0 });
}

let setupError;
try {
  const vsix = await prepare();
  fs.mkdirSync(resultsDir, { recursive: true });
  // The simulators' TLS material, made once here: test files that run in parallel would otherwise race to create
  // it on a machine that has none yet, and one could trust a CA that another has just replaced.
  const { ensureTlsMaterial } = await import(pathToFileURL(path.join(root, 'out/test/simulators/tls.js')).href);
  ensureTlsMaterial();
  if (selected.includes('unit')) {
    // The simulators' self-tests live next to them and run with the unit tests.
    nodeTestSuite('unit', ['out/test/unit', 'out/test/simulators'], { MDE_TEST_VSIX: vsix });
  }
  if (selected.includes('host') || selected.includes('ui')) {
    const codeServer = await prepareHost();
    if (selected.includes('host')) {
      hostSuite(codeServer);
    }
    if (selected.includes('ui')) {
      fs.rmSync(path.join(resultsDir, 'screenshots'), { recursive: true, force: true });
      nodeTestSuite('ui', ['out/test/ui'], { MDE_TEST_VSIX: vsix, MDE_CODE_SERVER: codeServer });
    }
  }
} catch (error) {
  setupError = error;
}

console.log('\n── Summary ──');
const total = { passed: 0, failed: 0, skipped: 0 };
for (const suite of SUITES) {
  const r = results.find((result) => result.suite === suite);
  if (!r) {
    console.log(`${suite}: skipped (${selected.includes(suite) ? 'not run: set-up failed' : 'not selected'})`);
    continue;
  }
  // A suite that ended badly without a failing test (a crash, a time-out) still counts as a failure.
  const failed = r.exitCode !== 0 && r.failed === 0 ? 1 : r.failed;
  const note = failed !== r.failed ? ` — did not complete (exit ${r.exitCode}), counted as 1 failed` : '';
  console.log(`${suite}: ${r.passed} passed, ${r.failed} failed, ${r.skipped} skipped in ${r.seconds} s${note}`);
  total.passed += r.passed;
  total.failed += failed;
  total.skipped += r.skipped;
}
if (setupError) {
  console.log(`set-up failed: ${setupError.message}`);
}
console.log(`${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped`);
process.exit(!setupError && total.failed === 0 && total.passed > 0 ? 0 : 1);
