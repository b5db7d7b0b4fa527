// Bundles the extension into one CommonJS file. Type checking is a separate step (`npm run typecheck`).
import * as esbuild from 'esbuild';
import options from './build/options.cjs';

const production = process.argv.includes('--production');

await esbuild.build(options.bundleOptions(production)).then((result) => {
  if (result.metafile) {
    const bytes = Object.values(result.metafile.outputs).reduce((sum, o) => sum + o.bytes, 0);
    console.log(`dist/extension.js: ${(bytes / 1024).toFixed(1)} KiB (production)`);
  }
});
