// What an item command applies to: the clicked row, the multi-selection, an id, or an options object.
import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { commandOptions, invalidIds, normalizeActionId, requireTargets, targetActionIds } from '../../src/commands/commandArgs';

const A = '11111111-1111-4111-a111-111111111111';
const B = '22222222-2222-4222-a222-222222222222';
const C = '33333333-3333-4333-a333-333333333333';
const node = (id: string) => ({ kind: 'action', id: `action:${id}`, action: { id } });
const group = { kind: 'group', id: 'group:status:pending', group: { actions: [] } };

describe('commandArgs', () => {
  it('a right-click on one row: that row', () => {
    assert.deepEqual(targetActionIds([node(A), [node(A)]]), [A]);
    assert.deepEqual(targetActionIds([node(A)]), [A], 'the inline icon passes the row alone');
  });

  it('a right-click inside a multi-selection: the selection (action rows only, no duplicates)', () => {
    assert.deepEqual(targetActionIds([node(B), [node(A), node(B), group, node(C), node(A)]]), [A, B, C]);
  });

  it('a right-click outside the selection: only the clicked row', () => {
    assert.deepEqual(targetActionIds([node(C), [node(A), node(B)]]), [C]);
  });

  it('the palette passes nothing: ask the user (cancel), or say what is missing (item-only commands)', () => {
    assert.deepEqual(targetActionIds([]), []);
    assert.deepEqual(targetActionIds([undefined]), []);
    assert.deepEqual(targetActionIds([group]), []);
    assert.throws(() => requireTargets([]), /Select a machine action in the Machine Actions view first/);
    assert.deepEqual(requireTargets([node(A)]), [A]);
  });

  it('programmatic: an id, or { actionId | actionIds, comment, verifyFirst }', () => {
    assert.deepEqual(targetActionIds([` ${A} `]), [A]);
    assert.deepEqual(targetActionIds([{ actionIds: [A, B, A.toUpperCase()], comment: 'x' }]), [A, B]);
    assert.deepEqual(targetActionIds([{ actionId: C }]), [C]);
    assert.deepEqual(commandOptions([{ actionId: C, comment: 'Wrong device' }]), { comment: 'Wrong device', verifyFirst: false });
    assert.deepEqual(commandOptions([A, undefined, { comment: 'late', verifyFirst: true }]), { comment: 'late', verifyFirst: true });
    assert.deepEqual(commandOptions([node(A), [node(A)]]), { verifyFirst: false }, 'a tree click carries no comment');
  });

  it('an argument that is no action (a number, an array, { id }, { actionId: 5 }) is refused, naming what is expected', () => {
    const refused: Array<[unknown, RegExp]> = [
      [42, /^The command was passed a number, not a machine action row, an action ID \(a GUID string\) or \{ actionId: "<GUID>" \}/],
      [[A], /^The command was passed an array, not /],
      [true, /^The command was passed a boolean, not /],
      [{ id: A }, /^The command was passed an object with the key id, not /],
      [{ actionId: A, id: A }, /^The command was passed an object with the keys actionId, id, not /],
      [{ actionId: 5 }, /^The command was passed an actionId that is a number, not an action ID string\.$/],
      [{ actionIds: [A, 5] }, /^The command was passed actionIds that are not all strings, not an array of action ID strings\.$/],
      [{ actionIds: A }, /^The command was passed actionIds that are a string, not an array of action ID strings\.$/],
      [{ kind: 'action', action: { id: 5 } }, /^The command was passed an object with the keys kind, action, not /],
    ];
    for (const [arg, message] of refused) {
      assert.throws(() => targetActionIds([arg]), (error: Error & { kind?: string }) => {
        assert.equal(error.kind, 'invalidInput');
        assert.match(error.message, message);
        assert.match(error.message, /actionId/);
        return true;
      }, JSON.stringify(arg));
      assert.throws(() => requireTargets([arg, [node(A)]]), (error: Error) => message.test(error.message), 'item-only commands too');
    }
    for (const none of [[], [undefined], [null], [group], [{}], [{ comment: 'x', verifyFirst: true }]]) {
      assert.deepEqual(targetActionIds(none), [], `${JSON.stringify(none)} is no argument: ask the user`);
    }
  });

  it('ids that are not GUIDs are named', () => {
    assert.deepEqual(invalidIds([A, 'not-an-id', '../x']), ['not-an-id', '../x']);
  });

  it('a pasted action id: braces, quotes, spaces anywhere and upper case are accepted; garbage is not', () => {
    const id = '7d4c4b2a-0f3e-4a55-9d1c-2b8e6f0a1c33';
    for (const pasted of [id, `{${id}}`, `  {${id.toUpperCase()}}  `, `"${id}"`, ` 7d4c4b2a-0f3e-4a55-9d1c-\n2b8e6f0a1c33 `, `{ ${id} }`]) {
      assert.equal(normalizeActionId(pasted), id, JSON.stringify(pasted));
    }
    for (const garbage of ['', 'not an id', `${id}x`, `{${id}`, id.slice(1), `https://security.microsoft.com/action/${id}`]) {
      assert.equal(normalizeActionId(garbage), undefined, JSON.stringify(garbage));
    }
    assert.deepEqual(targetActionIds([`{${id.toUpperCase()}}`]), [id], 'a programmatic id in braces too');
  });

  it('a pasted action id with invisible or reordering characters anywhere: they go, the GUID is accepted', () => {
    const id = '7d4c4b2a-0f3e-4a55-9d1c-2b8e6f0a1c33';
    for (const pasted of [`${id}\u202e`, `${id.slice(0, 4)}\u200b${id.slice(4)}`, `\u2066${id}\u2069`, `\ufeff${id}`, `${id.slice(0, 9)}\u00ad${id.slice(9)}`, `{\u200e${id}}`]) {
      assert.equal(normalizeActionId(pasted), id, JSON.stringify(pasted));
      assert.deepEqual(targetActionIds([pasted]), [id], JSON.stringify(pasted));
    }
    assert.equal(normalizeActionId(`${id.slice(0, 4)}\u200bx${id.slice(4)}`), undefined, 'a visible character too many is still no id');
    assert.deepEqual(targetActionIds([{ actionIds: [` ${id.toUpperCase()} `, id] }]), [id], 'one action, once');
  });

  it('a pasted action id with dashes or quotes a document or chat wrote for `-` and `"`: the GUID is accepted', () => {
    const id = '7d4c4b2a-0f3e-4a55-9d1c-2b8e6f0a1c33';
    for (const dash of ['\u2010', '\u2011', '\u2013', '\u2014', '\u2212', '\uff0d']) {
      assert.equal(normalizeActionId(id.replaceAll('-', dash)), id, `U+${dash.codePointAt(0)!.toString(16)}`);
    }
    for (const quoted of [`\u201c${id}\u201d`, `\u2018${id}\u2019`, `\u201e${id}\u201c`, `\u00ab${id}\u00bb`, `'${id}'`, `"{${id}}"`]) {
      assert.equal(normalizeActionId(quoted), id, quoted);
    }
    assert.equal(normalizeActionId(id.replace('-', '_')), undefined, 'another character is still no id');
  });
});
