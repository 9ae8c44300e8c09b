// A VM in a namespace that enforces Pod Security "restricted", on the local cluster, through the
// plugin: the VM pod is admitted as it is, and the guest still owns the pod's IP (Berth's network
// model, built by the node agent from outside the pod): TCP on a guest port, UDP and ICMP sent to
// the pod IP by another pod reach the guest; TCP 5900 stays the display's; the guest's own
// connections leave with the pod IP. The other pod is itself a "restricted" pod.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { berthImage, VM_USER } from '../../shared/contract.js';
import { BUSYBOX_IMAGE, kubectlOut, requireCluster, LOCAL_INSTALL_FLAGS } from '../support/cluster.js';
import { eventually } from '../support/eventually.js';
import { ImageServer } from '../support/image-server.js';
import { berthEnv, berthOk } from '../support/plugin.js';
import { catalogTestGuest, guestShell } from './test-guest.js';

const NAMESPACE = 't-e2e-restricted';
const VM = 'locked';
const IMAGE = 'e2e-restricted-guest';
const PEER = 'peer';

describe('a VM under Pod Security "restricted" keeps the pod IP (Berth network built by the agent)', function () {
  this.timeout(600_000);
  const server = new ImageServer('0.0.0.0');
  const keyDir = mkdtempSync(join(tmpdir(), 't-e2e-restricted-'));
  const key = join(keyDir, 'id_ed25519');
  let podIp = '';
  let peerIp = '';

  const ssh = (command: string) => guestShell(NAMESPACE, key)(VM, command);
  /**
   * Runs a shell command in the peer pod (kubectl exec: the test's own view, not the plugin's):
   * busybox's tools, or bash (whose /dev/udp sends UDP, which busybox cannot).
   */
  const inPeer = async (script: string, container: 'tools' | 'bash' = 'tools', timeoutMs = 60_000) => {
    const shell = container === 'bash' ? 'bash' : 'sh';
    const r = await execa('kubectl', ['exec', '-n', NAMESPACE, PEER, '-c', container, '--', shell, '-c', script], { env: berthEnv(), reject: false, timeout: timeoutMs });
    return { exitCode: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) };
  };

  before(async function () {
    this.timeout(600_000);
    await requireCluster();
    await execa('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', key]);
    await kubectlOut(['delete', 'namespace', NAMESPACE, '--ignore-not-found', '--wait=true'], { timeoutMs: 180_000 });
    await kubectlOut(['create', 'namespace', NAMESPACE]);
    for (const mode of ['enforce', 'warn', 'audit']) {
      await kubectlOut(['label', 'namespace', NAMESPACE, `pod-security.kubernetes.io/${mode}=restricted`, `pod-security.kubernetes.io/${mode}-version=latest`]);
    }
    await berthOk(['install', ...LOCAL_INSTALL_FLAGS, '--timeout', '4m'], { timeoutMs: 300_000 });
    await catalogTestGuest(server, IMAGE);
    // the peer: a pod that "restricted" admits
    await execa('kubectl', ['apply', '-n', NAMESPACE, '-f', '-'], {
      env: berthEnv(),
      input: JSON.stringify({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: PEER },
        spec: {
          terminationGracePeriodSeconds: 0,
          securityContext: {
            runAsUser: 1000,
            runAsGroup: 1000,
            runAsNonRoot: true,
            seccompProfile: { type: 'RuntimeDefault' },
          },
          containers: [
            { name: 'tools', image: BUSYBOX_IMAGE, command: ['sleep', '3600'] },
            { name: 'bash', image: berthImage(), command: ['sleep', '3600'] },
          ].map((c) => ({ ...c, imagePullPolicy: 'Never', securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } } })),
        },
      }),
    });
    await berthOk(['create', VM, '-n', NAMESPACE, '--image', IMAGE, '--accel', 'tcg', '--ssh-key', `${key}.pub`, '--vnc-password-file', '-', '--wait', '--timeout', '5m'], { timeoutMs: 360_000, input: 'berth123\n' });
    await kubectlOut(['wait', '-n', NAMESPACE, '--for=condition=Ready', `pod/${PEER}`, '--timeout=60s'], { timeoutMs: 70_000 });
    podIp = (await kubectlOut(['get', 'pod', '-n', NAMESPACE, `${VM}-0`, '-o', 'jsonpath={.status.podIP}'])).trim();
    peerIp = (await kubectlOut(['get', 'pod', '-n', NAMESPACE, PEER, '-o', 'jsonpath={.status.podIP}'])).trim();
    assert.ok(podIp && peerIp, 'both pods have an IP');
  });

  after(async function () {
    this.timeout(300_000);
    await berthOk(['purge', VM, '-n', NAMESPACE, '--yes', '--delete-disks'], { timeoutMs: 240_000 }).catch(() => undefined);
    await kubectlOut(['delete', 'namespace', NAMESPACE, '--ignore-not-found', '--wait=false']).catch(() => undefined);
    await berthOk(['images', 'rm', IMAGE, '--ignore-not-found']).catch(() => undefined);
    await server.stop();
    rmSync(keyDir, { recursive: true, force: true });
  });

  it('the VM pod is what "restricted" admits: non-root, no capabilities, no privilege escalation, RuntimeDefault seccomp, no hostPath', async () => {
    const pod = JSON.parse(await kubectlOut(['get', 'pod', '-n', NAMESPACE, `${VM}-0`, '-o', 'json']));
    assert.equal(pod.spec.securityContext.runAsUser, VM_USER.uid);
    assert.equal(pod.spec.securityContext.runAsNonRoot, true);
    assert.equal(pod.spec.securityContext.seccompProfile.type, 'RuntimeDefault');
    const [vm] = pod.spec.containers;
    assert.deepEqual(vm.securityContext.capabilities, { drop: ['ALL'] });
    assert.equal(vm.securityContext.allowPrivilegeEscalation, false);
    assert.equal(pod.spec.volumes.some((v: { hostPath?: unknown }) => v.hostPath), false);
    // and QEMU really runs as that uid, with no capability in any set
    const status = (await execa('kubectl', ['exec', '-n', NAMESPACE, `${VM}-0`, '--', 'sh', '-c', 'grep -E "^(Uid|CapPrm|CapEff|CapAmb):" /proc/$(pgrep -o qemu-system)/status'], { env: berthEnv() })).stdout;
    assert.match(status, new RegExp(`^Uid:\\s+${VM_USER.uid}\\s`, 'm'), status);
    for (const set of ['CapPrm', 'CapEff', 'CapAmb']) assert.match(status, new RegExp(`^${set}:\\s+0+$`, 'm'), status);
  });

  it('TCP to another guest port on the pod IP reaches the guest', async () => {
    await ssh("sh -c 'rm -f /tmp/tcp; setsid nc -l -p 7777 > /tmp/tcp 2>/dev/null < /dev/null & sleep 1'");
    const sent = await inPeer(`echo tcp-from-peer | nc -w 5 ${podIp} 7777`);
    assert.equal(sent.exitCode, 0, sent.stderr);
    await eventually('the TCP payload in the guest', 120_000, async () => ((await ssh('cat /tmp/tcp')).stdout.includes('tcp-from-peer') ? true : undefined), { intervalMs: 1000 });
  });

  it('UDP to the pod IP reaches the guest', async () => {
    // setsid: the listener must outlive the ssh session that starts it
    await ssh("sh -c 'rm -f /tmp/udp; setsid socat -u UDP-RECV:7778 OPEN:/tmp/udp,creat,append > /dev/null 2>&1 < /dev/null & sleep 1'");
    // a few datagrams, a second apart: UDP has no handshake to wait for the listener
    const sent = await inPeer(`for i in 1 2 3 4 5; do echo udp-from-peer > /dev/udp/${podIp}/7778; sleep 1; done`, 'bash');
    assert.equal(sent.exitCode, 0, sent.stderr);
    await eventually('the UDP datagram in the guest', 120_000, async () => ((await ssh('cat /tmp/udp')).stdout.includes('udp-from-peer') ? true : undefined), { intervalMs: 1000 });
  });

  it('ICMP echo to the pod IP is answered by the guest (one hop further: TTL 63, not the pod kernel 64)', async () => {
    // from the node (the test runs there as root): busybox's ping needs a raw socket, which a
    // restricted pod cannot have; the node reaches the pod on the CNI bridge without a router hop
    const ping = await execa('ping', ['-c', '2', '-W', '5', podIp], { reject: false });
    assert.equal(ping.exitCode, 0, String(ping.stdout) + String(ping.stderr));
    assert.match(String(ping.stdout), /ttl=63/, `the reply should come from the guest, one router (the pod) away:\n${ping.stdout}`);
  });

  it('TCP 5900 on the pod IP is the display (QEMU in the pod), not the guest', async () => {
    const banner = await inPeer(`nc -w 5 ${podIp} 5900 </dev/null | head -c 12`);
    assert.match(banner.stdout, /^RFB \d{3}\.\d{3}/, banner.stderr);
  });

  it("the guest's own connections leave with the pod IP", async () => {
    await inPeer('nc -l -p 9000 > /dev/null 2>&1 < /dev/null & sleep 1');
    // every descriptor redirected, so that ssh returns while the connection stays open
    await ssh(`sh -c '(sleep 20 | nc ${peerIp} 9000) > /dev/null 2>&1 < /dev/null & sleep 2'`);
    const seen = await inPeer('netstat -tn | grep ":9000 "');
    // the peer saw the connection come from the pod IP (whatever state it is in by now)
    assert.match(seen.stdout, new RegExp(`\\s(::ffff:)?${podIp.replaceAll('.', '\\.')}:\\d+\\s`), seen.stdout);
  });
});
