import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tableSources, toTableCommand } from '../../../src/completion/table.js';

describe('completion command table', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 't-citizenship-table-'));
    mkdirSync(join(root, 'dist', 'src', 'commands', 'vnc'), { recursive: true });
    writeFileSync(join(root, 'package.json'), '{}');
    writeFileSync(join(root, 'dist', 'src', 'commands', 'ls.js'), 'export default 1;');
    writeFileSync(join(root, 'dist', 'src', 'commands', 'vnc', 'index.js'), 'export default 2;');
    writeFileSync(join(root, 'dist', 'src', 'commands', 'ls.js.map'), '{}');
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('is keyed by the content of package.json and every compiled command file', () => {
    const before = tableSources(root);
    assert.deepEqual(Object.keys(before).sort(), ['dist/src/commands/ls.js', 'dist/src/commands/vnc/index.js', 'package.json']);
    writeFileSync(join(root, 'dist', 'src', 'commands', 'ls.js'), 'export default 1;'); // same content, new mtime
    assert.deepEqual(tableSources(root), before);
    writeFileSync(join(root, 'dist', 'src', 'commands', 'vnc', 'index.js'), 'export default 3;');
    assert.notDeepEqual(tableSources(root), before);
    writeFileSync(join(root, 'dist', 'src', 'commands', 'new.js'), '');
    assert.ok('dist/src/commands/new.js' in tableSources(root));
  });

  it('keeps what completion needs from oclif command descriptions', () => {
    const row = toTableCommand({
      id: 'vnc:port-forward',
      description: 'Serve VNC.\nLonger text.',
      aliases: [],
      flags: {
        output: { name: 'output', char: 'o', type: 'option', options: ['json', 'yaml'], summary: 'Output format.' },
        wait: { name: 'wait', type: 'boolean', allowNo: true, description: 'Wait.\nMore.' },
        secret: { name: 'secret', type: 'option', hidden: true },
      },
      args: { name: { name: 'name', description: 'The VM.' }, internal: { name: 'internal', hidden: true } },
    });
    assert.deepEqual(row, {
      id: 'vnc port-forward',
      summary: 'Serve VNC.',
      flags: [
        { name: 'output', char: 'o', summary: 'Output format.', takesValue: true, options: ['json', 'yaml'] },
        { name: 'wait', summary: 'Wait.', takesValue: false, allowNo: true },
        { name: 'secret', takesValue: true, hidden: true },
      ],
      args: [{ name: 'name', description: 'The VM.' }],
    });
    assert.equal(toTableCommand({ id: 'list', aliases: ['list'], flags: {}, args: {} }).alias, true);
  });
});
