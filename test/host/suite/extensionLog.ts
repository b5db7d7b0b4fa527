// The extension's LogOutputChannel as a file: <user-data-dir>/logs/<session>/…/<publisher.name>/<channel>.log
// (code-server: …/exthost1/…; desktop VS Code: …/window1/exthost/…). runTests.ts passes the user data dir.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { EXTENSION_ID, LOG_CHANNEL_NAME } from '../../../src/constants';

/** The log's text once it holds `expected` (log writes are asynchronous), or what it holds after 10 s. */
export async function extensionLogText(expected: string): Promise<string> {
  const userDataDir = process.env.MDE_HOST_USER_DATA_DIR;
  if (!userDataDir) {
    throw new Error('MDE_HOST_USER_DATA_DIR is not set: run the host tests through test/host/runTests');
  }
  const deadline = Date.now() + 10_000;
  for (;;) {
    const file = findLogFile(path.join(userDataDir, 'logs'));
    const text = file ? fs.readFileSync(file, 'utf8') : '';
    if (text.includes(expected) || Date.now() > deadline) {
      return text;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

function findLogFile(dir: string): string | undefined {
  if (!fs.existsSync(dir)) {
    return undefined;
  }
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      const candidate = path.join(full, `${LOG_CHANNEL_NAME}.log`);
      if (entry.name === EXTENSION_ID && fs.existsSync(candidate)) {
        return candidate;
      }
      const found = findLogFile(full);
      if (found) {
        return found;
      }
    }
  }
  return undefined;
}
