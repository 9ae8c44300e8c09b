import assert from 'node:assert/strict';
import { buildNodePatch } from '../../../../../agent/node/status/node-status.js';
import { parseImageCacheAnnotation } from '../../../../../shared/image-cache.js';
import type { ImageCacheStatus } from '../../../../../shared/contract.js';

const ready: ImageCacheStatus = { state: 'ready', sha256: 'a'.repeat(64), bytesDone: 10, bytesTotal: 10, updated: '2026-01-01T00:00:00.000Z' };
const failed: ImageCacheStatus = { state: 'failed', sha256: 'b'.repeat(64), bytesDone: 0, error: 'HTTP 404', updated: '2026-01-01T00:00:00.000Z' };

describe('buildNodePatch', () => {
  it('sets the KVM labels, the reason and the agent version', () => {
    const patch = buildNodePatch({ agentVersion: '0.1.0', currentLabels: {}, verdict: { kvm: false, node: true, accel: 'tcg', reason: 'kvm-pvm' } });
    assert.deepEqual(patch.metadata.labels, { 'berth.dev/kvm': 'false', 'berth.dev/node': 'true' });
    assert.deepEqual(patch.metadata.annotations, { 'berth.dev/agent-version': '0.1.0', 'berth.dev/kvm-reason': 'kvm-pvm' });
  });
  it('labels ready images, deletes labels of images no longer ready, leaves other labels alone', () => {
    const patch = buildNodePatch({
      agentVersion: '0.1.0',
      images: new Map([['cirros', ready], ['gone-bad', failed]]),
      currentLabels: { 'image.berth.dev/gone-bad': 'ready', 'image.berth.dev/removed': 'ready', 'kubernetes.io/hostname': 'n' },
    });
    assert.deepEqual(patch.metadata.labels, { 'image.berth.dev/cirros': 'ready', 'image.berth.dev/gone-bad': null, 'image.berth.dev/removed': null });
    assert.deepEqual(parseImageCacheAnnotation(patch.metadata.annotations['berth.dev/image-cache']!), { cirros: ready, 'gone-bad': failed });
  });
  it('leaves image labels alone until the cache has reported', () => {
    const patch = buildNodePatch({ agentVersion: '0.1.0', currentLabels: { 'image.berth.dev/x': 'ready' } });
    assert.deepEqual(patch.metadata.labels, {});
    assert.equal(patch.metadata.annotations['berth.dev/image-cache'], undefined);
  });
});
