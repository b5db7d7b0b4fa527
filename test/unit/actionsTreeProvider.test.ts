// The tree provider in plain Node, on the `vscode` stub the benchmark uses (a TreeItem is a plain object there, as it
// is in the extension host until VS Code serialises it): the rows of one answer share one context.
import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import type { ViewContext } from '../../src/views/treeNodes';
import { machineAction } from '../support/machineAction';
import { stubVscode } from '../support/vscodeStub';

stubVscode();
// eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded after the stub is in place
const { ActionsTreeProvider } = require('../../src/views/actionsTreeProvider') as typeof import('../../src/views/actionsTreeProvider');

const CREATED = Date.UTC(2026, 2, 10, 12);

describe('actionsTreeProvider', () => {
  it('the rows of one answer count their ages from one instant, the next answer from a later one', () => {
    // A clock that moves on a minute each time the context is asked for: a row that asked on its own would show it.
    let now = CREATED + 5 * 60_000;
    const context = (): ViewContext => ({ now: (now += 60_000), groupBy: 'status', isCancelling: () => false });
    const actions = Array.from({ length: 50 }, (_, i) => machineAction({ id: `a${i}`, status: 'Succeeded', creationDateTimeUtc: new Date(CREATED).toISOString() }));
    const provider = new ActionsTreeProvider(() => ({ actions, groupBy: 'status' }), context);
    try {
      const ages = () => {
        const [group] = provider.getChildren();
        provider.getTreeItem(group);
        return new Set(provider.getChildren(group).map((row) => String(provider.getTreeItem(row).description).split(' · ')[1]));
      };
      assert.deepEqual([...ages()], ['7m']);
      provider.refresh();
      assert.deepEqual([...ages()], ['9m'], 'the next answer counts from a later instant');
    } finally {
      provider.dispose();
    }
  });
});
