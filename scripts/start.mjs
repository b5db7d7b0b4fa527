// `npm start`: the demo. Builds and packages the extension, starts the Entra ID and Defender API simulators in this
// process, installs the VSIX into a fresh code-server profile set to the Custom cloud at the simulators, starts
// code-server and prints the URL to open, one line per step with its time. The simulator approves device codes by
// itself. Ctrl+C stops everything.
//
// Ports: MDE_DEMO_PORT (code-server, 8080), MDE_DEFENDER_PORT (8443), MDE_ENTRA_PORT (8444); 0 = any free port.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { phase, prepare, prepareHost, root } from './setup.mjs';

const DEFAULT_PORTS = {
  MDE_DEMO_PORT: 8080,
  MDE_DEFENDER_PORT: 8443,
  MDE_ENTRA_PORT: 8444,
};
// Long enough to read the code in the notification before the simulator approves it by itself.
const DEVICE_CODE_APPROVAL_DELAY_SECONDS = 5;

/** The ports to use, read before anything is built so a typo fails at once. */
function readPorts() {
  const ports = {};
  for (const [name, fallback] of Object.entries(DEFAULT_PORTS)) {
    const value = Number(process.env[name] ?? fallback);
    if (!Number.isInteger(value) || value < 0 || value > 65535) {
      throw new Error(`${name} must be a port number (0 = any free port), not "${process.env[name]}"`);
    }
    ports[name] = value;
  }
  return ports;
}

/** The compiled test harness (build() puts it in out/): the same pieces the host and UI tests run on. */
function harness(file) {
  return import(pathToFileURL(path.join(root, 'out', 'test', file)).href);
}

/** Names the variable to change when a port is taken. */
function explainPortInUse(error, name, ports) {
  if (error?.code === 'EADDRINUSE' || /EADDRINUSE/.test(error?.message ?? '')) {
    return new Error(`Port ${ports[name]} is in use. Stop what uses it, or run e.g. \`${name}=0 npm start\` (0 = any free port).`);
  }
  return error;
}

async function startCloud(ports) {
  const { startSimulatedCloud } = await harness('simulators/simulatedCloud.js');
  try {
    return await startSimulatedCloud({
      entra: { port: ports.MDE_ENTRA_PORT, deviceCodeApproval: 'nextPoll', deviceCodeApprovalDelaySeconds: DEVICE_CODE_APPROVAL_DELAY_SECONDS },
      defender: { port: ports.MDE_DEFENDER_PORT },
    });
  } catch (error) {
    throw explainPortInUse(error, error?.port === ports.MDE_ENTRA_PORT ? 'MDE_ENTRA_PORT' : 'MDE_DEFENDER_PORT', ports);
  }
}

/** Installs the VSIX into a fresh demo profile at the simulators and starts code-server on it. */
async function startDemo(cloud, vsix, ports) {
  const { freshProfile, installExtension, startCodeServer } = await harness('harness/codeServer.js');
  const profile = freshProfile(path.join(root, '.test-cache', 'demo'), cloud.settings);
  installExtension(vsix, profile);
  const server = await startCodeServer(profile, {
    folder: profile.workspace,
    port: ports.MDE_DEMO_PORT,
    // The extension host inherits it and so trusts the simulators' certificates (TLS checks stay on).
    env: { NODE_EXTRA_CA_CERTS: cloud.caPath },
  }).catch((error) => { throw explainPortInUse(error, 'MDE_DEMO_PORT', ports); });
  return { profile, server };
}

/** Stops code-server and the simulators on Ctrl+C, SIGTERM, the end of `npm`, or when code-server exits. */
function stopWithDemo(server, cloud) {
  let stopping = false;
  const stop = async (code) => {
    if (stopping) {
      return;
    }
    stopping = true;
    console.log('\nStopping code-server and the simulators…');
    await server.stop();
    await cloud.close();
    process.exit(code);
  };
  process.once('SIGINT', () => void stop(0));
  process.once('SIGTERM', () => void stop(0));
  // `npm start` runs this under `sh -c`, which dies of a SIGTERM sent to npm without passing it on: stop when
  // orphaned, too.
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) {
      void stop(0);
    }
  }, 1000).unref();
  void server.exited.then((code) => {
    if (!stopping) {
      console.error(`code-server exited (${code}). Its last lines:\n${server.recentOutput()}`);
      void stop(1);
    }
  });
}

async function printBanner({ cloud, vsix, profile, server }, seconds) {
  const { workbenchUrl } = await harness('harness/codeServer.js');
  const { demoBanner } = await harness('harness/demoBanner.js');
  const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
  console.log(demoBanner(manifest, {
    url: workbenchUrl(server, profile.workspace),
    seconds,
    approvalDelaySeconds: DEVICE_CODE_APPROVAL_DELAY_SECONDS,
    upn: cloud.entra.switches.user.upn,
    entraUrl: cloud.entra.url,
    defenderUrl: cloud.defender.url,
    storageOrigin: cloud.download.origin,
    actions: cloud.defender.actions,
    extension: path.relative(process.cwd(), vsix) || vsix,
    profile: path.relative(process.cwd(), path.dirname(profile.userDataDir)),
  }));
}

async function main() {
  const started = Date.now();
  const ports = readPorts();
  const vsix = await prepare();
  process.env.MDE_CODE_SERVER = await prepareHost();
  const cloud = await phase('Simulators', () => startCloud(ports),
    (running) => `Entra ID and Defender API on ports ${new URL(running.entra.url).port} and ${new URL(running.defender.url).port}`);
  let demo;
  try {
    demo = await phase('Demo workbench', () => startDemo(cloud, vsix, ports),
      ({ server }) => `extension installed, code-server on ${server.url}`);
  } catch (error) {
    await cloud.close();
    throw error;
  }
  stopWithDemo(demo.server, cloud);
  await printBanner({ cloud, vsix, ...demo }, Math.round((Date.now() - started) / 1000));
}

main().catch((error) => {
  console.error(`npm start failed: ${error instanceof Error ? error.message : error}`);
  process.exit(1);
});
