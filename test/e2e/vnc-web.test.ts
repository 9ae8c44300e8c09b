// `kubectl berth vnc screenshot` and `kubectl berth vnc --web` against a real VM on the local
// cluster (the test guest, under TCG, with a password on its display): the PNG is of the guest's
// mode and not blank; Debian's Chromium opens the page, which asks for the password, shows the
// screen on a canvas of the framebuffer's size, and carries keys typed in it to the guest, which
// reads them from its own tty1, read back over ssh. When the pod is lost, the page reconnects to the
// new one by itself. A wrong or missing token gets nothing.
// The same page against a local QEMU (reconnecting, the token's rules in full) is in
// test/integration/access/vnc-web-local.test.ts.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import pngjs from 'pngjs';
import { kubectlOut, LOCAL_INSTALL_FLAGS } from '../support/cluster.js';
import { haveChromium, launchChromium, type OpenBrowser } from '../support/browser.js';
import { eventually } from '../support/eventually.js';
import { ImageServer } from '../support/image-server.js';
import { berthBackground, berthEnv, berthOk } from '../support/plugin.js';
import { pluginBin } from '../support/repo.js';
import { skipLoudly } from '../support/skip.js';
import { canvasOf, fetchRaw, waitForStatus } from '../support/web-console.js';
import { catalogTestGuest, freshNamespaceWithKey, guestShell } from './test-guest.js';

const NAMESPACE = 't-e2e-vnc-web';
const VM = 'screen';
const IMAGE = 'e2e-vnc-web-guest';
const PASSWORD = 'pw4vnc';
/** The test guest's kernel keeps the VGA in 80x25 text mode (no framebuffer driver): 720x400. */
const GUEST_MODE = { width: 720, height: 400 };

function litPixels(png: { data: Buffer }): number {
  let lit = 0;
  for (let i = 0; i < png.data.length; i += 4) if (png.data[i] || png.data[i + 1] || png.data[i + 2]) lit++;
  return lit;
}

describe('vnc screenshot and vnc --web on a real VM', function () {
  this.timeout(600_000);
  const server = new ImageServer('0.0.0.0');
  const keyDir = mkdtempSync(join(tmpdir(), 't-e2e-vnc-web-'));
  const key = join(keyDir, 'id_ed25519');
  const ssh = (script: string) => guestShell(NAMESPACE, key)(VM, script);

  before(async function () {
    this.timeout(900_000);
    await freshNamespaceWithKey(NAMESPACE, key);
    await berthOk(['install', ...LOCAL_INSTALL_FLAGS, '--timeout', '4m'], { timeoutMs: 300_000 });
    await catalogTestGuest(server, IMAGE);
    // The password from a file: create never takes one on its command line.
    const passwordFile = join(keyDir, 'vnc-password');
    writeFileSync(passwordFile, `${PASSWORD}\n`, { mode: 0o600 });
    await berthOk(['create', VM, '-n', NAMESPACE, '--image', IMAGE, '--accel', 'tcg', '--ssh-key', `${key}.pub`, '--vnc-password-file', passwordFile, '--wait', '--timeout', '5m'], { timeoutMs: 360_000 });
  });

  after(async () => {
    await server.stop();
    rmSync(keyDir, { recursive: true, force: true });
    await kubectlOut(['delete', 'namespace', NAMESPACE, '--ignore-not-found', '--wait=false']).catch(() => undefined);
    await execa(pluginBin, ['images', 'rm', IMAGE, '--ignore-not-found'], { env: berthEnv(), reject: false });
  });

  it('vnc screenshot -o FILE writes a PNG of the guest\'s mode that is not blank, unlocking the display with the Secret\'s password', async () => {
    const file = join(keyDir, 'shot.png');
    const r = await berthOk(['vnc', 'screenshot', VM, '-n', NAMESPACE, '-o', file]);
    assert.match(r.stderr, /720x400 screenshot of VM 'screen' written to/);
    const png = pngjs.PNG.sync.read(readFileSync(file));
    assert.deepEqual({ width: png.width, height: png.height }, GUEST_MODE);
    assert.ok(litPixels(png) > 100, 'the screenshot shows something');
  });

  it('vnc screenshot -o - writes the PNG to stdout', async () => {
    const r = await execa(pluginBin, ['vnc', 'screenshot', `${VM}.${NAMESPACE}`, '-o', '-'], { env: berthEnv(), extendEnv: false, encoding: 'buffer', timeout: 120_000 });
    const png = pngjs.PNG.sync.read(Buffer.from(r.stdout));
    assert.deepEqual({ width: png.width, height: png.height }, GUEST_MODE);
  });

  describe('vnc --web in Chromium', function () {
    let chromium: OpenBrowser | undefined;
    let web: ReturnType<typeof berthBackground> | undefined;
    let url = '';

    before(async function () {
      if (!haveChromium()) skipLoudly(this, "Debian's chromium is not installed (test/setup/install-deps.sh installs it)");
      web = berthBackground(['vnc', VM, '-n', NAMESPACE, '--web', '--no-browser']);
      let exited = false;
      void web.proc.then(() => (exited = true));
      url = await eventually('the page\'s URL on stdout', 60_000, () => /^http:\/\/127\.0\.0\.1:\d+\/[A-Za-z0-9_-]+\/$/m.exec(web!.out())?.[0], {
        stopEarly: () => (exited ? `vnc --web exited: ${web!.err()}` : undefined),
      });
      chromium = await launchChromium();
    });

    after(async () => {
      await chromium?.close();
      if (web) {
        web.proc.kill('SIGINT');
        const done = await web.proc;
        assert.equal(done.exitCode, 130, web.err());
      }
    });

    it('asks for the password, shows the screen on a canvas of the framebuffer\'s size, and keys typed in it reach the guest', async () => {
      const page = await chromium!.context.newPage();
      await page.goto(url);
      await page.waitForSelector('#login.open', { timeout: 60_000 });
      await page.fill('#password', PASSWORD);
      await page.click('#login button[type=submit]');
      await waitForStatus(page, /^connected$/, 60_000);
      // "connected" comes with the server's handshake; the first frame is drawn a moment later
      // (seen black once under load), so the test waits for it rather than sample the canvas once.
      const canvas = await eventually('the first frame on the canvas (not black)', 120_000, async () => {
        const look = await canvasOf(page);
        return look.lit > 100 ? look : undefined;
      });
      assert.deepEqual({ width: canvas.width, height: canvas.height }, GUEST_MODE);

      // The guest reads one line from its VGA console's tty, where the keyboard's keys arrive.
      const typed = `typed${process.pid}`;
      await ssh("rm -f /tmp/typed; setsid sh -c 'head -n 1 /dev/tty1 > /tmp/typed' </dev/null >/dev/null 2>&1 &");
      await page.click('#screen canvas');
      await page.keyboard.type(typed, { delay: 30 });
      await page.keyboard.press('Enter');
      const line = await eventually('the typed line in the guest', 180_000, async () => (await ssh('cat /tmp/typed 2>/dev/null || true')).stdout.trim() || undefined, { intervalMs: 2000 });
      assert.equal(line, typed);

      // "Paste text…" types what it is given, Shift included.
      const pasted = `Paste-${process.pid}`;
      await ssh("rm -f /tmp/typed; setsid sh -c 'head -n 1 /dev/tty1 > /tmp/typed' </dev/null >/dev/null 2>&1 &");
      await page.click('#paste-toggle');
      await page.fill('#paste-text', `${pasted}\n`);
      await page.click('#paste-send');
      const pastedLine = await eventually('the pasted line in the guest', 180_000, async () => (await ssh('cat /tmp/typed 2>/dev/null || true')).stdout.trim() || undefined, { intervalMs: 2000 });
      assert.equal(pastedLine, pasted);
    });

    it('reconnects by itself, without reloading and without asking the password again, when the VM\'s pod is lost', async () => {
      const page = chromium!.context.pages().at(-1)!;
      await page.evaluate('window.berthMark = 42');
      const podUid = async () => (await kubectlOut(['get', 'pod', `${VM}-0`, '-n', NAMESPACE, '-o', 'jsonpath={.metadata.uid}']).catch(() => '')).trim();
      const lostUid = await podUid();
      await kubectlOut(['delete', 'pod', `${VM}-0`, '-n', NAMESPACE, '--wait=false']);
      await waitForStatus(page, /reconnecting/, 120_000);
      // Connected to the new pod, not to the old one while it shuts down: the new pod's launcher
      // logs QEMU's VNC_CONNECTED, and only the page connects to it.
      await eventually('the page to connect to the new pod', 300_000, async () => {
        const uid = await podUid();
        if (!uid || uid === lostUid) return undefined;
        const log = await kubectlOut(['logs', `${VM}-0`, '-n', NAMESPACE]).catch(() => '');
        return log.includes('VNC_CONNECTED') || undefined;
      }, { intervalMs: 2000 });
      await waitForStatus(page, /^connected$/, 60_000);
      assert.equal(await page.evaluate('window.berthMark'), 42, 'the page was not reloaded');
      assert.equal(await page.locator('#login.open').count(), 0, 'the page did not ask for the password again');
      assert.equal((await canvasOf(page)).width > 0, true);
    });

    it('gives nothing, not even the page, with a wrong or missing token', async () => {
      const { port, pathname } = new URL(url);
      const token = pathname.split('/')[1]!;
      assert.equal((await fetchRaw(port, `/${token}/`)).status, 200);
      for (const path of ['/', `/${token.slice(0, -2)}xy/`, '/page.js', '/index.html']) {
        assert.deepEqual({ path, ...(await fetchRaw(port, path)) }, { path, status: 404, body: '' });
      }
      assert.equal((await fetchRaw(port, '/wrong/websockify', { upgrade: true, origin: `http://127.0.0.1:${port}` })).status, 404);
    });
  });
});
