import assert from 'node:assert/strict';
import { pickSandbox, type CriSandbox } from '../../../../../agent/node/podnet/runtime.js';

const sandbox = (uid: string, state: string, created: string, namespace = 'team-a', name = 'web-0'): CriSandbox => ({
  id: `sb-${uid}`,
  metadata: { name, namespace, uid, attempt: 0 },
  state,
  created_at: created,
  annotations: { 'berth.dev/vm-ip': `ip-of-${uid}` },
});

describe("a VM pod's sandbox, from the container runtime", () => {
  it('takes the ready sandbox of that pod, with its UID and annotations', () => {
    const found = pickSandbox([sandbox('u1', 'SANDBOX_READY', '1733400000000000000')], 'team-a', 'web-0');
    assert.deepEqual(found, { uid: 'u1', annotations: { 'berth.dev/vm-ip': 'ip-of-u1' } });
  });

  it("skips a stopped sandbox that a re-created StatefulSet pod of the same name left behind, and takes the newest ready one", () => {
    const items = [
      sandbox('old', 'SANDBOX_NOTREADY', '1733400000000000000'),
      sandbox('older-ready', 'SANDBOX_READY', '1733400000000000001'),
      sandbox('new', 'SANDBOX_READY', '1733400009000000000'),
    ];
    assert.equal(pickSandbox(items, 'team-a', 'web-0')?.uid, 'new');
  });

  it('never takes a pod of the same name in another namespace, and says nothing when there is none', () => {
    assert.equal(pickSandbox([sandbox('u2', 'SANDBOX_READY', '1', 'team-b')], 'team-a', 'web-0'), undefined);
    assert.equal(pickSandbox([sandbox('u3', 'SANDBOX_NOTREADY', '1')], 'team-a', 'web-0'), undefined);
    assert.equal(pickSandbox([], 'team-a', 'web-0'), undefined);
  });
});
