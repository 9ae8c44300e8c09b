// --wait of create, start, stop and restart: follows a VM's pod until it is Ready (the guest
// answers its readiness port) or gone, printing each change of state to stderr. The loop is
// wait-until.ts's: two GETs a second (three while the pod is missing: the StatefulSet's events say
// whether the cluster refuses it; three while the launcher runs before the guest answers: its log
// tail says whether it is fetching the base image), woken at once by a watch on the pod and on
// those events.
import type { CoreV1Event, V1Pod } from '@kubernetes/client-node';
import { BerthError } from '../../shared/errors.js';
import { createFailure, mayFailCreate, refusalHint, statefulSetEventSelector } from '../core/create-failure.js';
import { vmPodName } from '../core/names.js';
import { deriveVmState, HOPELESS_WAITING_REASONS, LAUNCHER_LOG_TAIL_LINES, launcherFailure, mayFetchBase, type VmState } from '../core/vm-status.js';
import { VM_CONTAINER } from '../../shared/contract.js';
import type { Connection } from './connect.js';
import { readOptional, readVm, type KubeApis } from './vm-objects.js';
import { waitUntil, watchAll, watchWake } from './wait-until.js';

/** How often --wait looks again when no watch event comes first. */
const WAIT_POLL_MS = 1000;


export interface WaitOptions {
  name: string;
  namespace: string;
  timeoutMs: number;
  /** What counts as done: the guest answered (Ready), or the pod is gone (after stop). */
  until: 'ready' | 'stopped';
  progress(message: string): void;
  pollMs?: number;
  /** A pod with this uid is the old one, on its way out: treat it as no pod yet. */
  afterUid?: string;
}

/** `web: Failed (FailedCreate) — exceeded quota: …`: the reason, and the cluster's words for it. */
function describe(state: VmState, pod: V1Pod | undefined): string {
  const scheduled = pod?.status?.conditions?.find((c) => c.type === 'PodScheduled');
  const why = state.message ?? (state.status === 'Pending' ? scheduled?.message : undefined);
  const detail = why ? ` — ${why}` : '';
  const node = pod?.spec?.nodeName ? ` on ${pod.spec.nodeName}` : '';
  return `${state.status}${state.reason ? ` (${state.reason})` : ''}${node}${detail}`;
}

async function observe(conn: Connection, apis: KubeApis, name: string, namespace: string) {
  const sts = await readVm(conn, apis, name, namespace);
  if (!sts) throw new BerthError('VM_NOT_FOUND', `VM '${name}' disappeared while waiting for it`, { hint: 'someone purged it; list VMs with: kubectl berth ls' });
  const pod = await readOptional(conn, `read the pod of VM '${name}'`, () => apis.core.readNamespacedPod({ name: vmPodName(name), namespace }));
  return {
    sts,
    pod,
    events: mayFailCreate(sts, pod) ? await stsEvents(apis, name, namespace) : [],
    logTail: mayFetchBase(pod) ? await launcherLogTail(apis, name, namespace) : undefined,
  };
}

/**
 * The VM container's log tail, where the launcher says how far it is in fetching a base image.
 * Best effort, like the events: a user who may not read pods/log sees GuestBooting instead.
 */
async function launcherLogTail(apis: KubeApis, name: string, namespace: string): Promise<string | undefined> {
  try {
    return await apis.core.readNamespacedPodLog({ name: vmPodName(name), namespace, container: VM_CONTAINER, tailLines: LAUNCHER_LOG_TAIL_LINES });
  } catch {
    return undefined;
  }
}

/** The StatefulSet's events. Best effort, as in ls: without them a refused pod only looks missing. */
async function stsEvents(apis: KubeApis, name: string, namespace: string): Promise<CoreV1Event[]> {
  try {
    return (await apis.core.listNamespacedEvent({ namespace, fieldSelector: statefulSetEventSelector(name) })).items;
  } catch {
    return [];
  }
}

export async function waitForVm(conn: Connection, apis: KubeApis, options: WaitOptions): Promise<VmState> {
  const { name, namespace } = options;
  type Seen = { state: VmState; pod: V1Pod | undefined };
  return waitUntil<Seen, VmState>({
    async observe() {
      const observed = await observe(conn, apis, name, namespace);
      const replaced = observed.pod !== undefined && observed.pod.metadata?.uid === options.afterUid;
      const pod = replaced ? undefined : observed.pod;
      if (replaced) return { pod, state: { status: 'Stopping', reason: 'PoweringDown' } };
      // The events were read only for a missing pod; deriveVmState looks at the refusal only then.
      return { pod, state: deriveVmState(observed.sts, pod, createFailure(observed.sts, observed.events), observed.logTail) };
    },
    describe: ({ state, pod }) => `${name}: ${describe(state, pod)}`,
    done({ state, pod }) {
      if (options.until === 'ready' && state.status === 'Running') return state;
      if (options.until === 'stopped' && state.status === 'Stopped') return state;
      // Two failed starts in a row are not a hiccup: say what the launcher said, and stop waiting.
      const failure = options.until === 'ready' ? launcherFailure(pod) : undefined;
      if (failure && failure.restarts >= 2) {
        throw new BerthError('LAUNCHER', `VM '${name}' cannot start: ${failure.error ?? `its launcher exited with code ${failure.exitCode}`}`, {
          hint: [...(failure.hint ? [failure.hint] : []), `read its log with: kubectl logs ${vmPodName(name)} -n ${namespace} --previous`],
        });
      }
      if (options.until === 'ready' && state.reason === 'FailedCreate') {
        // The controller retries with back-off until someone changes something: no use waiting.
        throw new BerthError('POD_REFUSED', `VM '${name}' cannot start: the cluster refuses its pod: ${state.message}`, {
          hint: [
            refusalHint(namespace),
            `see the StatefulSet's events: kubectl describe statefulset ${name} -n ${namespace}`,
            `once the cause is fixed the StatefulSet retries by itself (with back-off); to retry at once: kubectl berth stop ${name} && kubectl berth start ${name} --wait`,
          ],
        });
      }
      if (options.until === 'ready' && state.status === 'Paused') {
        // The launcher resumes a guest paused on a full volume by itself once there is room; a
        // wait cannot make room, so it says how.
        throw new BerthError('VM_PAUSED', `VM '${name}' is paused: ${state.message ?? state.reason}`, {
          hint: [
            state.reason === 'DiskFull' ? `grow its disk claim (the command is above), or free space on the volume: the guest resumes by itself once there is room` : `see the launcher's log: kubectl logs ${vmPodName(name)} -n ${namespace} -c ${VM_CONTAINER}`,
            `then: kubectl berth start ${name} --wait`,
          ],
        });
      }
      if (options.until === 'ready' && HOPELESS_WAITING_REASONS.has(state.reason)) {
        throw new BerthError('LAUNCHER', `VM '${name}' cannot start: ${state.reason}${state.message ? `: ${state.message}` : ''}`, {
          hint: `see the details with: kubectl describe pod ${vmPodName(name)} -n ${namespace}`,
        });
      }
      return undefined;
    },
    timedOut: ({ state, pod }) =>
      new BerthError('TIMEOUT', `VM '${name}' is still ${describe(state, pod)} after ${Math.round(options.timeoutMs / 1000)}s`, {
        hint: [
          `keep waiting with: kubectl berth ${options.until === 'ready' ? 'start' : 'stop'} ${name} --wait --timeout 10m`,
          // Without a pod there is nothing to describe but the StatefulSet, whose events say why.
          `see why with: kubectl describe ${pod ? `pod ${vmPodName(name)}` : `statefulset ${name}`} -n ${namespace}`,
        ],
      }),
    // A control plane restarting for a minute is no reason to give up a long wait.
    transient: (error) => (error instanceof BerthError && error.code === 'CLUSTER_UNREACHABLE' ? 'the cluster does not answer; still trying' : undefined),
    timeoutMs: options.timeoutMs,
    pollMs: options.pollMs ?? WAIT_POLL_MS,
    progress: (line, elapsedMs) => options.progress(`  ${Math.round(elapsedMs / 1000)}s  ${line}`),
    watch: (wake) =>
      watchAll(
        watchWake(conn, `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods`, { fieldSelector: `metadata.name=${vmPodName(name)}` }, wake),
        watchWake(conn, `/api/v1/namespaces/${encodeURIComponent(namespace)}/events`, { fieldSelector: statefulSetEventSelector(name) }, wake),
      ),
  });
}
