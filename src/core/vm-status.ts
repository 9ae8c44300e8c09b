// A VM's status in one word, derived from its StatefulSet and its pod, the way `ls` shows it.
import type { V1Pod, V1StatefulSet } from '@kubernetes/client-node';
import { LauncherLog } from '../../shared/contract.js';

export type VmStatus = 'Pending' | 'Starting' | 'Running' | 'Paused' | 'Stopping' | 'Stopped' | 'Failed' | 'Unknown';

export interface VmState {
  status: VmStatus;
  /** Why it is not Running, in kubectl's words (Unschedulable, ErrImagePull, FailedCreate, …); empty when Running. */
  reason: string;
  /** The cluster's explanation of a Failed reason, when it gives one (a container's waiting message, the refusal of its pod). */
  message?: string;
}

/**
 * Container waiting reasons that will not clear by themselves: `ls` shows the VM as Failed, and
 * `install` reports an agent pod stuck on one. The one list of them in the plugin.
 */
export const STUCK_WAITING_REASONS: ReadonlySet<string> = new Set([
  'CrashLoopBackOff',
  'ErrImagePull',
  'ImagePullBackOff',
  'ErrImageNeverPull',
  'InvalidImageName',
  'CreateContainerConfigError',
  'CreateContainerError',
  'RunContainerError',
]);

/**
 * Of those, the ones no retry of the kubelet can end (the image cannot be named or pulled at all, the
 * container's config refers to something missing): `--wait` stops at once on them instead of
 * waiting out its timeout. A back-off (ImagePullBackOff, CrashLoopBackOff) may still clear.
 */
export const HOPELESS_WAITING_REASONS: ReadonlySet<string> = new Set(['ErrImageNeverPull', 'InvalidImageName', 'CreateContainerConfigError']);

function waiting(pod: V1Pod): { reason: string; message?: string } | undefined {
  for (const cs of pod.status?.containerStatuses ?? []) {
    const reason = cs.state?.waiting?.reason;
    if (reason) return { reason, message: cs.state?.waiting?.message || undefined };
  }
  return undefined;
}

function terminatedReason(pod: V1Pod): string | undefined {
  for (const cs of pod.status?.containerStatuses ?? []) {
    const t = cs.state?.terminated;
    if (t && t.exitCode !== 0) return t.reason ?? 'Error';
  }
  return undefined;
}

function condition(pod: V1Pod, type: string) {
  return pod.status?.conditions?.find((c) => c.type === type);
}

/** A VM made with --on-guest-shutdown stop whose guest powered itself off (guest-shutdown.ts stoppedByGuest). */
export const GUEST_STOPPED: VmState = { status: 'Stopped', reason: 'GuestShutdown', message: 'the guest powered itself off (--on-guest-shutdown stop); kubectl berth start boots it again' };

/**
 * Pure: the same inputs always give the same state. `pod` is the VM's pod, if one exists;
 * `createFailure` why the StatefulSet cannot create it (create-failure.ts), if it cannot. That is
 * Failed, not a state of its own: like ErrImagePull it stays until someone changes something, and
 * scripts that look for Failed VMs find it; the reason is the controller's event reason.
 * `launcherLogTail` is the VM container's log tail, read only when mayFetchBase(pod).
 */
export function deriveVmState(sts: V1StatefulSet, pod: V1Pod | undefined, createFailure?: string, launcherLogTail?: string): VmState {
  const wanted = sts.spec?.replicas ?? 1;
  if (!pod) {
    if (wanted === 0) return { status: 'Stopped', reason: '' };
    if (createFailure !== undefined) return { status: 'Failed', reason: 'FailedCreate', message: createFailure };
    return { status: 'Pending', reason: 'NoPod' };
  }
  if (wanted === 0 || pod.metadata?.deletionTimestamp) return { status: 'Stopping', reason: 'PoweringDown' };
  const phase = pod.status?.phase;
  const stuck = waiting(pod);
  const waitingReason = stuck?.reason;
  if (stuck && STUCK_WAITING_REASONS.has(stuck.reason)) return { status: 'Failed', reason: stuck.reason, ...(stuck.message ? { message: stuck.message } : {}) };
  const crashed = phase === 'Running' ? terminatedReason(pod) : undefined;
  if (crashed) return { status: 'Failed', reason: crashed };
  switch (phase) {
    case 'Pending': {
      const scheduled = condition(pod, 'PodScheduled');
      if (!pod.spec?.nodeName || scheduled?.status === 'False') {
        return { status: 'Pending', reason: scheduled?.reason ?? 'Scheduling' };
      }
      return { status: 'Starting', reason: waitingReason ?? 'ContainerCreating' };
    }
    case 'Running': {
      if (condition(pod, 'Ready')?.status === 'True') return { status: 'Running', reason: '' };
      if (waitingReason) return { status: 'Starting', reason: waitingReason };
      // The launcher runs before the guest boots; while it fetches the base, its log says how far.
      // A guest QEMU paused on a disk error stops answering its probe too; the launcher says why.
      const paused = launcherLogTail === undefined ? undefined : guestPause(launcherLogTail);
      if (paused) return paused;
      const fetching = launcherLogTail === undefined ? undefined : baseFetchProgress(launcherLogTail);
      return fetching ? { status: 'Starting', reason: 'FetchingBase', message: fetching } : { status: 'Starting', reason: 'GuestBooting' };
    }
    case 'Succeeded':
      return { status: 'Stopped', reason: 'Exited' };
    case 'Failed':
      return { status: 'Failed', reason: pod.status?.reason ?? 'PodFailed' };
    default:
      return { status: 'Unknown', reason: pod.status?.reason ?? 'NodeLost' };
  }
}

export interface LauncherFailure {
  restarts: number;
  exitCode: number;
  /** The launcher's last `error:` and `hint:` lines, from the termination message (log tail). */
  error?: string;
  hint?: string;
}

/** Why the VM container keeps exiting, read from its last termination; undefined while it has not failed. */
export function launcherFailure(pod: V1Pod | undefined): LauncherFailure | undefined {
  const cs = pod?.status?.containerStatuses?.[0];
  const terminated = cs?.state?.terminated ?? cs?.lastState?.terminated;
  if (!cs || !terminated || terminated.exitCode === 0) return undefined;
  const lines = (terminated.message ?? '').split(/\r?\n/);
  const last = (tag: string) => lines.map((l) => new RegExp(`\\b${tag}: (.*)$`).exec(l)?.[1]?.trim()).filter(Boolean).at(-1);
  return { restarts: cs.restartCount, exitCode: terminated.exitCode, error: last('error'), hint: last('hint') };
}

/** Lines of the VM container's log enough to hold the launcher's last line before QEMU starts. */
export const LAUNCHER_LOG_TAIL_LINES = 20;

/**
 * Whether a pod's launcher may be fetching its base image now: its container runs and the guest
 * has not answered yet. Only then is its log tail worth reading (deriveVmState's launcherLogTail).
 */
export function mayFetchBase(pod: V1Pod | undefined): boolean {
  if (!pod || pod.metadata?.deletionTimestamp || pod.status?.phase !== 'Running') return false;
  return condition(pod, 'Ready')?.status !== 'True' && waiting(pod) === undefined;
}

/**
 * The launcher's last word, when it is that QEMU paused the guest on a disk error (DiskFull: the
 * volume is full, and the launcher resumes the guest once it has room; IOError: anything else):
 * its reason and the hint that follows it. Undefined once the launcher has said anything since
 * (it resumed the guest). Pure.
 */
export function guestPause(logTail: string): VmState | undefined {
  const prefix = `${LauncherLog.prefix}: ${LauncherLog.diskStep}: `;
  const lines = logTail.split(/\r?\n/).filter((line) => line.startsWith(`${LauncherLog.prefix}: `));
  let last = lines.length - 1;
  const hint = lines[last]?.startsWith(`${prefix}hint: `) ? lines[last].slice(`${prefix}hint: `.length).trim() : undefined;
  if (hint !== undefined) last--;
  const pause = lines[last]?.startsWith(`${prefix}${LauncherLog.pausedMark}`) ? lines[last].slice(`${prefix}${LauncherLog.pausedMark}`.length).trim() : undefined;
  if (pause === undefined) return undefined;
  const reason = pause.startsWith(LauncherLog.diskFullMark) ? 'DiskFull' : 'IOError';
  return { status: 'Paused', reason, message: hint ? `${pause}; ${hint}` : pause };
}

/**
 * The launcher's progress line while it fetches the VM's base image (a pet disk whose base this
 * node lacks, or a URL image no node cached), read from the VM container's log tail: the last
 * launcher line, when its step is the base's. Undefined once the launcher has moved on. Pure.
 */
export function baseFetchProgress(logTail: string): string | undefined {
  const prefix = `${LauncherLog.prefix}: `;
  const last = logTail.split(/\r?\n/).filter((line) => line.startsWith(prefix)).at(-1);
  const stepPrefix = `${prefix}${LauncherLog.baseStep}: `;
  return last?.startsWith(stepPrefix) ? last.slice(stepPrefix.length).trim() : undefined;
}
