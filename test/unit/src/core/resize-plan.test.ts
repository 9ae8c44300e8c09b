// resize's pure core: what fits in place, what needs a restart and why, and the patch bodies for
// the pod's resize subresource and the StatefulSet, applied to objects create builds.
import assert from 'node:assert/strict';
import type { V1Pod, V1StatefulSet } from '@kubernetes/client-node';
import { applyJsonPatch } from '../../../support/json-patch.js';
import { parseVmFlags, type VmFlagValues } from '../../../../src/core/vm-flags.js';
import { assembleVmSpec } from '../../../../src/core/vm-spec.js';
import { buildVmStatefulSet } from '../../../../src/core/vm-statefulset.js';
import { resolveImage } from '../../../../src/core/vm-image.js';
import { kubeletResizeState, launcherResizeOutcome, needsRestartError, planResize, podGuestSize, podResizePatch, statefulSetResizePatch } from '../../../../src/core/resize-plan.js';
import { Annotations, LauncherEnv, Paths } from '../../../../shared/contract.js';
import { GiB, MiB } from '../../../../shared/quantity.js';

const SHA = 'b'.repeat(64);
const catalog = { 'debian-12': JSON.stringify({ url: 'https://img.example/debian-12.qcow2', sha256: SHA }) };

function sts(flags: VmFlagValues = {}): V1StatefulSet {
  const request = parseVmFlags('web', { image: 'debian-12', ...flags });
  return buildVmStatefulSet(assembleVmSpec(request, {
    namespace: 'team-a',
    image: resolveImage(request.image, catalog),
    sshKeys: [{ source: 'test', text: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOne one@host' }],
    launcherImage: 'localhost/kubectl-berth:test',
  }));
}

/** The pod the StatefulSet controller makes from the template, running. */
function runningPod(set: V1StatefulSet): V1Pod {
  return {
    metadata: { name: 'web-0', uid: 'u1', generation: 1 },
    spec: structuredClone(set.spec!.template.spec!),
    status: { phase: 'Running', observedGeneration: 1, containerStatuses: [{ name: 'vm', image: '', imageID: '', ready: true, restartCount: 0, state: { running: {} }, resources: structuredClone(set.spec!.template.spec!.containers[0].resources) }] },
  };
}

function facts(set: V1StatefulSet, pod: V1Pod | undefined, replicas = 1) {
  return { name: 'web', accel: 'tcg' as const, template: { cpus: Number(set.metadata!.annotations![Annotations.vmCpus]), memoryBytes: 1 * GiB }, replicas, pod };
}

describe('resize plan', () => {
  const set = sts({ accel: 'tcg', cpus: '1', memory: '1Gi' });
  const pod = runningPod(set);

  it('reads back the guest size from the pod create made (the launcher inverts the same formula)', () => {
    assert.deepEqual(podGuestSize(pod, 'tcg'), { cpus: 1, memoryBytes: 1 * GiB });
  });

  it('grows in place within the room QEMU was started with (4× the boot size)', () => {
    assert.deepEqual(planResize(facts(set, pod), { cpus: 4, memoryBytes: 4 * GiB }), { kind: 'in-place', from: { cpus: 1, memoryBytes: GiB }, target: { cpus: 4, memoryBytes: 4 * GiB } });
    assert.equal(planResize(facts(set, pod), { memoryBytes: GiB }).kind, 'unchanged');
  });

  it('needs a restart to shrink, to go beyond the room, or for memory not in 128Mi steps, and says why', () => {
    const shrink = planResize(facts(set, pod), { memoryBytes: 512 * MiB });
    assert.equal(shrink.kind, 'restart');
    assert.match(shrink.kind === 'restart' ? shrink.reasons.join() : '', /less memory .* needs a restart/);
    const beyond = planResize(facts(set, pod), { cpus: 5 });
    assert.match(beyond.kind === 'restart' ? beyond.reasons.join() : '', /5 vCPUs exceed the 4/);
    const odd = planResize(facts(set, pod), { memoryBytes: GiB + 100 * MiB });
    assert.match(odd.kind === 'restart' ? odd.reasons.join() : '', /multiples of 128 MiB/);
    const error = needsRestartError('web', shrink as Extract<typeof shrink, { kind: 'restart' }>);
    assert.equal(error.exitCode, 4);
    assert.match(error.suggestions.join(), /kubectl berth resize web --cpus 1 --memory 512Mi --restart/);
  });

  it('needs a restart for a stopped VM (the hint says start boots with it) and for a pod from before resize', () => {
    const stopped = planResize(facts(set, undefined, 0), { cpus: 2 });
    assert.ok(stopped.kind === 'restart' && stopped.stopped);
    assert.match(needsRestartError('web', stopped as Extract<typeof stopped, { kind: 'restart' }>).suggestions.join(), /kubectl berth start web/);
    const old = structuredClone(pod);
    old.spec!.containers[0].env = old.spec!.containers[0].env!.filter((e) => e.name !== LauncherEnv.maxCpus);
    const plan = planResize(facts(set, old), { cpus: 2 });
    assert.match(plan.kind === 'restart' ? plan.reasons.join() : '', /without resize/);
  });

  it('patches only the vm container\'s CPU request and memory through the resize subresource', () => {
    const patch = podResizePatch(pod, { cpus: 2, memoryBytes: 2 * GiB }, 'tcg');
    assert.deepEqual(patch, [
      { op: 'replace', path: '/spec/containers/0/resources/requests/cpu', value: '200m' },
      { op: 'replace', path: '/spec/containers/0/resources/requests/memory', value: '2304Mi' },
      { op: 'replace', path: '/spec/containers/0/resources/limits/memory', value: '2304Mi' },
    ]);
    const patched = applyJsonPatch(pod, patch);
    assert.equal(patched.spec!.containers[0].resources!.requests!['devices.berth.dev/tun'], '1', 'the device requests stay');
  });

  it('makes the StatefulSet boot with the new size, OnDelete, and equals what create makes for that size', () => {
    const patched = applyJsonPatch(structuredClone(set), statefulSetResizePatch(set, { cpus: 2, memoryBytes: 2 * GiB }, 'tcg'));
    const fresh = sts({ accel: 'tcg', cpus: '2', memory: '2Gi' });
    assert.equal(patched.spec!.updateStrategy!.type, 'OnDelete');
    assert.deepEqual(patched.spec!.template, fresh.spec!.template);
    assert.deepEqual(patched.metadata!.annotations, fresh.metadata!.annotations);
  });

  it('gives a template from before resize its resize policy and size files', () => {
    const old = structuredClone(set);
    const c = old.spec!.template.spec!.containers[0];
    delete c.resizePolicy;
    c.volumeMounts = c.volumeMounts!.filter((m) => m.mountPath !== Paths.podSize);
    old.spec!.template.spec!.volumes = old.spec!.template.spec!.volumes!.filter((v) => v.name !== 'pod-size');
    c.env = c.env!.filter((e) => e.name !== LauncherEnv.maxCpus && e.name !== LauncherEnv.maxMemoryMiB);
    delete old.spec!.updateStrategy;
    const patched = applyJsonPatch(old, statefulSetResizePatch(old, { cpus: 1, memoryBytes: GiB }, 'tcg'));
    const env = (s: V1StatefulSet) => Object.fromEntries(s.spec!.template.spec!.containers[0].env!.map((e) => [e.name, e.value]));
    assert.deepEqual(env(patched), env(set));
    assert.deepEqual(patched.spec!.template.spec!.volumes, set.spec!.template.spec!.volumes);
    assert.deepEqual(patched.spec!.template.spec!.containers[0].resizePolicy, set.spec!.template.spec!.containers[0].resizePolicy);
  });

  it('follows the kubelet: deferred, infeasible, in progress, applied', () => {
    const resized = applyJsonPatch(structuredClone(pod), podResizePatch(pod, { cpus: 2, memoryBytes: 2 * GiB }, 'tcg'));
    assert.equal(kubeletResizeState(resized).state, 'in-progress', 'the status still shows the old resources');
    const pending = (reason: string) => ({ ...resized, status: { ...resized.status, conditions: [{ type: 'PodResizePending', status: 'True', reason, message: 'Node didn\'t have enough capacity' }] } });
    assert.deepEqual(kubeletResizeState(pending('Infeasible')), { state: 'infeasible', message: 'Node didn\'t have enough capacity' });
    assert.equal(kubeletResizeState(pending('Deferred')).state, 'pending');
    resized.status!.containerStatuses![0].resources = structuredClone(resized.spec!.containers[0].resources);
    assert.equal(kubeletResizeState(resized).state, 'applied');
  });

  it('finds the launcher\'s line for its own size in the log', () => {
    const log = [
      'berth-launcher: resize: resized to 2 vCPUs, 1024 MiB',
      'guest console noise',
      'berth-launcher: resize: error: 4 vCPUs, 2048 MiB: QEMU did not add a vCPU: no slot',
    ].join('\n');
    assert.deepEqual(launcherResizeOutcome(log, { cpus: 2, memoryBytes: GiB }), { done: true });
    assert.deepEqual(launcherResizeOutcome(log, { cpus: 4, memoryBytes: 2 * GiB }), { done: false, error: 'QEMU did not add a vCPU: no slot' });
    assert.equal(launcherResizeOutcome(log, { cpus: 3, memoryBytes: GiB }), undefined);
  });
});
