// The one entry point of the host tests (SPEC §4): @vscode/test-electron's runTests(), with the desktop VS Code
// that VSCODE_EXECUTABLE_PATH names, else with our launcher that runs the same suite in code-server.
// Prints each test and a count; exits non-zero unless the suite ran and passed.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runTests } from '@vscode/test-electron';
import { codeServerEntry, freshProfile, repoRoot } from '../harness/codeServer';
import { ensureTlsMaterial } from '../simulators/tls';
import type { HostResult } from './hostResult';

async function main(): Promise<number> {
  const resultFile = path.resolve(process.env.MDE_HOST_RESULT || path.join(repoRoot, 'test-results', 'host.json'));
  fs.mkdirSync(path.dirname(resultFile), { recursive: true });
  fs.rmSync(resultFile, { force: true });
  const profile = freshProfile(path.join(repoRoot, '.test-cache', 'host'));
  fs.cpSync(path.join(repoRoot, 'test', 'host', 'workspace'), profile.workspace, { recursive: true });

  const desktop = process.env.VSCODE_EXECUTABLE_PATH;
  const env: Record<string, string> = {
    MDE_HOST_RESULT: resultFile,
    MDE_HOST_USER_DATA_DIR: profile.userDataDir,
    // The extension host inherits the environment: this makes it trust the simulators' CA.
    NODE_EXTRA_CA_CERTS: ensureTlsMaterial().caPath,
    ...(desktop ? {} : { MDE_CODE_SERVER: codeServerEntry() }),
  };
  console.log(`Host tests in ${desktop ?? 'code-server (headless Chromium)'}`);
  let runError: unknown;
  try {
    await runTests({
      vscodeExecutablePath: desktop || path.join(repoRoot, 'test', 'host', 'code-server-launcher.sh'),
      extensionDevelopmentPath: repoRoot,
      extensionTestsPath: path.join(__dirname, 'suite', 'index'),
      launchArgs: [profile.workspace, `--user-data-dir=${profile.userDataDir}`, `--extensions-dir=${profile.extensionsDir}`],
      extensionTestsEnv: env,
    });
  } catch (error) {
    runError = error;
  }

  if (!fs.existsSync(resultFile)) {
    console.log(`The host suite reported no result${runError ? ` (${runError})` : ''}.`);
    return 1;
  }
  const result: HostResult = JSON.parse(fs.readFileSync(resultFile, 'utf8'));
  for (const test of result.tests) {
    const mark = { passed: '✔', failed: '✖', skipped: '-' }[test.state];
    console.log(`  ${mark} ${test.title}${test.durationMs === undefined ? '' : ` (${test.durationMs} ms)`}`);
    if (test.error) {
      console.log(test.error.replace(/^/gm, '      '));
    }
  }
  console.log(`host: ${result.passed} passed, ${result.failed} failed, ${result.skipped} skipped`);
  return runError || result.failed > 0 ? 1 : 0;
}

main().then((code) => process.exit(code), (error) => {
  console.error(error instanceof Error ? error.stack : error);
  process.exit(1);
});
