// UEFI in the launcher: the VM's variable store made once on its disk volume and kept from then on
// (its flash chips in QEMU's argv: qemu-args.test.ts).
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OVMF, prepareUefi, varsStoreState } from '../../../../agent/launcher/firmware.js';
import { parseLauncherConfig } from '../../../../agent/launcher/config.js';
import { Files, LauncherEnv } from '../../../../shared/contract.js';

describe('launcher firmware', () => {
  it('Debian 12\'s ovmf files: the 4M builds, the MS-enrolled store for Secure Boot', () => {
    assert.deepEqual(OVMF.uefi, { code: 'OVMF_CODE_4M.fd', varsTemplate: 'OVMF_VARS_4M.fd' });
    assert.deepEqual(OVMF['uefi-secure-boot'], { code: 'OVMF_CODE_4M.secboot.fd', varsTemplate: 'OVMF_VARS_4M.ms.fd' });
  });

  it('varsStoreState: none yet, kept as the template, kept and written by the firmware', () => {
    const template = Buffer.from('template');
    assert.equal(varsStoreState(undefined, template), 'created');
    assert.equal(varsStoreState(Buffer.from('template'), template), 'kept-as-template');
    assert.equal(varsStoreState(Buffer.from('Boot0001'), template), 'kept-written');
  });

  describe('prepareUefi (on a temporary directory)', () => {
    let dir: string;
    beforeEach(async () => {
      dir = await mkdtemp(join(tmpdir(), 'berth-uefi-'));
      await mkdir(join(dir, 'ovmf'));
      await mkdir(join(dir, 'disk'));
      await writeFile(join(dir, 'ovmf', OVMF.uefi.varsTemplate), 'plain template');
      await writeFile(join(dir, 'ovmf', OVMF['uefi-secure-boot'].varsTemplate), 'ms template');
    });
    afterEach(() => rm(dir, { recursive: true, force: true }));

    it('bios: nothing', async () => {
      assert.equal(await prepareUefi('bios', join(dir, 'disk'), () => undefined, join(dir, 'ovmf')), undefined);
    });

    it('copies the template on the first boot only, and never resets a store the firmware wrote', async () => {
      const lines: string[] = [];
      const log = (_step: string, line: string) => void lines.push(line);
      const first = await prepareUefi('uefi', join(dir, 'disk'), log, join(dir, 'ovmf'));
      assert.deepEqual(first, { code: join(dir, 'ovmf', OVMF.uefi.code), vars: join(dir, 'disk', Files.uefiVars), secureBoot: false });
      assert.equal(await readFile(first!.vars, 'utf8'), 'plain template');
      assert.match(lines[0], /created from/);
      await writeFile(first!.vars, 'Boot0001 written by OVMF');
      await prepareUefi('uefi', join(dir, 'disk'), log, join(dir, 'ovmf'));
      assert.equal(await readFile(first!.vars, 'utf8'), 'Boot0001 written by OVMF');
      assert.match(lines[1], /kept from an earlier boot \(the firmware has written to it\)/);
    });

    it('Secure Boot starts from the store with Microsoft\'s keys', async () => {
      const plan = await prepareUefi('uefi-secure-boot', join(dir, 'disk'), () => undefined, join(dir, 'ovmf'));
      assert.equal(plan!.secureBoot, true);
      assert.equal(await readFile(plan!.vars, 'utf8'), 'ms template');
    });
  });

  it('the launcher reads BERTH_FIRMWARE and BERTH_ON_GUEST_SHUTDOWN, defaulting to bios and restart', () => {
    const minimal = { [LauncherEnv.vmName]: 'web-1', [LauncherEnv.namespace]: 'team-a', [LauncherEnv.podIp]: '10.244.1.7', [LauncherEnv.accel]: 'tcg', [LauncherEnv.imageSha256]: 'a'.repeat(64) };
    assert.equal(parseLauncherConfig(minimal).firmware, 'bios');
    assert.equal(parseLauncherConfig(minimal).onGuestShutdown, 'restart');
    const set = parseLauncherConfig({ ...minimal, [LauncherEnv.firmware]: 'uefi-secure-boot', [LauncherEnv.onGuestShutdown]: 'stop' });
    assert.equal(set.firmware, 'uefi-secure-boot');
    assert.equal(set.onGuestShutdown, 'stop');
    assert.throws(() => parseLauncherConfig({ ...minimal, [LauncherEnv.firmware]: 'coreboot' }), /BERTH_FIRMWARE=coreboot is not one of bios, uefi, uefi-secure-boot/);
  });
});
