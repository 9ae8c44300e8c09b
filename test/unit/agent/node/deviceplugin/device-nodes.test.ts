import assert from 'node:assert/strict';
import { chmodSync, lstatSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '../../../../../agent/common/exec.js';
import { deviceNumbers, openDeviceNode } from '../../../../../agent/node/deviceplugin/device-nodes.js';
import { skipLoudly } from '../../../../support/skip.js';

describe('device nodes a non-root VM may open', () => {
  it('decodes major and minor numbers as glibc does', () => {
    assert.deepEqual(deviceNumbers(BigInt((10 << 8) | 200)), { major: 10, minor: 200 }, '/dev/net/tun');
    assert.deepEqual(deviceNumbers(BigInt((10 << 8) | 232)), { major: 10, minor: 232 }, '/dev/kvm');
    // a large minor is split: low 8 bits at 0, the rest from bit 20
    assert.deepEqual(deviceNumbers((259n << 8n) | (0x123n << 20n) | 0x45n), { major: 259, minor: 0x12345 });
  });

  it('makes a 0666 node of the same device, keeps a good one and replaces a wrong one', async function () {
    if (process.getuid?.() !== 0) skipLoudly(this, 'mknod needs root (the suite runs as root)');
    const dir = join(mkdtempSync(join(tmpdir(), 't-devnodes-')), 'dev');
    const path = await openDeviceNode('/dev/net/tun', dir, 'tun', run);
    const made = lstatSync(path, { bigint: true });
    assert.ok(made.isCharacterDevice());
    assert.equal(made.rdev, lstatSync('/dev/net/tun', { bigint: true }).rdev);
    assert.equal(Number(made.mode & 0o777n), 0o666);
    const ino = made.ino;
    assert.equal(await openDeviceNode('/dev/net/tun', dir, 'tun', run), path);
    assert.equal(lstatSync(path, { bigint: true }).ino, ino, 'kept as it was');
    chmodSync(path, 0o600);
    await openDeviceNode('/dev/net/tun', dir, 'tun', run);
    assert.equal(Number(lstatSync(path, { bigint: true }).mode & 0o777n), 0o666, 'made again with the open mode');
  });

  it('refuses what is not a character device', async () => {
    await assert.rejects(openDeviceNode(tmpdir(), mkdtempSync(join(tmpdir(), 't-devnodes-')), 'x', run), /is not a character device/);
    await assert.rejects(openDeviceNode('/nonexistent/dev', tmpdir(), 'x', run), /cannot read the device \/nonexistent\/dev: ENOENT/);
  });
});
