// Data disks, install media and blank disks (issue 19), on the local cluster, through the plugin,
// with the test guest: a data disk written from the guest keeps its bytes through stop/start, a
// pod deletion and a purge (until --delete-disks); an ISO from the catalog is a CD in the guest and
// its file reads back; a blank disk with a bootable ISO boots the ISO; and the format of each file
// is checked from its bytes, so an ISO as --image and a qcow2 as --cdrom are refused by name.
// The ISO is test/guest/build-iso.sh's: the guest's own kernel and initramfs behind ISOLINUX.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { imageLabelKey } from '../../shared/image-cache.js';
import { dataDiskPvcName, diskPvcName, Labels, LabelValues, SYSTEM_NAMESPACE, VM_CONTAINER } from '../../shared/contract.js';
import { kubectlOut, LOCAL_INSTALL_FLAGS, nodeAddress, requireCluster } from '../support/cluster.js';
import { eventually } from '../support/eventually.js';
import { chainOfSteps } from '../support/steps.js';
import { ImageServer } from '../support/image-server.js';
import { berth, berthOk } from '../support/plugin.js';
import { repo } from '../support/repo.js';
import { guestImage, guestShell, installIso } from './test-guest.js';

const NAMESPACE = 't-e2e-disks';
const VM = 'dd';
const BLANK_VM = 'inst';
const GUEST = 't-disks-guest';
const ISO = 't-disks-iso';
const MARKER = `berth-data-${process.pid}`;

describe('end to end: data disks, install media and a blank disk', function () {
  this.timeout(900_000);
  const server = new ImageServer('0.0.0.0');
  const work = mkdtempSync(join(tmpdir(), 't-e2e-disks-'));
  const key = join(work, 'id_ed25519');
  const { step } = chainOfSteps();

  const ssh = guestShell(NAMESPACE, key);
  const sshSoon = (vm: string, command: string) => eventually(`ssh into ${vm}`, 240_000, () => ssh(vm, command), { intervalMs: 5000 });
  const launcherLog = (vm: string) => kubectlOut(['logs', '-n', NAMESPACE, `${vm}-0`, '-c', VM_CONTAINER]);
  const pvcs = async () => (await kubectlOut(['get', 'pvc', '-n', NAMESPACE, '-o', 'jsonpath={.items[*].metadata.name}'])).split(/\s+/).filter(Boolean).sort();
  // The guest has no udev (no /dev/disk/by-id): the data disk is the virtio disk whose sysfs serial is 'data'.
  const dataDevice = `/dev/$(grep -l '^data$' /sys/block/vd*/serial | cut -d/ -f4)`;
  const readMarker = () => sshSoon(VM, `head -c ${MARKER.length} ${dataDevice}`);

  async function cached(image: string, node: string): Promise<void> {
    const label = imageLabelKey(image);
    await eventually(`node ${node} to cache ${image}`, 180_000, async () => {
      const value = (await kubectlOut(['get', 'node', node, '-o', `jsonpath={.metadata.labels.${label.replaceAll('.', '\\.')}}`])).trim();
      return value === LabelValues.imageReady ? value : undefined;
    }, { intervalMs: 2000 });
  }

  before(async function () {
    this.timeout(400_000);
    await requireCluster();
    // idempotent: no-ops when the guest and the ISO are built and their inputs unchanged
    await execa('bash', [join(repo, 'test', 'guest', 'build.sh')], { stdio: 'inherit' });
    await execa('bash', [join(repo, 'test', 'guest', 'build-iso.sh')], { stdio: 'inherit' });
    await execa('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'berth-e2e-disks', '-f', key]);
    const guest = server.serve('/guest.qcow2', readFileSync(guestImage));
    const iso = server.serve('/install.iso', readFileSync(installIso));
    await server.start();
    await kubectlOut(['delete', 'namespace', NAMESPACE, '--ignore-not-found', '--wait=true'], { timeoutMs: 180_000 });
    await kubectlOut(['create', 'namespace', NAMESPACE]);
    const installed = (await kubectlOut(['get', 'daemonset', '-n', SYSTEM_NAMESPACE, '-o', 'name']).catch(() => '')).trim();
    if (!installed) await berthOk(['install', ...LOCAL_INSTALL_FLAGS, '--timeout', '4m'], { timeoutMs: 300_000 });
    const node = (await kubectlOut(['get', 'nodes', '-l', `${Labels.nodeReady}=true`, '-o', 'jsonpath={.items[0].metadata.name}'])).trim();
    const address = `http://${await nodeAddress(node)}:${server.port}`;
    // one catalog, two kinds of file: a qcow2 disk image and an ISO, told apart by their bytes
    await berthOk(['images', 'add', GUEST, '--url', `${address}/guest.qcow2`, '--sha256', guest.sha256, '--force']);
    await berthOk(['images', 'add', ISO, '--url', `${address}/install.iso`, '--sha256', iso.sha256, '--force']);
    await cached(GUEST, node);
    await cached(ISO, node);
  });

  after(async () => {
    for (const vm of [VM, BLANK_VM, 'iso-as-image', 'qcow2-as-cd']) await berth(['purge', vm, '-n', NAMESPACE, '--delete-disks', '--yes']).catch(() => undefined);
    await kubectlOut(['delete', 'namespace', NAMESPACE, '--ignore-not-found', '--wait=false']).catch(() => undefined);
    for (const image of [GUEST, ISO]) await berth(['images', 'rm', image, '--ignore-not-found']);
    await server.stop();
    rmSync(work, { recursive: true, force: true });
  });

  afterEach(async function () {
    if (this.currentTest?.state !== 'failed') return;
    for (const vm of [VM, BLANK_VM]) {
      for (const args of [['logs', '-n', NAMESPACE, `${vm}-0`, '-c', VM_CONTAINER, '--tail', '60'], ['describe', 'pod', '-n', NAMESPACE, `${vm}-0`]]) {
        const out = await kubectlOut(args).catch((error: Error) => error.message);
        process.stderr.write(`\n--- kubectl ${args.join(' ')} ---\n${out}\n`);
      }
    }
  });

  step('a VM with a data disk and the catalog ISO: the guest writes the disk by its serial and reads a file off the CD', async () => {
    await berthOk(['create', VM, '-n', NAMESPACE, '--image', GUEST, '--cdrom', ISO, '--disk', 'data=1Gi', '--accel', 'tcg', '--ssh-key', `${key}.pub`, '--wait', '--timeout', '6m'], { timeoutMs: 420_000 });
    assert.deepEqual(await pvcs(), [dataDiskPvcName(VM, 'data'), diskPvcName(VM)]);
    // a serial file has no newline of its own
    const serials = await sshSoon(VM, 'for f in /sys/block/vd*/serial; do echo "$(cat $f)"; done');
    assert.match(serials.stdout, /^data$/m, 'the data disk carries its name as its virtio serial');
    // 1 GiB as the guest sees it: 2097152 sectors of 512 bytes
    assert.equal((await ssh(VM, `cat /sys/block/$(basename ${dataDevice})/size`)).stdout.trim(), '2097152');
    assert.equal((await ssh(VM, `head -c 4096 ${dataDevice} | tr -d '\\000' | wc -c`)).stdout.trim(), '0', 'a new data disk is blank');
    await ssh(VM, `printf ${MARKER} | dd of=${dataDevice} bs=512 conv=sync 2>/dev/null; sync`);
    const cd = await ssh(VM, 'mkdir -p /mnt/cd && mount -t iso9660 -o ro /dev/sr0 /mnt/cd && cat /mnt/cd/BERTH-MEDIA.TXT; umount /mnt/cd');
    assert.equal(cd.stdout.trim(), 'berth install media', 'the ISO is an IDE CD-ROM and its file reads back');
    const log = await launcherLog(VM);
    assert.match(log, /disk: created data disk data: .*disk\.raw \(1073741824 bytes, raw, sparse\)/);
    assert.match(log, /disk: install media: .* attached read-only as a CD-ROM/);
    const wide = await berthOk(['ls', '-n', NAMESPACE, '-o', 'wide']);
    assert.match(wide.stdout, /DATA-DISKS/);
    assert.match(wide.stdout, / data=1Gi /);
    const listed = JSON.parse((await berthOk(['ls', '-n', NAMESPACE, '-o', 'json'])).stdout).items.find((i: { name: string }) => i.name === VM);
    assert.deepEqual(listed.dataDisks, [{ name: 'data', size: '1Gi', claim: dataDiskPvcName(VM, 'data') }]);
    assert.equal(listed.cdrom, ISO);
  });

  step('the data disk keeps its bytes through stop/start (made once, never again)', async () => {
    await berthOk(['stop', VM, '-n', NAMESPACE, '--wait', '--timeout', '3m'], { timeoutMs: 200_000 });
    await berthOk(['start', VM, '-n', NAMESPACE, '--wait', '--timeout', '5m'], { timeoutMs: 360_000 });
    assert.equal((await readMarker()).stdout, MARKER);
    assert.match(await launcherLog(VM), /disk: reusing data disk data: /);
  });

  step('and through a pod deletion', async () => {
    const uid = (await kubectlOut(['get', 'pod', `${VM}-0`, '-n', NAMESPACE, '-o', 'jsonpath={.metadata.uid}'])).trim();
    await kubectlOut(['delete', 'pod', `${VM}-0`, '-n', NAMESPACE, '--wait=true'], { timeoutMs: 180_000 });
    await eventually('a new Ready VM pod', 300_000, async () => {
      const pod = JSON.parse(await kubectlOut(['get', 'pod', `${VM}-0`, '-n', NAMESPACE, '-o', 'json']).catch(() => '{}'));
      const ready = pod?.status?.conditions?.find((c: { type: string }) => c.type === 'Ready')?.status === 'True';
      return pod?.metadata?.uid && pod.metadata.uid !== uid && ready ? pod : undefined;
    }, { intervalMs: 2000 });
    assert.equal((await readMarker()).stdout, MARKER);
  });

  step('purge keeps the data disk like the pet disk; a VM made again with --reuse-disk finds the bytes; purge --delete-disks removes both', async () => {
    const purged = await berthOk(['purge', VM, '-n', NAMESPACE, '--yes']);
    assert.match(purged.stdout + purged.stderr, new RegExp(dataDiskPvcName(VM, 'data')));
    await eventually('the StatefulSet to go', 120_000, async () => ((await kubectlOut(['get', 'statefulset', '-n', NAMESPACE, '-o', 'name'])).trim() === '' ? true : undefined));
    assert.deepEqual(await pvcs(), [dataDiskPvcName(VM, 'data'), diskPvcName(VM)]);
    const refused = await berth(['create', VM, '-n', NAMESPACE, '--image', GUEST, '--disk', 'data=1Gi', '--accel', 'tcg', '--ssh-key', `${key}.pub`]);
    assert.notEqual(refused.exitCode, 0);
    assert.match(refused.stderr, /already exists|kept from an earlier VM/);
    await berthOk(['create', VM, '-n', NAMESPACE, '--image', GUEST, '--disk', 'data=1Gi', '--reuse-disk', '--accel', 'tcg', '--ssh-key', `${key}.pub`, '--wait', '--timeout', '6m'], { timeoutMs: 420_000 });
    assert.equal((await readMarker()).stdout, MARKER, 'the kept claim came back with its bytes');
    await berthOk(['purge', VM, '-n', NAMESPACE, '--delete-disks', '--yes']);
    await eventually('the claims to go', 180_000, async () => ((await pvcs()).length === 0 ? true : undefined), { intervalMs: 2000 });
  });

  step('a blank disk with a bootable ISO boots the ISO: SeaBIOS falls through the empty disk to the CD', async () => {
    await berthOk(['create', BLANK_VM, '-n', NAMESPACE, '--blank-disk', '--cdrom', ISO, '--disk-size', '1Gi', '--accel', 'tcg', '--ssh-key', `${key}.pub`, '--wait', '--timeout', '6m'], { timeoutMs: 420_000 });
    assert.match(await launcherLog(BLANK_VM), /disk: created blank pet disk .*pet\.qcow2 \(1073741824 bytes\)/);
    // the guest that answers came off the CD: its pet disk is still all zeros and has no data partition
    const probe = await sshSoon(BLANK_VM, `head -c 1048576 /dev/vda | tr -d '\\000' | wc -c; grep -c ' /data ' /proc/mounts; cat /sys/block/sr0/size`);
    const [nonZero, dataMounts, cdSectors] = probe.stdout.trim().split('\n');
    assert.equal(nonZero, '0', 'the pet disk is blank');
    assert.equal(dataMounts, '0', 'no BERTHDATA partition: not the disk image');
    assert.ok(Number(cdSectors) > 0, 'the CD is attached');
    const row = JSON.parse((await berthOk(['ls', '-n', NAMESPACE, '-o', 'json'])).stdout).items.find((i: { name: string }) => i.name === BLANK_VM);
    assert.equal(row.image, '<blank>');
    assert.equal(row.cdrom, ISO);
    await berthOk(['purge', BLANK_VM, '-n', NAMESPACE, '--delete-disks', '--yes']);
  });

  step('the format is checked, not assumed: an ISO as --image and a qcow2 as --cdrom are refused by name', async () => {
    const isoAsImage = await berth(['create', 'iso-as-image', '-n', NAMESPACE, '--image', ISO, '--accel', 'tcg', '--ssh-key', `${key}.pub`, '--wait', '--timeout', '3m'], { timeoutMs: 240_000 });
    assert.notEqual(isoAsImage.exitCode, 0);
    assert.match(isoAsImage.stderr, /is an ISO 9660 image \(install media\), not a qcow2 disk image/, isoAsImage.stderr);
    const qcow2AsCd = await berth(['create', 'qcow2-as-cd', '-n', NAMESPACE, '--image', GUEST, '--cdrom', GUEST, '--accel', 'tcg', '--ssh-key', `${key}.pub`, '--wait', '--timeout', '3m'], { timeoutMs: 240_000 });
    assert.notEqual(qcow2AsCd.exitCode, 0);
    assert.match(qcow2AsCd.stderr, /is a qcow2 disk image, not an ISO 9660 image/, qcow2AsCd.stderr);
    assert.match(qcow2AsCd.stderr, /--image IMAGE, not --cdrom/);
  });
});
