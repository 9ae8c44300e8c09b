import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tableSources, toTableCommand } from '../../../../src/completion/table.js';

describe('completion command table', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 't-citizenship-table-'));
    mkdirSync(join(root, 'dist', 'plugin'), { recursive: true });
    writeFileSync(join(root, 'package.json'), '{}');
    writeFileSync(join(root, 'dist', 'plugin', 'berth.js'), 'export const commands = {};');
    writeFileSync(join(root, 'dist', 'plugin', 'berth.js.map'), '{}');
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('is keyed by the content of package.json and of the bundle that holds every command', () => {
    const before = tableSources(root);
    assert.deepEqual(Object.keys(before).sort(), ['dist/plugin/berth.js', 'package.json']);
    writeFileSync(join(root, 'dist', 'plugin', 'berth.js'), 'export const commands = {};'); // same content, new mtime
    assert.deepEqual(tableSources(root), before);
    writeFileSync(join(root, 'dist', 'plugin', 'berth.js'), 'export const commands = { ls: 1 };');
    assert.notDeepEqual(tableSources(root), before);
    writeFileSync(join(root, 'package.json'), '{"oclif":{}}');
    assert.notDeepEqual(tableSources(root), before);
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
