// The device page of the Microsoft Defender portal for the configured cloud. Pure (no vscode).
// Portal hosts as Microsoft documents them for US Government customers: GCC uses the commercial portal.
import type { Cloud } from '../config';

export const PORTAL_HOSTS: Readonly<Record<Exclude<Cloud, 'Custom'>, string>> = {
  Commercial: 'https://security.microsoft.com',
  GCC: 'https://security.microsoft.com',
  GCCHigh: 'https://security.microsoft.us',
  DoD: 'https://security.apps.mil',
};

/** The device page, or undefined for the Custom cloud, whose portal is not known. */
export function portalDeviceUrl(cloud: Cloud, machineId: string): string | undefined {
  if (cloud === 'Custom') {
    return undefined;
  }
  return `${PORTAL_HOSTS[cloud]}/machines/${encodeURIComponent(machineId)}/overview`;
}
