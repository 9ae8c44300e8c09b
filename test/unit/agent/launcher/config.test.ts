import assert from 'node:assert/strict';
import { parseLauncherConfig } from '../../../../agent/launcher/config.js';
import { isBerthError } from '../../../../shared/errors.js';
import { LauncherEnv, Paths } from '../../../../shared/contract.js';
import { VM_DEFAULTS } from '../../../../shared/defaults.js';

const SHA = 'a'.repeat(64);
const minimal = {
  [LauncherEnv.vmName]: 'web-1',
  [LauncherEnv.namespace]: 'team-a',
  [LauncherEnv.podIp]: '10.244.1.7',
  [LauncherEnv.accel]: 'kvm',
  [LauncherEnv.imageSha256]: SHA,
};

function problemsOf(env: NodeJS.ProcessEnv): string {
  try {
    parseLauncherConfig(env);
  } catch (error) {
    assert.ok(isBerthError(error));
    assert.equal(error.exitCode, 2);
    return error.message;
  }
  assert.fail('expected the configuration to be rejected');
}

describe('launcher config from the environment', () => {
  it('fills what is missing from the VM defaults the plugin uses (shared/defaults.ts)', () => {
    const config = parseLauncherConfig(minimal);
    assert.equal(config.accel, 'kvm');
    assert.equal(config.cpus, VM_DEFAULTS.cpus);
    assert.equal(VM_DEFAULTS.memory, '1Gi');
    assert.equal(config.memoryMiB, 1024);
    assert.equal(config.vnc, VM_DEFAULTS.vnc);
    assert.equal(VM_DEFAULTS.shutdownTimeout, '120');
    assert.equal(config.shutdownSeconds, 120);
    assert.equal(config.vmIp, '192.168.254.2');
    assert.equal(config.vmGateway, '192.168.254.1');
    assert.deepEqual(config.loopbackPorts, [22]);
    assert.equal(config.diskSizeBytes, undefined);
    assert.deepEqual(config.paths, {
      imageCache: Paths.imageCache,
      disk: Paths.vmDisk,
      cloudInit: Paths.cloudInit,
      run: Paths.launcherRun,
      resolvConf: '/etc/resolv.conf',
      dataDisks: '/var/lib/berth/data',
      podSize: Paths.podSize,
    });
    assert.deepEqual([config.maxCpus, config.maxMemoryMiB], [4, 4096], 'room to grow: 4× the boot size (shared/vm-size.ts)');
  });

  it('reads every setting and every path override', () => {
    const config = parseLauncherConfig({
      ...minimal,
      [LauncherEnv.accel]: 'tcg',
      [LauncherEnv.cpus]: '4',
      [LauncherEnv.memoryMiB]: '2048',
      [LauncherEnv.imageSha256]: SHA.toUpperCase(),
      [LauncherEnv.imageUrl]: 'http://images.local/debian.qcow2',
      [LauncherEnv.diskSize]: '20Gi',
      [LauncherEnv.vmIp]: '172.31.255.250',
      [LauncherEnv.vmGateway]: '172.31.255.249',
      [LauncherEnv.vnc]: 'password',
      [LauncherEnv.shutdownSeconds]: '5',
      [LauncherEnv.loopbackPorts]: '8080, 22,443',
      [LauncherEnv.imageCacheDir]: '/tmp/c',
      [LauncherEnv.diskDir]: '/tmp/d',
      [LauncherEnv.dataDisksDir]: '/tmp/dd',
      [LauncherEnv.cloudInitDir]: '/tmp/ci',
      [LauncherEnv.runDir]: '/tmp/r',
      [LauncherEnv.resolvConf]: '/tmp/resolv.conf',
      [LauncherEnv.podSizeDir]: '/tmp/s',
      [LauncherEnv.maxCpus]: '6',
      [LauncherEnv.maxMemoryMiB]: '3072',
    });
    assert.deepEqual([config.maxCpus, config.maxMemoryMiB], [6, 3072]);
    assert.equal(config.accel, 'tcg');
    assert.equal(config.cpus, 4);
    assert.equal(config.memoryMiB, 2048);
    assert.equal(config.imageSha256, SHA);
    assert.equal(config.imageUrl, 'http://images.local/debian.qcow2');
    assert.equal(config.diskSizeBytes, 20 * 2 ** 30);
    assert.equal(config.vmIp, '172.31.255.250');
    assert.equal(config.vnc, 'password');
    assert.equal(config.shutdownSeconds, 5);
    assert.deepEqual(config.loopbackPorts, [22, 8080, 443]);
    assert.deepEqual(config.paths, { imageCache: '/tmp/c', disk: '/tmp/d', dataDisks: '/tmp/dd', cloudInit: '/tmp/ci', run: '/tmp/r', resolvConf: '/tmp/resolv.conf', podSize: '/tmp/s' });
  });

  it('reads the disk size with the plugin\'s quantity parser, in whole 512-byte sectors', () => {
    const size = (value: string) => parseLauncherConfig({ ...minimal, [LauncherEnv.diskSize]: value }).diskSizeBytes;
    assert.equal(size('20Gi'), 20 * 2 ** 30);
    assert.equal(size('10G'), 10e9);
    assert.equal(size('1.5Gi'), 1.5 * 2 ** 30);
    assert.equal(size('1Ti'), 2 ** 40);
    assert.equal(size('1073741824'), 2 ** 30);
    assert.equal(size('2000000001'), 2000000512, 'rounded up to whole sectors');
    assert.match(problemsOf({ ...minimal, [LauncherEnv.diskSize]: '20GB' }), /BERTH_DISK_SIZE=20GB: '20GB' is not a Kubernetes quantity; did you mean 20Gi\?/);
    assert.match(problemsOf({ ...minimal, [LauncherEnv.diskSize]: '512Mi' }), /BERTH_DISK_SIZE=512Mi is smaller than the 1024Mi minimum/);
    assert.match(problemsOf({ ...minimal, [LauncherEnv.diskSize]: '3P' }), /BERTH_DISK_SIZE=3P is larger than the 1Pi maximum/);
    for (const bad of ['-1Gi', 'Gi', '1.5.2G', '20ki']) assert.match(problemsOf({ ...minimal, [LauncherEnv.diskSize]: bad }), /BERTH_DISK_SIZE=/, bad);
  });

  it('accepts a URL image without a checksum', () => {
    const env: NodeJS.ProcessEnv = { ...minimal, [LauncherEnv.imageUrl]: 'https://example.org/x.qcow2' };
    delete env[LauncherEnv.imageSha256];
    assert.equal(parseLauncherConfig(env).imageSha256, undefined);
  });

  it('lists every missing variable at once', () => {
    const message = problemsOf({});
    for (const key of [LauncherEnv.vmName, LauncherEnv.namespace, LauncherEnv.podIp, LauncherEnv.accel]) {
      assert.match(message, new RegExp(`${key} is not set`));
    }
    assert.match(message, /neither BERTH_IMAGE_SHA256 nor BERTH_IMAGE_URL/);
  });

  it('rejects bad values with the variable and the value', () => {
    const message = problemsOf({
      ...minimal,
      [LauncherEnv.accel]: 'hvf',
      [LauncherEnv.vnc]: 'public',
      [LauncherEnv.cpus]: '0',
      [LauncherEnv.memoryMiB]: 'lots',
      [LauncherEnv.imageSha256]: 'abc',
      [LauncherEnv.imageUrl]: 'ftp://x/y',
      [LauncherEnv.diskSize]: '20 GB',
      [LauncherEnv.vmName]: 'Web_1',
      [LauncherEnv.loopbackPorts]: '5900,70000',
    });
    assert.match(message, /BERTH_ACCEL=hvf is not one of kvm, tcg/);
    assert.match(message, /BERTH_VNC=public is not one of loopback, password, off/);
    assert.match(message, /BERTH_CPUS=0 is not a whole number/);
    assert.match(message, /BERTH_MEMORY_MIB=lots/);
    assert.match(message, /BERTH_IMAGE_SHA256 is not 64 hex digits/);
    assert.match(message, /BERTH_IMAGE_URL=ftp:\/\/x\/y is not an http\(s\) URL/);
    assert.match(message, /BERTH_DISK_SIZE=20 GB/);
    assert.match(message, /BERTH_VM_NAME=Web_1 is not a DNS label/);
    assert.match(message, /5900 belongs to the VNC server/);
    assert.match(message, /70000 is not a TCP port/);
  });

  it('refuses a VM /30 that holds the pod IP', () => {
    const message = problemsOf({ ...minimal, [LauncherEnv.podIp]: '192.168.254.3' });
    assert.match(message, /pod IP 192\.168\.254\.3 lies inside the VM's private network 192\.168\.254\.0\/30/);
  });

  it('refuses a gateway and VM address that do not form a /30', () => {
    assert.match(problemsOf({ ...minimal, [LauncherEnv.vmGateway]: '192.168.254.5' }), /not in one \/30/);
    assert.match(problemsOf({ ...minimal, [LauncherEnv.vmIp]: '192.168.254.3' }), /VM address is the broadcast address/);
    assert.match(problemsOf({ ...minimal, [LauncherEnv.vmGateway]: '192.168.254.2' }), /are the same/);
    assert.match(problemsOf({ ...minimal, [LauncherEnv.podIp]: '10.244.1.300' }), /BERTH_POD_IP=10\.244\.1\.300 is not an IPv4 address/);
  });

  it('reads data disks, install media and a blank disk', () => {
    const blank = { ...minimal, [LauncherEnv.imageSha256]: undefined, [LauncherEnv.blankDisk]: 'true', [LauncherEnv.diskSize]: '8Gi' };
    const config = parseLauncherConfig({
      ...blank,
      [LauncherEnv.dataDisks]: 'data=20Gi, logs=2000Mi',
      [LauncherEnv.cdromUrl]: 'http://images.local/install.iso',
      [LauncherEnv.cdromSha256]: SHA.toUpperCase(),
    });
    assert.equal(config.blankDisk, true);
    assert.equal(config.diskSizeBytes, 8 * 2 ** 30);
    assert.deepEqual(config.dataDisks, [{ name: 'data', sizeBytes: 20 * 2 ** 30 }, { name: 'logs', sizeBytes: 2000 * 2 ** 20 }]);
    assert.deepEqual(config.cdrom, { url: 'http://images.local/install.iso', sha256: SHA });
    const plain = parseLauncherConfig(minimal);
    assert.equal(plain.blankDisk, false);
    assert.deepEqual(plain.dataDisks, []);
    assert.equal(plain.cdrom, undefined);
  });

  it('rejects bad data disks, install media and blank-disk settings, each by name', () => {
    const problems = problemsOf({
      ...minimal,
      [LauncherEnv.blankDisk]: 'true',
      [LauncherEnv.dataDisks]: 'data=20Gi,data=1Gi,Bad=1Gi,small=1,nosize',
      [LauncherEnv.cdromUrl]: 'ftp://x/y.iso',
      [LauncherEnv.cdromSha256]: 'abc',
    });
    assert.match(problems, /BERTH_BLANK_DISK=true and a base image/);
    assert.match(problems, /BERTH_BLANK_DISK=true needs BERTH_DISK_SIZE/);
    assert.match(problems, /disk 'data' is listed twice/);
    assert.match(problems, /'Bad=1Gi' is not NAME=SIZE/);
    assert.match(problems, /'nosize' is not NAME=SIZE/);
    assert.match(problems, /BERTH_DATA_DISKS small=1 is smaller than/);
    assert.match(problems, /BERTH_CDROM_URL=ftp:\/\/x\/y.iso is not an http\(s\) URL/);
    assert.match(problems, /BERTH_CDROM_SHA256 is not 64 hex digits/);
    assert.match(problemsOf({ ...minimal, [LauncherEnv.cdromUrl]: 'http://x/y.iso' }), /BERTH_CDROM_SHA256 is not 64 hex digits/);
  });
});
