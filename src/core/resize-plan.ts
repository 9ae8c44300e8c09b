// `resize`: what a new size means for a VM, decided from its StatefulSet and pod alone. Pure: the
// plan (in place, or only by a restart, and why), and the patch bodies for the pod's `resize`
// subresource and for the StatefulSet, so the next start boots with the new size.
import type { V1Container, V1Pod, V1StatefulSet } from '@kubernetes/client-node';
import { Annotations, LauncherEnv, LauncherLog, Paths, resizeLogSize, VM_CONTAINER, type Accel } from '../../shared/contract.js';
import { BerthError } from '../../shared/errors.js';
import { formatBinary, MiB, parseCpuMillis, parseSize } from '../../shared/quantity.js';
import { guestSizeFromPod, hotplugProblems, hotplugHeadroom, MEMORY_SLOTS, type GuestSize, type NodeRoom } from '../../shared/vm-size.js';
import { podSizeMount, podSizeVolume, vmResources, VM_RESIZE_POLICY } from './vm-statefulset.js';

export interface ResizeRequest {
  cpus?: number;
  memoryBytes?: number;
}

/** What the cluster says about the VM, read once. */
export interface ResizeFacts {
  name: string;
  accel: Accel;
  /** The size the StatefulSet's template boots with (its annotations). */
  template: GuestSize;
  replicas: number;
  pod?: V1Pod;
}

export type ResizePlan =
  | { kind: 'unchanged'; target: GuestSize }
  /** Hotplug into the running guest: patch the pod, then the template. */
  | { kind: 'in-place'; from: GuestSize; target: GuestSize }
  /** Only a new pod gets this size: the reasons the running one cannot take it. */
  | { kind: 'restart'; from: GuestSize; target: GuestSize; reasons: string[]; stopped: boolean };

function envNumber(container: V1Container | undefined, name: string): number | undefined {
  const value = container?.env?.find((e) => e.name === name)?.value;
  return value !== undefined && /^\d+$/.test(value) ? Number(value) : undefined;
}

function vmContainer(containers: V1Container[] | undefined): V1Container | undefined {
  return containers?.find((c) => c.name === VM_CONTAINER);
}

function quantityBytes(value: unknown): number | undefined {
  if (typeof value !== 'string' && typeof value !== 'number') return undefined;
  const parsed = parseSize(String(value));
  return parsed.ok ? parsed.bytes : undefined;
}

/** The guest size a pod's (desired) resources were made for; undefined when they are not berth's. */
export function podGuestSize(pod: V1Pod, accel: Accel): GuestSize | undefined {
  const resources = vmContainer(pod.spec?.containers)?.resources;
  const millis = parseCpuMillis(resources?.requests?.cpu);
  const memory = quantityBytes(resources?.limits?.memory);
  return millis === undefined || memory === undefined ? undefined : guestSizeFromPod(millis, memory, accel);
}

/** A pod whose guest is running (QEMU up), as opposed to pending, stopping or gone. */
function podRuns(pod: V1Pod | undefined): boolean {
  if (!pod || pod.metadata?.deletionTimestamp || pod.status?.phase !== 'Running') return false;
  return Boolean(pod.status?.containerStatuses?.find((c) => c.name === VM_CONTAINER)?.state?.running);
}

/** Decides how a resize can happen. Pure. */
export function planResize(facts: ResizeFacts, request: ResizeRequest): ResizePlan {
  const running = facts.replicas > 0 && podRuns(facts.pod) ? facts.pod : undefined;
  const from = (running && podGuestSize(running, facts.accel)) ?? facts.template;
  const target: GuestSize = { cpus: request.cpus ?? from.cpus, memoryBytes: request.memoryBytes ?? from.memoryBytes };
  const same = (a: GuestSize, b: GuestSize) => a.cpus === b.cpus && a.memoryBytes === b.memoryBytes;
  if (same(target, from) && same(target, facts.template)) return { kind: 'unchanged', target };
  if (!running) {
    const why = facts.replicas === 0 ? `VM '${facts.name}' is stopped` : `VM '${facts.name}' has no running guest now`;
    return { kind: 'restart', from, target, reasons: [why], stopped: facts.replicas === 0 };
  }
  const container = vmContainer(running.spec?.containers);
  const maxCpus = envNumber(container, LauncherEnv.maxCpus);
  const maxMemoryMiB = envNumber(container, LauncherEnv.maxMemoryMiB);
  const hasSizeFiles = Boolean(container?.volumeMounts?.some((m) => m.mountPath === Paths.podSize));
  if (maxCpus === undefined || maxMemoryMiB === undefined || !hasSizeFiles) {
    return { kind: 'restart', from, target, stopped: false, reasons: [`its pod was made by a kubectl berth without resize: QEMU runs without room to grow`] };
  }
  // The room the running QEMU has is what its pod told it, whatever a new start would get. The
  // plugin cannot see how many DIMM slots the launcher used; the launcher checks that itself.
  const room = { maxCpus, maxMemoryBytes: maxMemoryMiB * MiB, memorySlots: MEMORY_SLOTS };
  const problems = hotplugProblems(room, { ...from, memorySlotsUsed: 0 }, target);
  if (problems.length > 0) return { kind: 'restart', from, target, reasons: problems, stopped: false };
  return { kind: 'in-place', from, target };
}

/** The error for a plan that needs a restart when --restart was not given. */
export function needsRestartError(name: string, plan: Extract<ResizePlan, { kind: 'restart' }>): BerthError {
  const size = describeSize(plan.target);
  return new BerthError('CONFLICT', `VM '${name}' cannot be resized to ${size} without a restart: ${plan.reasons.join('; ')}`, {
    hint: plan.stopped
      ? `kubectl berth resize ${name} ${sizeFlags(plan.target)} --restart stores the new size; the VM boots with it at: kubectl berth start ${name}`
      : `apply it with a graceful restart (the guest powers down and boots with the new size): kubectl berth resize ${name} ${sizeFlags(plan.target)} --restart`,
  });
}

export function describeSize(size: GuestSize): string {
  return `${size.cpus} vCPU${size.cpus === 1 ? '' : 's'} and ${formatBinary(size.memoryBytes)}`;
}

function sizeFlags(size: GuestSize): string {
  return `--cpus ${size.cpus} --memory ${formatBinary(size.memoryBytes)}`;
}

export interface JsonPatchOp {
  op: 'add' | 'replace' | 'test';
  path: string;
  value?: unknown;
}

function containerIndex(containers: V1Container[] | undefined, what: string): number {
  const index = containers?.findIndex((c) => c.name === VM_CONTAINER) ?? -1;
  if (index < 0) throw new BerthError('INTERNAL', `${what} has no container '${VM_CONTAINER}'`);
  return index;
}

/**
 * The JSON patch for the pod's `resize` subresource: the vm container's CPU request and memory
 * request and limit, sized by the same formula as at create (the device requests stay). Pure.
 */
export function podResizePatch(pod: V1Pod, target: GuestSize, accel: Accel): JsonPatchOp[] {
  const i = containerIndex(pod.spec?.containers, 'the VM pod');
  const resources = vmResources({ ...target, accel });
  const base = `/spec/containers/${i}/resources`;
  return [
    { op: 'replace', path: `${base}/requests/cpu`, value: resources.requests.cpu },
    { op: 'replace', path: `${base}/requests/memory`, value: resources.requests.memory },
    { op: 'replace', path: `${base}/limits/memory`, value: resources.limits.memory },
  ];
}

const escape = (key: string) => key.replace(/~/g, '~0').replace(/\//g, '~1');

/**
 * The JSON patch that makes the StatefulSet's next pod boot at `target`: resources, the launcher's
 * size and headroom variables, the annotations `ls` shows; plus what a template from before resize
 * lacks (resizePolicy, the size files), and the OnDelete strategy, without which the controller
 * would replace the running pod for the new template instead of leaving it to the in-place resize.
 * The room to grow is the new size's, bounded by `nodeRoom` (the largest node that may run the VM). Pure.
 */
export function statefulSetResizePatch(sts: V1StatefulSet, target: GuestSize, accel: Accel, nodeRoom: NodeRoom = {}): JsonPatchOp[] {
  const spec = sts.spec?.template?.spec;
  const i = containerIndex(spec?.containers, `StatefulSet ${sts.metadata?.name}`);
  const container = spec!.containers[i];
  const base = `/spec/template/spec/containers/${i}`;
  const resources = vmResources({ ...target, accel });
  const room = hotplugHeadroom(target, nodeRoom);
  const ops: JsonPatchOp[] = [];
  if (sts.spec?.updateStrategy?.type !== 'OnDelete') ops.push({ op: 'add', path: '/spec/updateStrategy', value: { type: 'OnDelete' } });
  ops.push(
    { op: 'replace', path: `${base}/resources/requests/cpu`, value: resources.requests.cpu },
    { op: 'replace', path: `${base}/resources/requests/memory`, value: resources.requests.memory },
    { op: 'replace', path: `${base}/resources/limits/memory`, value: resources.limits.memory },
  );
  const env: Record<string, string> = {
    [LauncherEnv.cpus]: String(target.cpus),
    [LauncherEnv.memoryMiB]: String(Math.ceil(target.memoryBytes / MiB)),
    [LauncherEnv.maxCpus]: String(room.maxCpus),
    [LauncherEnv.maxMemoryMiB]: String(Math.floor(room.maxMemoryBytes / MiB)),
  };
  for (const [name, value] of Object.entries(env)) {
    const at = container.env?.findIndex((e) => e.name === name) ?? -1;
    ops.push(at >= 0 ? { op: 'replace', path: `${base}/env/${at}`, value: { name, value } } : { op: 'add', path: `${base}/env/-`, value: { name, value } });
  }
  if (!container.resizePolicy?.length) ops.push({ op: 'add', path: `${base}/resizePolicy`, value: [...VM_RESIZE_POLICY] });
  if (!container.volumeMounts?.some((m) => m.mountPath === Paths.podSize)) {
    ops.push({ op: 'add', path: `${base}/volumeMounts/-`, value: podSizeMount() }, { op: 'add', path: '/spec/template/spec/volumes/-', value: podSizeVolume() });
  }
  const annotations = { [Annotations.vmCpus]: String(target.cpus), [Annotations.vmMemory]: formatBinary(target.memoryBytes) };
  for (const [where, existing] of [['/metadata/annotations', sts.metadata?.annotations], ['/spec/template/metadata/annotations', sts.spec?.template?.metadata?.annotations]] as const) {
    if (!existing) {
      ops.push({ op: 'add', path: where, value: annotations });
      continue;
    }
    for (const [key, value] of Object.entries(annotations)) ops.push({ op: key in existing ? 'replace' : 'add', path: `${where}/${escape(key)}`, value });
  }
  return ops;
}

/** Where the kubelet is with a resize: applied, still going, or refused (and why). Pure. */
export type KubeletResize =
  | { state: 'applied' }
  | { state: 'pending'; reason: string; message?: string }
  | { state: 'in-progress'; message?: string }
  | { state: 'infeasible'; message?: string }
  | { state: 'error'; message?: string };

export function kubeletResizeState(pod: V1Pod): KubeletResize {
  const conditions = pod.status?.conditions ?? [];
  const pending = conditions.find((c) => c.type === 'PodResizePending' && c.status === 'True');
  if (pending?.reason === 'Infeasible') return { state: 'infeasible', message: pending.message };
  if (pending) return { state: 'pending', reason: pending.reason ?? 'Deferred', message: pending.message };
  const progress = conditions.find((c) => c.type === 'PodResizeInProgress' && c.status === 'True');
  if (progress?.reason === 'Error') return { state: 'error', message: progress.message };
  if (progress) return { state: 'in-progress', message: progress.message };
  // The kubelet reports what it applied in the container's status; until then the spec is ahead.
  const want = vmContainer(pod.spec?.containers)?.resources;
  const have = pod.status?.containerStatuses?.find((c) => c.name === VM_CONTAINER)?.resources;
  const equal = (a: unknown, b: unknown, parse: (v: unknown) => number | undefined) => parse(a) !== undefined && parse(a) === parse(b);
  const applied = have !== undefined
    && equal(want?.requests?.cpu, have.requests?.cpu, parseCpuMillis)
    && equal(want?.limits?.memory, have.limits?.memory, quantityBytes);
  if (!applied) return { state: 'in-progress' };
  if (pod.metadata?.generation !== undefined && pod.status?.observedGeneration !== undefined && pod.status.observedGeneration < pod.metadata.generation) return { state: 'in-progress' };
  return { state: 'applied' };
}

/** The launcher's last line for this size in a log tail: resized, or refused and why. Pure. */
export function launcherResizeOutcome(logTail: string, target: GuestSize): { done: true } | { done: false; error: string } | undefined {
  const label = resizeLogSize(target.cpus, target.memoryBytes / MiB);
  const prefix = `${LauncherLog.prefix}: ${LauncherLog.resizeStep}: `;
  let outcome: { done: true } | { done: false; error: string } | undefined;
  for (const line of logTail.split('\n')) {
    const at = line.indexOf(prefix);
    if (at < 0) continue;
    const text = line.slice(at + prefix.length).trim();
    if (text === `${LauncherLog.resizedMark}${label}`) outcome = { done: true };
    else if (text.startsWith(`${LauncherLog.resizeErrorMark}${label}: `)) outcome = { done: false, error: text.slice(`${LauncherLog.resizeErrorMark}${label}: `.length) };
  }
  return outcome;
}
