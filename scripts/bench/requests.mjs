// Requests (SPEC §4) against the HTTPS simulator: per refresh, per cancel, per bulk cancel of 20; and two simulated
// hours of auto refresh at the fastest setting (15 s) with 429 storms and a cancel every few minutes, on one
// injected clock shared by the client, its rate limiter and the simulator, counted as the simulator saw them.
import * as https from 'node:https';
import { emit, FakeClock, out, quietLogger } from './common.mjs';

const { DefenderClient } = out('src/defender/client.js');
const { RateLimiter } = out('src/defender/rateLimiter.js');
const { ActionsStore } = out('src/model/actionsStore.js');
const { autoRefreshDecision } = out('src/model/autoRefresh.js');
const { runPaced, MAX_BULK_CONCURRENCY } = out('src/commands/cancel/bulk.js');
const { startDefenderSimulator } = out('test/simulators/defenderSimulator.js');
const { bulkActions } = out('test/simulators/seedActions.js');

const FASTEST_SECONDS = 15;
const HOURS = 2;
const STORM_EVERY_MS = 10 * 60_000;
const CANCEL_EVERY_MS = 4 * 60_000;
/** Cancels fall between the storms, so a refusal would be the client's own budget, not the storm's 429s. */
const CANCEL_OFFSET_MS = 60_000;

const clock = new FakeClock();
const sim = await startDefenderSimulator({ actions: bulkActions(10_000, new Date(clock.now())), now: () => clock.now() });
const client = new DefenderClient({
  apiBaseUrl: sim.url, getAccessToken: async () => token, logger: quietLogger, clock,
  rateLimiter: new RateLimiter({ clock }), agent: new https.Agent({ ca: sim.caPem, keepAlive: true }),
});
const token = sim.createToken();
const pendingIds = () => sim.actions.filter((a) => a.status === 'Pending').map((a) => a.id);

async function counted(work) {
  sim.clearRequests();
  await work();
  return sim.requests.length;
}

const requestsPerRefresh = await counted(() => client.listMachineActions({ lookbackDays: 30, top: 10_000 }));
const requestsPerCancel = await counted(() => client.cancelMachineAction(pendingIds()[0], 'benchmark'));
const requestsPerBulkCancel20 = await counted(() => runPaced(pendingIds().slice(0, 20), (id) => client.cancelMachineAction(id, 'benchmark'), { concurrency: MAX_BULK_CONCURRENCY }));

/** The most requests the simulator saw in any window of `windowMs` (sliding). */
function busiestWindow(times, windowMs) {
  let most = 0;
  for (let first = 0, last = 0; last < times.length; last++) {
    while (times[last] - times[first] >= windowMs) {
      first++;
    }
    most = Math.max(most, last - first + 1);
  }
  return most;
}

/** Two hours of ticks every 15 s: a storm of 429s every 10 min, a cancel every 4 min, a refresh when the budget allows. */
async function simulateAutoRefresh() {
  const store = new ActionsStore(() => clock.now());
  const budget = new RateLimiter({ clock });
  const auto = new DefenderClient({ apiBaseUrl: sim.url, getAccessToken: async () => token, logger: quietLogger, clock, rateLimiter: budget, agent: new https.Agent({ ca: sim.caPem, keepAlive: true }) });
  sim.setActions(bulkActions(1_000, new Date(clock.now())));
  sim.clearRequests();
  const start = clock.now();
  const outcome = { refreshes: 0, skipped: 0, failedRefreshes: 0, cancels: 0, refusedCancels: 0, refusedForBudget: 0, refusals: new Set() };
  for (let at = start; at < start + HOURS * 3_600_000; at += FASTEST_SECONDS * 1000) {
    clock.advanceTo(at);
    if ((at - start) % STORM_EVERY_MS === 0) {
      sim.failNext({ kind: 'status', status: 429, retryAfterSeconds: 20 }, { times: 3 });
    }
    if ((at - start) % CANCEL_EVERY_MS === CANCEL_OFFSET_MS && pendingIds().length > 0) {
      outcome.cancels++;
      const sent = sim.requests.length;
      await auto.cancelMachineAction(pendingIds()[0], 'benchmark').catch((error) => {
        outcome.refusedCancels++;
        // Nothing reached the server: the client's own rate budget held the cancel back.
        outcome.refusedForBudget += sim.requests.length === sent ? 1 : 0;
        outcome.refusals.add(error.status ? `HTTP ${error.status}` : error.name);
      });
    }
    const loadedAt = store.loadedAt;
    const decision = autoRefreshDecision({ signedIn: true, loading: false, budget, ageMs: loadedAt === undefined ? undefined : clock.now() - loadedAt, intervalSeconds: FASTEST_SECONDS });
    if (decision !== 'run') {
      outcome.skipped++;
      continue;
    }
    outcome.refreshes++;
    const result = await store.refresh((signal) => auto.listMachineActions({ lookbackDays: 7, top: 10_000 }, signal).then((list) => ({ actions: list.actions, warnings: list.warnings })));
    outcome.failedRefreshes += result.kind === 'failed' ? 1 : 0;
  }
  const times = sim.requests.map((r) => r.at).sort((a, b) => a - b);
  return { ...outcome, requests: times.length, maxRequestsPerMinute: busiestWindow(times, 60_000), maxRequestsPerHour: busiestWindow(times, 3_600_000) };
}

const hours = await simulateAutoRefresh();
await sim.close();
console.log('Requests against the HTTPS simulator:');
console.log(`  refresh of 10,000 actions: ${requestsPerRefresh}; cancel: ${requestsPerCancel}; bulk cancel of 20: ${requestsPerBulkCancel20}`);
console.log(`  ${HOURS} simulated hours of auto refresh every ${FASTEST_SECONDS} s, 3 × 429 every 10 min, a cancel every 4 min:`);
console.log(`    ${hours.requests} requests (${hours.refreshes} refreshes, ${hours.failedRefreshes} failed; ${hours.skipped} turns skipped; ${hours.cancels} cancels, ${hours.refusedCancels} refused${hours.refusedCancels ? `: ${[...hours.refusals].join(', ')}` : ''})`);
console.log(`    busiest minute ${hours.maxRequestsPerMinute}, busiest hour ${hours.maxRequestsPerHour}`);
emit({
  requestsPerRefresh, requestsPerCancel, requestsPerBulkCancel20,
  maxRequestsPerMinute: hours.maxRequestsPerMinute, maxRequestsPerHour: hours.maxRequestsPerHour,
  cancelsRefusedForBudget: hours.refusedForBudget,
});
