import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { presentError } from '../../src/commands/errorPresentation';
import {
  API_REGIONS, APPLICATION_SCOPED_SETTINGS, AUTO_REFRESH_SECONDS, CLOUDS, DEFAULT_SETTINGS, type Endpoints, type ExtensionSettings,
  GROUP_BY, isSettingsError, LOOKBACK_DAYS, MAX_ACTIONS, parseSettings, resolveEndpoints, SIGN_IN_METHODS, type SettingKey,
  settingId, SettingsError,
} from '../../src/config';
import { Settings } from '../../src/constants';

function endpointsFor(changes: Partial<ExtensionSettings>): Endpoints {
  const result = resolveEndpoints({ ...DEFAULT_SETTINGS, clientId: '11111111-2222-3333-4444-555555555555', ...changes });
  assert.ok(!(result instanceof SettingsError), `unexpected settings error: ${result instanceof Error ? result.message : ''}`);
  return result;
}

function errorFor(changes: Partial<ExtensionSettings>): SettingsError {
  const result = resolveEndpoints({ ...DEFAULT_SETTINGS, clientId: '11111111-2222-3333-4444-555555555555', ...changes });
  assert.ok(result instanceof SettingsError, `expected a settings error, got ${JSON.stringify(result)}`);
  return result;
}

describe('the cloud table', () => {
  it('Commercial: global login, the global API host, the securitycenter scope, no known authorities', () => {
    assert.deepEqual(endpointsFor({ cloud: 'Commercial', tenantId: 'contoso.onmicrosoft.com' }), {
      cloud: 'Commercial',
      authorityHost: 'https://login.microsoftonline.com',
      authority: 'https://login.microsoftonline.com/contoso.onmicrosoft.com',
      apiBaseUrl: 'https://api.security.microsoft.com',
      apiOrigin: 'https://api.security.microsoft.com',
      scope: 'https://api.securitycenter.microsoft.com/.default',
    });
  });

  for (const region of API_REGIONS.filter((r) => r !== 'global')) {
    it(`Commercial in region ${region}: the regional API host, the same scope`, () => {
      const endpoints = endpointsFor({ cloud: 'Commercial', apiRegion: region });
      assert.equal(endpoints.apiBaseUrl, `https://${region}.api.security.microsoft.com`);
      assert.equal(endpoints.apiOrigin, `https://${region}.api.security.microsoft.com`);
      assert.equal(endpoints.scope, 'https://api.securitycenter.microsoft.com/.default');
      assert.equal(endpoints.authority, 'https://login.microsoftonline.com/organizations');
    });
  }

  const government: Array<[ExtensionSettings['cloud'], string, string]> = [
    ['GCC', 'https://login.microsoftonline.com', 'https://api-gcc.securitycenter.microsoft.us'],
    ['GCCHigh', 'https://login.microsoftonline.us', 'https://api-gov.securitycenter.microsoft.us'],
    ['DoD', 'https://login.microsoftonline.us', 'https://api-gov.securitycenter.microsoft.us'],
  ];
  for (const [cloud, login, api] of government) {
    it(`${cloud}: ${login} and ${api}, whatever the region says`, () => {
      assert.deepEqual(endpointsFor({ cloud, apiRegion: 'eu', tenantId: '72f988bf-86f1-41af-91ab-2d7cd011db47' }), {
        cloud,
        authorityHost: login,
        authority: `${login}/72f988bf-86f1-41af-91ab-2d7cd011db47`,
        apiBaseUrl: api,
        apiOrigin: api,
        scope: `${api}/.default`,
      });
    });
  }

  it('Custom: IP literal hosts with ports, the authority as a known authority (host:port), the scope from the API origin', () => {
    assert.deepEqual(endpointsFor({ cloud: 'Custom', customAuthorityHost: 'https://127.0.0.1:8443', customApiBaseUrl: 'https://127.0.0.1:9443/' }), {
      cloud: 'Custom',
      authorityHost: 'https://127.0.0.1:8443',
      authority: 'https://127.0.0.1:8443/organizations',
      knownAuthorities: ['127.0.0.1:8443'],
      apiBaseUrl: 'https://127.0.0.1:9443',
      apiOrigin: 'https://127.0.0.1:9443',
      scope: 'https://127.0.0.1:9443/.default',
    });
  });

  it('Custom: host names, an API base below a path (a proxy), the default port dropped', () => {
    const endpoints = endpointsFor({ cloud: 'Custom', customAuthorityHost: 'https://Login.Contoso.com:443/', customApiBaseUrl: 'https://proxy.contoso.com/mde/' });
    assert.equal(endpoints.authority, 'https://login.contoso.com/organizations');
    assert.deepEqual(endpoints.knownAuthorities, ['login.contoso.com']);
    assert.equal(endpoints.apiBaseUrl, 'https://proxy.contoso.com/mde');
    assert.equal(endpoints.apiOrigin, 'https://proxy.contoso.com');
    assert.equal(endpoints.scope, 'https://proxy.contoso.com/.default');
  });

  it('an empty tenant means organizations', () => {
    assert.equal(endpointsFor({ tenantId: '' }).authority, 'https://login.microsoftonline.com/organizations');
  });
});

describe('settings that block sign-in name the setting to fix', () => {
  const cases: Array<[string, Partial<ExtensionSettings>, string, RegExp]> = [
    ['an empty client id', { clientId: '' }, 'mdeActions.clientId', /Set mdeActions\.clientId to the application \(client\) ID/],
    ['a client id with spaces', { clientId: 'my app' }, 'mdeActions.clientId', /mdeActions\.clientId must be an application \(client\) ID/],
    ['a tenant with a slash', { tenantId: 'contoso/evil' }, 'mdeActions.tenantId', /mdeActions\.tenantId must be a tenant ID/],
    ['Custom without any host', { cloud: 'Custom' }, 'mdeActions.custom.authorityHost', /Set mdeActions\.custom\.authorityHost \(mdeActions\.cloud is Custom\) to an https URL/],
    ['Custom without the API base', { cloud: 'Custom', customAuthorityHost: 'https://login.contoso.com' }, 'mdeActions.custom.apiBaseUrl', /Set mdeActions\.custom\.apiBaseUrl/],
    ['an http authority', { cloud: 'Custom', customAuthorityHost: 'http://127.0.0.1:8080', customApiBaseUrl: 'https://127.0.0.1:9443' }, 'mdeActions.custom.authorityHost', /must use https:\/\/ — tokens are never sent over http/],
    ['an http API base', { cloud: 'Custom', customAuthorityHost: 'https://127.0.0.1:8443', customApiBaseUrl: 'http://127.0.0.1:9443' }, 'mdeActions.custom.apiBaseUrl', /must use https:\/\//],
    ['not a URL', { cloud: 'Custom', customAuthorityHost: 'login.contoso.com', customApiBaseUrl: 'https://127.0.0.1:9443' }, 'mdeActions.custom.authorityHost', /is not a URL: "login\.contoso\.com"/],
    ['an authority with a path', { cloud: 'Custom', customAuthorityHost: 'https://login.contoso.com/contoso', customApiBaseUrl: 'https://127.0.0.1:9443' }, 'mdeActions.custom.authorityHost', /the host only, without a path/],
    ['credentials in the API base', { cloud: 'Custom', customAuthorityHost: 'https://login.contoso.com', customApiBaseUrl: 'https://user:pw@proxy.contoso.com' }, 'mdeActions.custom.apiBaseUrl', /must not contain a user name, password/],
    ['a query in the API base', { cloud: 'Custom', customAuthorityHost: 'https://login.contoso.com', customApiBaseUrl: 'https://proxy.contoso.com/?x=1' }, 'mdeActions.custom.apiBaseUrl', /query/],
  ];
  for (const [name, changes, setting, message] of cases) {
    it(name, () => {
      const error = errorFor(changes);
      assert.equal(error.setting, setting);
      assert.match(error.message, message);
      assert.ok(error.message.includes(setting), 'the message itself names the setting');
    });
  }

  it('the notification offers Open Settings on exactly that setting', () => {
    const error = errorFor({ clientId: '' });
    assert.ok(isSettingsError(error));
    const presentation = presentError(error, 'Sign-in failed');
    assert.deepEqual(presentation.buttons, ['Open Settings', 'Show Log']);
    assert.equal(presentation.setting, 'mdeActions.clientId');
    assert.match(presentation.message, /^Sign-in failed: Set mdeActions\.clientId/);
  });
});

describe('package.json declares the settings as config.ts reads them', () => {
  type Declared = Record<string, { default?: unknown; scope?: string; minimum?: number; maximum?: number; enum?: unknown[] }>;
  // The Settings editor's sections (Connection, View), merged.
  const properties: Declared = Object.assign({}, ...(JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../../package.json'), 'utf8')) as {
    contributes: { configuration: Array<{ properties: Declared }> };
  }).contributes.configuration.map((section) => section.properties));
  const keys = Object.keys(DEFAULT_SETTINGS) as Array<keyof ExtensionSettings>;
  const declared = (key: keyof ExtensionSettings) => properties[settingId(Settings[key])];

  it('same defaults', () => {
    for (const key of keys) {
      assert.deepEqual(declared(key)?.default, DEFAULT_SETTINGS[key], key);
    }
  });

  it('application scope exactly for the settings that decide where tokens go', () => {
    const application = keys.filter((key) => declared(key)?.scope === 'application').map((key) => Settings[key]);
    assert.deepEqual(application, [...APPLICATION_SCOPED_SETTINGS]);
  });

  it('same ranges and choices', () => {
    assert.deepEqual([declared('lookbackDays').minimum, declared('lookbackDays').maximum], [LOOKBACK_DAYS.min, LOOKBACK_DAYS.max]);
    assert.deepEqual([declared('maxActions').minimum, declared('maxActions').maximum], [MAX_ACTIONS.min, MAX_ACTIONS.max]);
    assert.equal(declared('autoRefreshSeconds').maximum, AUTO_REFRESH_SECONDS.max);
    assert.deepEqual(declared('cloud').enum, [...CLOUDS]);
    assert.deepEqual(declared('apiRegion').enum, [...API_REGIONS]);
    assert.deepEqual(declared('signInMethod').enum, [...SIGN_IN_METHODS]);
    assert.deepEqual(declared('groupBy').enum, [...GROUP_BY]);
  });
});

describe('parseSettings', () => {
  const parse = (values: Partial<Record<SettingKey, unknown>>) => parseSettings((key) => values[key]);

  it('gives the SPEC defaults when nothing is set, without problems', () => {
    assert.deepEqual(parse({}), { settings: DEFAULT_SETTINGS, problems: [] });
  });

  it('keeps valid values and trims text', () => {
    const { settings, problems } = parse({
      cloud: 'GCCHigh', tenantId: ' contoso.onmicrosoft.com ', clientId: ' 1234 ', signInMethod: 'deviceCode', lookbackDays: 30,
      maxActions: 10000, onlyMine: true, groupBy: 'device', autoRefreshSeconds: 0, notifyOnStatusChange: false,
    });
    assert.deepEqual(problems, []);
    assert.equal(settings.cloud, 'GCCHigh');
    assert.equal(settings.tenantId, 'contoso.onmicrosoft.com');
    assert.equal(settings.clientId, '1234');
    assert.equal(settings.signInMethod, 'deviceCode');
    assert.equal(settings.lookbackDays, 30);
    assert.equal(settings.maxActions, 10000);
    assert.equal(settings.onlyMine, true);
    assert.equal(settings.groupBy, 'device');
    assert.equal(settings.autoRefreshSeconds, 0);
    assert.equal(settings.notifyOnStatusChange, false);
  });

  it('clamps numbers into range and says so, naming the setting', () => {
    const { settings, problems } = parse({ lookbackDays: 500, maxActions: 0, autoRefreshSeconds: 5 });
    assert.equal(settings.lookbackDays, 180);
    assert.equal(settings.maxActions, 1);
    assert.equal(settings.autoRefreshSeconds, 15);
    assert.deepEqual(problems, [
      'mdeActions.lookbackDays must be a whole number from 1 to 180; using 180 instead of 500.',
      'mdeActions.maxActions must be a whole number from 1 to 10000; using 1 instead of 0.',
      'mdeActions.autoRefreshSeconds is 5; it must be 0 (off) or from 15 to 86400 seconds, so 15 is used.',
    ]);
  });

  it('caps auto refresh at a day', () => {
    const { settings, problems } = parse({ autoRefreshSeconds: 100_000 });
    assert.equal(settings.autoRefreshSeconds, 86_400);
    assert.equal(problems.length, 1);
  });

  it('rounds fractions, turns a negative refresh off, and replaces wrong types and unknown values with defaults', () => {
    const { settings, problems } = parse({ lookbackDays: 2.6, autoRefreshSeconds: -3, maxActions: '50', onlyMine: 'yes', cloud: 'Azure', groupBy: 'owner' });
    assert.equal(settings.lookbackDays, 3);
    assert.equal(settings.autoRefreshSeconds, 0);
    assert.equal(settings.maxActions, 1000);
    assert.equal(settings.onlyMine, false);
    assert.equal(settings.cloud, 'Commercial');
    assert.equal(settings.groupBy, 'status');
    assert.equal(problems.length, 6);
    assert.ok(problems.some((p) => p.startsWith('mdeActions.cloud has the unknown value "Azure"; using "Commercial".')));
    assert.ok(problems.some((p) => p.startsWith('mdeActions.autoRefreshSeconds is negative')));
  });
});
