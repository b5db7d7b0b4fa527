// `npm start`: the demo. Builds and packages the extension, starts the Entra ID and Defender API simulators in this
// process, installs the VSIX into a fresh code-server profile set to the Custom cloud at the simulators, starts
// code-server and prints the URL to open. The simulator approves device codes by itself. Ctrl+C stops everything.
//
// Ports: MDE_DEMO_PORT (code-server, 8080), MDE_DEFENDER_PORT (8443), MDE_ENTRA_PORT (8444); 0 = any free port.
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, ensureDependencies, packageVsix, root } from './setup.mjs';
import { ensureHost } from './host/ensureHost.mjs';

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

async function main() {
  const ports = readPorts();
  ensureDependencies();
  build();
  const vsix = packageVsix();
  process.env.MDE_CODE_SERVER = ensureHost();

  const { startSimulatedCloud } = await harness('simulators/simulatedCloud.js');
  const { freshProfile, installExtension, startCodeServer, workbenchUrl } = await harness('harness/codeServer.js');

  let cloud;
  try {
    cloud = await startSimulatedCloud({
      entra: { port: ports.MDE_ENTRA_PORT, deviceCodeApproval: 'nextPoll', deviceCodeApprovalDelaySeconds: DEVICE_CODE_APPROVAL_DELAY_SECONDS },
      defender: { port: ports.MDE_DEFENDER_PORT },
    });
  } catch (error) {
    throw explainPortInUse(error, error?.port === ports.MDE_ENTRA_PORT ? 'MDE_ENTRA_PORT' : 'MDE_DEFENDER_PORT', ports);
  }

  let server;
  try {
    const profile = freshProfile(path.join(root, '.test-cache', 'demo'), cloud.settings);
    console.log('Installing the extension into the demo profile…');
    installExtension(vsix, profile);
    server = await startCodeServer(profile, {
      folder: profile.workspace,
      port: ports.MDE_DEMO_PORT,
      // The extension host inherits it and so trusts the simulators' certificates (TLS checks stay on).
      env: { NODE_EXTRA_CA_CERTS: cloud.caPath },
    }).catch((error) => { throw explainPortInUse(error, 'MDE_DEMO_PORT', ports); });

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

    console.log(`
Defender Machine Actions demo — open this in a browser on this machine:

  ${workbenchUrl(server, profile.workspace)}

Then: the Defender icon in the activity bar → Sign In. A notification shows a device code; the Entra ID simulator
approves it by itself after ${DEVICE_CODE_APPROVAL_DELAY_SECONDS} seconds (no need to open the page or enter the code),
and you are signed in as ${cloud.entra.switches.user.upn}.

  Entra ID simulator      ${cloud.entra.url}
  Defender API simulator  ${cloud.defender.url}   (${cloud.defender.actions.length} machine actions)
  Storage simulator       ${cloud.download.origin}   (live response output and investigation packages)
  Extension               ${path.relative(process.cwd(), vsix) || vsix}

The demo profile (${path.relative(process.cwd(), path.dirname(profile.userDataDir))}) starts fresh each time.
Press Ctrl+C to stop.`);
  } catch (error) {
    await server?.stop();
    await cloud.close();
    throw error;
  }
}

main().catch((error) => {
  console.error(`npm start failed: ${error instanceof Error ? error.message : error}`);
  process.exit(1);
});
