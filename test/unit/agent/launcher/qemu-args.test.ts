import assert from 'node:assert/strict';
import { qemuArgs, type QemuPlan } from '../../../../agent/launcher/qemu-args.js';

const plan: QemuPlan = {
  name: 'team-a.web-1',
  accel: 'kvm',
  cpus: 2,
  memoryMiB: 1024,
  petDisk: '/var/lib/berth/disk/pet.qcow2',
  seedIso: '/run/berth/seed.iso',
  tap: 'berth-tap0',
  mac: '52:54:00:12:34:56',
  qmpSocket: '/run/berth/qmp.sock',
  vnc: 'loopback',
};

/** The value following `flag`, for every occurrence. */
function valuesOf(argv: string[], flag: string): string[] {
  return argv.flatMap((arg, i) => (arg === flag ? [argv[i + 1]] : []));
}

describe('qemu argv', () => {
  it('uses KVM with the host CPU for accel kvm', () => {
    const argv = qemuArgs(plan);
    assert.deepEqual(valuesOf(argv, '-accel'), ['kvm']);
    assert.deepEqual(valuesOf(argv, '-cpu'), ['host']);
  });

  it('boots the guest size with no room when none is given', () => {
    const argv = qemuArgs(plan);
    assert.deepEqual(valuesOf(argv, '-smp'), ['2']);
    assert.deepEqual(valuesOf(argv, '-m'), ['1024M']);
  });

  it('starts with room to hotplug vCPUs and DIMMs (resize)', () => {
    const argv = qemuArgs({ ...plan, maxCpus: 8, maxMemoryMiB: 4096, memorySlots: 16 });
    assert.deepEqual(valuesOf(argv, '-smp'), ['2,maxcpus=8']);
    assert.deepEqual(valuesOf(argv, '-m'), ['1024M,slots=16,maxmem=4096M']);
  });

  it('leaves maxmem and slots out when there is no memory room (QEMU refuses slots without it)', () => {
    const argv = qemuArgs({ ...plan, maxCpus: 2, maxMemoryMiB: 1024, memorySlots: 16 });
    assert.deepEqual(valuesOf(argv, '-smp'), ['2']);
    assert.deepEqual(valuesOf(argv, '-m'), ['1024M']);
  });

  it('uses TCG and no host CPU model for accel tcg', () => {
    const argv = qemuArgs({ ...plan, accel: 'tcg' });
    assert.deepEqual(valuesOf(argv, '-accel'), ['tcg,tb-size=64']);
    assert.deepEqual(valuesOf(argv, '-cpu'), []);
  });

  it('boots the pet disk, attaches the seed read-only, virtio everywhere', () => {
    const argv = qemuArgs(plan);
    assert.deepEqual(valuesOf(argv, '-drive'), [
      'file=/var/lib/berth/disk/pet.qcow2,format=qcow2,if=none,id=disk0,discard=unmap,werror=stop,rerror=stop',
      'file=/run/berth/seed.iso,format=raw,if=none,id=cidata,readonly=on',
    ]);
    assert.deepEqual(valuesOf(argv, '-device'), [
      'virtio-blk-pci,drive=disk0,bootindex=0',
      'virtio-blk-pci,drive=cidata',
      'virtio-net-pci,netdev=net0,mac=52:54:00:12:34:56',
      'virtio-rng-pci,rng=rng0',
    ]);
    assert.deepEqual(valuesOf(argv, '-netdev'), ['tap,id=net0,ifname=berth-tap0,script=no,downscript=no']);
    assert.deepEqual(valuesOf(argv, '-smp'), ['2']);
    assert.deepEqual(valuesOf(argv, '-m'), ['1024M']);
  });

  it('has no default devices, a std VGA, serial on stdio and a QMP socket', () => {
    const argv = qemuArgs(plan);
    assert.ok(argv.includes('-nodefaults'));
    assert.deepEqual(valuesOf(argv, '-vga'), ['std']);
    assert.deepEqual(valuesOf(argv, '-chardev'), ['stdio,id=console,signal=off']);
    assert.deepEqual(valuesOf(argv, '-serial'), ['chardev:console']);
    assert.deepEqual(valuesOf(argv, '-qmp'), ['unix:/run/berth/qmp.sock,server=on,wait=off']);
    assert.ok(!argv.includes('-daemonize'), 'QEMU must stay the launcher\'s child');
  });

  it('VNC loopback listens on 127.0.0.1:5900 only', () => {
    assert.deepEqual(valuesOf(qemuArgs(plan), '-vnc'), ['127.0.0.1:0']);
  });

  it('VNC password listens on all addresses behind a password secret', () => {
    const argv = qemuArgs({ ...plan, vnc: 'password', vncPasswordFile: '/run/berth/vnc-password' });
    assert.deepEqual(valuesOf(argv, '-vnc'), ['0.0.0.0:0,password-secret=vncpass']);
    assert.deepEqual(valuesOf(argv, '-object').filter((o) => o.startsWith('secret')), [
      'secret,id=vncpass,file=/run/berth/vnc-password,format=raw',
    ]);
  });

  it('VNC off has no VNC server at all', () => {
    const argv = qemuArgs({ ...plan, vnc: 'off' });
    assert.deepEqual(valuesOf(argv, '-vnc'), []);
    assert.deepEqual(valuesOf(argv, '-display'), ['none']);
  });

  it('refuses password mode without a password file', () => {
    assert.throws(() => qemuArgs({ ...plan, vnc: 'password' }), /vncPasswordFile/);
  });

  it('data disks: raw virtio disks whose serial is their name, pausing on I/O errors like the pet disk', () => {
    const argv = qemuArgs({ ...plan, dataDisks: [{ name: 'data', file: '/var/lib/berth/data/data/disk.raw' }, { name: 'logs', file: '/l/disk.raw' }] });
    const drives = valuesOf(argv, '-drive');
    assert.deepEqual(drives.slice(1, 3), [
      'file=/var/lib/berth/data/data/disk.raw,format=raw,if=none,id=data-data,discard=unmap,werror=stop,rerror=stop',
      'file=/l/disk.raw,format=raw,if=none,id=data-logs,discard=unmap,werror=stop,rerror=stop',
    ]);
    assert.deepEqual(valuesOf(argv, '-device').slice(1, 3), ['virtio-blk-pci,drive=data-data,serial=data', 'virtio-blk-pci,drive=data-logs,serial=logs']);
  });

  it('install media: a read-only IDE CD-ROM that boots after the pet disk (an empty disk falls through to it)', () => {
    const argv = qemuArgs({ ...plan, cdrom: '/var/lib/berth/images/x.qcow2' });
    assert.ok(valuesOf(argv, '-drive').includes('file=/var/lib/berth/images/x.qcow2,format=raw,if=none,id=cdrom0,media=cdrom,readonly=on'));
    const devices = valuesOf(argv, '-device');
    assert.ok(devices.includes('ide-cd,drive=cdrom0,bootindex=1'));
    assert.ok(devices.includes('virtio-blk-pci,drive=disk0,bootindex=0'));
  });

  it('neither: no extra drive', () => {
    assert.equal(valuesOf(qemuArgs(plan), '-drive').length, 2);
  });
});

describe('qemu argv: firmware', () => {
  it('SeaBIOS by default: no pflash, the pc machine', () => {
    const argv = qemuArgs(plan);
    assert.deepEqual(valuesOf(argv, '-machine'), ['pc']);
    assert.equal(argv.some((a) => a.includes('pflash')), false);
    assert.deepEqual(valuesOf(argv, '-global'), []);
  });

  it('UEFI: OVMF code read-only as unit 0, the VM\'s variable store writable as unit 1, still pc', () => {
    const argv = qemuArgs({ ...plan, accel: 'tcg', uefi: { code: '/usr/share/OVMF/OVMF_CODE_4M.fd', vars: '/var/lib/berth/disk/uefi-vars.fd', secureBoot: false } });
    assert.deepEqual(valuesOf(argv, '-machine'), ['pc']);
    assert.deepEqual(valuesOf(argv, '-drive').filter((d) => d.startsWith('if=pflash')), [
      'if=pflash,format=raw,unit=0,readonly=on,file=/usr/share/OVMF/OVMF_CODE_4M.fd',
      'if=pflash,format=raw,unit=1,file=/var/lib/berth/disk/uefi-vars.fd',
    ]);
    assert.deepEqual(valuesOf(argv, '-global'), []);
  });

  it('Secure Boot: q35 with SMM and a flash only SMM may write', () => {
    const argv = qemuArgs({ ...plan, accel: 'tcg', uefi: { code: '/c.fd', vars: '/v.fd', secureBoot: true } });
    assert.deepEqual(valuesOf(argv, '-machine'), ['q35,smm=on']);
    assert.deepEqual(valuesOf(argv, '-global'), ['driver=cfi.pflash01,property=secure,value=on']);
    assert.equal(valuesOf(argv, '-drive').filter((d) => d.startsWith('if=pflash')).length, 2);
  });

});
