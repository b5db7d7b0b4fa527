// Client work (SPEC §4): the whole path from the list's body text to the tree model, against the floor of a plain
// JSON.parse of the same text, in the same process, both timed from a collected heap; a growth table 1k/10k/100k;
// and a real 10,000-row group turned into TreeItems by the view's own provider. Run with --expose-gc.
// The path is the client's (DefenderClient.listMachineActions): parse, then read each action and merge it by id (one
// page here), then what the view does with the list (earlier versions of this bench left the merge by id out).
import { performance } from 'node:perf_hooks';
import { collect, emit, median, ms, out, stubVscode, timeMedian } from './common.mjs';

const vscode = stubVscode();
const { listEnvelope } = out('src/defender/machineAction.js');
const { MergedPages } = out('src/defender/listPages.js');
const { ActionsStore } = out('src/model/actionsStore.js');
const { applyFilter, NO_FILTER } = out('src/model/actionFilter.js');
const { childNodes, rootNodes, SHOW_MORE_COMMAND } = out('src/views/treeNodes.js');
const { ActionsTreeProvider } = out('src/views/actionsTreeProvider.js');
const { bulkActions } = out('test/simulators/seedActions.js');

const NOW = new Date();
const listBody = (actions) => JSON.stringify({ '@odata.context': 'https://127.0.0.1/api/$metadata#MachineActions', value: actions });

/** What DefenderClient.listMachineActions makes of one page of list text: actions by id, one copy each, and how their creation times stand. */
function clientList(text, top) {
  const merged = new MergedPages(top);
  merged.add(listEnvelope(JSON.parse(text)));
  return { actions: merged.actions, warnings: [], creationOrder: merged.creationOrder };
}

/**
 * Body text → JSON → machine actions → merged by id → the store (freshest copy per id, status changes against the
 * last load) → the filter → groups → each group's first page of rows: what one refresh costs before VS Code asks
 * for TreeItems. `top` is the list's size (the client's is Max Actions, at most 10,000).
 */
async function normalizeGroup(store, text, top) {
  await store.refresh(async () => clientList(text, top));
  const roots = rootNodes({ actions: applyFilter(store.actions, NO_FILTER), creationOrder: store.creationOrder, groupBy: 'status' });
  return roots.map((root) => childNodes(root));
}

/** Wall-clock and CPU ms (this process, `process.cpuUsage`) of `fn`, awaited, from a collected heap. */
async function sample(fn) {
  collect();
  const cpu = process.cpuUsage();
  const start = performance.now();
  await fn();
  const wall = performance.now() - start;
  const used = process.cpuUsage(cpu);
  return { wall, cpu: (used.user + used.system) / 1000 };
}

/**
 * Median ms of the floor and of the whole path for `n` actions, sampled alternately so both see the same machine.
 * The bar is on wall-clock time; the CPU time of the same samples is reported beside it, because on a shared
 * machine a sample's wall time also counts the time other processes ran.
 */
async function measure(n, runs) {
  const text = listBody(bulkActions(n, NOW));
  const store = new ActionsStore();
  await normalizeGroup(store, text, n);
  const floor = [];
  const path = [];
  for (let i = 0; i < runs; i++) {
    floor.push(await sample(() => JSON.parse(text)));
    path.push(await sample(() => normalizeGroup(store, text, n)));
  }
  const of = (samples, key) => median(samples.map((s) => s[key]));
  return { n, bytes: text.length, jsonParseMs: of(floor, 'wall'), normalizeGroupMs: of(path, 'wall'), jsonParseCpuMs: of(floor, 'cpu'), normalizeGroupCpuMs: of(path, 'cpu') };
}

/** A provider on `n` actions that all succeeded: one group of `n` rows, opened whole ("Show all") or its first page. */
async function expandGroup(n, runs) {
  const { actions } = clientList(listBody(bulkActions(n, NOW, {}, ['Succeeded'])), n);
  const provider = new ActionsTreeProvider(() => ({ actions, groupBy: 'status' }), () => ({ now: NOW.getTime(), groupBy: 'status', isCancelling: () => false }));
  const [group] = provider.getChildren();
  const expand = () => provider.getChildren(group).map((node) => provider.getTreeItem(node));
  const firstPage = { rows: expand().length, ms: await timeMedian(expand, runs) };
  await vscode.commands.executeCommand(SHOW_MORE_COMMAND, group.group.key, 'all');
  const all = { rows: expand().length, ms: await timeMedian(expand, runs) };
  provider.dispose();
  return { firstPage, all };
}

const growth = [];
for (const [n, runs] of [[1_000, 41], [10_000, 41], [100_000, 15]]) {
  growth.push(await measure(n, runs));
  collect();
}
console.log('Client work, body text → tree model (median; each sample from a collected heap):');
console.log('      actions   body        JSON.parse   whole path   ratio   (CPU time: JSON.parse   whole path   ratio)');
for (const g of growth) {
  const cpu = `${ms(g.jsonParseCpuMs).padStart(10)}   ${ms(g.normalizeGroupCpuMs).padStart(10)}   ${(g.normalizeGroupCpuMs / g.jsonParseCpuMs).toFixed(2)}`;
  console.log(`  ${String(g.n).padStart(11)}   ${(g.bytes / 1048576).toFixed(1).padStart(5)} MiB   ${ms(g.jsonParseMs).padStart(10)}   ${ms(g.normalizeGroupMs).padStart(10)}   ${(g.normalizeGroupMs / g.jsonParseMs).toFixed(2)}    ${cpu}`);
}
const expand = await expandGroup(10_000, 15);
console.log(`  a group of 10,000 → TreeItems: first page (${expand.firstPage.rows} rows) ${ms(expand.firstPage.ms)}, "Show all" (${expand.all.rows} rows) ${ms(expand.all.ms)}`);
const at10k = growth.find((g) => g.n === 10_000);
emit({
  jsonParse10kMs: at10k.jsonParseMs,
  normalizeGroup10kMs: at10k.normalizeGroupMs,
  overheadRatio: at10k.normalizeGroupMs / at10k.jsonParseMs,
  overheadRatioCpu: at10k.normalizeGroupCpuMs / at10k.jsonParseCpuMs,
  expandGroup10kMs: expand.all.ms,
  expandFirstPageMs: expand.firstPage.ms,
  growth: growth.map((g) => ({ actions: g.n, jsonParseMs: g.jsonParseMs, normalizeGroupMs: g.normalizeGroupMs, ratio: g.normalizeGroupMs / g.jsonParseMs, ratioCpu: g.normalizeGroupCpuMs / g.jsonParseCpuMs })),
});
