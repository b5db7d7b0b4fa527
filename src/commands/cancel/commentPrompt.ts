// The comment of a cancel (SPEC §3 "Cancel" 2): required, trimmed, at most 1,000 characters, no control characters;
// the prompt names what is being cancelled; Escape sends nothing.
import * as vscode from 'vscode';
import { invalidInputError } from '../../defender/errors';
import { cancelCommentProblem } from '../../defender/machineAction';
import { cancelCommentPrompt } from './text';

/**
 * The comment to send, or undefined when the user pressed Escape.
 *
 * `passed` is a comment given with the command (`{ comment }`, e.g. from a keybinding or a test). It must pass the same
 * validation as a typed one. Only in the Test extension mode is it used as is (host tests cannot type into an input
 * box); otherwise, F5 Development against a real tenant included, it only pre-fills the box, so no other extension
 * can cancel an action in the engineer's name without the engineer confirming it.
 */
export async function askCancelComment(subject: string, passed: string | undefined, mode: vscode.ExtensionMode): Promise<string | undefined> {
  if (passed !== undefined) {
    const problem = cancelCommentProblem(passed);
    if (problem) {
      throw invalidInputError(`The cancel comment was not accepted: ${problem}`);
    }
    if (mode === vscode.ExtensionMode.Test) {
      return passed.trim();
    }
  }
  const comment = await vscode.window.showInputBox({
    title: 'Cancel Machine Action',
    prompt: cancelCommentPrompt(subject),
    placeHolder: 'e.g. Wrong device: isolation requested by mistake',
    value: passed,
    ignoreFocusOut: true,
    validateInput: (value) => cancelCommentProblem(value),
  });
  return comment?.trim();
}
