// The pure layers never load vscode, not even through another module (ARCHITECTURE.md), so they run and are
// tested in plain Node. Type-only imports are erased at build time and do not count.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';

const src = path.resolve(__dirname, '../../../src');
const PURE_FOLDERS = ['defender', 'auth', 'actions'];
const PURE_FILES = [
  'config.ts', 'redact.ts',
  'views/presentation.ts', 'views/grouping.ts', 'views/treeNodes.ts', 'views/detailsText.ts', 'views/statusBarContent.ts',
  'commands/errorPresentation.ts', 'commands/cancelOutcome.ts', 'commands/cancelFlow.ts', 'commands/bulkCancel.ts',
  'commands/commandArgs.ts', 'commands/portalLink.ts', 'commands/userText.ts', 'commands/cancelText.ts', 'commands/signInText.ts',
];

function tsFilesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? tsFilesUnder(full) : entry.name.endsWith('.ts') ? [full] : [];
  });
}

/** Module specifiers of the value imports (not `import type`) and requires of a source file. */
function valueImports(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  const imports = [...text.matchAll(/^import\s+(?!type\b)[^;]*?from\s+['"]([^'"]+)['"]/gms)].map((m) => m[1]);
  const requires = [...text.matchAll(/require\(\s*['"]([^'"]+)['"]\s*\)/g)].map((m) => m[1]);
  return [...imports, ...requires];
}

/** The chain of modules by which `file` loads vscode, or undefined. */
function pathToVscode(file: string, seen = new Set<string>()): string[] | undefined {
  if (seen.has(file)) {
    return undefined;
  }
  seen.add(file);
  for (const specifier of valueImports(file)) {
    if (specifier === 'vscode') {
      return [file];
    }
    if (specifier.startsWith('.')) {
      const chain = pathToVscode(`${path.resolve(path.dirname(file), specifier)}.ts`, seen);
      if (chain) {
        return [file, ...chain];
      }
    }
  }
  return undefined;
}

test('no module of the pure layers loads vscode, directly or through another module', () => {
  const files = [
    ...PURE_FOLDERS.map((folder) => path.join(src, folder)).filter((dir) => fs.existsSync(dir)).flatMap(tsFilesUnder),
    ...PURE_FILES.map((file) => path.join(src, file)).filter((file) => fs.existsSync(file)),
  ];
  assert.ok(files.length > 20, `found ${files.length} pure modules`);
  const offenders = files.map((file) => pathToVscode(file)).filter((chain) => chain)
    .map((chain) => chain!.map((f) => path.relative(src, f)).join(' → '));
  assert.deepEqual(offenders, []);
});

test('the check itself finds a module that loads vscode through another one', () => {
  const chain = pathToVscode(path.join(src, 'extension.ts'));
  assert.ok(chain && chain.length >= 1, 'extension.ts loads vscode');
});
