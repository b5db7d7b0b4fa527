// The esbuild options of the extension bundle, shared by scripts/build.mjs and the unit test that bundles the API
// client the same way (packaging.test.ts), so the test proves what ships.
const path = require('node:path');

const root = path.resolve(__dirname, '../..');

/** esbuild options for a CommonJS bundle for Node 20; `production` minifies and drops source maps. */
function bundleOptions(production) {
  return {
    absWorkingDir: root,
    entryPoints: ['src/extension.ts'],
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    outfile: 'dist/extension.js',
    external: ['vscode'],
    alias: { 'whatwg-url': path.join(__dirname, 'whatwgUrl.cjs'), jsonwebtoken: path.join(__dirname, 'jsonwebtoken.cjs') },
    minify: production,
    sourcemap: !production,
    sourcesContent: false,
    legalComments: production ? 'none' : 'inline',
    logLevel: 'warning',
    metafile: production,
  };
}

module.exports = { bundleOptions };
