// The one gate for text shown in notifications, progress notifications, input boxes and quick-pick titles. VS Code
// renders `[label](command:…)` there as a clickable link, so server text (device names, types, statuses, ids, claims)
// could otherwise plant a command. Pure (no vscode) for plain-Node tests.
import { oneLine } from '../views/presentation';
import { plainNotificationText } from './errorPresentation';

/** One line, no control or bidi characters, and no link can form. Idempotent, so passing twice is harmless. */
export function userText(text: string): string {
  return plainNotificationText(oneLine(text));
}
