// `npm start`: build and package the extension, start the built-in simulators, and say how to use them.
import * as path from 'node:path';
import { build, ensureDependencies, packageVsix, root } from './setup.mjs';

ensureDependencies();
build();
const vsix = packageVsix();

const { startDefenderSimulator } = await import(path.join(root, 'out/test/simulators/defenderSimulator.js'));
const port = Number(process.env.MDE_DEFENDER_PORT ?? 8443);
const defender = await startDefenderSimulator({ port });

console.log(`
Defender API simulator: ${defender.url}  (40 seeded machine actions; CA: ${defender.caPath})
Test token for curl:    ${defender.createToken()}

  curl --cacert ${defender.caPath} -H "Authorization: Bearer <token>" '${defender.url}/api/machineactions?$top=5'

Extension package:      ${path.relative(process.cwd(), vsix)}  (install with: code --install-extension ${path.basename(vsix)})

Sign-in and the Machine Actions view arrive with the next changes (see CHANGELOG.md); the demo in a browser
will then start here too. Press Ctrl+C to stop.`);

const stop = () => void defender.close().then(() => process.exit(0));
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
