// The commands of the Machine Actions view, registered together (each through registerCommand).
import type * as vscode from 'vscode';
import type { ExtensionLog } from '../log';
import type { MachineActionsView } from '../views/machineActionsView';
import { registerCancelCommand } from './cancel/command';
import { registerCopyActionIdCommand } from './copyActionId';
import { registerDownloadInvestigationPackageCommand } from './downloadInvestigationPackage';
import { registerExportActionsCommand } from './exportActions';
import { registerFilterCommands } from './filter';
import { registerOpenCommandOutputCommand } from './openCommandOutput';
import { registerOpenInPortalCommand } from './openInPortal';
import { registerRefreshCommand } from './refresh';
import type { ActionsAccess } from './resultTransfer';
import { registerShowDetailsCommand } from './showDetails';
import { CommandOutputDocuments } from '../views/commandOutputDocument';

/** The commands that work on the view: refresh, cancel, details, copy, portal, filter and clear filter. */
export function registerActionCommands(context: vscode.ExtensionContext, log: ExtensionLog, view: MachineActionsView): void {
  registerRefreshCommand(context, log, view);
  registerCancelCommand(context, log, view);
  registerShowDetailsCommand(context, log, view);
  registerCopyActionIdCommand(context, log);
  registerOpenInPortalCommand(context, log, view);
  registerFilterCommands(context, log, view);
  const access: ActionsAccess = {
    requireClient: (what) => view.requireClient(what), visibleActions: () => view.visibleActions(), action: (id) => view.store.get(id), log,
  };
  const documents = new CommandOutputDocuments();
  context.subscriptions.push(documents);
  registerOpenCommandOutputCommand(context, access, documents);
  registerDownloadInvestigationPackageCommand(context, access);
  registerExportActionsCommand(context, access);
}
