// mdeActions.openInPortal: the device page of the Defender portal for the configured cloud; on the Custom cloud, why
// there is none, with Copy Machine ID. The log says what was opened (host and path) or why nothing was.
import * as vscode from 'vscode';
import { Commands } from '../constants';
import { invalidInputError } from '../defender/errors';
import type { ExtensionLog } from '../log';
import type { ActionsController } from '../views/actionsController';
import { requireTargets } from './commandArgs';
import { notify } from '../notify';
import { noPortalMessage, portalDeviceUrl } from './portalLink';
import { registerCommand } from './registerCommand';

/** A multi-selection opens at most this many browser tabs. */
const MAX_TABS = 5;
const COPY_MACHINE_ID = 'Copy Machine ID';

async function offerMachineId(log: ExtensionLog, machineId: string): Promise<void> {
  log.info(`Open in portal: the Custom cloud has no known Defender portal (machine ${machineId})`);
  if (await notify.info(noPortalMessage(machineId), COPY_MACHINE_ID) === COPY_MACHINE_ID) {
    await vscode.env.clipboard.writeText(machineId);
    log.info(`Copied machine ID ${machineId}`);
  }
}

async function openDevicePage(log: ExtensionLog, url: string): Promise<void> {
  const { host, pathname } = new URL(url);
  const opened = await vscode.env.openExternal(vscode.Uri.parse(url));
  log.info(`Open in portal: ${opened ? 'opened' : 'asked the browser to open'} ${host}${pathname}`);
}

export function registerOpenInPortalCommand(context: vscode.ExtensionContext, log: ExtensionLog, controller: ActionsController): void {
  registerCommand(context, log, Commands.openInPortal, 'Could not open the Defender portal', async (...args: unknown[]) => {
    const machineIds = [...new Set(requireTargets(args).map((id) => controller.store.get(id)?.machineId).filter((m): m is string => !!m))];
    if (machineIds.length === 0) {
      throw invalidInputError('Defender has not reported the device of this action, so there is no device page to open.');
    }
    const cloud = controller.session.cloud;
    if (cloud === 'Custom') {
      await offerMachineId(log, machineIds.join(', '));
      return;
    }
    if (machineIds.length > MAX_TABS) {
      log.warn(`Open in portal: ${machineIds.length} devices selected; opening the first ${MAX_TABS}`);
    }
    for (const machineId of machineIds.slice(0, MAX_TABS)) {
      await openDevicePage(log, portalDeviceUrl(cloud, machineId, controller.session.account?.tenantId)!);
    }
  });
}
