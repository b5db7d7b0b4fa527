// Shared set-up for `npm test`, `npm start` and `npm run bench`: a fresh clone needs nothing but Node and these
// scripts. Each step prints one line with its time; the tools' own output is shown only when a step fails, so a run
// that goes well shows nothing that looks like something to act on.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CODE_SERVER_VERSION, ensureHost } from './host/ensureHost.mjs';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/**
 * Runs a command in the project root with its output captured. Returns the captured text; when the command fails,
 * throws an Error naming the command line, with the text (stdout, then stderr) as `output`, which phase() prints.
 */
export function runQuietly(command, args) {
  const result = spawnSync(command, args, { cwd: root, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, stdio: ['ignore', 'pipe', 'pipe'] });
  const output = `${result.stdout ?? ''}${result.stderr ?? ''}`;
  if (result.status !== 0) {
    const error = new Error(`${[command, ...args].join(' ')} exited with ${result.status ?? result.error?.message ?? result.signal}`);
    error.output = output;
    throw error;
  }
  return output;
}

function npxQuietly(bin, args) {
  return runQuietly(process.execPath, [path.join(root, 'node_modules', '.bin', bin), ...args]);
}

/**
 * One step of a set-up, on one line: "label… detail (12.3 s)", where detail is `describe(value)` of the task's value
 * (by default the value itself, e.g. "up to date"). `task(progress)` may report a long step's state with
 * `progress(text)` (e.g. "still installing… 35 s"): rewritten in place on a terminal, a line of its own otherwise.
 * Returns the task's value; rethrows its error after a "failed" line and the failed command's output, if any.
 */
export async function phase(label, task, describe = (value) => value) {
  const started = Date.now();
  const tty = process.stdout.isTTY;
  let lineOpen = true;
  process.stdout.write(`${label}… `);
  const progress = (text) => {
    if (tty) {
      process.stdout.write(`\r\x1b[K${label}… ${text}`);
    } else {
      process.stdout.write(`${lineOpen ? '\n' : ''}  ${text}\n`);
      lineOpen = false;
    }
  };
  const finish = (text) => {
    const line = `${text} (${((Date.now() - started) / 1000).toFixed(1)} s)`;
    process.stdout.write(tty ? `\r\x1b[K${label}… ${line}\n` : `${lineOpen ? '' : `${label}: `}${line}\n`);
  };
  try {
    const value = await task(progress);
    finish(describe(value) ?? 'done');
    return value;
  } catch (error) {
    finish('failed');
    if (error?.output) {
      process.stdout.write(error.output);
    }
    throw error;
  }
}

/** `npm ci` when node_modules is missing or older than the lock file; returns what it did, for a phase line. */
export function ensureDependencies() {
  const marker = path.join(root, 'node_modules', '.package-lock.json');
  const lock = path.join(root, 'package-lock.json');
  if (fs.existsSync(marker) && fs.statSync(marker).mtimeMs >= fs.statSync(lock).mtimeMs) {
    return 'up to date';
  }
  runQuietly('npm', ['ci', '--no-audit', '--no-fund']);
  return 'installed (npm ci)';
}

/** Type check, lint, development build, and the tests compiled to out/; returns a phase detail. */
export function build() {
  npxQuietly('tsc', ['-p', '.', '--noEmit']);
  npxQuietly('eslint', ['src', 'test']);
  runQuietly(process.execPath, ['scripts/build.mjs']);
  fs.rmSync(path.join(root, 'out'), { recursive: true, force: true });
  npxQuietly('tsc', ['-p', 'tsconfig.test.json']);
  return 'type-checked, linted, bundled, tests compiled';
}

/** The production bundle and the VSIX at the repository root (`npm run package`, its file list unshown); returns the VSIX path. */
export function packageVsix() {
  runQuietly('npm', ['run', '--silent', 'package']);
  const { name, version } = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
  return path.join(root, `${name}-${version}.vsix`);
}

/** The phase line of a packaged VSIX: its file name and size. */
function describeVsix(vsix) {
  return `${path.basename(vsix)}, ${Math.round(fs.statSync(vsix).size / 1024)} KiB`;
}

/** The start of `npm test` and `npm start`: dependencies, build, package, a line each; resolves to the VSIX path. */
export async function prepare() {
  await phase('npm dependencies', ensureDependencies);
  await phase('Build', build);
  return phase('Package', packageVsix, describeVsix);
}

/** ensureHost() as a phase line, with the progress of a first install; resolves to the code-server executable. */
export function prepareHost() {
  return phase('code-server', ensureHost, () => `version ${CODE_SERVER_VERSION}`);
}
