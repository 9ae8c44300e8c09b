// Proves the harness every other integration and e2e test stands on: the local cluster from
// test/cluster/up.sh has a Ready node, runs pods and execs into them, grants VM pods their
// capabilities without `privileged`, routes pods to the API server through its Service, binds and
// recycles `berth-test` volumes, and serves the kubelet's device-plugin registration socket.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import {
  BUSYBOX_IMAGE,
  DEVICE_PLUGIN_SOCKET,
  NODE_NAME,
  STORAGE_CLASS,
  clusterKubeconfig,
  eventually,
  kubectl,
  kubectlJson,
  requireCluster,
  uniqueNamespace,
} from '../support/cluster.js';

interface Node {
  metadata: { labels: Record<string, string> };
  status: { conditions: { type: string; status: string }[]; nodeInfo: { kubeletVersion: string; containerRuntimeVersion: string } };
}
interface Volume {
  spec: { hostPath?: { path: string }; persistentVolumeReclaimPolicy: string };
  status: { phase: string };
}

function busyboxPod(name: string, script: string, extra: Record<string, unknown> = {}, container: Record<string, unknown> = {}) {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name },
    spec: {
      terminationGracePeriodSeconds: 0,
      containers: [{ name: 'main', image: BUSYBOX_IMAGE, imagePullPolicy: 'Never', command: ['sh', '-c', script], ...container }],
      ...extra,
    },
  };
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

  it(`has node ${NODE_NAME} Ready, labelled as itself, on kubelet v1.20.2 and containerd`, async () => {
    const node = await kubectlJson<Node>(['get', 'node', NODE_NAME]);
    assert.equal(node.status.conditions.find((c) => c.type === 'Ready')?.status, 'True');
    assert.equal(node.metadata.labels['kubernetes.io/hostname'], NODE_NAME);
    assert.equal(node.metadata.labels['kubernetes.io/os'], 'linux');
    assert.equal(node.status.nodeInfo.kubeletVersion, 'v1.20.2');
    assert.match(node.status.nodeInfo.containerRuntimeVersion, /^containerd:\/\//);
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

  it('lets pods reach the API server through the kubernetes Service (kube-proxy)', async () => {
    const out = await kubectl([
      '-n', ns.name, 'exec', 'exec', '--', 'sh', '-c',
      'wget -q -O- --no-check-certificate "https://$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT/version"',
    ]);
    assert.equal((JSON.parse(out.stdout) as { gitVersion: string }).gitVersion, 'v1.20.2');
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
    const scripts = resolve(dirname(fileURLToPath(import.meta.url)), '../../../test/cluster');
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
      const sock = join(dirname(clusterKubeconfig()), 'containerd', 'containerd.sock');
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
