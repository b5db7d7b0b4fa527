// mdeActions.refresh: one list request now, whatever the auto refresh is doing (the rate limiter paces it).
import * as vscode from 'vscode';
import { Commands } from '../constants';
import type { ExtensionLog } from '../log';
import type { ActionsController } from '../views/actionsController';
import { registerCommand } from './registerCommand';

export function registerRefreshCommand(context: vscode.ExtensionContext, log: ExtensionLog, controller: ActionsController): void {
  registerCommand(context, log, Commands.refresh, 'Could not load machine actions', () => controller.refresh({ manual: true }));
}
