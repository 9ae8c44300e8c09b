import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { Qmp } from '../../../../agent/launcher/qmp.js';
import { skipLoudly } from '../../../support/skip.js';

// Against a real QEMU with no machine at all: starts in milliseconds and speaks real QMP.
describe('QMP client', function () {
  this.timeout(15000);
  let dir: string;

  before(async function () {
    if ((await execa('qemu-system-x86_64', ['--version'], { reject: false })).exitCode !== 0) {
      skipLoudly(this, 'qemu-system-x86_64 is not installed (test/setup/install-deps.sh)');
    }
    dir = await mkdtemp(join(tmpdir(), 'berth-qmp-'));
  });

  after(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('negotiates, queries status, and quits QEMU', async () => {
    const socket = join(dir, 'qmp.sock');
    const qemu = execa('qemu-system-x86_64', ['-machine', 'none', '-nodefaults', '-display', 'none', '-S', '-qmp', `unix:${socket},server=on,wait=off`], { reject: false });
    try {
      const events: string[] = [];
      const qmp = await Qmp.connect(socket, 10000, (event) => events.push(event));
      const status = await qmp.execute('query-status');
      assert.equal((status.return as { status: string }).status, 'prelaunch');
      const bad = await qmp.execute('no-such-command');
      assert.equal(bad.error?.class, 'CommandNotFound');
      await qmp.execute('quit');
      const result = await qemu;
      assert.equal(result.exitCode, 0);
      qmp.close();
    } finally {
      qemu.kill('SIGKILL');
    }
  });

  it('gives up with a clear message when nothing listens', async () => {
    await assert.rejects(Qmp.connect(join(dir, 'absent.sock'), 300), /QMP socket .*absent\.sock did not answer/);
  });
});
