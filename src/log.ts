import * as vscode from 'vscode';
import { LOG_CHANNEL_NAME } from './constants';
import type { Logger } from './shared/logger';
import { redact } from './shared/redact';

/** The extension's LogOutputChannel, wrapped so that every line passes through `redact`. */
export interface ExtensionLog extends Logger {
  show(): void;
}

/** The "Defender Machine Actions" LogOutputChannel, disposed with the extension; every line redacted. */
export function createLog(context: vscode.ExtensionContext): ExtensionLog {
  const channel = vscode.window.createOutputChannel(LOG_CHANNEL_NAME, { log: true });
  context.subscriptions.push(channel);
  return {
    trace: (m) => channel.trace(redact(m)),
    debug: (m) => channel.debug(redact(m)),
    info: (m) => channel.info(redact(m)),
    warn: (m) => channel.warn(redact(m)),
    error: (m) => channel.error(redact(m)),
    show: () => channel.show(true),
  };
}
