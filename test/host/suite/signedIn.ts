// A host suite signed in to a simulated Custom cloud: the simulators run here in the extension host (their CA is the
// default one, trusted through NODE_EXTRA_CA_CERTS), the user settings point the extension at them, and Sign In goes
// through the device code the extension shows, approved at the simulator. Also: reading the Machine Actions tree
// through the test API that activate() returns in the Test extension mode.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { Commands, EXTENSION_ID } from '../../../src/constants';
import type { ExtensionTestApi } from '../../../src/extension';
import { ANALYST_UPN } from '../../simulators/seedActions';
import { startSimulatedCloud, type SimulatedCloud } from '../../simulators/simulatedCloud';
import { recordUi, type RecordedUi } from './recordedUi';
import { waitFor } from '../../support/waitFor';

export interface SignedIn {
  cloud: SimulatedCloud;
  api: ExtensionTestApi;
  /** Signs out, puts the user settings back and stops the simulators. */
  dispose(): Promise<void>;
}

/**
 * Starts the simulators, lets `prepare` adjust them before the first list loads, sets the user settings (application
 * scope: Global) with auto refresh off, so that only the tests cause requests, and signs in.
 */
export async function signInToSimulatedCloud(prepare: (cloud: SimulatedCloud) => void = () => undefined): Promise<SignedIn> {
  const cloud = await startSimulatedCloud({ entra: { deviceCodeApproval: 'manual', deviceCodeIntervalSeconds: 0.1 } });
  const settings: Record<string, unknown> = { ...cloud.settings, 'mdeActions.autoRefreshSeconds': 0 };
  const config = vscode.workspace.getConfiguration();
  // Also on a failed sign-in: the suites after this one expect the default settings.
  const dispose = async () => {
    const quiet = recordUi();
    try {
      await vscode.commands.executeCommand(Commands.signOut);
      for (const key of Object.keys(settings)) {
        await config.update(key, undefined, vscode.ConfigurationTarget.Global);
      }
    } finally {
      quiet.restore();
      await cloud.close();
    }
  };
  try {
    prepare(cloud);
    for (const [key, value] of Object.entries(settings)) {
      await config.update(key, value, vscode.ConfigurationTarget.Global);
    }
    const api = await vscode.extensions.getExtension<ExtensionTestApi | undefined>(EXTENSION_ID)?.activate();
    assert.ok(api, 'activate() returns the test API in the Test extension mode');
    await signIn(cloud);
    await waitFor(async () => (await readTree(api)).length > 0, 'the first list to load');
    return { cloud, api, dispose };
  } catch (error) {
    await dispose();
    throw error;
  }
}

/** Sign In as the engineer does it: read the code from the notification, enter it at the (simulated) verification page. */
async function signIn(cloud: SimulatedCloud): Promise<void> {
  const { ui } = await approveDeviceCode(cloud, () => vscode.commands.executeCommand(Commands.signIn));
  assert.ok(ui.info.some((message) => message.startsWith(`Signed in to Microsoft Defender as ${ANALYST_UPN}`)),
    `signed in; shown: ${JSON.stringify(ui.notifications)}`);
}

/**
 * Runs `start` (a device-code sign-in: the command, or the Accounts menu's provider), reads the code from the
 * notification and approves it at the simulator; resolves to what `start` resolved to and the notifications shown.
 */
export async function approveDeviceCode<T>(cloud: SimulatedCloud, start: () => Thenable<T>): Promise<{ result: T; ui: RecordedUi }> {
  const ui = recordUi();
  const shownCode = () => ui.progress.map((message) => /enter the code (\S+) within/.exec(message)?.[1]).find((code) => code);
  try {
    const signingIn = start();
    await waitFor(async () => shownCode() !== undefined, 'the device code in the sign-in notification');
    const code = shownCode() ?? '';
    assert.equal(cloud.entra.approveDeviceCodes(code), 1, `the code ${code} is pending at the simulator`);
    return { result: await signingIn, ui };
  } finally {
    ui.restore();
  }
}

/**
 * Sets (undefined: removes) a user setting and resolves once the extension heard of it: its listener was registered
 * at activation, before the one here, so it has run. (update() may resolve before the change event comes.)
 */
export async function updateUserSetting(id: string, value: unknown): Promise<void> {
  const config = vscode.workspace.getConfiguration();
  if (config.inspect(id)?.globalValue === value) {
    return;
  }
  const heard = new Promise<void>((resolve) => {
    const listener = vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration(id)) {
        listener.dispose();
        resolve();
      }
    });
  });
  await config.update(id, value, vscode.ConfigurationTarget.Global);
  await heard;
}

/** A row of the tree as VS Code gets it: the element (what a command receives) and its TreeItem. */
export interface Row {
  node: unknown;
  item: vscode.TreeItem;
  label: string;
  description: string;
  children: Row[];
}

/** The whole tree, through the same getChildren/getTreeItem calls VS Code makes. */
export async function readTree(api: ExtensionTestApi, parent?: unknown): Promise<Row[]> {
  const nodes = (await api.treeDataProvider.getChildren(parent)) ?? [];
  return Promise.all(nodes.map(async (node): Promise<Row> => {
    const item = await api.treeDataProvider.getTreeItem(node);
    const label = typeof item.label === 'object' ? item.label.label : item.label ?? '';
    const description = typeof item.description === 'string' ? item.description : '';
    const children = item.collapsibleState === vscode.TreeItemCollapsibleState.None ? [] : await readTree(api, node);
    return { node, item, label, description, children };
  }));
}

/**
 * The action row of `device` (each test gives its actions a device of their own), by the name a screen reader
 * announces ("Isolate, Pending, <device>, 1 min ago"), which names the device in every state.
 */
export function rowOfDevice(tree: Row[], device: string): Row | undefined {
  return tree.flatMap((group) => [group, ...group.children]).find((row) => row.item.accessibilityInformation?.label.includes(`, ${device},`));
}

/** The group row that holds `row`. */
export function groupOf(tree: Row[], row: Row): Row | undefined {
  return tree.find((group) => group.children.includes(row));
}
