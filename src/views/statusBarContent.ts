// What the status bar item shows (SPEC §3 "Status and errors"): the number of cancellable actions, the account in
// the tooltip; hidden while the extension is not configured.
import type { SessionAccount } from '../model/session';
import { countOf, SHOWN_LENGTH, shownText } from '../shared/userText';

export interface StatusBarState {
  configured: boolean;
  account: SessionAccount | undefined;
  /** undefined until a list has loaded. */
  cancellable: number | undefined;
}

export interface StatusBarContent {
  visible: boolean;
  text: string;
  /** Plain text (not markdown). */
  tooltip: string;
}

/** "Signed in as <username> (tenant <id>)", through the text gate: both come from the sign-in's token. */
function accountLine(account: SessionAccount): string {
  // The user name is cut on its own, so that a long one cannot push the tenant id out of the line.
  return `Signed in as ${shownText(account.username, SHOWN_LENGTH.row)} (tenant ${shownText(account.tenantId, SHOWN_LENGTH.row)})`;
}

export function statusBarContent(state: StatusBarState): StatusBarContent {
  if (!state.configured) {
    return { visible: false, text: '', tooltip: '' };
  }
  if (!state.account) {
    return { visible: true, text: '$(shield) Signed out', tooltip: 'Defender Machine Actions: not signed in. Click to open the view and sign in.' };
  }
  if (state.cancellable === undefined) {
    return { visible: true, text: '$(shield) Defender', tooltip: `Defender Machine Actions\n${accountLine(state.account)}\nClick to open the view.` };
  }
  const n = state.cancellable;
  return {
    visible: true,
    text: `$(shield) ${n} cancellable`,
    tooltip: `Defender Machine Actions: ${countOf(n, 'cancellable action')} (Pending or In Progress)\n${accountLine(state.account)}\nClick to open the view.`,
  };
}
