// The banner `npm start` prints, read without starting code-server: the real package.json and the real seed.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { type BannerFacts, defaultLookbackDays, demoBanner, type Manifest } from '../harness/demoBanner';
import { seedActions } from '../simulators/seedActions';

const NOW = Date.parse('2026-11-29T08:00:00Z');
const manifest = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../../package.json'), 'utf8')) as Manifest & {
  contributes: { configuration: Array<{ title: string; properties: Record<string, { default?: unknown }> }> };
};

function facts(): BannerFacts {
  return {
    url: 'http://127.0.0.1:8080/?folder=/tmp/demo', seconds: 42, approvalDelaySeconds: 5, upn: 'analyst@contoso.com',
    entraUrl: 'https://127.0.0.1:8444', defenderUrl: 'https://127.0.0.1:8443', storageOrigin: 'https://127.0.0.1:40000',
    actions: seedActions(new Date(NOW)), extension: 'machine-actions-0.1.0.vsix', profile: '.test-cache/demo', now: NOW,
  };
}

describe('npm start banner', () => {
  it('counts the seeded actions and those in the view\'s default window, read from package.json\'s settings sections', () => {
    const declared = manifest.contributes.configuration.map((section) => section.properties['mdeActions.lookbackDays']?.default).find((d) => d !== undefined);
    assert.equal(typeof declared, 'number', 'package.json declares the time window');
    const seed = facts().actions;
    const inWindow = seed.filter((a) => NOW - Date.parse(String(a.creationDateTimeUtc)) <= Number(declared) * 86_400_000).length;
    assert.ok(inWindow > 0 && inWindow < seed.length, 'the window keeps some of the seed and leaves some out');
    const banner = demoBanner(manifest, facts());
    assert.ok(banner.includes(`${seed.length} machine actions seeded, ${inWindow} within the view's ${declared}-day window`), banner);
  });

  it('names where to open the demo, who signs in, the simulators and the extension', () => {
    const banner = demoBanner(manifest, facts());
    for (const expected of ['Ready in 42 s', '  http://127.0.0.1:8080/?folder=/tmp/demo\n', 'after 5 seconds', 'signed in as analyst@contoso.com',
      'Entra ID simulator      https://127.0.0.1:8444', 'Defender API simulator  https://127.0.0.1:8443',
      'Storage simulator       https://127.0.0.1:40000', 'Extension               machine-actions-0.1.0.vsix', '(.test-cache/demo) starts fresh']) {
      assert.ok(banner.includes(expected), `${expected} in\n${banner}`);
    }
    assert.doesNotMatch(banner, /undefined|NaN|\[object/);
  });

  it('finds the window in one configuration object or in sections, and says which setting is missing', () => {
    assert.equal(defaultLookbackDays({ contributes: { configuration: { properties: { 'mdeActions.lookbackDays': { default: 14 } } } } }), 14);
    assert.equal(defaultLookbackDays({ contributes: { configuration: [{ properties: {} }, { properties: { 'mdeActions.lookbackDays': { default: 30 } } }] } }), 30);
    for (const broken of [{}, { contributes: { configuration: [{ properties: {} }] } }, { contributes: { configuration: { properties: { 'mdeActions.lookbackDays': {} } } } }]) {
      assert.throws(() => demoBanner(broken, facts()), /no whole-number default for mdeActions\.lookbackDays/);
    }
  });
});
