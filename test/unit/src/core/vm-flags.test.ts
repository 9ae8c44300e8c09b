import assert from 'node:assert/strict';
import { BerthError } from '../../../../shared/errors.js';
import { checkVncPassword, parseImageFlag, parseVmFlags, parseVmOptions, type VmFlagValues as VmFlags } from '../../../../src/core/vm-flags.js';

const URL = 'https://images.example.com/debian-12.qcow2';
const SHA = 'a'.repeat(64);

function problem(name: string, flags: VmFlags): BerthError {
  try {
    parseVmFlags(name, flags);
  } catch (error) {
    assert.ok(error instanceof BerthError, `expected a BerthError, got ${String(error)}`);
    return error;
  }
  assert.fail(`expected '${name}' ${JSON.stringify(flags)} to be rejected`);
}

describe('parseVmFlags: bad inputs, each with its exact message and exit 2', () => {
  const base: VmFlags = { image: 'debian-12' };
  const cases: [string, string, VmFlags, string][] = [
    ['empty name', '', base, 'a VM name must not be empty'],
    ['upper case', 'Web', base, "VM name 'Web' contains upper-case letters; use lower case only"],
    ['underscore', 'my_vm', base, "VM name 'my_vm' contains '_'; use lower-case letters, digits and '-' only (an RFC 1123 label)"],
    ['dot', 'web.1', base, "VM name 'web.1' contains '.'; use lower-case letters, digits and '-' only (an RFC 1123 label)"],
    ['leading dash', '-web', base, "VM name '-web' must start and end with a letter or digit"],
    ['trailing dash', 'web-', base, "VM name 'web-' must start and end with a letter or digit"],
    ['space', 'my vm', base, "VM name 'my vm' contains ' '; use lower-case letters, digits and '-' only (an RFC 1123 label)"],
    ['53 characters', 'a'.repeat(53), base, `VM name '${'a'.repeat(53)}' is 53 characters long; the limit is 52 (the StatefulSet's pods carry a label of the name plus 11 characters, and labels stop at 63)`],
    ['missing image', 'web', {}, 'missing --image'],
    ['image with space', 'web', { image: 'debian 12' }, "--image: 'debian 12' is neither an http(s) URL nor an image name from the catalog"],
    ['ftp image', 'web', { image: 'ftp://host/x.qcow2' }, "--image: 'ftp://host/x.qcow2' uses an unsupported scheme; the node agent downloads http:// and https:// URLs only"],
    ['file image', 'web', { image: 'file:///tmp/x.qcow2' }, "--image: 'file:///tmp/x.qcow2' uses an unsupported scheme; the node agent downloads http:// and https:// URLs only"],
    ['URL without host', 'web', { image: 'https://' }, "--image: 'https://' is not a valid URL"],
    ['URL with credentials', 'web', { image: 'https://me:hunter2@images.example/x.qcow2' }, "--image: 'https://images.example/x.qcow2' carries a user name or password (user:password@), which would be shown wherever the URL is: the catalog, the VM's annotations, ls, logs and Events"],
    ['short sha256', 'web', { image: URL, 'image-sha256': 'abc' }, "--image-sha256: 'abc' is not a sha256 digest; expected 64 hex digits"],
    ['sha256 with catalog name', 'web', { image: 'debian-12', 'image-sha256': SHA }, '--image-sha256 and --image NAME cannot be used together'],
    ['zero cpus', 'web', { ...base, cpus: '0' }, "--cpus: '0' must be a whole number from 1 to 64 (virtual CPUs)"],
    ['fractional cpus', 'web', { ...base, cpus: '1.5' }, "--cpus: '1.5' must be a whole number from 1 to 64 (virtual CPUs)"],
    ['too many cpus', 'web', { ...base, cpus: '65' }, "--cpus: '65' must be a whole number from 1 to 64 (virtual CPUs)"],
    ['memory GB', 'web', { ...base, memory: '2GB' }, "--memory: '2GB' is not a Kubernetes quantity; did you mean 2Gi?"],
    ['memory bare number', 'web', { ...base, memory: '2048' }, "--memory: '2048' is below the 64Mi minimum (a bare number counts bytes; did you mean 2048Mi?)"],
    ['memory too small', 'web', { ...base, memory: '32Mi' }, "--memory: '32Mi' is below the 64Mi minimum"],
    ['memory negative', 'web', { ...base, memory: '-1Gi' }, "--memory: '-1Gi' is negative"],
    ['memory words', 'web', { ...base, memory: 'lots' }, "--memory: 'lots' is not a size; use a Kubernetes quantity such as 512Mi, 2Gi or 20G"],
    ['disk too small', 'web', { ...base, 'disk-size': '100Mi' }, "--disk-size: '100Mi' is below the 1Gi minimum"],
    ['disk gb', 'web', { ...base, 'disk-size': '20gb' }, "--disk-size: '20gb' is not a Kubernetes quantity; did you mean 20Gi?"],
    ['bad storage class', 'web', { ...base, 'storage-class': 'Fast_SSD' }, "--storage-class: 'Fast_SSD' is not a valid StorageClass name"],
    ['ephemeral with storage class', 'web', { ...base, ephemeral: true, 'storage-class': 'fast' }, '--ephemeral and --storage-class cannot be used together'],
    ['ephemeral with reuse', 'web', { ...base, ephemeral: true, 'reuse-disk': true }, '--ephemeral and --reuse-disk cannot be used together'],
    ['user-data twice', 'web', { ...base, 'user-data': 'a.yaml', 'user-data-from': 'secret/x' }, '--user-data and --user-data-from cannot be used together'],
    ['user-data-from pod', 'web', { ...base, 'user-data-from': 'pod/x' }, "--user-data-from: 'pod/x' must be configmap/NAME or secret/NAME"],
    ['user-data-from no name', 'web', { ...base, 'user-data-from': 'secret/' }, "--user-data-from: '' is not a valid object name"],
    ['user-data-from bad name', 'web', { ...base, 'user-data-from': 'configmap/My_Config' }, "--user-data-from: 'My_Config' is not a valid object name"],
    ['vnc password and no vnc', 'web', { ...base, 'vnc-password': true, vnc: false }, '--vnc-password and --no-vnc cannot be used together'],
    ['vnc password file and no vnc', 'web', { ...base, 'vnc-password-file': 'pw.txt', vnc: false }, '--vnc-password-file and --no-vnc cannot be used together'],
    ['vnc password file blank', 'web', { ...base, 'vnc-password-file': ' ' }, '--vnc-password-file: must name a file, or - for stdin'],
    ['accel xen', 'web', { ...base, accel: 'xen' }, "--accel: 'xen' is not supported; use kvm or tcg"],
    ['node selector without =', 'web', { ...base, 'node-selector': ['zone'] }, "--node-selector: 'zone' must be key=value"],
    ['node selector bad key', 'web', { ...base, 'node-selector': ['bad key=x'] }, "--node-selector: 'bad key' is not a valid label key"],
    ['node selector bad value', 'web', { ...base, 'node-selector': ['zone=a b'] }, "--node-selector: 'a b' is not a valid label value"],
    ['ready port too big', 'web', { ...base, 'ready-port': '70000' }, "--ready-port: '70000' must be a whole number from 0 to 65535 (0 turns the readiness check off)"],
    ['ready port name', 'web', { ...base, 'ready-port': 'ssh' }, "--ready-port: 'ssh' must be a whole number from 0 to 65535 (0 turns the readiness check off)"],
    ['shutdown timeout words', 'web', { ...base, 'shutdown-timeout': 'soon' }, "--shutdown-timeout: 'soon' is not a duration; use seconds (120) or a duration such as 90s, 5m or 1h"],
    ['shutdown timeout too long', 'web', { ...base, 'shutdown-timeout': '2h' }, "--shutdown-timeout: '2h' is longer than the 60-minute maximum"],
    ['shutdown timeout zero', 'web', { ...base, 'shutdown-timeout': '0' }, "--shutdown-timeout: '0' gives the guest no time to power down"],
    ['ready port is the display', 'web', { ...base, 'ready-port': '5900' }, "--ready-port: 5900 is the VM's VNC display in the pod, not a guest port"],
    ['port zero', 'web', { ...base, port: ['0'] }, "--port: '0' must be a whole number from 1 to 65535 (a guest TCP port)"],
    ['port of the VNC display', 'web', { ...base, port: ['5900'] }, "--port: 5900 belongs to the VM's VNC display in the pod"],
    ['empty ssh key', 'web', { ...base, 'ssh-key': [' '] }, '--ssh-key: must not be empty'],
    ['memory beyond what the launcher takes', 'web', { ...base, memory: '5Ti' }, "--memory: '5Ti' is above the 4Ti maximum"],
    ['disk size beyond qcow2', 'web', { ...base, 'disk-size': '3P' }, "--disk-size: '3P' is above the 1Pi maximum"],
  ];

  it(`has at least 30 cases (${cases.length})`, () => assert.ok(cases.length >= 30));

  for (const [title, name, flags, message] of cases) {
    it(title, () => {
      const error = problem(name, flags);
      assert.equal(error.message, message);
      assert.equal(error.exitCode, 2);
    });
  }
});

describe('parseVmFlags: every flag lands in the request', () => {
  it('fills every default from one place', () => {
    const r = parseVmFlags('web', { image: 'debian-12' });
    assert.deepEqual(r, {
      name: 'web',
      image: { kind: 'catalog', name: 'debian-12' },
      cpus: 1,
      memoryBytes: 2 ** 30,
      disk: { kind: 'pvc', sizeBytes: 10 * 2 ** 30, storageClass: undefined, reuse: false, sizeGiven: false },
      dataDisks: [],
      sshKeys: 'default',
      userDataFile: undefined,
      userDataFrom: undefined,
      vnc: { mode: 'loopback' },
      vncPasswordFrom: undefined,
      accel: 'kvm',
      nodeSelector: {},
      readyPort: 22,
      ports: [],
      shutdownSeconds: 120,
      firmware: 'bios',
      onGuestShutdown: 'restart',
    });
  });

  it('takes every flag', () => {
    const r = parseVmFlags('vm/db-1', {
      image: URL,
      'image-sha256': `sha256:${SHA.toUpperCase()}`,
      cpus: '4',
      memory: '1.5Gi',
      'disk-size': '20G',
      'storage-class': 'berth-test',
      'reuse-disk': true,
      'ssh-key': ['~/.ssh/id_ed25519.pub', 'ssh-ed25519 AAAAC3Nza me@host'],
      'user-data-from': 'cm/db-init',
      'vnc-password-file': '-',
      accel: 'TCG',
      'node-selector': ['topology.kubernetes.io/zone=a', 'disk=ssd'],
      'ready-port': '0',
      port: ['80', '22', '8443', '80'],
      'shutdown-timeout': '2m',
    });
    assert.equal(r.name, 'db-1');
    assert.deepEqual(r.image, { kind: 'url', url: URL, sha256: SHA });
    assert.equal(r.cpus, 4);
    assert.equal(r.memoryBytes, 1.5 * 2 ** 30);
    assert.deepEqual(r.disk, { kind: 'pvc', sizeBytes: 20e9, storageClass: 'berth-test', reuse: true, sizeGiven: true });
    assert.deepEqual(r.sshKeys, [
      { kind: 'file', path: '~/.ssh/id_ed25519.pub' },
      { kind: 'text', text: 'ssh-ed25519 AAAAC3Nza me@host' },
    ]);
    assert.deepEqual(r.userDataFrom, { kind: 'configmap', name: 'db-init' });
    assert.deepEqual(r.vnc, { mode: 'password' });
    assert.deepEqual(r.vncPasswordFrom, { kind: 'stdin' });
    assert.equal(r.accel, 'tcg');
    assert.deepEqual(r.nodeSelector, { 'topology.kubernetes.io/zone': 'a', disk: 'ssd' });
    assert.equal(r.readyPort, 0);
    assert.deepEqual(r.ports, [80, 8443], '22 is always relayed; duplicates dropped');
    assert.equal(r.shutdownSeconds, 120);
  });

  it('--ephemeral gives an emptyDir disk; --no-vnc turns VNC off; --user-data keeps the path', () => {
    const r = parseVmFlags('web', { image: 'x', ephemeral: true, vnc: false, 'user-data': './cc.yaml', 'shutdown-timeout': '1s' });
    assert.deepEqual(r.disk, { kind: 'ephemeral', sizeBytes: 10 * 2 ** 30 });
    assert.deepEqual(r.vnc, { mode: 'off' });
    assert.equal(r.userDataFile, './cc.yaml');
    assert.equal(r.shutdownSeconds, 1);
  });

  it('accepts a name of exactly 52 characters', () => {
    assert.equal(parseVmFlags('a'.repeat(52), { image: 'x' }).name.length, 52);
  });
});

describe('create on a terminal: the options are checked before the name and image are asked for', () => {
  it('parseVmOptions needs neither a name nor an image, and finds the same problems', () => {
    assert.equal(parseVmOptions({}).cpus, 1);
    assert.throws(() => parseVmOptions({ memory: '2GB' }), /--memory: '2GB' is not a Kubernetes quantity/);
    assert.throws(() => parseVmOptions({ ephemeral: true, 'reuse-disk': true }), /--ephemeral and --reuse-disk cannot be used together/);
  });

  it('parseImageFlag leaves an absent --image to be asked, refuses a blank one, and checks --image-sha256 either way', () => {
    assert.equal(parseImageFlag({}), undefined);
    assert.equal(parseImageFlag({ 'image-sha256': SHA }), undefined);
    assert.throws(() => parseImageFlag({ image: ' ' }), /missing --image/);
    assert.throws(() => parseImageFlag({ 'image-sha256': 'abc' }), /--image-sha256: 'abc' is not a sha256 digest/);
    assert.deepEqual(parseImageFlag({ image: URL, 'image-sha256': SHA }), { kind: 'url', url: URL, sha256: SHA });
  });
});

describe('the VNC password: never from the command line', () => {
  it('--vnc-password is asked for; --vnc-password-file names a file, or - for stdin', () => {
    assert.deepEqual(parseVmOptions({ 'vnc-password': true }).vncPasswordFrom, { kind: 'prompt' });
    assert.deepEqual(parseVmOptions({ 'vnc-password-file': '~/vnc.txt' }).vncPasswordFrom, { kind: 'file', path: '~/vnc.txt' });
    assert.deepEqual(parseVmOptions({ 'vnc-password-file': '-' }).vncPasswordFrom, { kind: 'stdin' });
    assert.equal(parseVmOptions({}).vncPasswordFrom, undefined);
  });
  it("takes the first line, without its newline", () => {
    assert.equal(checkVncPassword('pa55word\n', { kind: 'stdin' }), 'pa55word');
    assert.equal(checkVncPassword('pw\r\nignored\n', { kind: 'file', path: 'f' }), 'pw');
  });
  for (const [title, text, source, message] of [
    ['too long, from a file', 'longerthan8\n', { kind: 'file', path: 'pw.txt' }, "--vnc-password-file: the first line of 'pw.txt' must be 1 to 8 printable characters without spaces (VNC authentication uses only 8)"],
    ['with a space, from stdin', 'a b', { kind: 'stdin' }, '--vnc-password-file: the first line of stdin must be 1 to 8 printable characters without spaces (VNC authentication uses only 8)'],
    ['empty, typed', '', { kind: 'prompt' }, '--vnc-password: must be 1 to 8 printable characters without spaces (VNC authentication uses only 8)'],
  ] as const) {
    it(`refuses a password ${title}, without showing it`, () => {
      assert.throws(() => checkVncPassword(text, source), (e: any) => e.message === message && e.oclif.exit === 2);
    });
  }
});
