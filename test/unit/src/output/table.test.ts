import assert from 'node:assert/strict';
import { renderTable } from '../../../../src/output/table.js';

describe('renderTable', () => {
  it('pads columns like kubectl and trims trailing blanks', () => {
    const out = renderTable(['name', 'status'], [['a', 'Running'], ['longer-name', 'Stopped']]);
    assert.equal(out, 'NAME          STATUS\na             Running\nlonger-name   Stopped\n');
  });

  it('omits the header row with noHeaders', () => {
    assert.equal(renderTable(['name'], [['x']], { noHeaders: true }), 'x\n');
  });
});
