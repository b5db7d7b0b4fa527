// Reads the `mdeActions` configuration into ExtensionSettings (src/config.ts holds the rules).
import * as vscode from 'vscode';
import { APPLICATION_SCOPED_SETTINGS, type ParsedSettings, parseSettings, type SettingKey } from './config';
import { Settings } from './constants';

/** The `mdeActions.*` settings as typed values, with a sentence per value that was out of range or of the wrong type. */
export function readSettings(): ParsedSettings {
  const configuration = vscode.workspace.getConfiguration(Settings.section);
  return parseSettings((key) => {
    if (APPLICATION_SCOPED_SETTINGS.includes(key)) {
      // A cloned repository's .vscode/settings.json must never decide where tokens go: user value or default only.
      const inspected = configuration.inspect(key);
      return inspected?.globalValue ?? inspected?.defaultValue;
    }
    return configuration.get(key);
  });
}

/** Calls `listener` after any `mdeActions.*` setting changed, with a test for the keys it cares about. */
export function onDidChangeSettings(listener: (affects: (key: SettingKey) => boolean) => void): vscode.Disposable {
  return vscode.workspace.onDidChangeConfiguration((event) => {
    if (event.affectsConfiguration(Settings.section)) {
      listener((key) => event.affectsConfiguration(`${Settings.section}.${key}`));
    }
  });
}
