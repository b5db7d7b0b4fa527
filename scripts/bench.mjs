// `npm run bench`: the performance figures of SPEC §4, printed (not asserted). Medians of repeated runs; compare
// ratios within one run, this machine's timings are noisy.
import * as fs from 'node:fs';
import * as https from 'node:https';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import { build, ensureDependencies, packageVsix, root } from './setup.mjs';

ensureDependencies();
build();
const vsix = packageVsix();
const require = createRequire(import.meta.url);
const out = (p) => require(path.join(root, 'out', p));
const { parseMachineActionList } = out('src/defender/machineAction.js');
const { DefenderClient } = out('src/defender/client.js');
const { applyFilter } = out('src/actions/actionFilter.js');
const { rootNodes, childNodes, nodeView } = out('src/views/treeNodes.js');
const { startDefenderSimulator } = out('test/simulators/defenderSimulator.js');
const { bulkActions } = out('test/simulators/seedActions.js');

const RUNS = 15;
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
function time(fn, runs = RUNS) {
  const samples = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    fn();
    samples.push(performance.now() - start);
  }
  return median(samples);
}
const ms = (value) => `${value.toFixed(1)} ms`;
const kib = (bytes) => `${(bytes / 1024).toFixed(1)} KiB`;

const N = 10_000;
const now = new Date();
const body = JSON.stringify({ '@odata.context': 'https://127.0.0.1/api/$metadata#MachineActions', value: bulkActions(N, now) });
const filter = { statuses: [], types: [], deviceText: '', onlyMine: false };
const context = { now: now.getTime(), groupBy: 'status', isCancelling: () => false };

console.log(`Client work on ${N.toLocaleString('en')} actions (median of ${RUNS}):`);
const parseMs = time(() => parseMachineActionList(JSON.parse(body)));
const { actions } = parseMachineActionList(JSON.parse(body));
const groupMs = time(() => rootNodes({ actions: applyFilter(actions, filter), groupBy: 'status' }));
const roots = rootNodes({ actions, groupBy: 'status' });
const largest = roots.reduce((a, b) => (childNodes(b).length > childNodes(a).length ? b : a));
const flat = rootNodes({ actions, groupBy: 'none' });
console.log(`  JSON.parse + tolerant parsing   ${ms(parseMs)}`);
console.log(`  filter + group by status        ${ms(groupMs)}`);
console.log(`  parse + filter + group in all   ${ms(parseMs + groupMs)}   (SPEC bar: well under 50 ms)`);
console.log(`  expand the largest group (${childNodes(largest).length} rows → tree items)  ${ms(time(() => childNodes(largest).forEach((n) => nodeView(n, context))))}`);
console.log(`  a flat list of ${flat.length} rows → tree items  ${ms(time(() => flat.forEach((n) => nodeView(n, context))))}`);

console.log('\nRequests against the HTTPS simulator:');
const sim = await startDefenderSimulator({ actions: bulkActions(N, now) });
const token = sim.createToken();
const logger = { trace() {}, debug() {}, info() {}, warn() {}, error() {} };
const client = new DefenderClient({ apiBaseUrl: sim.url, getAccessToken: async () => token, logger, agent: new https.Agent({ ca: sim.caPem, keepAlive: true }) });
const refreshTimes = [];
let listed = 0;
for (let i = 0; i < 5; i++) {
  sim.clearRequests();
  const start = performance.now();
  listed = (await client.listMachineActions({ lookbackDays: 30, top: N })).actions.length;
  refreshTimes.push(performance.now() - start);
}
console.log(`  refresh of ${listed.toLocaleString('en')} actions: ${sim.requests.length} request, ${ms(median(refreshTimes))} end to end (median of 5)`);
const pending = sim.actions.find((a) => a.status === 'Pending');
sim.clearRequests();
await client.cancelMachineAction(pending.id, 'benchmark');
console.log(`  cancel: ${sim.requests.length} request`);
await sim.close();

console.log('\nActivation and package:');
const bundlePath = path.join(root, 'dist/extension.js');
const bundle = fs.readFileSync(bundlePath, 'utf8');
// Evaluating the module is the cost of loading it; `vscode` is an empty stand-in since activate() is not called.
const loadMs = time(() => {
  const module = { exports: {} };
  new Function('module', 'exports', 'require', '__filename', '__dirname', bundle)(
    module, module.exports, (id) => (id === 'vscode' ? {} : require(id)), bundlePath, path.dirname(bundlePath));
}, 5);
console.log(`  bundle ${kib(bundle.length)}, evaluated in ${ms(loadMs)} (median of 5)`);
console.log(`  VSIX ${path.basename(vsix)}: ${kib(fs.statSync(vsix).size)}`);
