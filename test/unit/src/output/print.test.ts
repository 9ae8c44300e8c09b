// The one place -o is decided: each kind of result in each form, the note for an empty table,
// and a form a command does not offer.
import assert from 'node:assert/strict';
import { parseAllDocuments } from 'yaml';
import { changesPrintable, objectsPrintable, printable, printer, tablePrintable } from '../../../../src/output/print.js';
import type { Columns } from '../../../../src/output/format.js';

interface Row {
  name: string;
  size: number;
}
const columns: Columns<Row> = {
  headers: ['name', 'size'],
  wideHeaders: ['double'],
  row: (r) => [r.name, String(r.size)],
  wideRow: (r) => [String(r.size * 2)],
  name: (r) => `thing/${r.name}`,
};
const rows: Row[] = [{ name: 'a', size: 1 }, { name: 'bb', size: 22 }];

function capture(output: string | undefined, p: Parameters<ReturnType<typeof printer>>[0]) {
  const got = { out: '', notes: [] as string[] };
  printer(output, { out: (t) => (got.out += t), note: (m) => got.notes.push(m) })(p);
  return got;
}

describe('printable: -o for every command', () => {
  it('a table: kubectl columns, wide, names, and a v1 List for json and yaml', () => {
    const t = tablePrintable(rows, columns, (r) => ({ id: r.name }));
    assert.equal(printable(t, undefined), 'NAME   SIZE\na      1\nbb     22\n');
    assert.equal(printable(t, 'wide'), 'NAME   SIZE   DOUBLE\na      1      2\nbb     22     44\n');
    assert.equal(printable(t, 'name'), 'thing/a\nthing/bb\n');
    assert.deepEqual(JSON.parse(printable(t, 'json')), { apiVersion: 'v1', kind: 'List', items: [{ id: 'a' }, { id: 'bb' }] });
    assert.match(printable(t, 'yaml'), /^apiVersion: v1\nkind: List\nitems:\n  - id: a\n/);
    assert.equal(printable(tablePrintable(rows, columns, (r) => r, { noHeaders: true }), undefined), 'a    1\nbb   22\n');
  });

  it('an empty table is a note on stderr for a person, and still data for scripts', () => {
    const t = tablePrintable([], columns, (r) => r, { empty: 'No things.' });
    assert.deepEqual(capture(undefined, t), { out: '', notes: ['No things.'] });
    assert.deepEqual(capture('wide', t), { out: '', notes: ['No things.'] });
    assert.deepEqual(capture('name', t), { out: '', notes: [] });
    assert.equal(JSON.parse(capture('json', t).out).items.length, 0);
  });

  it('changes: KIND/NAME and what was done, or only the name', () => {
    const c = changesPrintable([{ ref: 'vm/web', done: 'stopped' }]);
    assert.equal(printable(c, undefined), 'vm/web stopped\n');
    assert.equal(printable(c, 'name'), 'vm/web\n');
  });

  it('objects: a multi-document YAML stream without anchors, a List in JSON', () => {
    const shared = { a: 1 };
    const o = objectsPrintable([{ kind: 'Secret', x: shared, y: undefined }, { kind: 'StatefulSet', x: shared }], ['vm/web'], 'vm/web created\n');
    const yaml = printable(o, 'yaml');
    assert.deepEqual(parseAllDocuments(yaml).map((d) => d.toJS()), [{ kind: 'Secret', x: { a: 1 } }, { kind: 'StatefulSet', x: { a: 1 } }]);
    assert.ok(!/[&*]a\d/.test(yaml), 'no YAML anchors');
    assert.deepEqual(JSON.parse(printable(o, 'json')).items.map((i: { kind: string }) => i.kind), ['Secret', 'StatefulSet']);
    assert.equal(printable(o, 'name'), 'vm/web\n');
    assert.equal(printable(o, undefined), 'vm/web created\n');
  });

  it('a form the command does not offer is a usage error (exit 2)', () => {
    assert.throws(() => printable(changesPrintable([]), 'json'), (e: Error & { exitCode?: number }) => /-o json is not available/.test(e.message) && e.exitCode === 2);
  });
});
