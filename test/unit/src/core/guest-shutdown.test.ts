// --firmware, --secure-boot and --on-guest-shutdown from the flags to the objects, and how `ls`
// tells a guest's own stop from a user's.
import assert from 'node:assert/strict';
import type { V1ServiceAccount, V1StatefulSet } from '@kubernetes/client-node';
import { parseVmFlags, type VmFlagValues } from '../../../../src/core/vm-flags.js';
import { assembleVmSpec, type VmSpec } from '../../../../src/core/vm-spec.js';
import { buildVmStatefulSet } from '../../../../src/core/vm-statefulset.js';
import { resolveImage } from '../../../../src/core/vm-image.js';
import { guestShutdownObjects, needsGuestShutdownMarks, statefulSetOwner, stoppedByGuest } from '../../../../src/core/guest-shutdown.js';
import { summariseVms } from '../../../../src/core/vm-summary.js';
import { isBerthError } from '../../../../shared/errors.js';
import { Annotations, GUEST_SHUTDOWN_GENERATION, LauncherEnv, Paths } from '../../../../shared/contract.js';

const catalog = { 'debian-12': JSON.stringify({ url: 'https://img.example/debian-12.qcow2', sha256: 'b'.repeat(64) }) };

function spec(flags: VmFlagValues = {}): VmSpec {
  const request = parseVmFlags('web', { image: 'debian-12', ...flags });
  return assembleVmSpec(request, { namespace: 'team-a', image: resolveImage(request.image, catalog), sshKeys: [], launcherImage: 'x' });
}
const pod = (s: VmSpec) => buildVmStatefulSet(s).spec!.template.spec!;
const env = (s: VmSpec) => Object.fromEntries(pod(s).containers[0].env!.map((e) => [e.name, e.value]));

function usage(flags: VmFlagValues): string {
  try {
    parseVmFlags('web', { image: 'debian-12', ...flags });
  } catch (error) {
    assert.ok(isBerthError(error));
    return `${error.message} | ${error.suggestions.join(' | ')}`;
  }
  assert.fail('expected a usage error');
}

describe('--firmware and --secure-boot', () => {
  it('bios by default; uefi; uefi with Secure Boot', () => {
    assert.equal(spec().firmware, 'bios');
    assert.equal(spec({ firmware: 'UEFI' }).firmware, 'uefi');
    assert.equal(spec({ firmware: 'uefi', 'secure-boot': true }).firmware, 'uefi-secure-boot');
  });

  it('refuses other firmware, and Secure Boot without UEFI with the flag to add', () => {
    assert.match(usage({ firmware: 'coreboot' }), /--firmware: 'coreboot' is not supported; use bios or uefi/);
    assert.match(usage({ 'secure-boot': true }), /--secure-boot: Secure Boot is a UEFI feature.*\| add --firmware uefi/);
    assert.match(usage({ firmware: 'bios', 'secure-boot': true }), /add --firmware uefi/);
  });

  it('reaches the launcher (BERTH_FIRMWARE) and ls (annotation)', () => {
    const s = spec({ firmware: 'uefi', 'secure-boot': true });
    assert.equal(env(s)[LauncherEnv.firmware], 'uefi-secure-boot');
    assert.equal(buildVmStatefulSet(s).metadata!.annotations![Annotations.vmFirmware], 'uefi-secure-boot');
  });
});

describe('--on-guest-shutdown', () => {
  it('restart by default: no ServiceAccount, no token, no RBAC objects', () => {
    const s = spec();
    assert.equal(s.onGuestShutdown, 'restart');
    assert.equal(pod(s).serviceAccountName, undefined);
    assert.equal(pod(s).automountServiceAccountToken, false);
    assert.equal(pod(s).volumes!.some((v) => v.projected?.sources?.some((p) => p.serviceAccountToken)), false);
    assert.deepEqual(guestShutdownObjects(s), []);
  });

  it('refuses anything but restart and stop', () => {
    assert.match(usage({ 'on-guest-shutdown': 'pause' }), /--on-guest-shutdown: 'pause' is not supported; use restart or stop/);
  });

  it('stop: the VM\'s own ServiceAccount and a short-lived projected token, still no automounted one', () => {
    const s = spec({ 'on-guest-shutdown': 'stop' });
    const p = pod(s);
    assert.equal(p.serviceAccountName, 'web-guest-shutdown');
    assert.equal(p.automountServiceAccountToken, false);
    const volume = p.volumes!.find((v) => v.projected?.sources?.some((src) => src.serviceAccountToken))!;
    assert.deepEqual(volume.projected!.sources, [
      { serviceAccountToken: { path: 'token', expirationSeconds: 600 } },
      { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
    ]);
    assert.deepEqual(p.containers[0].volumeMounts!.find((m) => m.name === volume.name), { name: volume.name, mountPath: Paths.launcherApi, readOnly: true });
    assert.equal(env(s)[LauncherEnv.onGuestShutdown], 'stop');
    assert.equal(buildVmStatefulSet(s).metadata!.annotations![Annotations.vmOnGuestShutdown], 'stop');
  });

  it('stop: a Role that may only patch this StatefulSet\'s scale, bound to that ServiceAccount, owned by the StatefulSet', () => {
    const owner = statefulSetOwner({ metadata: { name: 'web', uid: 'u-1' } });
    const objects = guestShutdownObjects(spec({ 'on-guest-shutdown': 'stop' }), owner);
    assert.equal(objects.length, 3);
    const [account, role, binding] = objects as Exclude<typeof objects, []>;
    assert.equal(account.automountServiceAccountToken, false);
    assert.deepEqual(role.rules, [
      { apiGroups: ['apps'], resources: ['statefulsets'], resourceNames: ['web'], verbs: ['get'] },
      { apiGroups: ['apps'], resources: ['statefulsets/scale'], resourceNames: ['web'], verbs: ['patch'] },
      { apiGroups: [''], resources: ['serviceaccounts'], resourceNames: ['web-guest-shutdown'], verbs: ['patch'] },
    ]);
    assert.deepEqual(binding.roleRef, { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'web-guest-shutdown' });
    assert.deepEqual(binding.subjects, [{ kind: 'ServiceAccount', name: 'web-guest-shutdown', namespace: 'team-a' }]);
    for (const o of objects) {
      assert.equal(o.metadata!.namespace, 'team-a');
      assert.deepEqual(o.metadata!.ownerReferences, [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', uid: 'u-1', blockOwnerDeletion: false }]);
    }
  });
});

describe('who stopped a VM (the launcher\'s generation mark)', () => {
  const sts = (replicas: number, generation: number, onGuestShutdown = 'stop'): V1StatefulSet => ({
    metadata: { name: 'web', namespace: 'team-a', generation, labels: {}, annotations: { [Annotations.vmOnGuestShutdown]: onGuestShutdown } },
    spec: { replicas, selector: {}, serviceName: 'web', template: {} },
  });
  const account = (mark?: string): V1ServiceAccount => ({
    metadata: { name: 'web-guest-shutdown', namespace: 'team-a', labels: { 'berth.dev/vm': 'web' }, annotations: mark === undefined ? {} : { [GUEST_SHUTDOWN_GENERATION]: mark } },
  });

  it('the mark equals the generation: the guest; ls says GuestShutdown', () => {
    assert.equal(stoppedByGuest(sts(0, 2), account('2')), true);
    const [row] = summariseVms([sts(0, 2)], [], [], new Map(), [account('2')]);
    assert.equal(row.status, 'Stopped');
    assert.equal(row.reason, 'GuestShutdown');
    assert.match(row.message, /the guest powered itself off/);
    assert.equal(row.onGuestShutdown, 'stop');
  });

  it('any later change of replicas (start, stop, kubectl scale) moved the generation on: not the guest, no reason made up', () => {
    assert.equal(stoppedByGuest(sts(0, 4), account('2')), false);
    const [row] = summariseVms([sts(0, 4)], [], [], new Map(), [account('2')]);
    assert.deepEqual([row.status, row.reason, row.message], ['Stopped', '', '']);
  });

  it('no mark, no account (a reader who may not list them), or a running VM: not the guest', () => {
    assert.equal(stoppedByGuest(sts(0, 2), account()), false);
    assert.equal(stoppedByGuest(sts(0, 2), undefined), false);
    assert.equal(stoppedByGuest(sts(1, 2), account('2')), false);
  });

  it('the ServiceAccounts are read only when a VM made with stop is stopped', () => {
    assert.equal(needsGuestShutdownMarks([sts(1, 1)]), false);
    assert.equal(needsGuestShutdownMarks([sts(0, 2, 'restart')]), false);
    assert.equal(needsGuestShutdownMarks([sts(1, 1), sts(0, 2)]), true);
  });
});
