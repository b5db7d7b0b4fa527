// The names the extension makes from server text for a tab or a Save As (details document, command output, result
// file), cut to a length limit: the cut must never keep half of a character outside the BMP (an emoji, a CJK
// extension ideograph). VS Code's Uri encodes its path with encodeURIComponent, which throws "URI malformed" on a lone
// surrogate: the row's click (Show Details), Open Command Output and Save As would fail on such a name.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseMachineAction } from '../../src/defender/machineAction';
import { suggestedFileName } from '../../src/defender/resultLinks';
import { outputDocumentName } from '../../src/views/commandOutputText';
import { detailsDocumentName } from '../../src/views/detailsText';
import { rawMachineAction } from '../support/machineAction';

const EMOJI = '\u{1F600}'.repeat(120);

/** The names of a live response whose device name, scope and GetFile path are `pad` ASCII characters, then emoji. */
function names(pad: number): Record<string, string> {
  const text = `${'x'.repeat(pad)}${EMOJI}`;
  const action = parseMachineAction(rawMachineAction({
    type: 'LiveResponse', status: 'Succeeded', computerDnsName: text, scope: text,
    commands: [
      { index: 0, commandStatus: 'Completed', endTime: '2026-03-01T10:05:00Z', command: { type: 'GetFile', params: [{ key: 'Path', value: `C:\\${text}` }] } },
      { index: 1, commandStatus: 'Completed', endTime: '2026-03-01T10:06:00Z', command: { type: 'RunScript', params: [{ key: 'ScriptName', value: text }] } },
    ],
  }));
  return {
    details: detailsDocumentName(action.id, action),
    output: outputDocumentName(action, 1, 0),
    getFile: suggestedFileName(action, { kind: 'commandOutput', index: 0 }),
    saveOutput: suggestedFileName(action, { kind: 'commandOutput', index: 1 }),
  };
}

describe('document and file names cut from server text', () => {
  it('never end in half an emoji, wherever the cut falls, so VS Code can make a URI of them', () => {
    for (let pad = 0; pad < 4; pad++) {
      for (const [which, name] of Object.entries(names(pad))) {
        assert.doesNotMatch(name, /\p{Cs}/u, `${which} (${pad} ASCII first): no lone surrogate`);
        assert.doesNotThrow(() => encodeURIComponent(name), `${which} (${pad} ASCII first)`);
        assert.ok(name.length >= 90, `${which} (${pad} ASCII first): cut at its limit, not emptied (${name.length})`);
      }
    }
  });
});
