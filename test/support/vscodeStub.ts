// `require('vscode')` in plain Node: the stub the benchmark uses (scripts/bench/vscodeStub.cjs), for the tree
// provider and the bundle. One hook for the tests, the bench and the bundle probe.
import Module from 'node:module';
import * as path from 'node:path';

type Resolver = (request: string, ...rest: unknown[]) => string;

/** The stub's file: TreeItem and the few other vscode members the views use, as plain objects. */
export const VSCODE_STUB = path.resolve(__dirname, '../../../scripts/bench/vscodeStub.cjs');

/** Makes `require('vscode')` return the stub from now on in this process, and returns the stub. */
export function stubVscode(): unknown {
  const internals = Module as unknown as { _resolveFilename: Resolver };
  const resolve = internals._resolveFilename;
  internals._resolveFilename = function (this: unknown, request, ...rest) {
    return request === 'vscode' ? VSCODE_STUB : resolve.call(this, request, ...rest);
  };
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the stub is CommonJS, loaded where it lies
  return require(VSCODE_STUB);
}
