// The commands of the Machine Actions view, registered together (each through registerCommand).
import type * as vscode from 'vscode';
import type { ExtensionLog } from '../log';
import type { ActionsController } from '../views/actionsController';
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

/**
 * The commands that work on the Machine Actions (refresh, cancel, details, copy, portal, filter, results, export), all
 * through `controller`; each is disposed with the extension.
 */
export function registerActionCommands(context: vscode.ExtensionContext, log: ExtensionLog, controller: ActionsController): void {
  registerRefreshCommand(context, log, controller);
  registerCancelCommand(context, log, controller);
  registerShowDetailsCommand(context, log, controller);
  registerCopyActionIdCommand(context, log);
  registerOpenInPortalCommand(context, log, controller);
  registerFilterCommands(context, log, controller);
  const access: ActionsAccess = {
    requireClient: (what) => controller.requireClient(what), visibleActions: () => controller.visibleActions(), action: (id) => controller.store.get(id), log,
  };
  const documents = new CommandOutputDocuments();
  context.subscriptions.push(documents);
  registerOpenCommandOutputCommand(context, access, documents);
  registerDownloadInvestigationPackageCommand(context, access);
  registerExportActionsCommand(context, access);
}
