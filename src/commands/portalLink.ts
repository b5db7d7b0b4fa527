// The device page of the Microsoft Defender portal for the configured cloud.
// Portal hosts as Microsoft documents them for US Government customers: GCC uses the commercial portal.
import type { Cloud } from '../config';
import { isGuid } from '../defender/machineAction';

const PORTAL_HOSTS: Readonly<Record<Exclude<Cloud, 'Custom'>, string>> = {
  Commercial: 'https://security.microsoft.com',
  GCC: 'https://security.microsoft.com',
  GCCHigh: 'https://security.microsoft.us',
  DoD: 'https://security.apps.mil',
};

/**
 * The device page, or undefined for the Custom cloud, whose portal is not known. `tenantId` (a GUID, the signed-in
 * account's tenant) goes into `?tid=` so that an analyst with access to several tenants lands in the right one.
 */
export function portalDeviceUrl(cloud: Cloud, machineId: string, tenantId?: string): string | undefined {
  if (cloud === 'Custom') {
    return undefined;
  }
  const url = new URL(`${PORTAL_HOSTS[cloud]}/machines/${encodeURIComponent(machineId)}/overview`);
  if (isGuid(tenantId)) {
    url.searchParams.set('tid', tenantId.toLowerCase());
  }
  return url.href;
}

/** Why the Custom cloud has no portal link, and what to do instead. */
export function noPortalMessage(machineId: string): string {
  return 'The Custom cloud (your own sign-in and API hosts) has no known Defender portal, so there is no device page to '
    + `open. Look the device up by its machine ID in your portal: ${machineId}.`;
}
