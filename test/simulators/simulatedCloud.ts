// Both simulators as one Custom cloud: the Entra ID simulator signs the user in, the Defender API simulator accepts
// its access tokens. The one set-up of the demo (`npm start`), the host tests and the UI tests, with the user
// settings that point the extension at it.
//
//   const cloud = await startSimulatedCloud();
//   user settings: cloud.settings        (mdeActions.cloud Custom, the two hosts, clientId, tenantId)
//   trust:         cloud.caPath          (NODE_EXTRA_CA_CERTS of the extension host)
//   await cloud.close();
import { type DefenderSimulator, type DefenderSimulatorOptions, startDefenderSimulator } from './defenderSimulator';
import { type EntraSimulator, type EntraSimulatorOptions, startEntraSimulator } from './entraSimulator';
import { ensureTlsMaterial } from './tls';

/** The application (client) id the Entra ID simulator accepts, as an app registration would. */
export const SIMULATOR_CLIENT_ID = '5e0a7c1d-3b2f-4e6a-9d8c-1f2e3d4c5b6a';

export interface SimulatedCloud {
  entra: EntraSimulator;
  defender: DefenderSimulator;
  /** The user settings (`mdeActions.*` ids) of the Custom cloud at these simulators. */
  settings: Record<string, string>;
  /** The CA both simulators' certificates chain to. */
  caPath: string;
  close(): Promise<void>;
}

/** Both on the default TLS material (ensureTlsMaterial()), whose CA the test runners put in NODE_EXTRA_CA_CERTS. */
export async function startSimulatedCloud(options: {
  entra?: Omit<EntraSimulatorOptions, 'clientId' | 'tls'>;
  defender?: Omit<DefenderSimulatorOptions, 'verifyToken' | 'tls'>;
} = {}): Promise<SimulatedCloud> {
  const tls = ensureTlsMaterial();
  const entra = await startEntraSimulator({ ...options.entra, tls, clientId: SIMULATOR_CLIENT_ID });
  let defender: DefenderSimulator;
  try {
    defender = await startDefenderSimulator({ ...options.defender, tls, verifyToken: (token) => entra.verifyAccessToken(token) });
  } catch (error) {
    await entra.close();
    throw error;
  }
  return {
    entra,
    defender,
    settings: {
      'mdeActions.cloud': 'Custom',
      'mdeActions.custom.authorityHost': entra.authorityHost,
      'mdeActions.custom.apiBaseUrl': defender.url,
      'mdeActions.clientId': SIMULATOR_CLIENT_ID,
      'mdeActions.tenantId': entra.switches.user.tid,
    },
    caPath: tls.caPath,
    close: async () => {
      await Promise.all([entra.close(), defender.close()]);
    },
  };
}
