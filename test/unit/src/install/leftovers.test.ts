import assert from 'node:assert/strict';
import type { V1Node, V1PersistentVolumeClaim, V1StatefulSet } from '@kubernetes/client-node';
import { inventory, leftoverLines, nodeCleanupPatch, refusalReason } from '../../../../src/install/leftovers.js';
import { Annotations, Labels } from '../../../../shared/contract.js';

const sts = (namespace: string, name: string, replicas: number): V1StatefulSet => ({ metadata: { namespace, name, labels: { [Labels.vm]: name } }, spec: { replicas } as never });
const pvc = (namespace: string, name: string, vm: string): V1PersistentVolumeClaim => ({ metadata: { namespace, name, labels: { [Labels.vm]: vm } } });
const node = (name: string, labels: Record<string, string>, annotations: Record<string, string> = {}): V1Node => ({ metadata: { name, labels, annotations } });

describe('uninstall leftovers', () => {
  it('lets uninstall proceed when no VM exists', () => {
    assert.equal(refusalReason(inventory([], [], [])), undefined);
    assert.deepEqual(leftoverLines(inventory([], [], [])), ['nothing of berth is left on the cluster']);
  });

  it('refuses while VMs exist, counting the running ones', () => {
    const inv = inventory([sts('a', 'web', 1), sts('b', 'db', 0)], [], []);
    assert.equal(refusalReason(inv), '2 VM(s) still exist (1 running): a/web, b/db');
  });

  it('says which VMs, disks and cached images it left, and how to remove them', () => {
    const inv = inventory(
      [sts('a', 'web', 1)],
      [pvc('a', 'disk-web-0', 'web')],
      [node('n1', { [`${Labels.nodeImagePrefix}tiny`]: 'ready', 'kubernetes.io/os': 'linux' }), node('n2', {})],
    );
    const text = leftoverLines(inv).join('\n');
    assert.match(text, /left 1 VM\(s\) in place: a\/web \(running\)/);
    assert.match(text, /kept 1 VM disk\(s\) \(PVCs\): a\/disk-web-0/);
    assert.match(text, /kept cached base images on node n1 in \/var\/lib\/berth\/images: tiny/);
    assert.doesNotMatch(text, /n2/);
  });

  it('removes only berth labels and annotations from a node', () => {
    const n = node('n1', { [Labels.nodeReady]: 'true', [`${Labels.nodeImagePrefix}tiny`]: 'ready', 'kubernetes.io/os': 'linux' }, { [Annotations.nodeImageCache]: '{}', other: 'x' });
    assert.deepEqual(nodeCleanupPatch(n), {
      metadata: {
        labels: { [Labels.nodeReady]: null, [`${Labels.nodeImagePrefix}tiny`]: null },
        annotations: { [Annotations.nodeImageCache]: null },
      },
    });
    assert.equal(nodeCleanupPatch(node('n2', { 'kubernetes.io/os': 'linux' })), undefined);
  });
});
