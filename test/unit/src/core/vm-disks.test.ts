// create's data disks, install media and blank disks, from the flags to the objects: what the
// claim templates, the launcher's environment, the mounts and the node preferences say.
import assert from 'node:assert/strict';
import { parseVmFlags, type VmFlagValues } from '../../../../src/core/vm-flags.js';
import { assembleVmSpec, type VmSpec } from '../../../../src/core/vm-spec.js';
import { buildVmStatefulSet, CDROM_ROOM_BYTES, claimBytes, dataClaimBytes, dataDiskPvcNames, volumeBytesFor } from '../../../../src/core/vm-statefulset.js';
import { BLANK_IMAGE, resolveImage } from '../../../../src/core/vm-image.js';
import { summariseVms, vmColumns, vmObject } from '../../../../src/core/vm-summary.js';
import { printable, tablePrintable } from '../../../../src/output/print.js';
import { imageLabelKey } from '../../../../shared/image-cache.js';
import { Annotations, LauncherEnv, Paths, RESERVED_VOLUME_NAMES } from '../../../../shared/contract.js';

const MiB = 2 ** 20;
const GiB = 2 ** 30;
const SHA = 'b'.repeat(64);
const ISO_SHA = 'c'.repeat(64);
const catalog = {
  'debian-12': JSON.stringify({ url: 'https://img.example/debian-12.qcow2', sha256: SHA }),
  'netinst': JSON.stringify({ url: 'https://img.example/netinst.iso', sha256: ISO_SHA, size: 600 * MiB }),
};

function spec(flags: VmFlagValues = {}): VmSpec {
  const request = parseVmFlags('web', flags['blank-disk'] ? flags : { image: 'debian-12', ...flags });
  return assembleVmSpec(request, {
    namespace: 'team-a',
    image: resolveImage(request.image, catalog),
    ...(request.cdrom ? { cdrom: resolveImage(request.cdrom, catalog) } : {}),
    sshKeys: [],
    launcherImage: 'localhost/kubectl-berth:test',
  });
}

function env(s: VmSpec): Record<string, string | undefined> {
  const c = buildVmStatefulSet(s).spec!.template.spec!.containers[0];
  return Object.fromEntries(c.env!.map((e) => [e.name, e.value]));
}

describe('create --disk: data disks', () => {
  it('each is a claim template of its own, named after the disk, with the VM labels, and a mount', () => {
    const s = spec({ disk: ['data=20Gi', 'logs=1Gi,class=fast-ssd'], 'storage-class': 'standard' });
    const sts = buildVmStatefulSet(s);
    const claims = sts.spec!.volumeClaimTemplates!;
    assert.deepEqual(claims.map((c) => c.metadata!.name), ['disk', 'data', 'logs']);
    assert.deepEqual(claims.map((c) => c.spec!.storageClassName), ['standard', 'standard', 'fast-ssd'], 'class= wins; else the pet disk\'s class');
    for (const c of claims) assert.equal(c.metadata!.labels!['berth.dev/vm'], 'web', 'purge finds them by the VM label');
    assert.equal(claims[1].spec!.resources!.requests!.storage, `${dataClaimBytes(20 * GiB) / MiB}Mi`);
    const mounts = sts.spec!.template.spec!.containers[0].volumeMounts!;
    assert.deepEqual(mounts.filter((m) => ['data', 'logs'].includes(m.name)), [
      { name: 'data', mountPath: `${Paths.dataDisks}/data` },
      { name: 'logs', mountPath: `${Paths.dataDisks}/logs` },
    ]);
    assert.equal(env(s)[LauncherEnv.dataDisks], 'data=20Gi,logs=1Gi');
    assert.deepEqual(dataDiskPvcNames(s), ['data-web-0', 'logs-web-0']);
  });

  it('a data disk claim holds the raw file full after the file system takes its share: no qcow2 metadata, no base', () => {
    assert.equal(volumeBytesFor(920 * MiB), 1000 * MiB);
    assert.equal(dataClaimBytes(10 * GiB), 11132 * MiB);
  });

  it('with --ephemeral the data disks are still claims (only the pet disk is in the pod)', () => {
    const sts = buildVmStatefulSet(spec({ ephemeral: true, disk: ['data=1Gi'] }));
    assert.deepEqual(sts.spec!.volumeClaimTemplates!.map((c) => c.metadata!.name), ['data']);
    assert.ok(sts.spec!.template.spec!.volumes!.some((v) => v.name === 'disk' && v.emptyDir));
  });

  it('no --disk: no data disk variable, one claim', () => {
    const s = spec();
    assert.equal(env(s)[LauncherEnv.dataDisks], undefined);
    assert.equal(buildVmStatefulSet(s).spec!.volumeClaimTemplates!.length, 1);
  });

  it('flag errors: the syntax, the name (DNS label, at most 20: the virtio serial; not the pod\'s own volumes), twice, size, class', () => {
    const bad: [string[], RegExp][] = [
      [['data'], /must be NAME=SIZE/],
      [['=1Gi'], /must be NAME=SIZE/],
      [['Data=1Gi'], /DNS label/],
      [['a-very-long-disk-name-x=1Gi'], /longer than 20 characters .*serial/],
      [['disk=1Gi'], /is the pet disk's/],
      [['cloud-init=1Gi'], /a volume the VM pod uses itself/],
      [['run=1Gi'], /a volume the VM pod uses itself/],
      [['data=1Gi', 'data=2Gi'], /given twice/],
      [['data=1'], /below the .* minimum/],
      [['data=lots'], /--disk/],
      [['data=1Gi,size=2'], /the only one is class=/],
      [['data=1Gi,class=Bad_Class'], /not a valid StorageClass/],
    ];
    for (const [disk, message] of bad) assert.throws(() => parseVmFlags('web', { image: 'debian-12', disk }), (e: Error) => /^--disk: /.test(e.message) && message.test(e.message), disk.join(' '));
    for (const name of RESERVED_VOLUME_NAMES) assert.throws(() => parseVmFlags('web', { image: 'debian-12', disk: [`${name}=1Gi`] }));
  });

  it('every pod volume name stays distinct with data disks (the reserved list is complete)', () => {
    const pod = buildVmStatefulSet(spec({ disk: ['data=1Gi'] })).spec!.template.spec!;
    for (const v of pod.volumes!) assert.ok(RESERVED_VOLUME_NAMES.includes(v.name), `${v.name} is reserved`);
  });

  it('ls -o wide shows them, -o yaml names each disk, size and claim', () => {
    const sts = buildVmStatefulSet(spec({ disk: ['data=20Gi', 'logs=1Gi'], cdrom: 'netinst' }));
    sts.metadata!.creationTimestamp = new Date('2026-12-01T00:00:00Z');
    const rows = summariseVms([sts], []);
    assert.deepEqual(rows[0].dataDisks, ['data=20Gi', 'logs=1Gi']);
    const wide = printable(tablePrintable(rows, vmColumns(false, Date.parse('2026-12-01T01:00:00Z')), vmObject, { noHeaders: false }), 'wide');
    assert.match(wide, /DATA-DISKS/);
    assert.match(wide, / data=20Gi,logs=1Gi /);
    const object = vmObject(rows[0]);
    assert.deepEqual(object.dataDisks, [{ name: 'data', size: '20Gi', claim: 'data-web-0' }, { name: 'logs', size: '1Gi', claim: 'logs-web-0' }]);
    assert.equal(object.cdrom, 'netinst');
  });
});

describe('create --cdrom: install media', () => {
  it('a catalog ISO: URL and sha256 for the launcher, an annotation, room for its copy, a node preference', () => {
    const s = spec({ cdrom: 'netinst' });
    assert.equal(env(s)[LauncherEnv.cdromUrl], 'https://img.example/netinst.iso');
    assert.equal(env(s)[LauncherEnv.cdromSha256], ISO_SHA);
    const sts = buildVmStatefulSet(s);
    assert.equal(sts.metadata!.annotations![Annotations.vmCdrom], 'netinst');
    // the disk, its qcow2 metadata, no base copy (a catalog image without a size), the ISO's copy
    assert.equal(claimBytes(s), volumeBytesFor(10 * GiB + Math.ceil((10 * GiB) / 4096) + 16 * MiB + 600 * MiB));
    const preferred = sts.spec!.template.spec!.affinity!.nodeAffinity!.preferredDuringSchedulingIgnoredDuringExecution!;
    assert.deepEqual(preferred.map((p) => [p.weight, p.preference.matchExpressions![0].key]), [[100, imageLabelKey('debian-12')], [50, imageLabelKey('netinst')]]);
  });

  it('a URL ISO needs its sha256, and gets a DVD\'s room', () => {
    const url = 'https://img.example/install.iso';
    assert.throws(() => parseVmFlags('web', { image: 'debian-12', cdrom: url }), /--cdrom URL needs --cdrom-sha256/);
    const s = spec({ cdrom: url, 'cdrom-sha256': ISO_SHA.toUpperCase() });
    assert.equal(env(s)[LauncherEnv.cdromSha256], ISO_SHA);
    assert.ok(claimBytes(s) - claimBytes(spec()) >= CDROM_ROOM_BYTES);
  });

  it('flag errors say --cdrom, not --image', () => {
    assert.throws(() => parseVmFlags('web', { image: 'debian-12', cdrom: 'netinst', 'cdrom-sha256': ISO_SHA }), /--cdrom-sha256 and --cdrom NAME cannot be used together/);
    assert.throws(() => parseVmFlags('web', { image: 'debian-12', 'cdrom-sha256': ISO_SHA }), /--cdrom-sha256 needs --cdrom URL/);
    assert.throws(() => parseVmFlags('web', { image: 'debian-12', cdrom: 'ftp://x/y.iso' }), /--cdrom: .*unsupported scheme/);
    assert.throws(() => parseVmFlags('web', { image: 'debian-12', cdrom: 'https://x/y.iso', 'cdrom-sha256': 'abc' }), /--cdrom-sha256: 'abc' is not a sha256/);
    assert.throws(() => parseVmFlags('web', { image: 'debian-12', cdrom: ' ' }), /--cdrom: must name an ISO/);
  });
});

describe('create --blank-disk', () => {
  it('no image: the launcher makes an empty disk of --disk-size and boots the CD; ls shows <blank>', () => {
    const s = spec({ 'blank-disk': true, cdrom: 'netinst', 'disk-size': '8Gi' });
    const e = env(s);
    assert.equal(e[LauncherEnv.blankDisk], 'true');
    assert.equal(e[LauncherEnv.imageUrl], undefined);
    assert.equal(e[LauncherEnv.imageSha256], undefined);
    assert.equal(e[LauncherEnv.diskSize], '8Gi');
    const sts = buildVmStatefulSet(s);
    assert.equal(sts.metadata!.annotations![Annotations.vmImage], BLANK_IMAGE);
    const preferred = sts.spec!.template.spec!.affinity!.nodeAffinity!.preferredDuringSchedulingIgnoredDuringExecution!;
    assert.deepEqual(preferred.map((p) => p.weight), [50], 'only the ISO to prefer');
    // no base copy: the disk, its qcow2 metadata and the ISO's copy
    assert.equal(claimBytes(s), volumeBytesFor(8 * GiB + Math.ceil((8 * GiB) / 4096) + 16 * MiB + 600 * MiB));
  });

  it('is refused without --cdrom (no PXE: the pod\'s DHCP offers no boot file), and with --image, --image-sha256 or --reuse-disk', () => {
    assert.throws(() => parseVmFlags('web', { 'blank-disk': true }), (e: Error & { suggestions?: string[] }) => /--blank-disk needs --cdrom/.test(e.message));
    assert.throws(() => parseVmFlags('web', { 'blank-disk': true, cdrom: 'netinst', image: 'debian-12' }), /--blank-disk and --image cannot be used together/);
    assert.throws(() => parseVmFlags('web', { 'blank-disk': true, cdrom: 'netinst', 'image-sha256': SHA }), /--blank-disk and --image-sha256/);
    assert.throws(() => parseVmFlags('web', { 'blank-disk': true, cdrom: 'netinst', 'reuse-disk': true }), /--blank-disk and --reuse-disk/);
  });

  it('stands for --image: no prompt for one, the request says blank', () => {
    assert.deepEqual(parseVmFlags('web', { 'blank-disk': true, cdrom: 'netinst' }).image, { kind: 'blank' });
  });
});
