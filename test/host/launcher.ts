// "VS Code" for @vscode/test-electron where no desktop VS Code is given (test/host/code-server-launcher.sh runs
// this): it takes the arguments test-electron passes to VS Code, runs the extension tests in code-server opened in
// headless Chromium, and exits with the run's exit code.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { launchChromium } from '../harness/browser';
import { startCodeServer, workbenchUrl, type CodeServer } from '../harness/codeServer';

interface LaunchArgs {
  developmentPaths: string[];
  testsPath: string;
  userDataDir: string;
  extensionsDir: string;
  folder?: string;
}

const VALUE_OPTIONS = ['extensionDevelopmentPath', 'extensionTestsPath', 'user-data-dir', 'extensions-dir'];
const timeoutMs = Number(process.env.MDE_HOST_TIMEOUT_SECONDS || 300) * 1000;

/** Reads `--name=value` and `--name value`; a bare argument is the folder; every other option is ignored. */
function parseArgs(argv: string[]): LaunchArgs {
  const values = new Map<string, string[]>();
  let folder: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const match = /^--([^=]+)(?:=(.*))?$/s.exec(argv[i]);
    if (!match) {
      folder = path.resolve(argv[i]);
    } else if (VALUE_OPTIONS.includes(match[1])) {
      const value = match[2] ?? argv[++i];
      values.set(match[1], [...(values.get(match[1]) ?? []), path.resolve(value)]);
    }
  }
  const one = (name: string) => {
    const value = values.get(name)?.[0];
    if (!value) {
      throw new Error(`--${name} is required`);
    }
    return value;
  };
  return {
    developmentPaths: values.get('extensionDevelopmentPath') ?? [one('extensionDevelopmentPath')],
    testsPath: one('extensionTestsPath'),
    userDataDir: one('user-data-dir'),
    extensionsDir: one('extensions-dir'),
    folder,
  };
}

/** The workbench URL whose payload makes code-server load the extension and run the tests in its extension host. */
function testWorkbenchUrl(server: CodeServer, args: LaunchArgs): string {
  const remote = (file: string) => `vscode-remote://${server.authority}${file.split('/').map(encodeURIComponent).join('/')}`;
  return workbenchUrl(server, args.folder, [
    ...args.developmentPaths.map((p) => ['extensionDevelopmentPath', remote(p)]),
    ['extensionTestsPath', remote(args.testsPath)],
  ]);
}

/** The verdict of the result file the suite writes (MDE_HOST_RESULT), once it is there. */
async function resultFileVerdict(file: string | undefined): Promise<number> {
  if (!file) {
    return new Promise(() => undefined);
  }
  while (!fs.existsSync(file)) {
    await sleep(500);
  }
  // The workbench reports the extension host's exit code right after; this is the fallback if it does not.
  await sleep(10_000);
  return JSON.parse(fs.readFileSync(file, 'utf8')).failed > 0 ? 1 : 0;
}

function tail(text: string, lines = 40): string {
  return text.split('\n').slice(-lines).join('\n');
}

/** The remote extension host's own log: where a suite that never started says why. */
function extensionHostLog(userDataDir: string): string {
  const logs = path.join(userDataDir, 'logs');
  const sessions = fs.existsSync(logs) ? fs.readdirSync(logs).sort() : [];
  for (const session of sessions.reverse()) {
    const file = path.join(logs, session, 'exthost1', 'remoteexthost.log');
    if (fs.existsSync(file)) {
      return tail(fs.readFileSync(file, 'utf8'));
    }
  }
  return '(none)';
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  const server = await startCodeServer(args, { folder: args.folder });
  const browserLines: string[] = [];
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    page.on('console', (message) => browserLines.push(`${message.type()}: ${message.text()}`));
    page.on('pageerror', (error) => browserLines.push(`page error: ${error.message}`));
    let automationExit!: (code: number) => void;
    const exitCode = new Promise<number>((resolve) => { automationExit = resolve; });
    // The workbench calls window.codeAutomationExit(code) when the extension host exits after the tests.
    await page.exposeFunction('codeAutomationExit', (code: number) => automationExit(code));
    await page.goto(testWorkbenchUrl(server, args));
    const outcome = await Promise.race([
      exitCode,
      resultFileVerdict(process.env.MDE_HOST_RESULT),
      server.exited.then((code) => `code-server exited (${code}) before the tests finished`),
      sleep(timeoutMs).then(() => `the tests did not finish within ${timeoutMs / 1000} s`),
    ]);
    if (typeof outcome === 'number') {
      return outcome;
    }
    console.error(`${outcome}.\n── code-server ──\n${tail(server.recentOutput())}\n── browser console ──\n`
      + `${tail(browserLines.join('\n'))}\n── extension host log ──\n${extensionHostLog(args.userDataDir)}`);
    return 1;
  } finally {
    await browser.close();
    await server.stop();
  }
}

// Exit through process.exit, so code-server's process group is ended too (see startCodeServer).
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => process.exit(1));
}
main().then((code) => process.exit(code), (error) => {
  console.error(error instanceof Error ? error.stack : error);
  process.exit(1);
});
