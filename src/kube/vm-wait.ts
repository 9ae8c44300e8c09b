// --wait: follows a VM's pod until it is Ready (the guest answers its readiness port), printing
// each change of state to stderr. Polls one GET every two seconds; simple and robust over a watch
// that the API server may cut at any time.
import type { V1Pod } from '@kubernetes/client-node';
import { BerthError } from '../errors.js';
import { vmPodName } from '../core/names.js';
import { deriveVmState, type VmState } from '../core/vm-status.js';
import type { Connection } from './connect.js';
import { readOptional, readVm, type KubeApis } from './vm-objects.js';

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
}

function describe(state: VmState, pod: V1Pod | undefined): string {
  const scheduled = pod?.status?.conditions?.find((c) => c.type === 'PodScheduled');
  const detail = state.status === 'Pending' && scheduled?.message ? ` — ${scheduled.message}` : '';
  const node = pod?.spec?.nodeName ? ` on ${pod.spec.nodeName}` : '';
  return `${state.status}${state.reason ? ` (${state.reason})` : ''}${node}${detail}`;
}

export async function waitForVm(conn: Connection, apis: KubeApis, options: WaitOptions): Promise<VmState> {
  const { name, namespace } = options;
  const started = Date.now();
  let last = '';
  for (;;) {
    const sts = await readVm(conn, apis, name, namespace);
    if (!sts) throw new BerthError('VM_NOT_FOUND', `VM '${name}' disappeared while waiting for it`, { hint: 'someone purged it; list VMs with: kubectl berth ls' });
    const pod = await readOptional(conn, `read the pod of VM '${name}'`, () => apis.core.readNamespacedPod({ name: vmPodName(name), namespace }));
    const state = deriveVmState(sts, pod);
    const line = describe(state, pod);
    if (line !== last) {
      options.progress(`  ${Math.round((Date.now() - started) / 1000)}s  ${name}: ${line}`);
      last = line;
    }
    if (options.until === 'ready' && state.status === 'Running') return state;
    if (options.until === 'stopped' && state.status === 'Stopped') return state;
    if (options.until === 'ready' && HOPELESS.has(state.reason)) {
      throw new BerthError('LAUNCHER', `VM '${name}' cannot start: ${state.reason}`, {
        hint: `see the details with: kubectl describe pod ${vmPodName(name)} -n ${namespace}`,
      });
    }
    if (Date.now() - started >= options.timeoutMs) {
      throw new BerthError('TIMEOUT', `VM '${name}' is still ${state.status}${state.reason ? ` (${state.reason})` : ''} after ${Math.round(options.timeoutMs / 1000)}s`, {
        hint: [`keep waiting with: kubectl berth ${options.until === 'ready' ? 'start' : 'stop'} ${name} --wait --timeout 10m`, `see why with: kubectl describe pod ${vmPodName(name)} -n ${namespace}`],
      });
    }
    await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 2000));
  }
}
