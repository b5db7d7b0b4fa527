// code-server, the real VS Code host of the host and UI tests (SPEC §4) and of the `npm start` demo: a fresh profile,
// a start on a loopback port, extension installs, and a stop that takes its whole process group down.
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as path from 'node:path';

export const repoRoot = path.resolve(__dirname, '../../..');

export interface Profile {
  userDataDir: string;
  extensionsDir: string;
  /** An empty folder to open as the workspace. */
  workspace: string;
}

export interface CodeServer {
  /** e.g. http://127.0.0.1:41234 */
  url: string;
  /** host:port, for vscode-remote:// URIs */
  authority: string;
  /** The last lines code-server printed, for failure reports. */
  recentOutput(): string;
  /** Settles when code-server exits, with its exit code. */
  exited: Promise<number | null>;
  stop(): Promise<void>;
}

/** User settings every profile needs, the tests' and the demo's. */
const BASE_SETTINGS: Record<string, unknown> = {
  // While true (the default), VS Code's proxy agent replaces Node's CA list and drops NODE_EXTRA_CA_CERTS,
  // so the simulators' CA would not be trusted.
  'http.systemCertificates': false,
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  // The profiles live inside the clone: no "open the parent repository?" notification over the screenshots.
  'git.openRepositoryInParentFolders': 'never',
};

/** The code-server entry script: given by `npm test` (MDE_CODE_SERVER), else installed on first use. */
export function codeServerEntry(): string {
  if (process.env.MDE_CODE_SERVER) {
    return process.env.MDE_CODE_SERVER;
  }
  const result = spawnSync(process.execPath, [path.join(repoRoot, 'scripts', 'host', 'ensureHost.mjs')],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  if (result.status !== 0) {
    throw new Error('code-server is not installed and could not be (see above)');
  }
  return result.stdout.trim().split('\n').pop()!;
}

/** Empties `dir` and lays out a profile in it with the base settings plus `settings`. */
export function freshProfile(dir: string, settings: Record<string, unknown> = {}): Profile {
  fs.rmSync(dir, { recursive: true, force: true });
  const profile = {
    userDataDir: path.join(dir, 'user-data'),
    extensionsDir: path.join(dir, 'extensions'),
    workspace: path.join(dir, 'workspace'),
  };
  for (const folder of Object.values(profile)) {
    fs.mkdirSync(folder, { recursive: true });
  }
  writeUserSettings(profile.userDataDir, settings);
  return profile;
}

function writeUserSettings(userDataDir: string, settings: Record<string, unknown>): void {
  const file = path.join(userDataDir, 'User', 'settings.json');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify({ ...BASE_SETTINGS, ...settings }, null, 2));
}

export function installExtension(vsix: string, profile: Pick<Profile, 'userDataDir' | 'extensionsDir'>): void {
  const result = spawnSync(process.execPath, [codeServerEntry(), '--install-extension', vsix, '--force',
    '--user-data-dir', profile.userDataDir, '--extensions-dir', profile.extensionsDir],
  { encoding: 'utf8', env: codeServerEnv(profile.userDataDir) });
  if (result.status !== 0 || !/successfully installed/.test(result.stdout)) {
    throw new Error(`installing ${vsix} failed (exit ${result.status}):\n${result.stdout}${result.stderr}`);
  }
}

export async function startCodeServer(
  profile: Pick<Profile, 'userDataDir' | 'extensionsDir'>,
  options: {
    folder?: string;
    env?: NodeJS.ProcessEnv;
    /** Default: a free one. */
    port?: number;
    /** Keep VS Code's Workspace Trust on, as a user's VS Code has it; default off (every folder trusted). */
    workspaceTrust?: boolean;
  } = {},
): Promise<CodeServer> {
  const port = options.port || await freePort();
  const authority = `127.0.0.1:${port}`;
  const args = [codeServerEntry(), '--auth', 'none', '--bind-addr', authority, '--disable-telemetry',
    '--disable-update-check', ...(options.workspaceTrust ? [] : ['--disable-workspace-trust']),
    '--user-data-dir', profile.userDataDir, '--extensions-dir', profile.extensionsDir,
    ...(options.folder ? [options.folder] : [])];
  // Its own process group, so stop() also ends the extension host and the other children it starts.
  const child = spawn(process.execPath, args, {
    env: { ...codeServerEnv(profile.userDataDir), ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const lines: string[] = [];
  const keep = (chunk: Buffer) => {
    lines.push(...chunk.toString().split('\n').filter(Boolean));
    lines.splice(0, Math.max(0, lines.length - 200));
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let running = true;
  const signalGroup = (name: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, name);
    } catch {
      // The whole group is gone already.
    }
  };
  // Never leave a server behind when this process ends early (a failed assertion, Ctrl+C).
  const killOnExit = () => signalGroup('SIGKILL');
  process.once('exit', killOnExit);
  void exited.then(() => {
    running = false;
  });

  const server: CodeServer = {
    url: `http://${authority}`,
    authority,
    recentOutput: () => lines.join('\n'),
    exited,
    async stop() {
      signalGroup('SIGTERM');
      const timer = setTimeout(() => signalGroup('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
      // An extension host outlives code-server's exit; it is still in the group.
      signalGroup('SIGKILL');
      process.removeListener('exit', killOnExit);
    },
  };
  const deadline = Date.now() + 60_000;
  while (!(await healthy(server.url))) {
    if (!running || Date.now() > deadline) {
      await server.stop();
      throw new Error(`code-server did not start (${running ? 'no answer in 60 s' : 'it exited'}):\n${server.recentOutput()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return server;
}

/** The workbench at `folder`; `payload` is VS Code's workbench payload (e.g. extensionDevelopmentPath). */
export function workbenchUrl(server: Pick<CodeServer, 'url'>, folder: string | undefined, payload?: string[][]): string {
  const query = new URLSearchParams();
  if (folder) {
    query.set('folder', folder);
  }
  if (payload) {
    query.set('payload', JSON.stringify(payload));
  }
  return `${server.url}/?${query}`;
}

/** The environment code-server needs, without variables that would redirect it. */
function codeServerEnv(userDataDir: string): NodeJS.ProcessEnv {
  const env = { ...process.env };
  // Set in a VS Code terminal: code-server would hand the folder to that VS Code instead of starting.
  delete env.VSCODE_IPC_HOOK_CLI;
  // Both override --bind-addr.
  delete env.PORT;
  delete env.CODE_SERVER_HOST;
  // Its config file (written on first start) stays in the profile, not in ~/.config.
  env.CODE_SERVER_CONFIG = path.join(userDataDir, 'config.yaml');
  return env;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

function healthy(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    const request = http.get(`${url}/healthz`, (response) => {
      response.resume();
      resolve(response.statusCode === 200);
    });
    request.setTimeout(2000, () => request.destroy());
    request.once('error', () => resolve(false));
  });
}
