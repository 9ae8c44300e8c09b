// Proves the harness every other integration and e2e test stands on: the local cluster from
// test/cluster/up.sh runs the release it recorded, has a Ready node, runs pods and execs into them,
// enforces Pod Security and NodeRestriction as a kubeadm cluster does, runs RuntimeDefault seccomp,
// grants VM pods their capabilities without `privileged`, hands pods IPv4 forwarding, survives a
// test's `ip netns add`, routes pods to the API server through its Service, binds and recycles
// `berth-test` volumes, and serves the kubelet's device-plugin registration socket.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { execa } from 'execa';
import {
  DEVICE_PLUGIN_SOCKET,
  NODE_NAME,
  STORAGE_CLASS,
  busyboxPod,
  clusterKubeconfig,
  deleteFakeNode,
  kubectl,
  kubectlJson,
  requireCluster,
  uniqueNamespace,
} from '../support/cluster.js';
import { eventually } from '../support/eventually.js';
import { repo } from '../support/repo.js';
import { skipLoudly } from '../support/skip.js';
import { berthImage } from '../../shared/contract.js';

interface Node {
  metadata: { labels: Record<string, string> };
  status: { conditions: { type: string; status: string }[]; nodeInfo: { kubeletVersion: string; containerRuntimeVersion: string } };
}
interface Volume {
  spec: { hostPath?: { path: string }; persistentVolumeReclaimPolicy: string };
  status: { phase: string };
}

/** The release test/cluster/up.sh started, as it recorded it. */
function clusterRelease(): string {
  return readFileSync(join(dirname(clusterKubeconfig()), 'k8s-version'), 'utf8').trim();
}

/** SUPPORTED_K8S_MINORS of test/cluster/versions.sh, the harness's list. */
function supportedMinorsOfHarness(): string[] {
  const text = readFileSync(join(repo, 'test', 'cluster', 'versions.sh'), 'utf8');
  return /^SUPPORTED_K8S_MINORS=\(([^)]*)\)/m.exec(text)?.[1].trim().split(/\s+/) ?? [];
}

describe('local cluster (integration)', function () {
  this.timeout(90_000);
  before(async function () {
    await requireCluster(this);
  });
  const ns = uniqueNamespace('cluster');

  async function startPod(manifest: object): Promise<void> {
    await kubectl(['-n', ns.name, 'apply', '-f', '-'], { input: JSON.stringify(manifest) });
    const name = (manifest as { metadata: { name: string } }).metadata.name;
    await kubectl(['-n', ns.name, 'wait', '--for=condition=Ready', `pod/${name}`, '--timeout=60s'], { timeoutMs: 70_000 });
  }

  it(`has node ${NODE_NAME} Ready, labelled as itself, on the recorded release of a supported minor, and containerd 2`, async () => {
    const node = await kubectlJson<Node>(['get', 'node', NODE_NAME]);
    assert.equal(node.status.conditions.find((c) => c.type === 'Ready')?.status, 'True');
    assert.equal(node.metadata.labels['kubernetes.io/hostname'], NODE_NAME);
    assert.equal(node.metadata.labels['kubernetes.io/os'], 'linux');
    const release = clusterRelease();
    assert.equal(node.status.nodeInfo.kubeletVersion, release);
    const minor = /^v(\d+\.\d+)\./.exec(release)?.[1];
    assert.ok(minor && supportedMinorsOfHarness().includes(minor), `${release} is one of the supported minors ${supportedMinorsOfHarness().join(', ')}`);
    assert.match(node.status.nodeInfo.containerRuntimeVersion, /^containerd:\/\/v?2\./);
  });

  it('refuses, at the Pod Security level a namespace enforces, a pod that adds NET_ADMIN; runs a restricted pod with RuntimeDefault seccomp', async () => {
    await kubectl(['label', 'namespace', ns.name, 'pod-security.kubernetes.io/enforce=restricted', '--overwrite']);
    try {
      const refused = await kubectl(['-n', ns.name, 'apply', '-f', '-'], {
        input: JSON.stringify(busyboxPod('netadmin', 'sleep 3600', {}, { securityContext: { capabilities: { add: ['NET_ADMIN'] } } })),
        allowFailure: true,
      });
      assert.notEqual(refused.exitCode, 0, 'the pod was admitted');
      assert.match(refused.stderr, /violates PodSecurity "restricted:/);
      const restricted = {
        runAsNonRoot: true, runAsUser: 65534, allowPrivilegeEscalation: false,
        capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' },
      };
      await startPod(busyboxPod('restricted', 'sleep 3600', {}, { securityContext: restricted }));
      // Seccomp mode 2 (filter) is runc applying the runtime's default profile.
      const status = await kubectl(['-n', ns.name, 'exec', 'restricted', '--', 'grep', '^Seccomp:', '/proc/self/status']);
      assert.match(status.stdout, /Seccomp:\s+2/);
    } finally {
      await kubectl(['label', 'namespace', ns.name, 'pod-security.kubernetes.io/enforce-']);
    }
  });

  it('lets a node change only its own Node object (NodeRestriction)', async () => {
    const other = `t-cluster-other-${randomBytes(3).toString('hex')}`;
    await kubectl(['create', '-f', '-'], { input: JSON.stringify({ apiVersion: 'v1', kind: 'Node', metadata: { name: other } }) });
    try {
      const asNode = ['--kubeconfig', join(dirname(clusterKubeconfig()), 'kubelet.kubeconfig')];
      const own = await kubectl([...asNode, 'label', 'node', NODE_NAME, 't-cluster-probe=yes', '--overwrite']);
      assert.equal(own.exitCode, 0);
      const foreign = await kubectl([...asNode, 'label', 'node', other, 't-cluster-probe=yes'], { allowFailure: true });
      assert.notEqual(foreign.exitCode, 0, `node ${NODE_NAME} relabelled ${other}`);
      assert.match(foreign.stderr, /forbidden/i);
    } finally {
      await deleteFakeNode(other);
      await kubectl(['label', 'node', NODE_NAME, 't-cluster-probe-']);
    }
  });

  it('hands every pod IPv4 forwarding on (the host was set before the first pod)', async () => {
    await startPod(busyboxPod('forwarding', 'sleep 3600'));
    const out = await kubectl(['-n', ns.name, 'exec', 'forwarding', '--', 'cat', '/proc/sys/net/ipv4/ip_forward']);
    assert.equal(out.stdout.trim(), '1');
  });

  it("keeps pods deletable after a test's own `ip netns add` (a shared /run/netns)", async function () {
    if (process.getuid?.() !== 0) skipLoudly(this, 'needs root for ip netns');
    await startPod(busyboxPod('netns', 'sleep 3600'));
    const name = `t-cluster-${randomBytes(3).toString('hex')}`;
    await execa('ip', ['netns', 'add', name]);
    await execa('ip', ['netns', 'delete', name]);
    await kubectl(['-n', ns.name, 'delete', 'pod', 'netns', '--wait=true', '--timeout=60s'], { timeoutMs: 70_000 });
  });

  it('runs a busybox pod and kubectl exec reaches it', async () => {
    await startPod(busyboxPod('exec', 'sleep 3600'));
    const out = await kubectl(['-n', ns.name, 'exec', 'exec', '--', 'sh', '-c', 'echo "exec-ok $(hostname)"']);
    assert.equal(out.stdout.trim(), 'exec-ok exec');
  });

  it('grants NET_ADMIN and NET_RAW to an unprivileged pod', async () => {
    await startPod(
      busyboxPod('caps', 'sleep 3600', {}, { securityContext: { privileged: false, capabilities: { add: ['NET_ADMIN', 'NET_RAW'] } } }),
    );
    // Adding an address needs NET_ADMIN; a raw ICMP socket needs NET_RAW.
    const out = await kubectl(['-n', ns.name, 'exec', 'caps', '--', 'sh', '-c', 'ip addr add 192.0.2.99/32 dev lo && ip addr show lo && ping -c 1 -W 5 127.0.0.1']);
    assert.match(out.stdout, /192\.0\.2\.99\/32/);
    assert.match(out.stdout, /1 packets received/);
    const denied = await kubectl(['-n', ns.name, 'exec', 'exec', '--', 'ip', 'addr', 'add', '192.0.2.98/32', 'dev', 'lo'], { allowFailure: true });
    assert.notEqual(denied.exitCode, 0, 'a pod without NET_ADMIN cannot change its network');
  });

  it("lets pods reach the API server through the kubernetes Service (kube-proxy), trusting their ServiceAccount's CA", async () => {
    // Node's TLS, from the berth image: busybox's wget cannot agree on a cipher with current Go TLS.
    const script = `require('node:https').get({
      host: process.env.KUBERNETES_SERVICE_HOST, port: process.env.KUBERNETES_SERVICE_PORT, path: '/version',
      ca: require('node:fs').readFileSync('/var/run/secrets/kubernetes.io/serviceaccount/ca.crt'),
    }, (res) => res.pipe(process.stdout)).on('error', (e) => { console.error(e.message); process.exit(1); });`;
    await kubectl(['-n', ns.name, 'run', 'via-service', `--image=${berthImage()}`, '--image-pull-policy=Never', '--restart=Never', '--command', '--', 'node', '-e', script]);
    await kubectl(['-n', ns.name, 'wait', '--for=jsonpath={.status.phase}=Succeeded', 'pod/via-service', '--timeout=60s'], { timeoutMs: 70_000 });
    const out = await kubectl(['-n', ns.name, 'logs', 'via-service']);
    assert.equal((JSON.parse(out.stdout) as { gitVersion: string }).gitVersion, clusterRelease());
  });

  it(`binds a ${STORAGE_CLASS} claim to a hostPath volume a pod writes to, and recycles it after the claim goes`, async () => {
    const claim = {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: 'data' },
      spec: { storageClassName: STORAGE_CLASS, accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
    };
    await kubectl(['-n', ns.name, 'apply', '-f', '-'], { input: JSON.stringify(claim) });
    await startPod(
      busyboxPod('writer', 'echo written-by-pod > /data/proof && sleep 3600', { volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'data' } }] }, {
        volumeMounts: [{ name: 'data', mountPath: '/data' }],
      }),
    );
    const volumeName = (await kubectl(['-n', ns.name, 'get', 'pvc', 'data', '-o', 'jsonpath={.spec.volumeName}'])).stdout;
    assert.match(volumeName, /^berth-test-pv-\d+$/);
    const volume = await kubectlJson<Volume>(['get', 'pv', volumeName]);
    const proof = join(volume.spec.hostPath!.path, 'proof');
    assert.equal(readFileSync(proof, 'utf8'), 'written-by-pod\n', 'the file is on the node, in the volume directory');

    await kubectl(['-n', ns.name, 'delete', 'pod', 'writer', '--grace-period=0', '--force'], { allowFailure: true });
    await kubectl(['-n', ns.name, 'delete', 'pvc', 'data', '--wait=true'], { timeoutMs: 60_000 });
    await eventually(`${volumeName} back in the pool`, 60_000, async () => {
      return (await kubectlJson<Volume>(['get', 'pv', volumeName])).status.phase === 'Available';
    });
    assert.equal(existsSync(proof), false, 'the recycler scrubbed the volume');
  });

  it('runs an image imported from a rootfs directory, with the entrypoint given at import', async () => {
    const scripts = join(repo, 'test', 'cluster');
    const rootfs = mkdtempSync(join(tmpdir(), 't-cluster-rootfs-'));
    const image = `localhost/t-cluster-import:${randomBytes(3).toString('hex')}`;
    try {
      mkdirSync(join(rootfs, 'bin'));
      copyFileSync('/bin/busybox', join(rootfs, 'bin', 'busybox'));
      const entrypoint = JSON.stringify(['/bin/busybox', 'echo', 'from-the-entrypoint']);
      const imported = await execa('bash', [join(scripts, 'import-rootfs.sh'), rootfs, image, entrypoint]);
      assert.equal(imported.stdout.trim(), image, 'prints the imported name');
      const pod = busyboxPod('imported', '', { restartPolicy: 'Never' });
      const container = pod.spec.containers[0] as Record<string, unknown>;
      container.image = image;
      delete container.command;
      await kubectl(['-n', ns.name, 'apply', '-f', '-'], { input: JSON.stringify(pod) });
      await kubectl(['-n', ns.name, 'wait', '--for=jsonpath={.status.phase}=Succeeded', 'pod/imported', '--timeout=60s'], { timeoutMs: 70_000 });
      assert.equal((await kubectl(['-n', ns.name, 'logs', 'imported'])).stdout.trim(), 'from-the-entrypoint');
    } finally {
      rmSync(rootfs, { recursive: true, force: true });
      await kubectl(['-n', ns.name, 'delete', 'pod', 'imported', '--grace-period=0', '--force', '--ignore-not-found'], { allowFailure: true });
      const sock = '/run/containerd/containerd.sock';
      await execa('ctr', ['-a', sock, '-n', 'k8s.io', 'images', 'rm', image], { reject: false });
    }
  });

  it(`serves the device-plugin registration socket at ${DEVICE_PLUGIN_SOCKET}`, async () => {
    assert.ok(statSync(DEVICE_PLUGIN_SOCKET).isSocket(), `${DEVICE_PLUGIN_SOCKET} is a socket`);
    await new Promise<void>((resolve, reject) => {
      const socket = createConnection(DEVICE_PLUGIN_SOCKET, () => {
        socket.end();
        resolve();
      });
      socket.once('error', reject);
    });
  });
});
