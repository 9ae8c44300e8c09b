// The launcher, end to end without a cluster: a pod network namespace, the launcher as the pod's
// entrypoint with the env contract, a real TCG guest from test/guest/build.sh, and real ssh from a
// client namespace. One VM at a time; the guest boots in seconds.
import assert from 'node:assert/strict';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rename, rm, statfs, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { cachedImageFileName, Files, LauncherEnv, VM_USER } from '../../shared/contract.js';
import { VM_DEFAULTS } from '../../shared/defaults.js';
import { waitForOutput } from '../support/child-output.js';
import { berthCache } from '../support/cluster.js';
import { skipLoudly } from '../support/skip.js';
import { eventually } from '../support/eventually.js';
import { repo } from '../support/repo.js';
import { banner, launcherEnv, LauncherRun, PodSandbox, sshArgs, vncSecurityTypes } from './launcher-harness.js';

const GUEST_DIR = join(berthCache(), 'guest');
const BOOT_MS = 90_000;

describe('launcher e2e: a VM pod in network namespaces (TCG)', function () {
  this.timeout(180_000);
  const sandbox = new PodSandbox();
  let work: string;
  let sha: string;
  let key: string;
  let launcher: LauncherRun | undefined;
  const hostname = 'e2e-guest';
  const marker = `written-by-the-guest-${sandbox.id}`;

  function env(overrides: Record<string, string> = {}): Record<string, string> {
    return launcherEnv(work, sandbox.podIp, sha, overrides);
  }

  const ssh = (from: string, target: string, command: string, port = 22, user = 'root') =>
    execa('ip', ['netns', 'exec', from, 'ssh', ...sshArgs(key, `${user}@${target}`, command, port)], { reject: false, timeout: 15_000 });

  async function bootAndWaitForSsh(run: LauncherRun): Promise<void> {
    await eventually('ssh to the pod IP', BOOT_MS, async () => ((await ssh(sandbox.clientNs, sandbox.podIp, 'true')).exitCode === 0 ? true : undefined), { stopEarly: () => (launcherExited ? `the launcher exited:\n${run.logs}` : undefined) });
  }
  let launcherExited = false;
  /** The agent's PreStartContainer, then the container: as the kubelet starts a VM container. */
  async function start(overrides: Record<string, string> = {}, { network = true } = {}): Promise<LauncherRun> {
    launcherExited = false;
    const settings = env(overrides);
    if (network) await sandbox.plumbNetwork({ vmIp: settings[LauncherEnv.vmIp] ?? VM_DEFAULTS.vmIp, vmGateway: settings[LauncherEnv.vmGateway] ?? VM_DEFAULTS.vmGateway });
    // the VM pod's uid writes the disk and scratch volumes (fsGroup or a world-writable volume)
    await execa('chmod', ['-R', 'a+rwX', work]);
    await execa('chmod', ['600', key]); // ssh refuses a private key others may read
    launcher = new LauncherRun(sandbox, settings);
    void launcher.exit.then(() => (launcherExited = true));
    return launcher;
  }

  before(async function () {
    this.timeout(300_000);
    if (process.getuid?.() !== 0) skipLoudly(this, 'needs root for network namespaces');
    // idempotent: a no-op when the guest is built and its inputs are unchanged
    await execa('bash', [join(repo, 'test', 'guest', 'build.sh')], { stdio: 'inherit' });
    sha = (await readFile(join(GUEST_DIR, 'guest.qcow2.sha256'), 'utf8')).trim();
    work = await mkdtemp(join(tmpdir(), 'berth-launcher-e2e-'));
    for (const dir of ['cache', 'disk', 'cloud-init', 'run']) await mkdir(join(work, dir));
    await copyFile(join(GUEST_DIR, 'guest.qcow2'), join(work, 'cache', cachedImageFileName(sha)));
    key = join(work, 'id_ed25519');
    await execa('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'launcher-e2e', '-f', key]);
    const publicKey = (await readFile(`${key}.pub`, 'utf8')).trim();
    await writeFile(join(work, 'cloud-init', Files.metaData), `instance-id: e2e-${sandbox.id}\nlocal-hostname: ${hostname}\n`);
    await writeFile(join(work, 'cloud-init', Files.userData), `#cloud-config\nusers:\n  - name: e2e-user\nssh_authorized_keys:\n  - ${publicKey}\n`);
    await writeFile(join(work, 'cloud-init', Files.vncPassword), 'e2e-pass\n');
    await writeFile(join(work, 'resolv.conf'), `search t-launcher.svc.cluster.local cluster.local\nnameserver ${sandbox.clientIp}\noptions ndots:5\n`);
    await sandbox.create();
    // an image server elsewhere on the network, for the download path
    const www = join(work, 'www');
    await mkdir(www);
    await copyFile(join(GUEST_DIR, 'guest.qcow2'), join(www, 'guest.qcow2'));
    await writeFile(join(www, 'impostor.qcow2'), 'not the image you are looking for');
    await execa('ip', ['netns', 'exec', sandbox.clientNs, 'busybox', 'httpd', '-p', `${sandbox.clientIp}:8080`, '-h', www]);
  });

  after(async () => {
    launcher?.kill();
    await sandbox.destroy();
    if (work) await rm(work, { recursive: true, force: true });
  });

  afterEach(function () {
    if (this.currentTest?.state === 'failed' && launcher) {
      process.stderr.write(`\n--- launcher log ---\n${launcher.logs}\n--- serial ---\n${launcher.serial.slice(-3000)}\n`);
    }
  });

  it('boots from the node cache; ssh to the pod IP with the user-data key runs a command in the guest', async () => {
    await bootAndWaitForSsh(await start());
    const result = await ssh(sandbox.clientNs, sandbox.podIp, 'hostname; cat /etc/hostname /run/dhcp.env');
    assert.equal(result.exitCode, 0, String(result.stderr));
    const [name, etcHostname, dhcp] = String(result.stdout).split('\n');
    assert.equal(name, hostname, 'hostname is meta-data local-hostname');
    assert.equal(etcHostname, hostname);
    assert.match(dhcp, new RegExp(`mtu=${sandbox.mtu} `), 'the VM got the pod MTU');
    assert.match(dhcp, new RegExp(`dns=${sandbox.clientIp.replace(/\./g, '\\.')} `), "the VM got the pod's nameserver");
    assert.match(dhcp, /search=t-launcher\.svc\.cluster\.local cluster\.local/);
    assert.match(launcher!.logs, /berth-launcher: disk: created pet disk/);
  });

  it("TCP 5900 at the pod IP is QEMU's VNC server in password mode", async () => {
    assert.equal(await banner(sandbox.clientNs, sandbox.podIp, 5900, 12), 'RFB 003.008\n');
    assert.deepEqual(await vncSecurityTypes(sandbox.clientNs, sandbox.podIp, 5900), [2], 'only VNC password authentication is offered');
  });

  it("the guest's outbound connections arrive from the pod IP", async () => {
    const listener = execa('ip', ['netns', 'exec', sandbox.clientNs, 'socat', '-d', '-d', '-T', '10', 'TCP-LISTEN:9000,reuseaddr', 'STDOUT'], { reject: false });
    try {
      await waitForOutput(listener, 'stderr', /listening on /);
      const sent = await ssh(sandbox.clientNs, sandbox.podIp, `echo from-guest | nc ${sandbox.clientIp} 9000`);
      assert.equal(sent.exitCode, 0, String(sent.stderr));
      const result = await listener;
      assert.match(String(result.stdout), /from-guest/);
      assert.match(String(result.stderr), new RegExp(`accepting connection from AF=2 ${sandbox.podIp.replace(/\./g, '\\.')}:`));
    } finally {
      listener.kill('SIGKILL');
    }
  });

  it("inside the pod, 127.0.0.1:22 reaches the guest (kubectl port-forward's path)", async () => {
    const result = await ssh(sandbox.podNs, '127.0.0.1', 'hostname', 22, 'e2e-user');
    assert.equal(result.exitCode, 0, String(result.stderr));
    assert.equal(String(result.stdout).trim(), hostname);
  });

  it('runs as the VM pod runs: uid 107 with no capability, QEMU too, on the tap the agent made', async () => {
    const pids = String((await execa('ip', ['netns', 'pids', sandbox.podNs])).stdout).split('\n').filter(Boolean);
    const status = await Promise.all(pids.map((pid) => readFile(`/proc/${pid}/status`, 'utf8')));
    const names = status.map((text) => /^Name:\s+(\S+)/m.exec(text)?.[1]);
    assert.ok(names.some((n) => n?.startsWith('qemu-system')), `processes in the pod: ${names.join(', ')}`);
    for (const text of status) {
      assert.match(text, new RegExp(`^Uid:\\s+${VM_USER.uid}\\s+${VM_USER.uid}\\s`, 'm'), text);
      for (const set of ['CapPrm', 'CapEff', 'CapAmb']) assert.match(text, new RegExp(`^${set}:\\s+0+$`, 'm'), text);
    }
    assert.match(launcher!.logs, /network: DHCP serving 192\.168\.254\.2 to .* on berth-tap0 \(MTU 1450\)/);
    assert.match(launcher!.logs, /network: DHCP: answered (DISCOVER|REQUEST)/);
  });

  it('SIGTERM powers the guest down over ACPI, the launcher exits 0 and leaves nothing behind', async () => {
    const written = await ssh(sandbox.clientNs, sandbox.podIp, `echo ${marker} > /data/marker && sync`);
    assert.equal(written.exitCode, 0, String(written.stderr));
    launcher!.signal('SIGTERM');
    assert.equal(await launcher!.exit, 0, launcher!.logs);
    assert.match(launcher!.serial, /BERTH-GUEST power button pressed/);
    assert.match(launcher!.serial, /reboot: Power down/);
    assert.match(launcher!.logs, /asking the guest to power down \(ACPI\)/);
    assert.doesNotMatch(launcher!.logs, /quitting QEMU/, 'the guest powered off by itself');
    assert.deepEqual(await sandbox.leftovers(), []);
    assert.ok((await sandbox.agentNetwork()).length > 0, "the agent's network stays with the pod");
  });

  it('started again it reuses the pet disk: the file the guest wrote survives; VNC loopback mode', async () => {
    await bootAndWaitForSsh(await start({ [LauncherEnv.vnc]: 'loopback' }));
    assert.match(launcher!.logs, /reusing pet disk/);
    const read = await ssh(sandbox.clientNs, sandbox.podIp, 'cat /data/marker /data/boots');
    assert.equal(read.exitCode, 0, String(read.stderr));
    assert.deepEqual(String(read.stdout).split('\n'), [marker, '2']);
    assert.equal(await banner(sandbox.podNs, '127.0.0.1', 5900, 12), 'RFB 003.008\n', "VNC on the pod's loopback");
    assert.deepEqual(await vncSecurityTypes(sandbox.podNs, '127.0.0.1', 5900), [1], 'loopback VNC needs no password: only the pod can reach it');
    assert.equal(await banner(sandbox.clientNs, sandbox.podIp, 5900, 12), undefined, 'no VNC at the pod IP');
    launcher!.signal('SIGTERM');
    assert.equal(await launcher!.exit, 0, launcher!.logs);
    assert.deepEqual(await sandbox.leftovers(), []);
  });

  it('downloads an image the node has not cached into the pet volume, verified by its sha256', async () => {
    const disk = await mkdtemp(join(work, 'disk-'));
    const run = await start({
      [LauncherEnv.imageCacheDir]: await mkdtemp(join(work, 'empty-cache-')),
      [LauncherEnv.diskDir]: disk,
      [LauncherEnv.imageUrl]: `http://${sandbox.clientIp}:8080/guest.qcow2`,
      [LauncherEnv.shutdownSeconds]: '1',
    });
    await eventually('QEMU running', 120_000, async () => (/qemu: running/.test(run.logs) ? true : undefined), { stopEarly: () => (launcherExited ? run.logs : undefined) });
    assert.match(run.logs, /downloaded [\d.]+ MiB to .*base\.qcow2, sha256 [0-9a-f]{64} \(verified\)/);
    assert.match(run.logs, new RegExp(`created pet disk .* on ${disk}/${Files.localBase}`));
    run.signal('SIGTERM');
    assert.equal(await run.exit, 0, run.logs);
    const origin = JSON.parse(await readFile(join(disk, Files.petDiskOrigin), 'utf8')) as { sha256: string; base: string };
    assert.deepEqual([origin.sha256, origin.base], [sha, join(disk, Files.localBase)]);
  });

  it('a guest that fills its volume is paused, reported with how to grow the disk, and resumed when space returns', async function () {
    this.timeout(360_000);
    // A small file system of its own for the pet disk, filled up to a few MiB by a file the test
    // removes again, as a grown claim or a clean-up would give the room back.
    const disk = await mkdtemp(join(work, 'small-disk-'));
    await execa('mount', ['-t', 'tmpfs', '-o', 'size=64m,mode=0777', 'tmpfs', disk]);
    try {
      const run = await start({ [LauncherEnv.diskDir]: disk, [LauncherEnv.shutdownSeconds]: '5' });
      await bootAndWaitForSsh(run);
      const filler = join(disk, 'filler');
      const { bavail, bsize } = await statfs(disk);
      await execa('fallocate', ['-l', String(Number(bavail) * Number(bsize) - 8 * 2 ** 20), filler]);
      // 24 MiB of incompressible data where 8 MiB are left: the write stops halfway.
      const writing = execa('ip', ['netns', 'exec', sandbox.clientNs, 'ssh', ...sshArgs(key, `root@${sandbox.podIp}`, 'dd if=/dev/urandom of=/data/fill bs=1M count=24 2>/dev/null && sync && stat -c %s /data/fill', 22)], { reject: false, timeout: 170_000 });
      await eventually('the guest paused on the full volume', 120_000, async () => (/error: the guest is paused: the VM's disk volume is full/.test(run.logs) ? true : undefined), { stopEarly: () => (launcherExited ? run.logs : undefined) });
      assert.match(run.logs, new RegExp(`hint: grow the VM's disk claim .*kubectl patch pvc disk-e2e-vm-0 -n t-launcher`));
      await rm(filler);
      const written = await writing;
      assert.equal(written.exitCode, 0, `${String(written.stderr)}\n${run.logs}`);
      assert.equal(String(written.stdout).trim(), String(24 * 2 ** 20), 'the whole write landed after the resume');
      assert.match(run.logs, /the volume has \d+ MiB free again: the guest runs again/);
      run.signal('SIGTERM');
      assert.equal(await run.exit, 0, run.logs);
    } finally {
      await execa('umount', ['-l', disk], { reject: false });
    }
  });

  it("a pet disk whose base left the node: the launcher fetches it from the recorded URL, verified, onto the pet volume, and the guest's file survives", async () => {
    const cached = join(work, 'cache', cachedImageFileName(sha));
    const url = `http://${sandbox.clientIp}:8080/guest.qcow2`;
    await rename(cached, `${cached}.away`);
    try {
      await bootAndWaitForSsh(await start({ [LauncherEnv.imageUrl]: url }));
      const read = await ssh(sandbox.clientNs, sandbox.podIp, 'cat /data/marker');
      assert.equal(read.exitCode, 0, String(read.stderr));
      assert.equal(String(read.stdout).split('\n')[0], marker);
      launcher!.signal('SIGTERM');
      assert.equal(await launcher!.exit, 0, launcher!.logs);
    } finally {
      await rename(`${cached}.away`, cached);
    }
    const local = join(work, 'disk', Files.localBase);
    const logs = launcher!.logs;
    assert.match(logs, new RegExp(`base: the pet disk's base ${cached} \\(sha256 ${sha}\\) is not on this node: restoring it onto the pet volume`));
    assert.match(logs, new RegExp(`base: downloaded [\\d.]+ MiB to ${local}, sha256 ${sha} \\(verified\\)`));
    assert.match(logs, new RegExp(`base: restored: the pet disk .* now sits on ${local}`));
    const info = JSON.parse(String((await execa('qemu-img', ['info', '--output=json', join(work, 'disk', Files.petDisk)])).stdout)) as { 'backing-filename'?: string };
    assert.equal(info['backing-filename'], local, 'the overlay now names the copy on the pet volume');
    const origin = JSON.parse(await readFile(join(work, 'disk', Files.petDiskOrigin), 'utf8')) as { sha256: string; base: string; restoredFrom?: string };
    assert.deepEqual([origin.sha256, origin.base, origin.restoredFrom], [sha, local, url]);
  });

  it('a killed launcher takes QEMU with it; the agent builds the network anew for the next start', async () => {
    const killed = await start();
    await eventually('QEMU running', 120_000, async () => (/qemu: running/.test(killed.logs) ? true : undefined));
    killed.signal('SIGKILL');
    await killed.exit;
    const pods = async () => String((await execa('ip', ['netns', 'pids', sandbox.podNs])).stdout).trim();
    await eventually('no process left in the pod', 5_000, async () => ((await pods()) === '' ? true : undefined));
    const network = await sandbox.agentNetwork();

    // the guest is still in its firmware: it ignores ACPI, so this also proves the quit fallback
    const next = await start({ [LauncherEnv.shutdownSeconds]: '2' });
    assert.deepEqual(await sandbox.agentNetwork(), network, 'the same devices and rules, made again, not doubled');
    await eventually('QEMU running', 120_000, async () => (/qemu: running/.test(next.logs) ? true : undefined));
    next.signal('SIGTERM');
    assert.equal(await next.exit, 0, next.logs);
    assert.match(next.logs, /did not power off within 2 s: quitting QEMU/);
    assert.deepEqual(await sandbox.leftovers(), []);
  });

  describe('bad input: non-zero exit, a clear message, nothing left in the pod', () => {
    async function failsWith(overrides: Record<string, string>, pattern: RegExp, exitCode?: number, options = { network: true }): Promise<void> {
      const run = await start(overrides, options);
      const code = await run.exit;
      assert.notEqual(code, 0, run.logs);
      if (exitCode !== undefined) assert.equal(code, exitCode, run.logs);
      assert.match(run.logs, pattern);
      assert.match(run.logs, /berth-launcher: hint: /);
      assert.doesNotMatch(run.logs, /unexpected/);
      assert.deepEqual(await sandbox.leftovers(), []);
    }

    it('a corrupt base image in the cache', async () => {
      const cache = join(work, 'corrupt-cache');
      await mkdir(cache);
      await writeFile(join(cache, cachedImageFileName(sha)), 'not the image');
      await failsWith({ [LauncherEnv.imageCacheDir]: cache, [LauncherEnv.diskDir]: await mkdtemp(join(work, 'disk-')) }, /the cached base image .* is corrupt or not a qcow2 image: .*not in qcow2 format/);
    });

    it('a downloaded image that does not match its sha256', async () => {
      const disk = await mkdtemp(join(work, 'disk-'));
      await failsWith(
        {
          [LauncherEnv.imageCacheDir]: await mkdtemp(join(work, 'empty-cache-')),
          [LauncherEnv.diskDir]: disk,
          [LauncherEnv.imageUrl]: `http://${sandbox.clientIp}:8080/impostor.qcow2`,
        },
        new RegExp(`image downloaded from .*impostor\\.qcow2 is corrupt or not the expected one: checksum mismatch: expected sha256 ${sha}, got [0-9a-f]{64}`),
      );
      assert.deepEqual(await readdir(disk), [], 'no partial or unverified file is kept');
    });

    /** A pet disk made on a base in a cache dir of its own, then the base deleted (no record beside it). */
    async function petDiskWithoutBase(): Promise<{ cache: string; disk: string }> {
      const cache = await mkdtemp(join(work, 'gone-'));
      const disk = await mkdtemp(join(work, 'disk-'));
      const base = join(cache, cachedImageFileName(sha));
      await copyFile(join(GUEST_DIR, 'guest.qcow2'), base);
      await execa('qemu-img', ['create', '-q', '-f', 'qcow2', '-F', 'qcow2', '-b', base, join(disk, Files.petDisk)]);
      await rm(base);
      return { cache, disk };
    }

    it('a pet disk whose base is gone and whose URL now serves another image: nothing is restored', async () => {
      const { cache, disk } = await petDiskWithoutBase();
      await failsWith(
        { [LauncherEnv.imageCacheDir]: cache, [LauncherEnv.diskDir]: disk, [LauncherEnv.imageUrl]: `http://${sandbox.clientIp}:8080/impostor.qcow2` },
        new RegExp(`image downloaded from .*impostor\\.qcow2 is corrupt or not the expected one: checksum mismatch: expected sha256 ${sha}`),
      );
      assert.deepEqual(await readdir(disk), [Files.petDisk], 'the overlay is untouched and no unverified base is kept');
    });

    it('a pet disk made on another base image', async () => {
      await failsWith({ [LauncherEnv.imageSha256]: 'f'.repeat(64) }, new RegExp(`refusing to start: the pet disk was made on base image sha256 ${sha}, but the VM now asks for sha256 f{64}`));
    });

    it('a pet disk whose backing file is gone, with no URL to fetch it from', async () => {
      const { cache, disk } = await petDiskWithoutBase();
      await failsWith({ [LauncherEnv.imageCacheDir]: cache, [LauncherEnv.diskDir]: disk }, /refusing to start: the pet disk's backing file .* is missing \(base image sha256 [0-9a-f]{64}\) and the VM records no image URL/);
    });

    it('a VM /30 that collides with the pod IP: the launcher refuses it (exit 2)', async () => {
      await failsWith({ [LauncherEnv.vmGateway]: '10.250.0.9', [LauncherEnv.vmIp]: '10.250.0.10' }, /pod IP 10\.250\.0\.10 lies inside the VM's private network 10\.250\.0\.8\/30/, 2, { network: false });
    });

    it('a VM /30 inside the pod network: the agent refuses to build it, so the container never starts', async () => {
      await assert.rejects(
        sandbox.plumbNetwork({ vmGateway: '10.250.0.1', vmIp: '10.250.0.2' }),
        /the VM's private network 10\.250\.0\.1\/30 collides with the pod network \(eth0 10\.250\.0\.10\/24\)/,
      );
    });

    it('missing environment', async () => {
      await failsWith({ [LauncherEnv.podIp]: '', [LauncherEnv.accel]: '' }, /launcher settings are invalid:\n(  - .*\n)*  - BERTH_POD_IP is not set\n/, 2);
      assert.match(launcher!.logs, /  - BERTH_ACCEL is not set\n/);
    });

    it('unreadable user-data', async () => {
      const dir = await mkdtemp(join(work, 'ci-'));
      await mkdir(join(dir, Files.userData));
      await failsWith({ [LauncherEnv.cloudInitDir]: dir }, /cannot read the cloud-init user-data at .*: EISDIR/);
    });

    it("without the agent's network (no tap in the pod) the launcher stops and names the agent", async () => {
      await execa('ip', ['netns', 'exec', sandbox.podNs, 'ip', 'link', 'del', 'berth-tap0'], { reject: false });
      await execa('ip', ['netns', 'exec', sandbox.podNs, 'ip', 'link', 'del', 'berth-br0'], { reject: false });
      await failsWith({}, /the VM's network is not prepared: this pod has no berth-tap0 and berth-br0/, undefined, { network: false });
      assert.match(launcher!.logs, /hint: The berth agent on this node builds them/);
    });
  });
});
