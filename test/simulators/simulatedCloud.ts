// The simulators as one Custom cloud: the Entra ID simulator signs the user in, the Defender API simulator accepts
// its access tokens, and the download simulator (blob storage, another origin) serves the results it links to. The one set-up of the demo (`npm start`), the host tests and the UI tests, with the user
// settings that point the extension at it.
//
//   const cloud = await startSimulatedCloud();
//   user settings: cloud.settings        (mdeActions.cloud Custom, the two hosts, clientId, tenantId)
//   trust:         cloud.caPath          (NODE_EXTRA_CA_CERTS of the extension host)
//   await cloud.close();
import { type DefenderSimulator, type DefenderSimulatorOptions, startDefenderSimulator } from './defenderSimulator';
import { type DownloadSimulator, resultLinks, startDownloadSimulator } from './downloadSimulator';
import { type EntraSimulator, type EntraSimulatorOptions, startEntraSimulator } from './entraSimulator';
import { ensureTlsMaterial } from './tls';

/** The application (client) id the Entra ID simulator accepts, as an app registration would. */
export const SIMULATOR_CLIENT_ID = '5e0a7c1d-3b2f-4e6a-9d8c-1f2e3d4c5b6a';

export interface SimulatedCloud {
  entra: EntraSimulator;
  defender: DefenderSimulator;
  /** The storage host of live response output and investigation packages. */
  download: DownloadSimulator;
  /** The user settings (`mdeActions.*` ids) of the Custom cloud at these simulators. */
  settings: Record<string, string>;
  /** The CA all the simulators' certificates chain to. */
  caPath: string;
  close(): Promise<void>;
}

/** All on the default TLS material (ensureTlsMaterial()), whose CA the test runners put in NODE_EXTRA_CA_CERTS. */
export async function startSimulatedCloud(options: {
  entra?: Omit<EntraSimulatorOptions, 'clientId' | 'tls'>;
  defender?: Omit<DefenderSimulatorOptions, 'verifyToken' | 'tls' | 'resultLink'>;
} = {}): Promise<SimulatedCloud> {
  const tls = ensureTlsMaterial();
  const started: Array<{ close(): Promise<void> }> = [];
  const closeAll = async () => {
    await Promise.all(started.map((simulator) => simulator.close()));
  };
  try {
    const download = await startDownloadSimulator({ tls });
    started.push(download);
    const entra = await startEntraSimulator({ ...options.entra, tls, clientId: SIMULATOR_CLIENT_ID });
    started.push(entra);
    const defender = await startDefenderSimulator({
      ...options.defender, tls, verifyToken: (token) => entra.verifyAccessToken(token), resultLink: resultLinks(download),
    });
    started.push(defender);
    return {
      entra,
      defender,
      download,
      settings: {
        'mdeActions.cloud': 'Custom',
        'mdeActions.custom.authorityHost': entra.authorityHost,
        'mdeActions.custom.apiBaseUrl': defender.url,
        'mdeActions.clientId': SIMULATOR_CLIENT_ID,
        'mdeActions.tenantId': entra.switches.user.tid,
      },
      caPath: tls.caPath,
      close: closeAll,
    };
  } catch (error) {
    await closeAll();
    throw error;
  }
}
