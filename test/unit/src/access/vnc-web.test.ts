import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { screenshotPath } from '../../../../src/access/screenshot.js';
import { textToKeys } from '../../../../src/access/text-keys.js';
import { loadAssets, newToken, route } from '../../../../src/access/vnc-web.js';

describe('access: the web console of vnc --web', () => {
  const token = 'T0k3n_abc-DEF';
  const files = new Set(['index.html', 'page.js']);
  const host = { host: '127.0.0.1:4100' };
  const get = (url: string, headers: Record<string, string> = host) => route('GET', url, headers, token, 4100, files);

  it('serves the page and its files under the token only', () => {
    assert.deepEqual(get(`/${token}/`), { kind: 'file', name: 'index.html' });
    assert.deepEqual(get(`/${token}/page.js?v=1`), { kind: 'file', name: 'page.js' });
    assert.deepEqual(get(`/${token}`), { kind: 'redirect', location: `/${token}/` });
    assert.deepEqual(get(`/${token}/page.js`, { host: 'localhost:4100' }), { kind: 'file', name: 'page.js' });
    assert.deepEqual(route('HEAD', `/${token}/`, host, token, 4100, files), { kind: 'file', name: 'index.html' });
  });
  it('gives nothing without the token, with a wrong or partial one, for unknown files, other methods or another Host', () => {
    for (const url of ['/', '/index.html', '/page.js', `/${token}x/`, `/${token.slice(1)}/`, `/${token}/../page.js`, `/${token}/nope.js`, `/${token}/page.js.map`, `//${token}/`]) {
      assert.deepEqual(get(url), { kind: 'nothing' }, url);
    }
    assert.deepEqual(route('POST', `/${token}/`, host, token, 4100, files), { kind: 'nothing' });
    assert.deepEqual(get(`/${token}/`, { host: 'evil.example:4100' }), { kind: 'nothing' });
    assert.deepEqual(get(`/${token}/`, { host: '127.0.0.1:4101' }), { kind: 'nothing' });
    assert.deepEqual(get(`/${token}/`, {}), { kind: 'nothing' });
  });
  it('opens the WebSocket only at TOKEN/websockify, from the page\'s own origin', () => {
    const ws = (url: string, origin?: string) => get(url, { ...host, upgrade: 'websocket', ...(origin ? { origin } : {}) });
    assert.deepEqual(ws(`/${token}/websockify`, 'http://127.0.0.1:4100'), { kind: 'socket' });
    assert.deepEqual(ws(`/${token}/websockify`, 'http://localhost:4100'), { kind: 'socket' });
    assert.deepEqual(ws(`/${token}/websockify`, 'http://evil.example'), { kind: 'nothing' });
    assert.deepEqual(ws(`/${token}/websockify`), { kind: 'nothing' });
    assert.deepEqual(ws('/wrong/websockify', 'http://127.0.0.1:4100'), { kind: 'nothing' });
    assert.deepEqual(ws(`/${token}/page.js`, 'http://127.0.0.1:4100'), { kind: 'nothing' });
  });
  it('makes a new URL-safe token of 192 bits each time', () => {
    const a = newToken();
    assert.match(a, /^[A-Za-z0-9_-]{32}$/);
    assert.notEqual(a, newToken());
  });
  it('puts the VM\'s name into the page, escaped, and leaves source maps out', () => {
    const dir = mkdtempSync(join(tmpdir(), 't-assets-'));
    try {
      writeFileSync(join(dir, 'index.html'), '<title>__BERTH_TITLE__</title>');
      writeFileSync(join(dir, 'page.js'), 'x');
      writeFileSync(join(dir, 'page.js.map'), '{}');
      const assets = loadAssets(dir, 'a<b>.ns');
      assert.deepEqual([...assets.keys()].sort(), ['index.html', 'page.js']);
      assert.equal(assets.get('index.html')!.toString(), '<title>a&#60;b&#62;.ns</title>');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    assert.throws(() => loadAssets('/nonexistent/web', 'x'), /the web console's files are missing/);
  });
  it('types pasted text as keysyms of a US keyboard, with Shift where it needs one', () => {
    assert.deepEqual(textToKeys('aB1!\n'), [
      { keysym: 0x61, shift: false },
      { keysym: 0x42, shift: true },
      { keysym: 0x31, shift: false },
      { keysym: 0x21, shift: true },
      { keysym: 0xff0d, shift: false },
    ]);
    assert.deepEqual(textToKeys('x\r\ny\t'), [{ keysym: 0x78, shift: false }, { keysym: 0xff0d, shift: false }, { keysym: 0x79, shift: false }, { keysym: 0xff09, shift: false }]);
    assert.deepEqual(textToKeys('é€\u0007'), [{ keysym: 0xe9, shift: false }, { keysym: 0x010020ac, shift: false }]);
  });
  it('writes the screenshot to NAME.png unless -o says where', () => {
    assert.equal(screenshotPath(undefined, 'web-1'), 'web-1.png');
    assert.equal(screenshotPath('-', 'web-1'), '-');
    assert.equal(screenshotPath('/tmp/x.png', 'web-1'), '/tmp/x.png');
  });
});
