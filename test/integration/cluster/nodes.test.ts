// Proves the multi-node harness the placement and failover tests stand on (test/cluster/nodes.sh):
// three nodes Ready on the cluster's release, each its own container with its own kubelet, pods on
// one node reaching pods on the others by pod IP with their own address as the source, Services
// (the cluster DNS) from every node, and a volume of either class (berth-shared made for the claim
// by local-path-provisioner, berth-test from the pool) written on one node and read on another, as
// with NFS or Ceph.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import {
  NODE_NAME,
  SHARED_STORAGE_CLASS,
  STORAGE_CLASS,
  busyboxPod,
  clusterKubeconfig,
  extraNodeNames,
  kubectl,
  kubectlJson,
  requireCluster,
  uniqueNamespace,
  withExtraNodes,
} from '../../support/cluster.js';

interface Node {
  metadata: { name: string };
  status: {
    conditions: { type: string; status: string }[];
    nodeInfo: { kubeletVersion: string; bootID: string; systemUUID: string };
    addresses: { type: string; address: string }[];
  };
}
interface Pod {
  spec: { nodeName: string };
  status: { podIP: string };
}

const [nodeB, nodeC] = extraNodeNames(3);

/** A busybox pod that the scheduler must place on `node` (a nodeSelector, not nodeName). */
function podOn(node: string, name: string, script: string, extra: Record<string, unknown> = {}, container: Record<string, unknown> = {}) {
  return busyboxPod(name, script, { nodeSelector: { 'kubernetes.io/hostname': node }, ...extra }, container);
}

// httpd answers with the address it saw the request come from (CGI's REMOTE_ADDR).
const WHO_SERVER = `mkdir -p /www/cgi-bin
echo '#!/bin/sh' > /www/cgi-bin/who
echo 'echo "Content-Type: text/plain"; echo; echo "$(hostname) $REMOTE_ADDR"' >> /www/cgi-bin/who
chmod +x /www/cgi-bin/who
exec httpd -f -p 8080 -h /www`;

describe('three nodes (integration)', function () {
  this.timeout(120_000);
  before(async function () {
    await requireCluster(this);
  });
  withExtraNodes(3);
  const ns = uniqueNamespace('nodes');

  async function startPod(manifest: ReturnType<typeof podOn>): Promise<Pod> {
    await kubectl(['-n', ns.name, 'apply', '-f', '-'], { input: JSON.stringify(manifest) });
    await kubectl(['-n', ns.name, 'wait', '--for=condition=Ready', `pod/${manifest.metadata.name}`, '--timeout=90s'], { timeoutMs: 100_000 });
    return kubectlJson<Pod>(['-n', ns.name, 'get', 'pod', manifest.metadata.name]);
  }

  it(`has ${NODE_NAME}, ${nodeB} and ${nodeC} Ready on the same release, each a machine of its own`, async () => {
    const release = readFileSync(join(dirname(clusterKubeconfig()), 'k8s-version'), 'utf8').trim();
    const nodes = await Promise.all([NODE_NAME, nodeB, nodeC].map((n) => kubectlJson<Node>(['get', 'node', n])));
    for (const node of nodes) {
      assert.equal(node.status.conditions.find((c) => c.type === 'Ready')?.status, 'True', `${node.metadata.name} Ready`);
      assert.equal(node.status.nodeInfo.kubeletVersion, release);
    }
    const addresses = nodes.map((n) => n.status.addresses.find((a) => a.type === 'InternalIP')?.address);
    assert.equal(new Set(addresses).size, 3, `three node addresses: ${addresses.join(', ')}`);
  });

  it(`lets a pod on ${nodeB} reach pods on ${NODE_NAME} and ${nodeC} by pod IP, keeping its own address`, async () => {
    const [onA, onC] = await Promise.all([startPod(podOn(NODE_NAME, 'server-a', WHO_SERVER)), startPod(podOn(nodeC, 'server-c', WHO_SERVER))]);
    const client = await startPod(podOn(nodeB, 'client-b', 'sleep 3600'));
    assert.equal(client.spec.nodeName, nodeB);
    for (const [server, name] of [[onA, 'server-a'], [onC, 'server-c']] as const) {
      // (busybox 1.35's wget crashes with -T; kubectl's own timeout bounds it.)
      const out = await kubectl(['-n', ns.name, 'exec', 'client-b', '--', 'wget', '-qO-', `http://${server.status.podIP}:8080/cgi-bin/who`]);
      // httpd listens on IPv6 too and so reports an IPv4 peer as [::ffff:A.B.C.D].
      const seen = out.stdout.trim().replace(/\[::ffff:([\d.]+)\]$/, '$1');
      assert.equal(seen, `${name} ${client.status.podIP}`, `${name} on ${server.spec.nodeName} saw the client's pod IP`);
    }
    // And back: a pod on the machine's node reaches the pod on node B.
    const back = await kubectl(['-n', ns.name, 'exec', 'server-a', '--', 'ping', '-c', '1', '-W', '5', client.status.podIP]);
    assert.match(back.stdout, /1 packets received/);
  });

  it(`resolves Service names from ${nodeC} (its kube-proxy, the cluster DNS on ${NODE_NAME})`, async () => {
    await startPod(podOn(nodeC, 'dns-c', 'sleep 3600'));
    const out = await kubectl(['-n', ns.name, 'exec', 'dns-c', '--', 'nslookup', 'kubernetes.default.svc.cluster.local']);
    assert.match(out.stdout, /Address:\s*10\.0\.0\.1\b/);
  });

  for (const [storageClass, what] of [
    [SHARED_STORAGE_CLASS, 'made for the claim by local-path-provisioner'],
    [STORAGE_CLASS, 'from the pre-made pool'],
  ] as const) {
    it(`reads on ${nodeC} a ${storageClass} volume (${what}) written on ${nodeB}: storage every node mounts`, async () => {
      const claimName = `data-${storageClass}`;
      const claim = {
        apiVersion: 'v1',
        kind: 'PersistentVolumeClaim',
        metadata: { name: claimName },
        spec: { storageClassName: storageClass, accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
      };
      await kubectl(['-n', ns.name, 'apply', '-f', '-'], { input: JSON.stringify(claim) });
      const volume = { volumes: [{ name: 'data', persistentVolumeClaim: { claimName } }] };
      const mount = { volumeMounts: [{ name: 'data', mountPath: '/data' }] };
      await startPod(podOn(nodeB, 'writer-b', 'hostname > /data/proof && sync && sleep 3600', volume, mount));
      await kubectl(['-n', ns.name, 'delete', 'pod', 'writer-b', '--wait=true', '--timeout=60s'], { timeoutMs: 70_000 });
      await startPod(podOn(nodeC, 'reader-c', 'sleep 3600', volume, mount));
      const out = await kubectl(['-n', ns.name, 'exec', 'reader-c', '--', 'cat', '/data/proof']);
      assert.equal(out.stdout.trim(), 'writer-b');
      await kubectl(['-n', ns.name, 'delete', 'pod', 'reader-c', '--wait=true', '--timeout=60s'], { timeoutMs: 70_000 });
      await kubectl(['-n', ns.name, 'delete', 'pvc', claimName, '--wait=true'], { timeoutMs: 60_000 });
    });
  }
});
