// A real cloud image through the whole product: the Debian 12 guest of test/guest/build-debian.sh
// (Debian's cloud kernel, its own cloud-init 22.4 reading our NoCloud seed, OpenSSH with sftp,
// systemd) put in the catalog, cached by the agent, created with --accel tcg and reached only
// through the plugin (ssh and scp ride the API server). Each step needs the ones before it; when
// one fails the later ones fail too, naming the step that broke the chain (never a silent skip).
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { imageLabelName } from '../../shared/catalog.js';
import { Labels, LabelValues, VM_CONTAINER } from '../../shared/contract.js';
import { berthCache, BUSYBOX_IMAGE, kubectl, kubectlOut, nodeAddress, requireCluster, LOCAL_INSTALL_FLAGS } from '../support/cluster.js';
import { eventually } from '../support/eventually.js';
import { chainOfSteps } from '../support/steps.js';
import { ImageServer } from '../support/image-server.js';
import { berth, berthEnv, berthOk } from '../support/plugin.js';
import { skipLoudly } from '../support/skip.js';
import { pluginBin, repo } from '../support/repo.js';
import { onTerminal, STTY_SETTINGS } from '../support/terminal.js';
import { vncBanner } from '../support/vnc.js';
import { guestShell, type GuestShellOptions } from './test-guest.js';

const NAMESPACE = 't-e2e-debian';
const VM = 'deb';
const USER = 'debian'; // the default user of Debian's cloud.cfg
const IMAGE = 'e2e-debian-12';
const GUEST = join(berthCache(), 'guest', 'debian-12.qcow2');
const BUILD = join(repo, 'test', 'guest', 'build-debian.sh');
const MARKER = `berth-debian-${process.pid}-${randomBytes(3).toString('hex')}`;
// The default user's password for the serial console's login, given only through --user-data
// (chpasswd), never on the plugin's command line.
const PASSWORD = randomBytes(12).toString('base64url');

const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');

/** relative path → sha256 of every file under `dir`, for comparing trees. */
function treeDigest(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const path = join(d, entry.name);
      if (entry.isDirectory()) walk(path);
      else out[relative(dir, path)] = sha256(readFileSync(path));
    }
  };
  walk(dir);
  return out;
}

/** `sha256sum` output (HASH  ./PATH lines) as relative path → sha256. */
function parseSha256sum(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.trim().split('\n').filter(Boolean)) {
    const [hash, path] = line.split(/\s+\*?/, 2);
    out[path!.replace(/^\.\//, '')] = hash!;
  }
  return out;
}

/**
 * nameservers and search domains of a resolv.conf text. A search domain is compared without the
 * root's dot: dhclient writes the names of DHCP option 119 fully qualified ("cluster.local."), the
 * kubelet without it, and the resolver treats both alike.
 */
function resolvSettings(text: string): { nameservers: string[]; search: string[] } {
  const nameservers: string[] = [];
  let search: string[] = [];
  for (const raw of text.split('\n')) {
    const [keyword, ...values] = raw.replace(/[#;].*$/, '').trim().split(/\s+/);
    if (keyword === 'nameserver' && values[0] && /^\d+\.\d+\.\d+\.\d+$/.test(values[0]) && !values[0].startsWith('127.')) nameservers.push(values[0]);
    if (keyword === 'search') search = values.map((domain) => domain.replace(/\.$/, ''));
  }
  return { nameservers, search };
}

describe('end to end: a Debian 12 cloud guest (cloud-init, OpenSSH, systemd) from the catalog, under TCG', function () {
  this.timeout(900_000);
  const server = new ImageServer('0.0.0.0');
  const work = mkdtempSync(join(tmpdir(), 't-e2e-debian-'));
  const key = join(work, 'id_ed25519');
  const knownHosts = join(work, 'known_hosts');
  let node = '';

  // A probe (links: false) checks one access path; its failure fails it alone, not the steps after it.
  const steps = chainOfSteps();
  const { step } = steps;
  const probe = { links: false };

  // Our own known_hosts: an earlier run's VM of the same name had another host key.
  const sshOpts = ['-i', key, '-o', `UserKnownHostsFile=${knownHosts}`];
  const shell = guestShell(NAMESPACE, key, { user: USER });
  const ssh = (command: string, options: GuestShellOptions = {}) => shell(VM, command, options);
  // cloud-init's last stage runs after sshd answers, and under TCG on a loaded machine (two Debian
  // guests at once in the last step) it took from one to over two minutes: wait for it as long as
  // create --wait would wait for the VM, so the machine's speed decides nothing.
  const CLOUD_INIT_WAIT_MS = 600_000;
  const scp = (...operands: string[]) => berthOk(['scp', ...sshOpts, ...operands], { timeoutMs: 180_000 });
  const remote = (path: string) => `${USER}@${VM}.${NAMESPACE}:${path}`;
  const vmPod = async () => JSON.parse(await kubectlOut(['get', 'pods', '-n', NAMESPACE, '-l', `${Labels.vm}=${VM}`, '-o', 'json'])).items[0];

  before(async function () {
    this.timeout(1_800_000);
    await requireCluster();
    if (!existsSync(GUEST)) {
      if (process.getuid?.() !== 0) skipLoudly(this, `the Debian guest is not built (${GUEST}) and building it needs root: run test/guest/build-debian.sh as root`);
      const missing = (await execa('sh', ['-c', 'for t in mmdebstrap grub-mkimage; do command -v $t >/dev/null || echo $t; done'])).stdout.trim();
      if (missing) skipLoudly(this, `the Debian guest is not built (${GUEST}) and ${missing.replace(/\n/g, ', ')} is missing: run test/setup/install-deps.sh`);
    }
    // idempotent: a no-op when the image is built and its inputs are unchanged; else about 6 minutes
    if (process.getuid?.() === 0) await execa('bash', [BUILD], { stdio: 'inherit', timeout: 1_800_000 });
    await execa('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'berth-e2e-debian', '-f', key]);
    await kubectlOut(['delete', 'namespace', NAMESPACE, '--ignore-not-found', '--wait=true'], { timeoutMs: 300_000 });
    await kubectlOut(['create', 'namespace', NAMESPACE]);
  });

  after(async function () {
    this.timeout(300_000);
    await server.stop();
    await berth(['purge', VM, '-n', NAMESPACE, '--delete-disks', '--yes'], { timeoutMs: 180_000 });
    await kubectlOut(['delete', 'namespace', NAMESPACE, '--ignore-not-found', '--wait=false']).catch(() => undefined);
    await berth(['images', 'rm', IMAGE, '--ignore-not-found']);
    rmSync(work, { recursive: true, force: true });
  });

  step('berth is installed and a node can run VMs', async () => {
    await berthOk(['install', ...LOCAL_INSTALL_FLAGS, '--timeout', '4m'], { timeoutMs: 300_000 });
    node = (await kubectlOut(['get', 'nodes', '-l', `${Labels.nodeReady}=true`, '-o', 'jsonpath={.items[0].metadata.name}'])).trim();
    assert.ok(node, 'no node carries berth.dev/node=true');
  });

  step('images add: the agent caches the Debian image and labels the node', async () => {
    server.serveFile('/debian-12.qcow2', GUEST);
    await server.start();
    const sha = readFileSync(`${GUEST}.sha256`, 'utf8').trim().split(/\s+/)[0]!;
    const url = `http://${await nodeAddress(node)}:${server.port}/debian-12.qcow2`;
    await berthOk(['images', 'add', IMAGE, '--url', url, '--sha256', sha, '--size', String(statSync(GUEST).size), '--force']);
    const label = `${Labels.nodeImagePrefix}${imageLabelName(IMAGE)}`;
    await eventually(`node ${node} to get ${label}=${LabelValues.imageReady}`, 300_000, async () => {
      const value = (await kubectlOut(['get', 'node', node, '-o', `jsonpath={.metadata.labels.${label.replaceAll('.', '\\.')}}`])).trim();
      return value === LabelValues.imageReady ? value : undefined;
    }, { intervalMs: 2000 });
  });

  step('create --accel tcg --user-data --ssh-key --disk-size 4Gi --wait: the VM runs and answers on port 22', async () => {
    const userData = join(work, 'user-data.yaml');
    writeFileSync(userData, [
      '#cloud-config',
      '# the SSH key from --ssh-key is merged in by create',
      'write_files:',
      '  - path: /etc/berth-e2e/written.txt',
      `    content: "written by write_files ${MARKER}\\n"`,
      "    permissions: '0640'",
      'runcmd:',
      `  - [ sh, -c, "echo ran by runcmd ${MARKER} > /var/tmp/runcmd.txt" ]`,
      '# a password for the console login (ssh keeps refusing passwords: ssh_pwauth stays off)',
      'chpasswd:',
      '  expire: false',
      '  users:',
      `    - { name: ${USER}, password: ${PASSWORD}, type: text }`,
      '',
    ].join('\n'));
    await berthOk(['create', VM, '-n', NAMESPACE, '--image', IMAGE, '--accel', 'tcg', '--memory', '768Mi', '--disk-size', '4Gi',
      '--user-data', userData, '--ssh-key', `${key}.pub`, '--wait', '--timeout', '10m'], { timeoutMs: 660_000 });
    const pod = await vmPod();
    assert.equal(pod?.status?.phase, 'Running');
  });

  step('cloud-init finished without errors; the hostname is meta-data local-hostname (the VM name)', async () => {
    // runcmd runs in cloud-init's last stage, after sshd is up: wait for it to finish
    const status = await ssh('cloud-init status --wait --long', { timeoutMs: CLOUD_INIT_WAIT_MS });
    assert.match(status.stdout, /status: done/, status.stdout);
    assert.match(status.stdout, /DataSourceNoCloud/, status.stdout);
    const r = await ssh('hostname; cat /etc/hostname');
    assert.deepEqual(r.stdout.trim().split('\n'), [VM, VM]);
  });

  step(`the default user '${USER}' has the key from create, with sudo; root is refused as on Debian's images`, async () => {
    const r = await ssh('id -un; sudo -n id -un');
    assert.deepEqual(r.stdout.trim().split('\n'), [USER, 'root']);
    const root = await ssh('true', { user: 'root', mayFail: true });
    assert.notEqual(root.exitCode, 0, 'root logged in');
    assert.match(root.stdout + root.stderr, new RegExp(`Please login as the user "${USER}"`));
  });

  step('--user-data: write_files and runcmd took effect', async () => {
    // write_files runs as root and the file is 0640 root:root
    const r = await ssh('sudo cat /etc/berth-e2e/written.txt /var/tmp/runcmd.txt; stat -c %a /etc/berth-e2e/written.txt');
    assert.deepEqual(r.stdout.trim().split('\n'), [`written by write_files ${MARKER}`, `ran by runcmd ${MARKER}`, '640']);
  }, probe);

  step('the root file system grew to the 4Gi disk at first boot (growpart, resizefs)', async () => {
    const r = await ssh('df -B1 --output=size / | tail -1');
    assert.ok(Number(r.stdout.trim()) > 3 * 1024 ** 3, `/ is ${r.stdout.trim()} bytes; the image's own is 2 GiB`);
  }, probe);

  step('scp: a 10 MiB file to the guest and back, sha256 the same each way (sftp)', async () => {
    const local = join(work, 'big.bin');
    writeFileSync(local, randomBytes(10 * 1024 * 1024));
    const want = sha256(readFileSync(local));
    await scp(local, remote('/tmp/big.bin'));
    assert.equal((await ssh('sha256sum /tmp/big.bin')).stdout.split(/\s+/)[0], want, 'in the guest');
    const back = join(work, 'big.back');
    await scp(remote('/tmp/big.bin'), back);
    assert.equal(sha256(readFileSync(back)), want, 'copied back');
  }, probe);

  step('scp -r: a directory tree to the guest and back', async () => {
    const tree = join(work, 'tree');
    mkdirSync(join(tree, 'sub', 'deeper'), { recursive: true });
    writeFileSync(join(tree, 'a.txt'), `top ${MARKER}\n`);
    writeFileSync(join(tree, 'sub', 'b.bin'), randomBytes(300 * 1024));
    writeFileSync(join(tree, 'sub', 'deeper', 'c.txt'), `deep ${MARKER}\n`);
    const want = treeDigest(tree);
    await scp('-r', tree, remote('/tmp/'));
    const inGuest = await ssh('cd /tmp/tree && find . -type f | sort | xargs sha256sum');
    assert.deepEqual(parseSha256sum(inGuest.stdout), want, 'in the guest');
    const back = join(work, 'back');
    mkdirSync(back);
    await scp('-r', remote('/tmp/tree'), back);
    assert.deepEqual(treeDigest(join(back, 'tree')), want, 'copied back');
  }, probe);

  step('console on a terminal: the login prompt, a login and a command in the guest, no launcher log line, Ctrl-] leaves and restores the terminal', async () => {
    const term = onTerminal([pluginBin, 'console', VM, '-n', NAMESPACE], berthEnv());
    // Each wait looks only at what the screen showed since the last thing typed.
    let from = 0;
    const next = () => (from = term.screen().length);
    const shown = (what: string, pattern: RegExp, timeoutMs = 60_000) =>
      eventually(what, timeoutMs, () => pattern.exec(term.screen().slice(from)) ?? undefined);
    try {
      await shown('the console to attach', /Press Ctrl-\] to exit/);
      // getty prints its prompt again for an empty line; Enter on a raw terminal is a carriage return
      next();
      term.type('\r');
      await shown(`"${VM} login:"`, new RegExp(`${VM} login: *$`));
      next();
      term.type(`${USER}\r`);
      await shown('"Password:"', /Password: *$/);
      next();
      term.type(`${PASSWORD}\r`);
      await shown('a shell prompt', new RegExp(`${USER}@${VM}:~\\$ *$`), 90_000);
      // The launcher logs every QEMU event: a VNC client that connects and leaves makes it write
      // `berth-launcher: qemu: event VNC_DISCONNECTED` to its stderr while the session is open.
      await vncBanner(VM, NAMESPACE);
      const pod = (await vmPod()).metadata.name as string;
      await eventually('the launcher to log VNC_DISCONNECTED', 180_000, async () =>
        (await kubectlOut(['logs', pod, '-n', NAMESPACE, '-c', VM_CONTAINER])).includes('berth-launcher: qemu: event VNC_DISCONNECTED') || undefined);
      // Upper-cased by the guest from a file only cloud-init's runcmd wrote there: the typed
      // command itself (echoed lower-case) cannot match.
      next();
      term.type('tr a-z A-Z < /var/tmp/runcmd.txt\r');
      await shown('the command\'s output from the guest', new RegExp(`RAN BY RUNCMD ${MARKER.toUpperCase()}`));
      next();
      term.type('exit\r');
      await shown('the login prompt again after logging out', new RegExp(`${VM} login: *$`));
      term.type(Buffer.from([0x1d]));
      const settings = await shown('stty -a after the console', STTY_SETTINGS, 15_000);
      term.proc.stdin!.end();
      const result = await term.proc;
      assert.equal(result.exitCode, 0, term.screen());
      assert.match(term.screen(), /Console closed/);
      assert.doesNotMatch(settings[0], /-icanon|-echo\b/, 'canonical mode and echo are back');
      assert.doesNotMatch(term.screen(), /berth-launcher/, 'a launcher log line reached the console');
    } finally {
      term.proc.kill('SIGKILL');
    }
  }, probe);

  step("the guest's DNS is the pod's: the same nameservers and search domains (dhclient took them from the launcher)", async () => {
    const pod = await vmPod();
    const podConf = resolvSettings(await kubectlOut(['exec', '-n', NAMESPACE, pod.metadata.name, '--', 'cat', '/etc/resolv.conf']));
    const guestConf = resolvSettings((await ssh('cat /etc/resolv.conf')).stdout);
    assert.ok(podConf.nameservers.length > 0, 'the pod has no usable nameserver');
    assert.deepEqual(guestConf.nameservers, podConf.nameservers);
    assert.deepEqual(guestConf.search, podConf.search);
  }, probe);

  it('from the guest, a name the pod resolves resolves the same (deb.debian.org, which the node reaches)', async function () {
    if (steps.brokenAt) throw new Error(`not run: the chain broke at "${steps.brokenAt}"`);
    const pod = await vmPod();
    // the launcher's image has glibc's getent; ask the pod first, so that a cluster whose pods
    // cannot reach a nameserver is reported as such and not blamed on the guest
    const inPod = await execa('kubectl', ['exec', '-n', NAMESPACE, pod.metadata.name, '--', 'getent', 'hosts', 'deb.debian.org'], { env: berthEnv(), reject: false, timeout: 60_000 });
    if (inPod.exitCode !== 0) {
      skipLoudly(this, `the VM pod itself cannot resolve deb.debian.org (getent exit ${inPod.exitCode}${inPod.stderr ? `: ${String(inPod.stderr).trim()}` : ''}): this cluster's pods reach no nameserver, so the guest cannot either`);
    }
    const r = await ssh('getent hosts deb.debian.org');
    assert.equal(r.stdout.trim().split(/\s+/)[0], String(inPod.stdout).trim().split(/\s+/)[0]);
  });

  async function requireClusterDns(context: Mocha.Context) {
    if (steps.brokenAt) throw new Error(`not run: the chain broke at "${steps.brokenAt}"`);
    const dns = (await kubectlOut(['get', 'services', '-n', 'kube-system', '-l', 'k8s-app=kube-dns', '-o', 'name'])).trim();
    if (!dns) skipLoudly(context, 'the cluster runs no cluster DNS (no kube-dns Service in kube-system; the local cluster gets CoreDNS from test/cluster/dns.sh), so pods, and VMs, cannot resolve Service names');
  }

  it('from the guest, the cluster Service kubernetes.default.svc resolves and answers', async function () {
    await requireClusterDns(this);
    const ip = (await kubectlOut(['get', 'service', 'kubernetes', '-n', 'default', '-o', 'jsonpath={.spec.clusterIP}'])).trim();
    const r = await ssh('getent hosts kubernetes.default.svc');
    assert.equal(r.stdout.trim().split(/\s+/)[0], ip);
    const connect = await ssh(`python3 -c "import socket; socket.create_connection(('kubernetes.default.svc', 443), 10).close(); print('connected')"`);
    assert.equal(connect.stdout.trim(), 'connected');
  });

  it("from the guest, a Service of the VM's namespace resolves by its short name (the pod's search domains) and answers", async function () {
    await requireClusterDns(this);
    // a web server in a pod of the test namespace, behind a Service named like it
    await kubectl(['apply', '-n', NAMESPACE, '-f', '-'], {
      input: JSON.stringify({
        apiVersion: 'v1',
        kind: 'List',
        items: [
          {
            apiVersion: 'v1',
            kind: 'Pod',
            metadata: { name: 'web', labels: { app: 'web' } },
            spec: {
              terminationGracePeriodSeconds: 0,
              containers: [{ name: 'httpd', image: BUSYBOX_IMAGE, imagePullPolicy: 'Never', command: ['sh', '-c', `mkdir /www && echo ${MARKER} >/www/index.html && exec httpd -f -p 8080 -h /www`] }],
            },
          },
          { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' }, spec: { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 8080 }] } },
        ],
      }),
    });
    await kubectl(['wait', '-n', NAMESPACE, '--for=condition=Ready', 'pod/web', '--timeout=60s'], { timeoutMs: 70_000 });
    const ip = (await kubectlOut(['get', 'service', 'web', '-n', NAMESPACE, '-o', 'jsonpath={.spec.clusterIP}'])).trim();
    const r = await ssh('getent hosts web');
    assert.equal(r.stdout.trim().split(/\s+/)[0], ip);
    const page = await ssh(`python3 -c "import urllib.request; print(urllib.request.urlopen('http://web/', timeout=10).read().decode().strip())"`);
    assert.equal(page.stdout.trim(), MARKER);
  });

  step('stop: systemd powers the guest off on the ACPI button within the grace period (no kill); start: a file on / survives', async () => {
    await ssh(`echo ${MARKER} | sudo tee /var/lib/berth-e2e-marker >/dev/null && sync`);
    const pod = await vmPod();
    // the container log: the serial console (stdout) and the launcher's own lines (stderr)
    const logs: ResultPromise = execa('kubectl', ['logs', '-f', '-n', NAMESPACE, pod.metadata.name], { env: berthEnv(), reject: false, buffer: false });
    let log = '';
    logs.stdout?.on('data', (c: Buffer) => (log += c.toString()));
    logs.stderr?.on('data', (c: Buffer) => (log += c.toString()));
    try {
      await berthOk(['stop', VM, '-n', NAMESPACE, '--wait', '--timeout', '5m'], { timeoutMs: 360_000 });
      await Promise.race([logs, new Promise((r) => setTimeout(r, 30_000))]);
    } finally {
      logs.kill('SIGKILL');
    }
    log = log.replace(/\x1b\[[0-9;]*m/g, '');
    assert.match(log, /asking the guest to power down \(ACPI\)/, log.slice(-3000));
    assert.match(log, /Reached target poweroff\.target/, `systemd did not shut down:\n${log.slice(-3000)}`);
    assert.match(log, /reboot: Power down/, log.slice(-3000));
    assert.doesNotMatch(log, /did not power off within|quitting QEMU|killing it/, 'the guest was not powered off by itself');

    await berthOk(['start', VM, '-n', NAMESPACE], { timeoutMs: 60_000 });
    const r = await eventually('ssh into the restarted VM', 600_000, async () => ssh('sudo cat /var/lib/berth-e2e-marker'), { intervalMs: 5000 });
    assert.equal(r.stdout.trim(), MARKER);
  });

  step('purge keeps the disk; create --reuse-disk boots the same root file system', async () => {
    await berthOk(['purge', VM, '-n', NAMESPACE, '--yes'], { timeoutMs: 180_000 });
    // the old pod powers its guest down first; the disk is free once it is gone
    await eventually('the purged VM\'s pod to be gone', 300_000, async () => ((await kubectlOut(['get', 'pods', '-n', NAMESPACE, '-l', `${Labels.vm}=${VM}`, '-o', 'name'])).trim() === '' ? true : undefined), { intervalMs: 2000 });
    // The same user-data and key as at first: the same seed, so cloud-init sees the same instance
    // and keeps the host keys (another seed would be a new instance, with new host keys).
    await berthOk(['create', VM, '-n', NAMESPACE, '--image', IMAGE, '--accel', 'tcg', '--memory', '768Mi', '--reuse-disk',
      '--user-data', join(work, 'user-data.yaml'), '--ssh-key', `${key}.pub`, '--wait', '--timeout', '10m'], { timeoutMs: 660_000 });
    const r = await ssh('sudo cat /var/lib/berth-e2e-marker; hostname');
    assert.deepEqual(r.stdout.trim().split('\n'), [MARKER, VM]);
  });

  // A second VM: with --user-data-from the keys cannot be merged into the user's cloud-config, so
  // create puts them in meta-data public-keys, which cloud-init gives the default user.
  step('create --user-data-from secret/NAME: cloud-init runs the Secret\'s user-data; the key reaches the default user through meta-data', async function () {
    // create's wait plus cloud-init's, each bounded on its own
    this.timeout(1_500_000);
    // The first VM has nothing left to prove: purged, it leaves the two cores to this guest.
    await berthOk(['purge', VM, '-n', NAMESPACE, '--delete-disks', '--yes'], { timeoutMs: 180_000 });
    const other = `${VM}-secret`;
    const file = join(work, 'from-secret.yaml');
    writeFileSync(file, ['#cloud-config', 'runcmd:', `  - [ sh, -c, "echo runcmd from the secret ${MARKER} > /var/tmp/from-secret.txt" ]`, ''].join('\n'));
    await kubectlOut(['create', 'secret', 'generic', `${other}-user-data`, '-n', NAMESPACE, `--from-file=user-data=${file}`]);
    await berthOk(['create', other, '-n', NAMESPACE, '--image', IMAGE, '--accel', 'tcg', '--memory', '768Mi', '--ephemeral',
      '--user-data-from', `secret/${other}-user-data`, '--ssh-key', `${key}.pub`, '--wait', '--timeout', '10m'], { timeoutMs: 660_000 });
    try {
      const ssh2 = (command: string, options: GuestShellOptions = {}) => shell(other, command, options);
      const status = await ssh2('cloud-init status --wait', { timeoutMs: CLOUD_INIT_WAIT_MS });
      assert.match(status.stdout, /status: done/, status.stdout);
      const r = await ssh2('cat /var/tmp/from-secret.txt; hostname');
      assert.deepEqual(r.stdout.trim().split('\n'), [`runcmd from the secret ${MARKER}`, other]);
    } finally {
      await berth(['purge', other, '-n', NAMESPACE, '--delete-disks', '--yes'], { timeoutMs: 180_000 });
    }
  });
});
