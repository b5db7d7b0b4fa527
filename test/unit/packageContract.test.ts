// The public contract of SPEC §2 as package.json declares it, and in step with src/constants.ts.
import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { AUTH_PROVIDER_ID, AUTH_PROVIDER_LABEL, Commands, ContextKeys, FILTER_SUBMENU_ID, ItemContext, ItemFlags, Settings, VIEW_CONTAINER_ID, VIEW_ID } from '../../src/constants';

const root = path.resolve(__dirname, '../../..');
/** One contributed entry (command, menu item, view, submenu, welcome content, setting): the fields read here, optional as in JSON. */
interface Entry {
  id?: string; command?: string; submenu?: string; title?: string; name?: string; icon?: string; when?: string;
  group?: string; category?: string; enablement?: string; view?: string; contents?: string; order?: number;
  type?: string; default?: unknown; scope?: string; markdownDescription?: string; pattern?: string;
  enum?: string[]; enumDescriptions?: string[]; minimum?: number; maximum?: number;
  properties?: Record<string, Entry>;
}

/** The parts of package.json this test reads. */
interface Manifest {
  publisher: string; name: string; displayName: string; main: string; engines: { vscode: string };
  devDependencies: Record<string, string>; activationEvents?: string[]; capabilities: unknown; extensionKind: string[];
  contributes: {
    viewsContainers: { activitybar: Entry[] }; views: Record<string, Entry[]>; commands: Entry[]; submenus: Entry[];
    menus: Record<string, Entry[]>; viewsWelcome: Entry[]; configuration: Entry[]; authentication: Entry[];
  };
}

const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as Manifest;
const contributes = pkg.contributes;
const sections = contributes.configuration;
const properties: Record<string, Entry> = Object.assign({}, ...sections.map((section) => section.properties));

describe('packageContract', () => {
  it('identity and engine', () => {
    assert.equal(pkg.publisher, 'defender-tools');
    assert.equal(pkg.name, 'machine-actions');
    assert.equal(pkg.displayName, 'Defender for Endpoint: Machine Actions');
    assert.equal(pkg.engines.vscode, '^1.95.0');
    const typesVersion = pkg.devDependencies['@types/vscode'];
    assert.match(typesVersion, /^\^?1\.95\./, '@types/vscode matches the engine minor');
    assert.equal(pkg.main, './dist/extension.js');
  });

  it('activation is implicit: no "*" and no onStartupFinished', () => {
    for (const event of pkg.activationEvents ?? []) {
      assert.notEqual(event, '*');
      assert.notEqual(event, 'onStartupFinished');
    }
  });

  it('works in Restricted Mode and virtual workspaces, and prefers to run next to the browser', () => {
    // Nothing of the workspace is executed and the host-deciding settings are application scoped (see the settings test).
    assert.deepEqual(pkg.capabilities, { untrustedWorkspaces: { supported: true }, virtualWorkspaces: true });
    // "ui" first: over Remote-SSH or in a container the loopback sign-in can reach the local browser.
    assert.deepEqual(pkg.extensionKind, ['ui', 'workspace']);
  });

  it('the activity bar container and the view', () => {
    const container = contributes.viewsContainers.activitybar.find((c) => c.id === VIEW_CONTAINER_ID);
    assert.ok(container, 'container mdeActions');
    assert.equal(container.title, 'Defender');
    assert.ok(fs.existsSync(path.join(root, container.icon ?? '')), `icon ${container.icon} exists`);
    assert.deepEqual(contributes.views[VIEW_CONTAINER_ID].map((v) => [v.id, v.name]), [[VIEW_ID, 'Machine Actions']]);
  });

  it('the Accounts menu\'s authentication provider is declared as the extension registers it', () => {
    assert.deepEqual(contributes.authentication, [{ id: AUTH_PROVIDER_ID, label: AUTH_PROVIDER_LABEL }]);
    assert.equal(AUTH_PROVIDER_ID, 'mdeActions');
  });

  it('every command of the contract, with its title, category "Defender" and an icon', () => {
    const expected: Record<string, string> = {
      [Commands.signIn]: 'Sign In',
      [Commands.signOut]: 'Sign Out',
      [Commands.refresh]: 'Refresh Machine Actions',
      [Commands.cancelAction]: 'Cancel Machine Action…',
      [Commands.showDetails]: 'Show Machine Action Details',
      [Commands.copyActionId]: 'Copy Action ID',
      [Commands.openInPortal]: 'Open Device in Defender Portal',
      [Commands.filter]: 'Filter Machine Actions…',
      [Commands.clearFilter]: 'Clear Filter',
      [Commands.showLog]: 'Show Log',
      [Commands.openCommandOutput]: 'Open Command Output',
      [Commands.downloadInvestigationPackage]: 'Download Investigation Package…',
      [Commands.exportActions]: 'Export Machine Actions…',
      [Commands.copyDeviceCode]: 'Copy Device Code and Open Sign-In Page',
    };
    const declared = Object.fromEntries(contributes.commands.map((c) => [c.command, c.title]));
    assert.deepEqual(declared, expected);
    for (const c of contributes.commands) {
      assert.equal(c.category, 'Defender', c.command);
      assert.match(c.icon ?? '', /^\$\([a-z-]+\)$/, `${c.command} has a codicon`);
    }
  });

  it('menus name only contributed commands and submenus', () => {
    const ids = new Set(contributes.commands.map((c) => c.command));
    const submenus = new Set(contributes.submenus.map((s) => s.id));
    for (const [menu, entries] of Object.entries(contributes.menus)) {
      assert.ok(menu.includes('/') || menu === 'commandPalette' || submenus.has(menu), `${menu} is a VS Code menu or one of ours`);
      for (const entry of entries) {
        assert.ok(entry.submenu ? submenus.has(entry.submenu) : ids.has(entry.command), `${menu}: ${entry.command ?? entry.submenu}`);
      }
    }
  });

  it('item-only commands and the device-code notification\'s link are hidden from the palette; palette commands are not; result commands ask when signed in', () => {
    const palette = new Map(contributes.menus.commandPalette.map((e) => [e.command, e.when]));
    for (const id of [Commands.showDetails, Commands.copyActionId, Commands.openInPortal, Commands.copyDeviceCode]) {
      assert.equal(palette.get(id), 'false', id);
    }
    for (const id of [Commands.signIn, Commands.signOut, Commands.refresh, Commands.cancelAction, Commands.filter, Commands.clearFilter, Commands.showLog]) {
      assert.notEqual(palette.get(id), 'false', id);
    }
    // They can ask for their action (and command) when invoked without a row.
    for (const id of [Commands.openCommandOutput, Commands.downloadInvestigationPackage, Commands.exportActions]) {
      assert.equal(palette.get(id), ContextKeys.signedIn, id);
    }
  });

  it('cancel shows, inline and in the context menu, only on cancellable items of our view', () => {
    const cancelEntries = contributes.menus['view/item/context'].filter((e) => e.command === Commands.cancelAction);
    assert.deepEqual(cancelEntries.map((e) => e.group === 'inline').sort(), [false, true]);
    for (const entry of cancelEntries) {
      assert.equal(entry.when, `view == ${VIEW_ID} && viewItem =~ /^${ItemContext.cancellableAction.replace('.', '\\.')}\\b/`);
    }
    const detailEntries = contributes.menus['view/item/context'].filter((e) => e.command !== Commands.cancelAction);
    for (const entry of detailEntries) {
      assert.match(entry.when ?? '', new RegExp(`^view == ${VIEW_ID.replace('.', '\\.')} && `));
    }
  });

  it('Open Command Output and Download Investigation Package show only on rows whose contextValue has their flag', () => {
    const entries = contributes.menus['view/item/context'];
    const whenOf = (id: string) => entries.find((e) => e.command === id)?.when ?? '';
    const matches = (id: string, contextValue: string) => new RegExp(/viewItem =~ \/(.*)\/$/.exec(whenOf(id))![1]).test(contextValue);
    const cases: Array<[string, string, boolean]> = [
      [Commands.openCommandOutput, `${ItemContext.action} ${ItemFlags.commandOutput}`, true],
      [Commands.openCommandOutput, `${ItemContext.cancellableAction} ${ItemFlags.commandOutput}`, true],
      [Commands.openCommandOutput, ItemContext.cancellableAction, false],
      [Commands.openCommandOutput, `${ItemContext.action} ${ItemFlags.investigationPackage}`, false],
      [Commands.downloadInvestigationPackage, `${ItemContext.action} ${ItemFlags.investigationPackage}`, true],
      [Commands.downloadInvestigationPackage, ItemContext.action, false],
      [Commands.cancelAction, `${ItemContext.cancellableAction} ${ItemFlags.commandOutput}`, true],
      [Commands.cancelAction, ItemContext.cancellingAction, false],
      [Commands.cancelAction, `${ItemContext.action} ${ItemFlags.commandOutput}`, false],
    ];
    for (const [id, contextValue, shown] of cases) {
      assert.equal(matches(id, contextValue), shown, `${id} on "${contextValue}"`);
    }
  });

  it('the view title offers sign in, filter, refresh, the log and sign out', () => {
    const titleCommands = contributes.menus['view/title'].flatMap((e) => (e.command ? [e.command] : [])).sort();
    assert.deepEqual(titleCommands, [Commands.exportActions, Commands.filter, Commands.refresh, Commands.showLog, Commands.signIn, Commands.signOut].sort());
    const exportEntry = contributes.menus['view/title'].find((e) => e.command === Commands.exportActions);
    assert.doesNotMatch(exportEntry?.group ?? '', /^navigation/, 'export sits in the … menu');
    const signOut = contributes.menus['view/title'].find((e) => e.command === Commands.signOut);
    assert.doesNotMatch(signOut?.group ?? '', /^navigation/, 'sign out sits in the … menu');
  });

  it('while a filter is on, the title shows the filled filter icon with Change and Clear; the palette offers Clear', () => {
    const title = contributes.menus['view/title'];
    const { filtered, signedIn } = ContextKeys;
    const filter = title.find((e) => e.command === Commands.filter);
    const filterOn = title.find((e) => e.submenu === FILTER_SUBMENU_ID);
    assert.equal(filter?.when, `view == ${VIEW_ID} && ${signedIn} && !${filtered}`);
    assert.equal(filterOn?.when, `view == ${VIEW_ID} && ${signedIn} && ${filtered}`);
    assert.equal(filterOn?.group, filter?.group, 'the same place in the title');
    const icon = (id: string) => contributes.commands.find((c) => c.command === id)?.icon;
    assert.deepEqual([icon(Commands.filter), contributes.submenus.find((s) => s.id === FILTER_SUBMENU_ID)?.icon], ['$(filter)', '$(filter-filled)']);
    assert.deepEqual(contributes.menus[FILTER_SUBMENU_ID].map((e) => e.command), [Commands.filter, Commands.clearFilter]);
    const clear = contributes.commands.find((c) => c.command === Commands.clearFilter);
    assert.equal(clear?.enablement, filtered);
    assert.equal(contributes.menus.commandPalette.find((e) => e.command === Commands.clearFilter)?.when, `${signedIn} && ${filtered}`);
  });

  it('welcome views for not configured, signed out and empty, keyed on the context keys', () => {
    const welcome = contributes.viewsWelcome.filter((w) => w.view === VIEW_ID);
    const byWhen = (when: string) => welcome.find((w) => w.when === when)?.contents ?? '';
    const { configured, signedIn, loading } = ContextKeys;
    assert.match(byWhen(`!${configured}`), /command:workbench\.action\.openSettings/);
    // While loading (the cached sign-in, then the list) neither Sign In nor "nothing here" may show.
    assert.match(byWhen(`${configured} && !${signedIn} && !${loading}`), /\[Sign In\]\(command:mdeActions\.signIn\)/);
    assert.match(byWhen(`${configured} && ${loading}`), /Loading/);
    assert.match(byWhen(`${configured} && ${signedIn} && !${loading}`), /No machine actions/);
  });

  it('every setting of the contract with its type, default and scope', () => {
    const s = (key: string) => `${Settings.section}.${key}`;
    const expected: Array<[string, string, unknown, string]> = [
      [s(Settings.cloud), 'string', 'Commercial', 'application'],
      [s(Settings.apiRegion), 'string', 'global', 'application'],
      [s(Settings.tenantId), 'string', 'organizations', 'application'],
      [s(Settings.clientId), 'string', '', 'application'],
      [s(Settings.signInMethod), 'string', 'browser', 'application'],
      [s(Settings.customAuthorityHost), 'string', '', 'application'],
      [s(Settings.customApiBaseUrl), 'string', '', 'application'],
      [s(Settings.lookbackDays), 'integer', 7, 'window'],
      [s(Settings.maxActions), 'integer', 1000, 'window'],
      [s(Settings.onlyMine), 'boolean', false, 'window'],
      [s(Settings.groupBy), 'string', 'status', 'window'],
      [s(Settings.autoRefreshSeconds), 'integer', 60, 'window'],
      [s(Settings.notifyOnStatusChange), 'boolean', true, 'window'],
    ];
    assert.deepEqual(Object.keys(properties).sort(), expected.map((e) => e[0]).sort());
    for (const [key, type, def, scope] of expected) {
      assert.deepEqual([properties[key].type, properties[key].default, properties[key].scope], [type, def, scope], key);
      assert.ok(properties[key].markdownDescription, `${key} has a description`);
    }
  });

  it('the Settings editor shows the settings under the extension in two titled sections, each in a set order', () => {
    // With one section VS Code labels every setting "Mde Actions: …" (its key's prefix); sections whose id starts
    // with that prefix let it drop it.
    assert.deepEqual(sections.map((s) => [s.id, s.title, s.order]), [['mdeActions.connection', 'Connection', 1], ['mdeActions.view', 'View', 2]]);
    for (const section of sections) {
      const orders = Object.values(section.properties ?? {}).map((p) => p.order);
      assert.deepEqual(orders, orders.map((_, i) => i + 1), `${section.title}: orders 1…n in the order they are declared`);
    }
    const s = (key: string) => `${Settings.section}.${key}`;
    assert.deepEqual(Object.keys(sections[0].properties ?? {}), [Settings.cloud, Settings.apiRegion, Settings.tenantId, Settings.clientId,
      Settings.signInMethod, Settings.customAuthorityHost, Settings.customApiBaseUrl].map(s));
  });

  it('enums, ranges and enum descriptions', () => {
    const p = (key: string) => properties[`mdeActions.${key}`];
    assert.deepEqual(p('cloud').enum, ['Commercial', 'GCC', 'GCCHigh', 'DoD', 'Custom']);
    assert.deepEqual(p('apiRegion').enum, ['global', 'us', 'eu', 'uk', 'au', 'swa', 'ina']);
    assert.deepEqual(p('signInMethod').enum, ['browser', 'deviceCode']);
    assert.deepEqual(p('groupBy').enum, ['status', 'device', 'type', 'none']);
    for (const key of ['cloud', 'apiRegion', 'signInMethod', 'groupBy']) {
      assert.equal(p(key).enumDescriptions?.length, p(key).enum?.length, key);
    }
    assert.deepEqual([p('lookbackDays').minimum, p('lookbackDays').maximum], [1, 180]);
    assert.deepEqual([p('maxActions').minimum, p('maxActions').maximum], [1, 10000]);
    assert.equal(p('autoRefreshSeconds').minimum, 0);
  });

  it('the host settings accept only https URLs', () => {
    for (const key of ['custom.authorityHost', 'custom.apiBaseUrl']) {
      const pattern = new RegExp(properties[`mdeActions.${key}`].pattern ?? '(?!)');
      assert.ok(pattern.test(''), `${key}: empty allowed`);
      assert.ok(pattern.test('https://127.0.0.1:8443'), `${key}: https with port`);
      assert.ok(!pattern.test('http://login.contoso.com'), `${key}: http refused`);
      assert.ok(!pattern.test('login.contoso.com'), `${key}: bare host refused`);
    }
  });

  it('the .vscodeignore is an allowlist', () => {
    const lines = fs.readFileSync(path.join(root, '.vscodeignore'), 'utf8').split('\n').filter((l) => l && !l.startsWith('#'));
    assert.equal(lines[0], '**');
    assert.ok(lines.slice(1).every((l) => l.startsWith('!')));
  });
});
