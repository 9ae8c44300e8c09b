// The RFB client of `vnc screenshot` and the page of `vnc --web` against a real QEMU display on this
// machine (no cluster): the tunnel through the API server is replaced by a plain socket to QEMU, so
// what is tested here is everything on either side of it. The same commands against a VM in the
// cluster are in test/e2e/vnc-web.test.ts.
import assert from 'node:assert/strict';
import type { Socket } from 'node:net';
import pngjs from 'pngjs';
import { BerthError } from '../../../shared/errors.js';
import { grabFrame } from '../../../src/access/rfb-client.js';
import { encodePng } from '../../../src/access/screenshot.js';
import { loadAssets, newToken, serveWebConsole, webAssetsDir, type WebConsole } from '../../../src/access/vnc-web.js';
import type { LocalEnd, Tunnel } from '../../../src/kube/tunnel.js';
import { haveChromium, launchChromium, type OpenBrowser } from '../../support/browser.js';
import { canvasOf, fetchRaw, waitForStatus } from '../../support/web-console.js';
import { haveQemu, startLocalDisplay, type LocalDisplay } from '../../support/qemu-display.js';
import { skipLoudly } from '../../support/skip.js';
import { eventually } from '../../support/eventually.js';

/** SeaBIOS leaves the VGA in 80x25 text mode: 720x400 pixels. */
const TEXT_MODE = { width: 720, height: 400 };

/** QEMU starts at 640x480 until SeaBIOS sets the text mode; a frame of the guest's mode comes after. */
async function textModeFrame(display: LocalDisplay) {
  return eventually('a frame in the VGA text mode', 30_000, async () => {
    const socket = await display.connect();
    try {
      const fb = await grabFrame(socket, { settleMs: 5_000 });
      return fb.width === TEXT_MODE.width ? fb : undefined;
    } finally {
      socket.destroy();
    }
  });
}

/** A stand-in for the API server's port-forward: the page's WebSocket joined to QEMU's socket. */
function localTunnels(display: LocalDisplay) {
  const open = new Set<Socket>();
  const openTunnel = async (local: LocalEnd): Promise<Tunnel> => {
    const socket = await display.connect();
    open.add(socket);
    local.input.pipe(socket);
    socket.pipe(local.output as NodeJS.WritableStream, { end: false });
    const closed = new Promise<{}>((resolve) =>
      socket.once('close', () => {
        open.delete(socket);
        local.finish();
        resolve({});
      }),
    );
    local.input.once('end', () => socket.end());
    return { closed, close: () => socket.destroy() };
  };
  return { openTunnel, breakAll: () => open.forEach((s) => s.destroy()), count: () => open.size };
}

describe('access: vnc screenshot and vnc --web against a local QEMU display', function () {
  this.timeout(120_000);

  before(function () {
    if (!haveQemu()) skipLoudly(this, 'qemu-system-x86_64 is not installed (test/setup/install-deps.sh installs it)');
  });

  describe('the RFB client', () => {
    it('grabs one full frame of a display without a password, in the VGA mode, not black, and encodes it as PNG', async () => {
      const display = await startLocalDisplay();
      try {
        const fb = await textModeFrame(display);
        assert.deepEqual({ width: fb.width, height: fb.height }, TEXT_MODE);
        assert.equal(fb.isBlack(), false, 'SeaBIOS writes its banner on the screen');
        const png = pngjs.PNG.sync.read(await encodePng(fb));
        assert.deepEqual({ width: png.width, height: png.height }, TEXT_MODE);
        assert.ok(png.data.some((v, i) => i % 4 !== 3 && v !== 0), 'the PNG is not black');
      } finally {
        await display.stop();
      }
    });

    it('answers VNC authentication with the right password, and fails with a wrong or missing one', async () => {
      const display = await startLocalDisplay({ password: 'sEcret12' });
      try {
        const fb = await grabFrame(await display.connect(), { password: 'sEcret12', settleMs: 20_000 });
        assert.ok(fb.width > 0 && fb.height > 0);
        await assert.rejects(grabFrame(await display.connect(), { password: 'wrong', settleMs: 1000 }), (e: BerthError) => e.code === 'UNAUTHORIZED' && /refused the password/.test(e.message));
        await assert.rejects(grabFrame(await display.connect(), { settleMs: 1000 }), (e: BerthError) => e.code === 'UNAUTHORIZED' && /asks for a password/.test(e.message));
      } finally {
        await display.stop();
      }
    });
  });

  describe('the web console in Chromium', function () {
    let display: LocalDisplay | undefined;
    let chromium: OpenBrowser | undefined;
    let web: WebConsole | undefined;

    before(function () {
      if (!haveChromium()) skipLoudly(this, 'Debian\'s chromium is not installed (test/setup/install-deps.sh installs it)');
    });

    afterEach(async () => {
      await web?.close();
      await chromium?.close();
      await display?.stop();
      web = chromium = display = undefined;
    });

    async function serve(password?: string) {
      display = await startLocalDisplay({ password });
      const tunnels = localTunnels(display);
      const errors: string[] = [];
      web = await serveWebConsole({ assets: loadAssets(webAssetsDir(), 'local.test'), token: newToken(), port: 0, openTunnel: tunnels.openTunnel, onTunnelError: (e) => errors.push(e.message) });
      chromium = await launchChromium();
      const page = await chromium.context.newPage();
      return { page, tunnels, errors, web };
    }

    it('shows the display on a canvas of the framebuffer\'s size, and reconnects without reloading when the tunnel breaks', async () => {
      const { page, tunnels, web } = await serve();
      await page.goto(web.url);
      await waitForStatus(page, /^connected$/);
      const canvas = await eventually('the canvas in the text mode', 30_000, async () => {
        const look = await canvasOf(page);
        return look.width === TEXT_MODE.width ? look : undefined;
      });
      assert.deepEqual({ width: canvas.width, height: canvas.height }, TEXT_MODE);
      assert.ok(canvas.lit > 0, 'the canvas is not black');

      await page.evaluate('window.berthMark = 42');
      tunnels.breakAll();
      await waitForStatus(page, /reconnecting/);
      await waitForStatus(page, /^connected$/);
      assert.equal(await page.evaluate('window.berthMark'), 42, 'the page was not reloaded');
      assert.equal(tunnels.count(), 1);
    });

    it('asks for the password in the page and connects with it', async () => {
      const { page, web } = await serve('pw-1234');
      await page.goto(web.url);
      await page.waitForSelector('#login.open');
      await page.fill('#password', 'pw-1234');
      await page.click('#login button[type=submit]');
      await waitForStatus(page, /^connected$/);
      assert.ok(!page.url().includes('pw-1234'), 'the password is not in the URL');
      assert.ok((await canvasOf(page)).width > 0);
    });

    it('gives nothing, not even the page, without the token, with a wrong one, or to another Host', async () => {
      const { web } = await serve();
      const { port } = new URL(web.url);
      const token = new URL(web.url).pathname.split('/')[1]!;
      const ok = await fetchRaw(port, `/${token}/`);
      assert.equal(ok.status, 200);
      assert.match(ok.body, /<script type="module" src="page.js">/);
      for (const path of ['/', '/index.html', '/page.js', `/${token.slice(0, -1)}x/`, `/${token.slice(0, -1)}x/page.js`, `/${token}/../page.js`, '/websockify']) {
        const r = await fetchRaw(port, path);
        assert.deepEqual({ path, status: r.status, body: r.body }, { path, status: 404, body: '' });
      }
      const rebound = await fetchRaw(port, `/${token}/`, { host: `attacker.example:${port}` });
      assert.deepEqual({ status: rebound.status, body: rebound.body }, { status: 404, body: '' });
      const foreign = await fetchRaw(port, `/${token}/websockify`, { upgrade: true, origin: 'http://attacker.example' });
      assert.equal(foreign.status, 404);
      const wrongSocket = await fetchRaw(port, '/nottoken/websockify', { upgrade: true, origin: `http://127.0.0.1:${port}` });
      assert.equal(wrongSocket.status, 404);
    });
  });
});
