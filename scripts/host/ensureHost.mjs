// The real host for the host and UI tests, installed on first use: Debian's Chromium and ripgrep, and code-server
// from npm into a cache outside the clone (so every clone on the machine shares it). Fast when warm: a stamp file.
// `node scripts/host/ensureHost.mjs` installs what is missing and prints the code-server executable.
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

export const CODE_SERVER_VERSION = '4.100.3';

const RUNTIME_PACKAGES = ['chromium', 'ripgrep'];
// code-server's install compiles native modules (kerberos, node-pty, spdlog, …) against these.
const BUILD_PACKAGES = ['libkrb5-dev', 'libx11-dev', 'libxkbfile-dev', 'libsecret-1-dev', 'pkg-config'];

// npm 11 runs a dependency's install scripts only while an allowScripts policy permits them. code-server's
// postinstall runs `npm install` in lib/vscode and lib/vscode/extensions, which read their own project `.npmrc`.
const TOP_LEVEL_SCRIPTS = { 'code-server': true, argon2: true };
const NESTED_SCRIPTS = {
  'lib/vscode': ['@parcel/watcher', '@vscode/deviceid', '@vscode/ripgrep', '@vscode/spdlog', 'kerberos',
    'native-watchdog', 'node-pty'],
  'lib/vscode/extensions': ['@parcel/watcher', 'esbuild'],
};

// @vscode/ripgrep's postinstall downloads this archive unless it finds it in its cache; Debian's rg stands in.
const RIPGREP_CACHE = path.join(os.tmpdir(), 'vscode-ripgrep-cache-1.15.11');
const RIPGREP_ASSET = 'ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz';

export function cacheRoot() {
  return process.env.MDE_TEST_CACHE
    || path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'mde-actions-test');
}

/** How often a long install says it is still working. */
const PROGRESS_INTERVAL_MS = 5000;

/**
 * Installs what is missing and resolves to the code-server executable (a Node script: run it with Node 20).
 * `progress(text)` hears what a first run installs and, every 5 s, that it is still installing; default: stderr.
 * Throws when a package cannot be installed, with the command to run or the install log's last lines.
 */
export async function ensureHost(progress = (text) => console.error(text)) {
  ensureDebianPackages(RUNTIME_PACKAGES);
  return ensureCodeServer(progress);
}

async function ensureCodeServer(progress) {
  const dir = path.join(cacheRoot(), `code-server-${CODE_SERVER_VERSION}`);
  const bin = path.join(dir, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
  const stamp = path.join(dir, '.installed');
  if (fs.existsSync(bin) && readText(stamp) === CODE_SERVER_VERSION) {
    return bin;
  }
  const major = Number(process.versions.node.split('.')[0]);
  if (major !== 20) {
    throw new Error(`code-server ${CODE_SERVER_VERSION} installs and runs on Node 20 only; this is Node ${process.versions.node}`);
  }
  ensureDebianPackages(BUILD_PACKAGES);
  seedRipgrep();

  // Built beside the cache entry and renamed into place, so a failed or concurrent install never leaves half a host.
  fs.mkdirSync(cacheRoot(), { recursive: true });
  const work = fs.mkdtempSync(path.join(cacheRoot(), `.code-server-${CODE_SERVER_VERSION}-`));
  const log = path.join(work, 'install.log');
  progress(`installing code-server ${CODE_SERVER_VERSION} (first run only, about a minute; log: ${log})…`);
  const started = Date.now();
  const ticker = setInterval(() => progress(`still installing code-server… ${Math.round((Date.now() - started) / 1000)} s`),
    PROGRESS_INTERVAL_MS);
  fs.writeFileSync(path.join(work, 'package.json'), JSON.stringify({
    private: true,
    dependencies: { 'code-server': CODE_SERVER_VERSION },
    allowScripts: TOP_LEVEL_SCRIPTS,
  }, null, 2));
  try {
    await install(work, log);
  } catch (error) {
    // Keep the log for the engineer, not the half-installed tree.
    const kept = path.join(cacheRoot(), 'code-server-install-failed.log');
    fs.copyFileSync(log, kept);
    fs.rmSync(work, { recursive: true, force: true });
    throw new Error(`${error.message}\n(full log: ${kept})`);
  } finally {
    clearInterval(ticker);
  }
  fs.writeFileSync(path.join(work, '.installed'), CODE_SERVER_VERSION);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.renameSync(work, dir);
  progress(`installed code-server ${CODE_SERVER_VERSION} in ${Math.round((Date.now() - started) / 1000)} s`);
  return bin;
}

async function install(work, log) {
  // Two steps, so the nested projects' .npmrc files are in place before code-server's postinstall reads them.
  await npm(['install', '--ignore-scripts'], work, log);
  for (const [project, packages] of Object.entries(NESTED_SCRIPTS)) {
    fs.writeFileSync(path.join(work, 'node_modules', 'code-server', project, '.npmrc'), `allow-scripts=${packages.join(',')}\n`);
  }
  await npm(['rebuild', '--foreground-scripts'], work, log);
  const version = spawnSync(process.execPath, [path.join(work, 'node_modules', 'code-server', 'out', 'node', 'entry.js'), '--version'],
    { encoding: 'utf8', env: { ...process.env, CODE_SERVER_CONFIG: path.join(work, 'config.yaml') } });
  if (!version.stdout?.includes(CODE_SERVER_VERSION)) {
    throw new Error(`code-server --version said: ${version.stdout}${version.stderr}`);
  }
}

/** Runs npm in `cwd` with its output appended to `log`; rejects with the log's last lines when it fails. */
async function npm(args, cwd, log) {
  const out = fs.openSync(log, 'a');
  const env = {
    ...process.env,
    npm_config_yes: 'true', // node-pty's install runs `npx node-gyp`
    npm_config_audit: 'false',
    npm_config_fund: 'false',
  };
  if (process.getuid?.() === 0) {
    env.npm_config_unsafe_perm = 'true'; // code-server's postinstall refuses to run as root without it
  }
  // Node's own headers, so node-gyp needs no download.
  const nodePrefix = path.dirname(path.dirname(process.execPath));
  if (fs.existsSync(path.join(nodePrefix, 'include', 'node', 'node.h'))) {
    env.npm_config_nodedir = nodePrefix;
  }
  // Asynchronous, so the progress timer keeps ticking while npm works.
  const status = await new Promise((resolve) => {
    const child = spawn('npm', args, { cwd, env, stdio: ['ignore', out, out] });
    child.once('error', (error) => resolve(error.message));
    child.once('exit', (code, signal) => resolve(code ?? signal));
  }).finally(() => fs.closeSync(out));
  if (status !== 0) {
    const tail = fs.readFileSync(log, 'utf8').split('\n').slice(-30).join('\n');
    throw new Error(`npm ${args.join(' ')} failed (exit ${status}); its last lines:\n${tail}`);
  }
}

function seedRipgrep() {
  const archive = path.join(RIPGREP_CACHE, RIPGREP_ASSET);
  if (fs.existsSync(archive)) {
    return;
  }
  const staging = fs.mkdtempSync(path.join(os.tmpdir(), 'mde-rg-'));
  fs.copyFileSync('/usr/bin/rg', path.join(staging, 'rg'));
  fs.mkdirSync(RIPGREP_CACHE, { recursive: true });
  const partial = `${archive}.${process.pid}`;
  const tar = spawnSync('tar', ['-czf', partial, '-C', staging, 'rg'], { stdio: 'inherit' });
  fs.rmSync(staging, { recursive: true, force: true });
  if (tar.status !== 0) {
    throw new Error(`could not write ${archive}`);
  }
  fs.renameSync(partial, archive);
}

let aptUpdated = false;

/** Installs missing Debian packages with apt-get as root; otherwise stops with the command to run. */
export function ensureDebianPackages(names) {
  const missing = names.filter((name) => {
    const status = spawnSync('dpkg-query', ['-W', '-f=${db:Status-Status}', name], { encoding: 'utf8' });
    return status.error || status.stdout.trim() !== 'installed';
  });
  if (missing.length === 0) {
    return;
  }
  const command = `apt-get update && apt-get install -y ${missing.join(' ')}`;
  if (process.getuid?.() !== 0) {
    throw new Error(`The tests need these Debian packages: ${missing.join(', ')}. Install them, then run again:\n  sudo sh -c '${command}'`);
  }
  console.error(`Installing Debian packages: ${missing.join(' ')}…`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  if (!aptUpdated) {
    runApt(['update', '-qq'], env);
    aptUpdated = true;
  }
  runApt(['install', '-y', '-qq', ...missing], env);
}

function runApt(args, env) {
  const result = spawnSync('apt-get', args, { stdio: ['ignore', 'inherit', 'inherit'], env });
  if (result.status !== 0) {
    throw new Error(`apt-get ${args.join(' ')} failed (exit ${result.status ?? result.signal})`);
  }
}

function readText(file) {
  try {
    return fs.readFileSync(file, 'utf8').trim();
  } catch {
    return undefined;
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    console.log(await ensureHost());
  } catch (error) {
    console.error(error.message);
    process.exit(1);
  }
}
