// What a user installs: the VSIX that `npm run package` made (`npm test` packages it first and names it).
import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as https from 'node:https';
import * as os from 'node:os';
import * as path from 'node:path';
import * as esbuild from 'esbuild';
import * as yauzl from 'yauzl';
import type { DefenderClient as DefenderClientType, DefenderClientOptions } from '../../src/defender/client';
import { startDefenderSimulator } from '../simulators/defenderSimulator';
import { bulkActions } from '../simulators/seedActions';
import { silentLogger } from '../support/silentLogger';

const vsixPath = process.env.MDE_TEST_VSIX;
const KiB = 1024;
/** SPEC §4: one minified bundle under 400 KiB. */
const BUNDLE_BAR = 400 * KiB;
/** SPEC §4: the VSIX under 300 KiB, with the README's screenshots in it. */
const VSIX_BAR = 300 * KiB;
/** The build's esbuild options (scripts/build/options.cjs), so the test bundles what ships. */
const { bundleOptions } = require('../../../scripts/build/options.cjs') as { bundleOptions(production: boolean): esbuild.BuildOptions };

function listEntries(file: string): Promise<Map<string, number>> {
  return new Promise((resolve, reject) => {
    yauzl.open(file, { lazyEntries: true }, (error, zip) => {
      if (error || !zip) {
        return reject(error);
      }
      const entries = new Map<string, number>();
      zip.on('entry', (entry: yauzl.Entry) => {
        entries.set(entry.fileName, entry.uncompressedSize);
        zip.readEntry();
      });
      zip.on('end', () => resolve(entries));
      zip.on('error', reject);
      zip.readEntry();
    });
  });
}

describe('packaging', () => {
  it('the VSIX holds the bundle, manifest, icons and docs — and no sources, tests, maps, editor settings or node_modules',
    { skip: vsixPath ? false : 'MDE_TEST_VSIX is not set: run `npm test`, which packages the VSIX first' }, async () => {
      const entries = await listEntries(vsixPath!);
      const names = [...entries.keys()];
      for (const required of ['extension/package.json', 'extension/dist/extension.js', 'extension/media/icon.png',
        'extension/media/defender.svg', 'extension/readme.md', 'extension/changelog.md', 'extension/LICENSE.txt']) {
        assert.ok(names.some((n) => n.toLowerCase() === required.toLowerCase()), `${required} in ${names.join(', ')}`);
      }
      for (const name of names) {
        assert.doesNotMatch(name, /node_modules\//, name);
        assert.doesNotMatch(name, /\.(ts|map)$/, name);
        assert.doesNotMatch(name, /^extension\/(src|test|out|scripts|\.vscode)\//, name);
      }
      console.log(`VSIX ${(fs.statSync(vsixPath!).size / 1024).toFixed(1)} KiB, bundle ${(entries.get('extension/dist/extension.js')! / 1024).toFixed(1)} KiB`);
    });

  /** The images README.md shows, as written there (relative paths). */
  function readmeImages(): string[] {
    return [...fs.readFileSync('README.md', 'utf8').matchAll(/!\[[^\]]*\]\(([^)\s]+)\)/g)].map((m) => m[1]);
  }

  it('every image the README shows travels in the VSIX, and no other screenshot does', { skip: vsixPath ? false : 'run `npm test`' }, async () => {
    const names = [...(await listEntries(vsixPath!)).keys()];
    const images = readmeImages();
    assert.ok(images.length > 0, 'the README shows screenshots');
    for (const image of images) {
      assert.ok(!/^[a-z]+:/i.test(image), `${image} is relative`);
      assert.ok(names.includes(`extension/${image}`), `${image} in the VSIX`);
    }
    // A screenshot the README no longer shows would only make the VSIX bigger.
    const shipped = names.filter((name) => name.endsWith('.png') && name !== 'extension/media/icon.png');
    assert.deepEqual(shipped.filter((name) => !images.includes(name.replace(/^extension\//, ''))), []);
  });

  it('the packaged bundle is minified and carries no source map', { skip: vsixPath ? false : 'run `npm test`' }, () => {
    const bundle = fs.readFileSync('dist/extension.js', 'utf8');
    assert.doesNotMatch(bundle, /sourceMappingURL/);
    const lines = bundle.split('\n').length;
    assert.ok(lines < 50, `minified into few lines, got ${lines}`);
  });

  it('the bundle is under 400 KiB and the VSIX under 300 KiB, with no unused URL tables (whatwg-url, tr46) nor JWT signing (jsonwebtoken)',
    { skip: vsixPath ? false : 'run `npm test`' }, async () => {
      const entries = await listEntries(vsixPath!);
      const bundleBytes = entries.get('extension/dist/extension.js')!;
      assert.ok(bundleBytes < BUNDLE_BAR, `bundle ${(bundleBytes / KiB).toFixed(1)} KiB`);
      assert.ok(fs.statSync(vsixPath!).size < VSIX_BAR, `VSIX ${(fs.statSync(vsixPath!).size / KiB).toFixed(1)} KiB`);
      const result = await esbuild.build({ ...bundleOptions(true), write: false });
      const inputs = Object.keys(result.metafile!.inputs);
      assert.deepEqual(inputs.filter((input) => /node_modules\/(tr46|whatwg-url|jsonwebtoken|jws|semver)\//.test(input)), []);
    });

  it('the images in the VSIX are already as small as the lossless PNG step makes them', { skip: vsixPath ? false : 'run `npm test`' }, async () => {
    const { optimizePng } = require('../../../scripts/build/optimizePng.cjs') as { optimizePng(png: Buffer): Buffer };
    const images = [...(await listEntries(vsixPath!)).keys()].filter((name) => name.endsWith('.png'));
    assert.ok(images.length >= 2, images.join(', '));
    for (const image of images) {
      const png = fs.readFileSync(image.replace(/^extension\//, ''));
      assert.equal(optimizePng(png).length, png.length, `${image} can still shrink: run \`npm run package\``);
    }
  });

  it('loading the bundle (activation) does not load node-fetch, http, https, tls or zlib: the first request does', () => {
    const probe = `require(${JSON.stringify(path.resolve(__dirname, '../support/vscodeStub.js'))}).stubVscode();
    require(${JSON.stringify(path.resolve('dist/extension.js'))});
    console.log(JSON.stringify(process.moduleLoadList.filter((m) => m.startsWith('NativeModule '))));`;
    const loaded: string[] = JSON.parse(execFileSync(process.execPath, ['-e', probe], { encoding: 'utf8' }));
    assert.ok(loaded.includes('NativeModule fs'), 'the probe lists the built-in modules');
    for (const module of ['http', 'https', 'tls', 'zlib', 'perf_hooks', 'stream/promises']) {
      assert.ok(!loaded.includes(`NativeModule ${module}`), `${module} is loaded at activation`);
    }
  });

  it('the bundled API client (node-fetch without whatwg-url) sends an encoded $filter that the server decodes exactly', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mde-bundle-'));
    const sim = await startDefenderSimulator({ actions: bulkActions(3, new Date()) });
    try {
      const outfile = path.join(dir, 'client.js');
      await esbuild.build({ ...bundleOptions(true), entryPoints: ['src/defender/client.ts'], outfile, metafile: false });
      const { DefenderClient } = await import(outfile) as { DefenderClient: new (options: DefenderClientOptions) => DefenderClientType };
      const client = new DefenderClient({
        apiBaseUrl: sim.url, agent: new https.Agent({ ca: sim.caPem }), getAccessToken: async () => sim.createToken(),
        logger: silentLogger,
      });
      const upn = "o'brien+soc #1&2=ä@contoso.com";
      await client.listMachineActions({ lookbackDays: 7, top: 100, requestorUpn: upn });
      const sent = sim.requests[0].path;
      assert.doesNotMatch(sent, /[ '#ä]|\+soc|&2=/, `every reserved character is percent-encoded: ${sent}`);
      const filter = new URL(sent, sim.url).searchParams.get('$filter');
      assert.match(filter ?? '', / and requestor eq 'o''brien\+soc #1&2=ä@contoso\.com'$/);
    } finally {
      await sim.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
