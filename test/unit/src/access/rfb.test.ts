import assert from 'node:assert/strict';
import { BerthError } from '../../../../shared/errors.js';
import { chooseSecurity, clientVersion, Framebuffer, parseRectHeader, setEncodings, setPixelFormat, updateRequest, vncAuthKey, vncAuthResponse } from '../../../../src/access/rfb.js';

describe('access: the RFB messages of vnc screenshot', () => {
  it('answers 3.8 to 3.7 and newer, 3.3 to older servers, and refuses what is not RFB', () => {
    assert.equal(clientVersion(Buffer.from('RFB 003.008\n')), '3.8');
    assert.equal(clientVersion(Buffer.from('RFB 003.007\n')), '3.8');
    assert.equal(clientVersion(Buffer.from('RFB 003.003\n')), '3.3');
    assert.throws(() => clientVersion(Buffer.from('SSH-2.0-drop')), (e: BerthError) => e.code === 'TUNNEL_REFUSED');
  });
  it('prefers None, takes VNC authentication with a password, and says what is missing otherwise', () => {
    assert.equal(chooseSecurity([2, 1], false), 1);
    assert.equal(chooseSecurity([2], true), 2);
    assert.throws(() => chooseSecurity([2], false), (e: BerthError) => e.code === 'UNAUTHORIZED');
    assert.throws(() => chooseSecurity([16, 19], true), /offers no security type we speak \(offered: 16, 19\)/);
  });
  it('makes the DES key from the first 8 password bytes, each bit-reversed', () => {
    assert.deepEqual([...vncAuthKey('a')], [0x86, 0, 0, 0, 0, 0, 0, 0]);
    assert.equal(vncAuthKey('abcdefghij').length, 8);
    assert.deepEqual(vncAuthKey('abcdefghij'), vncAuthKey('abcdefgh'));
  });
  it('answers the challenge with single DES (the FIPS 81 example, key 0123456789abcdef)', () => {
    // These bytes bit-reversed are 01 23 45 67 89 ab cd ef.
    const password = Buffer.from([0x80, 0xc4, 0xa2, 0xe6, 0x91, 0xd5, 0xb3, 0xf7]).toString('latin1');
    assert.equal(vncAuthResponse(Buffer.from('Now is the time '), password).toString('hex'), '3fa40e8a984d48156a271787ab8883f9');
  });
  it('asks for 32-bit little-endian true colour, Raw and DesktopSize, and whole-screen updates', () => {
    const pf = setPixelFormat();
    assert.deepEqual([pf[0], pf[4], pf[5], pf[6], pf[7], pf[14], pf[15], pf[16]], [0, 32, 24, 0, 1, 16, 8, 0]);
    assert.equal(setEncodings([0, -223]).toString('hex'), '0200000200000000ffffff21');
    assert.equal(updateRequest(false, 720, 400).toString('hex'), '030000000000' + '02d0' + '0190');
    assert.equal(updateRequest(true, 1, 1)[1], 1);
  });
  it('paints Raw rectangles (B, G, R, X) into RGBA and tells a black screen from a drawn one', () => {
    const fb = new Framebuffer(3, 2);
    assert.equal(fb.isBlack(), true);
    const rect = parseRectHeader(Buffer.from('000100010002000100000000', 'hex'));
    assert.deepEqual(rect, { x: 1, y: 1, width: 2, height: 1, encoding: 0 });
    fb.paintRaw(rect, Buffer.from([1, 2, 3, 0, 4, 5, 6, 0]));
    assert.deepEqual([...fb.rgba.subarray(16, 24)], [3, 2, 1, 255, 6, 5, 4, 255]);
    assert.equal(fb.isBlack(), false);
    assert.deepEqual(fb.copy().rgba, fb.rgba);
    assert.throws(() => fb.paintRaw({ x: 2, y: 0, width: 2, height: 1, encoding: 0 }, Buffer.alloc(8)), /outside the 3x2 screen/);
  });
});
