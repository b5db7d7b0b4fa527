// Both simulators as one Custom cloud, for the host and UI tests: Entra ID signs the engineer in, the Defender API
// accepts only the access tokens Entra issued, and `settings` are the user settings that point the extension at them.
import { type DefenderSimulator, type DefenderSimulatorOptions, startDefenderSimulator } from './defenderSimulator';
import { type EntraSimulator, type EntraSimulatorOptions, startEntraSimulator } from './entraSimulator';

/** The app registration the tests sign in with. */
export const TEST_CLIENT_ID = '0f6b5c1e-2d3a-4b4c-9d8e-7f6a5b4c3d2e';

export interface CustomCloud {
  entra: EntraSimulator;
  defender: DefenderSimulator;
  /** `mdeActions.*` user settings (application scope: they must go into the user settings). */
  settings: Record<string, string>;
  close(): Promise<void>;
}

export async function startCustomCloud(options: { entra?: EntraSimulatorOptions; defender?: DefenderSimulatorOptions } = {}): Promise<CustomCloud> {
  const entra = await startEntraSimulator({ clientId: TEST_CLIENT_ID, ...options.entra });
  const defender = await startDefenderSimulator({ verifyToken: (token) => entra.verifyAccessToken(token), ...options.defender });
  return {
    entra,
    defender,
    settings: {
      'mdeActions.cloud': 'Custom',
      'mdeActions.custom.authorityHost': entra.authorityHost,
      'mdeActions.custom.apiBaseUrl': defender.url,
      'mdeActions.tenantId': entra.switches.user.tid,
      'mdeActions.clientId': TEST_CLIENT_ID,
    },
    close: async () => {
      await Promise.all([entra.close(), defender.close()]);
    },
  };
}
