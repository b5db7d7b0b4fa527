// Shared set-up for `npm test` and `npm start`: a fresh clone needs nothing but Node and these scripts.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Runs a command in the project root, streaming its output; throws with the command line when it fails. */
export function run(command, args, options = {}) {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', ...options });
  if (result.status !== 0) {
    throw new Error(`${[command, ...args].join(' ')} exited with ${result.status ?? result.signal}`);
  }
  return result;
}

export function npx(bin, args, options) {
  return run(process.execPath, [path.join(root, 'node_modules', '.bin', bin), ...args], options);
}

/** `npm ci` when node_modules is missing or older than the lock file. */
export function ensureDependencies() {
  const marker = path.join(root, 'node_modules', '.package-lock.json');
  const lock = path.join(root, 'package-lock.json');
  if (fs.existsSync(marker) && fs.statSync(marker).mtimeMs >= fs.statSync(lock).mtimeMs) {
    return;
  }
  console.log('Installing npm dependencies (npm ci)…');
  run('npm', ['ci', '--no-audit', '--no-fund']);
}

/** Type check, development build, and the tests compiled to out/. */
export function build() {
  npx('tsc', ['-p', '.', '--noEmit']);
  run(process.execPath, ['scripts/build.mjs']);
  fs.rmSync(path.join(root, 'out'), { recursive: true, force: true });
  npx('tsc', ['-p', 'tsconfig.test.json']);
}

/** The production bundle and the VSIX at the repository root; returns the VSIX path. */
export function packageVsix() {
  run('npm', ['run', '--silent', 'package']);
  const { name, version } = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
  return path.join(root, `${name}-${version}.vsix`);
}
