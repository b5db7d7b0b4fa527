// The soak of issue 11 item 14: 300 refreshes of 10,000 actions through the client (HTTPS simulator), the store,
// status-change detection and the tree model (groups, first pages, TreeItems of the open groups); the heap used
// after a forced GC every 10 refreshes, and its slope in bytes per refresh after the first 50 (warm-up, see below).
// Run with --expose-gc.
import * as https from 'node:https';
import * as v8 from 'node:v8';
import { collect, emit, out, quietLogger, stubVscode } from './common.mjs';

stubVscode();
const { DefenderClient } = out('src/defender/client.js');
const { ActionsStore } = out('src/model/actionsStore.js');
const { applyFilter, NO_FILTER } = out('src/model/actionFilter.js');
const { statusChangeMessage } = out('src/views/statusChangeText.js');
const { ActionsTreeProvider } = out('src/views/actionsTreeProvider.js');
const { startDefenderSimulator } = out('test/simulators/defenderSimulator.js');
const { bulkActions } = out('test/simulators/seedActions.js');

const SAMPLE_EVERY = 10;
/** A slope needs two samples after the first refresh (which adds the list): refreshes 10 and 20. */
const MIN_REFRESHES = 2 * SAMPLE_EVERY;
const REFRESHES = Number(process.env.MDE_SOAK_REFRESHES ?? 300);
if (!Number.isInteger(REFRESHES) || REFRESHES < MIN_REFRESHES || REFRESHES % SAMPLE_EVERY !== 0) {
  console.error(`MDE_SOAK_REFRESHES must be a multiple of ${SAMPLE_EVERY} of at least ${MIN_REFRESHES} (a heap sample every ${SAMPLE_EVERY} refreshes, two after the first for a slope); got "${process.env.MDE_SOAK_REFRESHES}".`);
  process.exit(2);
}
/**
 * Refreshes before the slope is taken. The first refresh adds the list and its tree (about 11 MiB); then V8 goes on
 * compiling and re-compiling the path for a while (in one run code space grew by 275 KiB from refresh 10 to 50 while
 * old space fell by 160 KiB). A slope over every sample from refresh 0 would count that warm-up as if each refresh
 * kept it; the per-space slopes printed show where any remaining growth goes. A run too short to leave two samples
 * after it counts from refresh 10 instead, warm-up and all.
 */
const WARM_UP = REFRESHES >= 50 + MIN_REFRESHES ? 50 : SAMPLE_EVERY;
const ACTIONS = 10_000;

const sim = await startDefenderSimulator({ actions: bulkActions(ACTIONS, new Date()) });
const token = sim.createToken();
const client = new DefenderClient({ apiBaseUrl: sim.url, getAccessToken: async () => token, logger: quietLogger, agent: new https.Agent({ ca: sim.caPem, keepAlive: true }) });
// A big rate budget: the soak is about memory, and 300 refreshes in a few minutes exceed the real one on purpose.
sim.switches.rateLimitPerMinute = sim.switches.rateLimitPerHour = Number.MAX_SAFE_INTEGER;
const store = new ActionsStore();
const now = Date.now();
const provider = new ActionsTreeProvider(() => ({ actions: applyFilter(store.actions, NO_FILTER), creationOrder: store.creationOrder, groupBy: 'status' }), () => ({ now, groupBy: 'status', isCancelling: () => false }));
store.onDidChange(() => provider.refresh());

/** What the view does on a refresh: load, report status changes, build the tree VS Code asks for. */
async function refreshOnce(i) {
  // Some actions finish between refreshes, so status changes are detected and reported as in real use.
  for (const action of sim.actions.filter((a) => a.status === 'Pending').slice(0, 5)) {
    action.status = 'Succeeded';
    action.lastUpdateDateTimeUtc = new Date(now + i * 1000).toISOString();
  }
  const result = await store.refresh((signal) => client.listMachineActions({ lookbackDays: 30, top: ACTIONS }, signal));
  if (result.kind !== 'loaded') {
    throw new Error(`refresh ${i} ${result.kind}: ${result.error}`);
  }
  statusChangeMessage(result.changes);
  for (const root of provider.getChildren()) {
    provider.getTreeItem(root);
    if (provider.getTreeItem(root).collapsibleState === 2) {
      provider.getChildren(root).forEach((row) => provider.getTreeItem(row));
    }
  }
  sim.clearRequests();
}

const samples = [];
for (let i = 0; i <= REFRESHES; i++) {
  if (i > 0) {
    await refreshOnce(i);
  }
  if (i % SAMPLE_EVERY === 0) {
    collect();
    collect();
    const spaces = Object.fromEntries(v8.getHeapSpaceStatistics().map((space) => [space.space_name, space.space_used_size]));
    samples.push({ refresh: i, heapUsed: process.memoryUsage().heapUsed, spaces });
  }
}
await sim.close();
provider.dispose();

/** Least-squares slope of `value` (bytes) over refreshes. */
function slope(points, value = (p) => p.heapUsed) {
  const xs = points.map((p) => p.refresh);
  const ys = points.map(value);
  const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
  const my = ys.reduce((a, b) => a + b, 0) / ys.length;
  const num = xs.reduce((sum, x, k) => sum + (x - mx) * (ys[k] - my), 0);
  return num / xs.reduce((sum, x) => sum + (x - mx) ** 2, 0);
}
const settled = samples.filter((s) => s.refresh >= WARM_UP);
const bytesPerRefresh = slope(settled);
const MiB = (bytes) => `${(bytes / 1048576).toFixed(1)} MiB`;
console.log(`Soak: ${REFRESHES} refreshes of ${ACTIONS.toLocaleString('en')} actions (client, store, status changes, tree), heap after a forced GC:`);
const shown = samples.filter((s) => s.refresh % 50 === 0 || s.refresh === REFRESHES);
console.log(`  ${shown.map((s) => `${s.refresh}: ${MiB(s.heapUsed)}`).join(', ')}`);
console.log(`  slope ${Math.round(bytesPerRefresh)} bytes per refresh (least squares over the ${settled.length} samples from refresh ${WARM_UP}, every ${SAMPLE_EVERY}; before: warm-up)`);
const spaceSlopes = Object.keys(samples[0].spaces).map((name) => `${name} ${Math.round(slope(settled, (p) => p.spaces[name]))}`);
console.log(`  by heap space, bytes per refresh: ${spaceSlopes.join(', ')}`);
if (WARM_UP > SAMPLE_EVERY) {
  const warmUp = Object.keys(samples[0].spaces).map((name) => `${name} ${Math.round((settled[0].spaces[name] - samples[1].spaces[name]) / 1024)}`);
  console.log(`  growth from refresh ${SAMPLE_EVERY} to ${WARM_UP} by heap space, KiB: ${warmUp.join(', ')}`);
}
emit({ soakHeapSlopeBytesPerRefresh: bytesPerRefresh, soakWarmUpRefreshes: WARM_UP, soakHeapMiB: shown.map((s) => Math.round((s.heapUsed / 1048576) * 10) / 10) });
