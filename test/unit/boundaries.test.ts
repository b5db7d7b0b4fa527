// The one-way layers of ARCHITECTURE.md, read from the imports of src/: a module may import its own folder and the
// folders ranked below its own, never one ranked equal or higher; `vscode` only down to the adapters. Type-only
// imports are erased at build time and do not count. Above the adapters, a module the plain-Node unit tests load (the
// words, the grouping, the cancel run) stays free of `vscode` because those tests could not load it otherwise: so no
// file needs a "pure (no vscode)" note.
import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';

const src = path.resolve(__dirname, '../../../src');

/** Layers from the top (0) down; a key is a folder of src/ or a file at its root (without `.ts`). */
const RANK: Readonly<Record<string, number>> = {
  extension: 0,
  commands: 1,
  views: 2,
  authController: 2,
  settings: 3,
  log: 3,
  notify: 3,
  model: 4,
  auth: 5,
  defender: 5,
  config: 6,
  shared: 7,
  constants: 8,
};
/** The lowest layer that may import `vscode`. */
const LOWEST_VSCODE_RANK = 3;

/** The layer key of a path relative to src/: its first folder, or the file name at the root. */
function layerOf(relative: string): string {
  const [first, ...rest] = relative.split('/');
  return rest.length > 0 ? first : first.replace(/\.ts$/, '');
}

function tsFilesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? tsFilesUnder(full) : entry.name.endsWith('.ts') ? [full] : [];
  });
}

/** Module specifiers of the value imports (not `import type`), re-exports and requires of a source text. */
function valueImports(text: string): string[] {
  const imports = [...text.matchAll(/^(?:import|export)\s+(?!type\b)[^;]*?from\s+['"]([^'"]+)['"]/gms)].map((m) => m[1]);
  const bare = [...text.matchAll(/^import\s+['"]([^'"]+)['"]/gm)].map((m) => m[1]);
  const requires = [...text.matchAll(/require\(\s*['"]([^'"]+)['"]\s*\)/g)].map((m) => m[1]);
  return [...imports, ...bare, ...requires];
}

/** src/-relative file → the src/-relative modules and bare packages it imports. */
type ImportGraph = ReadonlyMap<string, readonly string[]>;

function readGraph(): ImportGraph {
  const graph = new Map<string, string[]>();
  for (const file of tsFilesUnder(src)) {
    const relative = path.relative(src, file).split(path.sep).join('/');
    graph.set(relative, valueImports(fs.readFileSync(file, 'utf8')).map((specifier) => specifier.startsWith('.')
      ? path.posix.normalize(path.posix.join(path.posix.dirname(relative), specifier)) + '.ts'
      : specifier));
  }
  return graph;
}

/** Every import that breaks the layering, as `from → to (why)`. */
function violations(graph: ImportGraph): string[] {
  const found: string[] = [];
  for (const [file, imports] of graph) {
    const layer = layerOf(file);
    const rank = RANK[layer];
    if (rank === undefined) {
      found.push(`${file} (its layer "${layer}" has no rank)`);
      continue;
    }
    for (const target of imports) {
      if (target === 'vscode') {
        if (rank > LOWEST_VSCODE_RANK) {
          found.push(`${file} → vscode (below the adapters)`);
        }
        continue;
      }
      if (!target.endsWith('.ts')) {
        continue;
      }
      const targetLayer = layerOf(target);
      const targetRank = RANK[targetLayer];
      if (targetLayer !== layer && (targetRank === undefined || targetRank <= rank)) {
        found.push(`${file} → ${target} (rank ${rank} imports rank ${targetRank ?? '?'})`);
      }
    }
  }
  return found;
}

/** The chain of modules by which `file` loads vscode, or undefined. */
function pathToVscode(graph: ImportGraph, file: string, seen = new Set<string>()): string[] | undefined {
  if (seen.has(file)) {
    return undefined;
  }
  seen.add(file);
  for (const target of graph.get(file) ?? []) {
    const chain = target === 'vscode' ? [] : target.endsWith('.ts') ? pathToVscode(graph, target, seen) : undefined;
    if (chain) {
      return [file, ...chain];
    }
  }
  return undefined;
}

describe('layers', () => {
  const graph = readGraph();

  it('every module of src/ imports only its own folder and the layers below it', () => {
    assert.ok(graph.size > 30, `read ${graph.size} modules`);
    assert.deepEqual(violations(graph), []);
  });

  it('no module below the adapters loads vscode, directly or through another module', () => {
    const offenders = [...graph.keys()]
      .filter((file) => (RANK[layerOf(file)] ?? 0) > LOWEST_VSCODE_RANK)
      .map((file) => pathToVscode(graph, file))
      .filter((chain): chain is string[] => chain !== undefined)
      .map((chain) => chain.join(' → '));
    assert.deepEqual(offenders, []);
  });

  it('the rank check finds a back-import, an import across equal ranks and vscode below the adapters', () => {
    const planted: ImportGraph = new Map([
      ['model/store.ts', ['views/tree.ts', 'defender/client.ts', 'model/filter.ts']],
      ['auth/msal.ts', ['defender/client.ts', 'vscode']],
      ['shared/text.ts', ['node:fs']],
    ]);
    assert.deepEqual(violations(planted), [
      'model/store.ts → views/tree.ts (rank 4 imports rank 2)',
      'auth/msal.ts → defender/client.ts (rank 5 imports rank 5)',
      'auth/msal.ts → vscode (below the adapters)',
    ]);
  });

  it('the vscode check follows a chain of imports, not only a direct one', () => {
    const planted: ImportGraph = new Map([
      ['model/a.ts', ['model/b.ts']],
      ['model/b.ts', ['model/c.ts']],
      ['model/c.ts', ['vscode']],
    ]);
    assert.deepEqual(pathToVscode(planted, 'model/a.ts'), ['model/a.ts', 'model/b.ts', 'model/c.ts']);
  });
});
