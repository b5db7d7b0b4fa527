// mdeActions.openInPortal: the device page of the Defender portal for the configured cloud.
import * as vscode from 'vscode';
import { Commands } from '../constants';
import { invalidInputError } from '../defender/errors';
import type { ExtensionLog } from '../log';
import type { MachineActionsView } from '../views/machineActionsView';
import { requireTargets } from './commandArgs';
import { notify } from './notify';
import { portalDeviceUrl } from './portalLink';
import { registerCommand } from './registerCommand';

/** A multi-selection opens at most this many browser tabs. */
const MAX_TABS = 5;

export function registerOpenInPortalCommand(context: vscode.ExtensionContext, log: ExtensionLog, view: MachineActionsView): void {
  registerCommand(context, log, Commands.openInPortal, 'Could not open the Defender portal', async (...args: unknown[]) => {
    const machineIds = [...new Set(requireTargets(args).map((id) => view.store.get(id)?.machineId).filter((m): m is string => !!m))];
    if (machineIds.length === 0) {
      throw invalidInputError('Defender has not reported the device of this action, so there is no device page to open.');
    }
    for (const machineId of machineIds.slice(0, MAX_TABS)) {
      const url = portalDeviceUrl(view.session.cloud(), machineId);
      if (!url) {
        void notify.info(`The Defender portal of the Custom cloud is not known. The device's machine ID is ${machineId}.`);
        return;
      }
      log.info(`Opening the Defender portal: ${url}`);
      await vscode.env.openExternal(vscode.Uri.parse(url));
    }
  });
}
