import assert from 'node:assert/strict';
import { colorEnabled, palette, stripColor } from '../../../../src/output/color.js';

describe('colour', () => {
  const tty = { isTTY: true };
  const pipe = { isTTY: false };

  it('is on for a terminal and off for pipes and files', () => {
    assert.equal(colorEnabled(tty, {}), true);
    assert.equal(colorEnabled(pipe, {}), false);
    assert.equal(colorEnabled({}, {}), false);
  });

  it('is off with NO_COLOR set to anything but the empty string, even on a terminal', () => {
    assert.equal(colorEnabled(tty, { NO_COLOR: '1' }), false);
    assert.equal(colorEnabled(tty, { NO_COLOR: 'yes', FORCE_COLOR: '1' }), false);
    assert.equal(colorEnabled(tty, { NO_COLOR: '' }), true);
  });

  it('follows FORCE_COLOR, and TERM=dumb turns it off', () => {
    assert.equal(colorEnabled(pipe, { FORCE_COLOR: '1' }), true);
    assert.equal(colorEnabled(tty, { FORCE_COLOR: '0' }), false);
    assert.equal(colorEnabled(tty, { TERM: 'dumb' }), false);
  });

  it('paints only when enabled', () => {
    assert.equal(palette(tty, {}).red('x'), '\u001B[31mx\u001B[39m');
    assert.equal(palette(tty, { NO_COLOR: '1' }).red('x'), 'x');
    assert.equal(stripColor(palette(tty, {}).bold('ab')), 'ab');
  });
});
