import * as vscode from 'vscode';
import { LOG_CHANNEL_NAME } from './constants';
import type { Logger } from './shared/logger';
import { logLine } from './shared/userText';

/** The extension's LogOutputChannel, wrapped so that every line is bounded and redacted (logLine). */
export interface ExtensionLog extends Logger {
  show(): void;
}

/** The "Defender Machine Actions" LogOutputChannel, disposed with the extension; every line redacted. */
export function createLog(context: vscode.ExtensionContext): ExtensionLog {
  const channel = vscode.window.createOutputChannel(LOG_CHANNEL_NAME, { log: true });
  context.subscriptions.push(channel);
  return {
    trace: (m) => channel.trace(logLine(m)),
    debug: (m) => channel.debug(logLine(m)),
    info: (m) => channel.info(logLine(m)),
    warn: (m) => channel.warn(logLine(m)),
    error: (m) => channel.error(logLine(m)),
    show: () => channel.show(true),
  };
}
