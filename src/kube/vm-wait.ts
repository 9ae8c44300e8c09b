// --wait of create, start, stop and restart: follows a VM's pod until it is Ready (the guest
// answers its readiness port) or gone, printing each change of state to stderr. The loop is
// wait-until.ts's: two GETs a second, woken at once by a watch on the pod.
import type { V1Pod } from '@kubernetes/client-node';
import { BerthError } from '../../shared/errors.js';
import { vmPodName } from '../core/names.js';
import { deriveVmState, launcherFailure, type VmState } from '../core/vm-status.js';
import type { Connection } from './connect.js';
import { readOptional, readVm, type KubeApis } from './vm-objects.js';
import { waitUntil, watchWake } from './wait-until.js';

/** How often --wait looks again when no watch event comes first. */
const WAIT_POLL_MS = 1000;

/** Reasons that will not clear without a change by the user or the admin: stop waiting. */
const HOPELESS = new Set(['ErrImageNeverPull', 'InvalidImageName', 'CreateContainerConfigError']);

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

function describe(state: VmState, pod: V1Pod | undefined): string {
  const scheduled = pod?.status?.conditions?.find((c) => c.type === 'PodScheduled');
  const detail = state.status === 'Pending' && scheduled?.message ? ` — ${scheduled.message}` : '';
  const node = pod?.spec?.nodeName ? ` on ${pod.spec.nodeName}` : '';
  return `${state.status}${state.reason ? ` (${state.reason})` : ''}${node}${detail}`;
}

async function observe(conn: Connection, apis: KubeApis, name: string, namespace: string) {
  const sts = await readVm(conn, apis, name, namespace);
  if (!sts) throw new BerthError('VM_NOT_FOUND', `VM '${name}' disappeared while waiting for it`, { hint: 'someone purged it; list VMs with: kubectl berth ls' });
  const pod = await readOptional(conn, `read the pod of VM '${name}'`, () => apis.core.readNamespacedPod({ name: vmPodName(name), namespace }));
  return { sts, pod };
}

export async function waitForVm(conn: Connection, apis: KubeApis, options: WaitOptions): Promise<VmState> {
  const { name, namespace } = options;
  type Seen = { state: VmState; pod: V1Pod | undefined };
  return waitUntil<Seen, VmState>({
    async observe() {
      const observed = await observe(conn, apis, name, namespace);
      const replaced = observed.pod !== undefined && observed.pod.metadata?.uid === options.afterUid;
      const pod = replaced ? undefined : observed.pod;
      return { pod, state: replaced ? { status: 'Stopping', reason: 'PoweringDown' } : deriveVmState(observed.sts, pod) };
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
      if (options.until === 'ready' && HOPELESS.has(state.reason)) {
        throw new BerthError('LAUNCHER', `VM '${name}' cannot start: ${state.reason}`, {
          hint: `see the details with: kubectl describe pod ${vmPodName(name)} -n ${namespace}`,
        });
      }
      return undefined;
    },
    timedOut: ({ state }) =>
      new BerthError('TIMEOUT', `VM '${name}' is still ${state.status}${state.reason ? ` (${state.reason})` : ''} after ${Math.round(options.timeoutMs / 1000)}s`, {
        hint: [`keep waiting with: kubectl berth ${options.until === 'ready' ? 'start' : 'stop'} ${name} --wait --timeout 10m`, `see why with: kubectl describe pod ${vmPodName(name)} -n ${namespace}`],
      }),
    // A control plane restarting for a minute is no reason to give up a long wait.
    transient: (error) => (error instanceof BerthError && error.code === 'CLUSTER_UNREACHABLE' ? 'the cluster does not answer; still trying' : undefined),
    timeoutMs: options.timeoutMs,
    pollMs: options.pollMs ?? WAIT_POLL_MS,
    progress: (line, elapsedMs) => options.progress(`  ${Math.round(elapsedMs / 1000)}s  ${line}`),
    watch: (wake) => watchWake(conn, `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods`, { fieldSelector: `metadata.name=${vmPodName(name)}` }, wake),
  });
}
