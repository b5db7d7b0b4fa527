// Which sign-in flow can work where the extension runs. The loopback redirect of the browser flow lands on
// http://localhost of the machine that runs the extension host: that works when the host runs next to the browser
// (a local window, or the "ui" side of a Remote-SSH / container window), never on a remote workspace host.
import type { SignInMethod } from '../config';

/** Where the extension host runs, as VS Code reports it. */
export interface ExtensionHostPlace {
  /** `vscode.env.remoteName`: set in every host of a window that has a remote (e.g. "ssh-remote"), else undefined. */
  remoteName: string | undefined;
  /** True when this extension runs on the remote workspace host (`extension.extensionKind === ExtensionKind.Workspace`). */
  onWorkspaceHost: boolean;
}

/**
 * The flow to sign in with: `deviceCode` when the extension runs on a remote workspace host (SSH, containers,
 * Codespaces, code-server in a browser), because no browser can reach its loopback port; the setting otherwise.
 */
export function signInMethodFor(setting: SignInMethod, place: ExtensionHostPlace): SignInMethod {
  return place.remoteName !== undefined && place.onWorkspaceHost ? 'deviceCode' : setting;
}
