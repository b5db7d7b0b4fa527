// What a user installs: the VSIX that `npm run package` made (`npm test` packages it first and names it).
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as yauzl from 'yauzl';

const vsixPath = process.env.MDE_TEST_VSIX;

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

test('the VSIX holds the bundle, manifest, icons and docs — and no sources, tests, maps, editor settings or node_modules',
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

test('every image the README shows travels in the VSIX, so the extension page shows it', { skip: vsixPath ? false : 'run `npm test`' }, async () => {
  const names = new Set(await listEntries(vsixPath!).then((entries) => [...entries.keys()]));
  const images = [...fs.readFileSync('README.md', 'utf8').matchAll(/!\[[^\]]*\]\(([^)\s]+)\)/g)].map((m) => m[1]);
  assert.ok(images.length > 0, 'the README shows screenshots');
  for (const image of images) {
    assert.ok(!/^[a-z]+:/i.test(image), `${image} is relative`);
    assert.ok(names.has(`extension/${image}`), `${image} in the VSIX`);
  }
});

test('the packaged bundle is minified and carries no source map', { skip: vsixPath ? false : 'run `npm test`' }, () => {
  const bundle = fs.readFileSync('dist/extension.js', 'utf8');
  assert.doesNotMatch(bundle, /sourceMappingURL/);
  const lines = bundle.split('\n').length;
  assert.ok(lines < 50, `minified into few lines, got ${lines}`);
});
