// The pure layers never import vscode (ARCHITECTURE.md), so they run and are tested in plain Node.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';

const src = path.resolve(__dirname, '../../../src');
const PURE_FOLDERS = ['defender', 'auth'];
const PURE_FILES = ['config.ts', 'redact.ts', 'commands/errorPresentation.ts'];

function tsFilesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? tsFilesUnder(full) : entry.name.endsWith('.ts') ? [full] : [];
  });
}

test('no module of the pure layers imports vscode', () => {
  const files = [
    ...PURE_FOLDERS.map((folder) => path.join(src, folder)).filter((dir) => fs.existsSync(dir)).flatMap(tsFilesUnder),
    ...PURE_FILES.map((file) => path.join(src, file)).filter((file) => fs.existsSync(file)),
  ];
  assert.ok(files.length > 0);
  const offenders = files.filter((file) => /(from\s+['"]vscode['"]|require\(\s*['"]vscode['"]\s*\))/.test(fs.readFileSync(file, 'utf8')));
  assert.deepEqual(offenders.map((f) => path.relative(src, f)), []);
});
