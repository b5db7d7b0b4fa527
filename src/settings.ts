// The `mdeActions` configuration as one service: read once at start and once per change, each problem logged once
// (src/config.ts holds the rules).
import * as vscode from 'vscode';
import { APPLICATION_SCOPED_SETTINGS, type ExtensionSettings, parseSettings, type SettingKey } from './config';
import { Settings } from './constants';
import type { Disposable, Logger } from './shared/logger';

/** What a settings change tells its listeners: which keys it touched (`current` holds the new values). */
export interface SettingsChange {
  affects(key: SettingKey): boolean;
}

/** The part of SettingsService its readers use: the current settings, and the changes (vscode.Event fits). */
export interface SettingsSource {
  readonly current: ExtensionSettings;
  onDidChange(listener: (change: SettingsChange) => void): Disposable;
}

/**
 * The typed `mdeActions.*` settings. `current` is read at construction and again on every `mdeActions` change, before
 * `onDidChange` fires; a value out of range or of the wrong type is logged as a warning when it appears (not
 * once per reader, not again on an unrelated change while it stays; again once it was fixed and made anew). Application-scoped settings take the user value only.
 */
export class SettingsService implements SettingsSource, vscode.Disposable {
  private settings: ExtensionSettings;
  /** The problems of the last read: logged when they appeared, not again while they stay. */
  private problems = new Set<string>();
  private readonly changed = new vscode.EventEmitter<SettingsChange>();
  private readonly listener: vscode.Disposable;

  /** Fires after an `mdeActions.*` setting changed, once `current` holds the new values. */
  readonly onDidChange: vscode.Event<SettingsChange> = this.changed.event;

  constructor(private readonly log: Logger) {
    this.settings = this.read();
    this.listener = vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration(Settings.section)) {
        this.settings = this.read();
        this.changed.fire({ affects: (key) => event.affectsConfiguration(`${Settings.section}.${key}`) });
      }
    });
  }

  /** The settings as last read. */
  get current(): ExtensionSettings {
    return this.settings;
  }

  dispose(): void {
    this.listener.dispose();
    this.changed.dispose();
  }

  private read(): ExtensionSettings {
    const configuration = vscode.workspace.getConfiguration(Settings.section);
    const { settings, problems } = parseSettings((key) => {
      if (APPLICATION_SCOPED_SETTINGS.includes(key)) {
        // A cloned repository's .vscode/settings.json must never decide where tokens go: user value or default only.
        const inspected = configuration.inspect(key);
        return inspected?.globalValue ?? inspected?.defaultValue;
      }
      return configuration.get(key);
    });
    for (const problem of problems.filter((p) => !this.problems.has(p))) {
      this.log.warn(problem);
    }
    // A problem that was fixed and made again is news again.
    this.problems = new Set(problems);
    return settings;
  }
}

/** The settings service, disposed with the extension. */
export function createSettingsService(context: vscode.ExtensionContext, log: Logger): SettingsService {
  const service = new SettingsService(log);
  context.subscriptions.push(service);
  return service;
}
