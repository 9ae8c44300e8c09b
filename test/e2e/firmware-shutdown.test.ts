// create --firmware uefi and --on-guest-shutdown on the local cluster, with the test guest under TCG,
// in a namespace that enforces Pod Security "restricted": every VM here is admitted as it is.
//
// UEFI: OVMF's own boot manager is on the serial console ("BdsDxe: …", which SeaBIOS never prints),
// and its UEFI shell boots the test guest (startup.nsh, test/guest/build.sh). The guest writes a UEFI
// variable of its own through efivarfs; after `restart` the launcher finds the VM's variable store on
// its disk volume written by the firmware, keeps it, and the guest reads the variable back. With
// --secure-boot, OVMF refuses to start its own unsigned shell ("Security Violation"), which only an
// enforcing Secure Boot does; it then stays in the firmware, whose screen is a graphics mode (where
// SeaBIOS and the test guest leave VGA text at 720x400), not black. (A booted UEFI guest's screen is
// the kernel's, black with console=ttyS0.)
//
// A guest's own shutdown: `poweroff -f` over ssh. With stop the VM ends Stopped (replicas 0, no
// pod) and stays so, ls says GuestShutdown, and start boots it again; a user's stop afterwards is
// not reported as the guest's. With the default the guest boots again in the same pod.
//
// BERTH_E2E_VM_IMAGE, when set, is the launcher image of the VMs made here (BERTH_IMAGE for create
// only, so install keeps the shared agent image): for a launcher built under another tag.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import pngjs from 'pngjs';
import { kubectl, kubectlJson, kubectlOut, LOCAL_INSTALL_FLAGS } from '../support/cluster.js';
import { eventually } from '../support/eventually.js';
import { ImageServer } from '../support/image-server.js';
import { berthEnv, berthOk } from '../support/plugin.js';
import { pluginBin } from '../support/repo.js';
import { catalogTestGuest, freshNamespaceWithKey, guestShell } from './test-guest.js';

const NAMESPACE = 't-e2e-firmware';
const IMAGE = 'e2e-firmware-guest';
const vmEnv: Record<string, string> = process.env.BERTH_E2E_VM_IMAGE ? { BERTH_IMAGE: process.env.BERTH_E2E_VM_IMAGE } : {};

interface LsItem { name: string; status: string; reason?: string; firmware: string; onGuestShutdown: string }

async function lsItem(vm: string): Promise<LsItem> {
  const r = await berthOk(['ls', '-n', NAMESPACE, '-o', 'json']);
  const item = (JSON.parse(r.stdout).items as LsItem[]).find((i) => i.name === vm);
  assert.ok(item, `ls lists ${vm}`);
  return item;
}

/** A UEFI variable of the test's own: efivarfs names it NAME-VENDORGUID. */
const PROOF_VARIABLE = '/sys/firmware/efi/efivars/BerthNvramProof-5b0a0c1e-6f4e-4a53-9d6e-3a1f2b7c8d90';

const podLog = (vm: string) => kubectl(['logs', '-n', NAMESPACE, `${vm}-0`, '-c', 'vm'], { allowFailure: true }).then((r) => r.stdout);

describe('firmware and a guest\'s own shutdown on a real VM', function () {
  this.timeout(900_000);
  const server = new ImageServer('0.0.0.0');
  const keyDir = mkdtempSync(join(tmpdir(), 't-e2e-firmware-'));
  const key = join(keyDir, 'id_ed25519');
  const create = (vm: string, flags: string[]) =>
    berthOk(['create', vm, '-n', NAMESPACE, '--image', IMAGE, '--accel', 'tcg', '--memory', '256Mi', '--ssh-key', `${key}.pub`, ...flags], { env: vmEnv, timeoutMs: 360_000 });
  const shell = guestShell(NAMESPACE, key, { user: 'root' });
  const ssh = async (vm: string, command: string) => (await shell(vm, command)).stdout.trim();
  // The connection ends with the guest: ssh's own status is not the point.
  const powerOff = (vm: string) => shell(vm, 'sync; poweroff -f', { mayFail: true });

  before(async function () {
    this.timeout(900_000);
    await freshNamespaceWithKey(NAMESPACE, key);
    for (const mode of ['enforce', 'warn']) {
      await kubectlOut(['label', 'namespace', NAMESPACE, `pod-security.kubernetes.io/${mode}=restricted`, `pod-security.kubernetes.io/${mode}-version=latest`]);
    }
    await berthOk(['install', ...LOCAL_INSTALL_FLAGS, '--timeout', '4m'], { timeoutMs: 300_000 });
    await catalogTestGuest(server, IMAGE);
  });

  after(async () => {
    await server.stop();
    rmSync(keyDir, { recursive: true, force: true });
    await kubectlOut(['delete', 'namespace', NAMESPACE, '--ignore-not-found', '--wait=false']).catch(() => undefined);
    await execa(pluginBin, ['images', 'rm', IMAGE, '--ignore-not-found'], { env: berthEnv(), reject: false });
  });

  describe('--firmware uefi', () => {
    const VM = 'uefi';
    // what the guest writes into the variable store: this run's own
    const proof = `berth-${randomBytes(6).toString('hex')}`;
    before(async () => {
      // --wait: until the guest answers ssh, booted by OVMF's shell
      await create(VM, ['--firmware', 'uefi', '--wait', '--timeout', '5m']);
    });

    it('boots OVMF: its boot manager on the serial console, a store made from the template, the guest through its shell', async () => {
      const log = await eventually('OVMF\'s boot manager on the serial console', 300_000, async () => {
        const text = await podLog(VM);
        return /BdsDxe: /.test(text) ? text : undefined;
      }, { intervalMs: 3000, describe: () => 'the VM container log shows no BdsDxe line' });
      assert.match(log, /firmware: UEFI \(OVMF_CODE_4M\.fd\); UEFI variable store \S+uefi-vars\.fd created from \/usr\/share\/OVMF\/OVMF_VARS_4M\.fd/);
      assert.match(log, /-machine pc .*-drive if=pflash,format=raw,unit=0,readonly=on,file=\/usr\/share\/OVMF\/OVMF_CODE_4M\.fd -drive if=pflash,format=raw,unit=1,file=\S+uefi-vars\.fd/);
      assert.match(log, /berth: booting fs\d:\\vmlinuz/);
      assert.match(log, /BERTH-GUEST uefi: efivarfs mounted/);
      assert.equal((await lsItem(VM)).firmware, 'uefi');
    });

    it('the guest, booted by UEFI, writes a UEFI variable of its own', async () => {
      // efivarfs: 4 bytes of attributes (little-endian 7: non-volatile, boot and runtime access), then the value
      const out = await ssh(VM, `test -d /sys/firmware/efi && printf '\\007\\000\\000\\000%s' ${proof} > ${PROOF_VARIABLE} && tail -c +5 ${PROOF_VARIABLE}`);
      assert.equal(out, proof);
    });

    it('keeps the variable store across restart: the new pod finds it written by the firmware, the guest reads its variable back', async () => {
      const before = (await kubectlJson<{ metadata: { uid: string } }>(['get', 'pod', `${VM}-0`, '-n', NAMESPACE, '-o', 'json'])).metadata.uid;
      await berthOk(['restart', VM, '-n', NAMESPACE, '--wait', '--timeout', '5m'], { timeoutMs: 360_000 });
      const log = await eventually('the new pod\'s launcher to open the store', 300_000, async () => {
        const pod = await kubectlJson<{ metadata: { uid: string } }>(['get', 'pod', `${VM}-0`, '-n', NAMESPACE, '-o', 'json']).catch(() => undefined);
        if (!pod || pod.metadata.uid === before) return undefined;
        const text = await podLog(VM);
        return /UEFI variable store/.test(text) ? text : undefined;
      }, { intervalMs: 3000 });
      assert.match(log, /UEFI variable store \S+uefi-vars\.fd kept from an earlier boot \(the firmware has written to it\)/);
      // restart --wait: the guest answers ssh again
      assert.equal(await ssh(VM, `tail -c +5 ${PROOF_VARIABLE}`), proof);
      assert.equal(await ssh(VM, 'cat /data/boots'), '2', 'the guest booted a second time');
    });
  });

  it('--secure-boot: OVMF on q35 with SMM enforces Secure Boot, refusing its own unsigned shell', async () => {
    const VM = 'secure';
    await create(VM, ['--firmware', 'uefi', '--secure-boot', '--ready-port', '0', '--shutdown-timeout', '5', '--wait', '--timeout', '5m']);
    const log = await eventually('OVMF to refuse the unsigned shell', 300_000, async () => {
      const text = await podLog(VM);
      return /BdsDxe: failed to start .*Security Violation/.test(text) ? text : undefined;
    }, { intervalMs: 3000, describe: () => 'no "Security Violation" from BdsDxe on the serial console' });
    assert.match(log, /firmware: UEFI with Secure Boot \(OVMF_CODE_4M\.secboot\.fd\); UEFI variable store \S+ created from \/usr\/share\/OVMF\/OVMF_VARS_4M\.ms\.fd/);
    assert.match(log, /-machine q35,smm=on .*-global driver=cfi\.pflash01,property=secure,value=on/);
    assert.equal((await lsItem(VM)).firmware, 'uefi-secure-boot');
    // OVMF, having found nothing it may boot, waits in its own screen
    const file = join(keyDir, 'secure.png');
    await berthOk(['vnc', 'screenshot', VM, '-n', NAMESPACE, '-o', file, '--timeout', '120s'], { timeoutMs: 180_000 });
    const png = pngjs.PNG.sync.read(readFileSync(file));
    assert.notDeepEqual({ width: png.width, height: png.height }, { width: 720, height: 400 });
    let lit = 0;
    for (let i = 0; i < png.data.length; i += 4) if (png.data[i] || png.data[i + 1] || png.data[i + 2]) lit++;
    assert.ok(lit > 100, `the screenshot shows something (${lit} lit pixels of ${png.width}x${png.height})`);
    await berthOk(['purge', VM, '-n', NAMESPACE, '--delete-disks', '--yes']);
  });

  describe('--on-guest-shutdown', () => {
    it('stop: a guest that powers itself off leaves the VM Stopped, and ls says the guest did it', async () => {
      const VM = 'gstop';
      // admitted under "restricted", with the projected token of its own ServiceAccount
      assert.equal((await kubectlOut(['get', 'namespace', NAMESPACE, '-o', 'jsonpath={.metadata.labels.pod-security\\.kubernetes\\.io/enforce}'])).trim(), 'restricted');
      await create(VM, ['--on-guest-shutdown', 'stop', '--wait', '--timeout', '5m']);
      await powerOff(VM);
      await eventually('the VM to be scaled to 0 and its pod gone', 180_000, async () => {
        const replicas = (await kubectlOut(['get', 'statefulset', VM, '-n', NAMESPACE, '-o', 'jsonpath={.spec.replicas}'])).trim();
        const pods = (await kubectlOut(['get', 'pods', '-n', NAMESPACE, '-l', `berth.dev/vm=${VM}`, '-o', 'name'])).trim();
        return replicas === '0' && pods === '' ? true : undefined;
      }, { intervalMs: 2000 });
      assert.deepEqual(await lsItem(VM).then((i) => [i.status, i.reason, i.onGuestShutdown]), ['Stopped', 'GuestShutdown', 'stop']);
      // It stays so: no pod comes back while the StatefulSet controller has had many chances.
      for (let i = 0; i < 5; i++) {
        await new Promise((resolve) => setTimeout(resolve, 3000));
        assert.equal((await kubectlOut(['get', 'pods', '-n', NAMESPACE, '-l', `berth.dev/vm=${VM}`, '-o', 'name'])).trim(), '');
      }
      const wide = await berthOk(['ls', '-n', NAMESPACE, '-o', 'wide']);
      assert.match(wide.stdout, new RegExp(`^${VM}\\s+Stopped\\s.*\\sbios\\s+GuestShutdown: the guest powered itself off`, 'm'));

      await berthOk(['start', VM, '-n', NAMESPACE, '--wait', '--timeout', '5m'], { timeoutMs: 360_000 });
      assert.equal((await lsItem(VM)).status, 'Running');
      // A user's stop is the user's, though the guest stopped the VM before.
      await berthOk(['stop', VM, '-n', NAMESPACE, '--wait', '--timeout', '5m'], { timeoutMs: 360_000 });
      const stopped = await lsItem(VM);
      assert.deepEqual([stopped.status, stopped.reason], ['Stopped', undefined]);
    });

    it('restart (the default): the guest boots again in the same pod, the VM stays wanted', async () => {
      const VM = 'grestart';
      await create(VM, ['--wait', '--timeout', '5m']);
      await powerOff(VM);
      await eventually('the container to restart and the guest to answer again', 300_000, async () => {
        const pod = await kubectlJson<{ status: { containerStatuses?: { restartCount: number; ready: boolean }[] } }>(['get', 'pod', `${VM}-0`, '-n', NAMESPACE, '-o', 'json']).catch(() => undefined);
        const status = pod?.status.containerStatuses?.[0];
        return status && status.restartCount >= 1 && status.ready ? true : undefined;
      }, { intervalMs: 3000 });
      assert.equal((await kubectlOut(['get', 'statefulset', VM, '-n', NAMESPACE, '-o', 'jsonpath={.spec.replicas}'])).trim(), '1');
      assert.equal((await lsItem(VM)).status, 'Running');
    });
  });
});
