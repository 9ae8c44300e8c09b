// The launcher tells the guest's own power-off from one it asked for, and how it scales.
import assert from 'node:assert/strict';
import { guestShutdownMark, isGuestsOwnPowerOff, mayRetry, scaleToZeroPatch, statefulSetPath } from '../../../../agent/launcher/guest-shutdown.js';
import { GUEST_SHUTDOWN_GENERATION } from '../../../../shared/contract.js';
import { KubeApiError } from '../../../../agent/common/kube-rest.js';

const guestShutdown = { guest: true, reason: 'guest-shutdown' };

describe('launcher: a guest\'s own shutdown', () => {
  it('is the guest\'s own when QEMU exits cleanly after a guest-caused SHUTDOWN nobody asked for', () => {
    assert.equal(isGuestsOwnPowerOff({ asked: false, event: guestShutdown }, 0), true);
  });

  it('is not when the launcher asked (SIGTERM → ACPI powerdown also ends in a guest-caused SHUTDOWN)', () => {
    assert.equal(isGuestsOwnPowerOff({ asked: true, event: guestShutdown }, 0), false);
  });

  it('is not a crash, a signal, a QMP quit or a reset', () => {
    assert.equal(isGuestsOwnPowerOff({ asked: false }, 1), false);
    assert.equal(isGuestsOwnPowerOff({ asked: false }, 0), false);
    assert.equal(isGuestsOwnPowerOff({ asked: false, event: guestShutdown }, 137), false);
    assert.equal(isGuestsOwnPowerOff({ asked: false, event: { guest: false, reason: 'host-qmp-quit' } }, 0), false);
    assert.equal(isGuestsOwnPowerOff({ asked: false, event: { guest: false, reason: 'host-signal' } }, 0), false);
  });

  it('reads its StatefulSet, scales it to 0 only at the resourceVersion read, and marks the generation that gives', () => {
    assert.equal(statefulSetPath('team-a', 'web-1'), '/apis/apps/v1/namespaces/team-a/statefulsets/web-1');
    assert.equal(statefulSetPath('team-a', 'web-1', 'scale'), '/apis/apps/v1/namespaces/team-a/statefulsets/web-1/scale');
    assert.deepEqual(scaleToZeroPatch('4711'), { metadata: { resourceVersion: '4711' }, spec: { replicas: 0 } });
    assert.deepEqual(guestShutdownMark(3), { metadata: { annotations: { [GUEST_SHUTDOWN_GENERATION]: '3' } } });
  });

  it('tries again on no answer, 409 (changed meanwhile), 429 and 5xx; not on 403 or 404', () => {
    assert.equal(mayRetry(new KubeApiError(409, 'the object has been modified')), true);
    assert.equal(mayRetry(new Error('socket hang up')), true);
    assert.equal(mayRetry(new KubeApiError(503, 'unavailable')), true);
    assert.equal(mayRetry(new KubeApiError(429, 'slow down')), true);
    assert.equal(mayRetry(new KubeApiError(403, 'forbidden')), false);
    assert.equal(mayRetry(new KubeApiError(404, 'gone')), false);
  });
});
