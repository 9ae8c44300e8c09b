// --wait: follows a VM's pod until it is Ready (the guest answers its readiness port), printing
// each change of state to stderr. It polls (two GETs a second), which stays right whatever happens
// to a watch; a watch on the pod only wakes the poll early, so a pod turning Ready is seen at once
// instead of up to a poll later, and a watch the API server cuts costs nothing but that.
import type { V1Pod } from '@kubernetes/client-node';
import { BerthError } from '../../shared/errors.js';
import { vmPodName } from '../core/names.js';
import { deriveVmState, launcherFailure, type VmState } from '../core/vm-status.js';
import type { Connection } from './connect.js';
import { readOptional, readVm, type KubeApis } from './vm-objects.js';

/** How often --wait looks again when no watch event comes first. */
const WAIT_POLL_MS = 1000;
/** How long one watch request may last before the server ends it (it is opened again). */
const WATCH_SECONDS = 60;

/** A sleep that a wake() ends early; wake() before sleep() makes the next sleep return at once. */
export class Waker {
  private pending = false;
  private wakeSleeper: (() => void) | undefined;

  wake(): void {
    if (this.wakeSleeper) this.wakeSleeper();
    else this.pending = true;
  }

  async sleep(ms: number): Promise<void> {
    if (this.pending) {
      this.pending = false;
      return;
    }
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      const self = this;
      function done() {
        clearTimeout(timer);
        self.wakeSleeper = undefined;
        resolve();
      }
      this.wakeSleeper = done;
    });
  }
}

/** Watches the VM's pod and wakes `waker` on every event, re-opening the watch until stopped. Best effort. */
function watchPod(conn: Connection, name: string, namespace: string, waker: Waker): { stop(): void } {
  let stopped = false;
  let current: AbortController | undefined;
  const open = async () => {
    if (stopped) return;
    try {
      const { Watch } = await import('@kubernetes/client-node');
      const onEnd = () => {
        current = undefined;
        // A watch cut at once (an error) must not turn into a busy loop: open it again a poll later.
        if (!stopped) setTimeout(() => void open(), WAIT_POLL_MS).unref();
      };
      const controller = await new Watch(conn.kubeConfig).watch(
        `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods`,
        { fieldSelector: `metadata.name=${vmPodName(name)}`, timeoutSeconds: WATCH_SECONDS },
        () => waker.wake(),
        onEnd,
      );
      if (stopped) controller.abort();
      else current = controller;
    } catch {
      // the poll carries on without it
    }
  };
  void open();
  return {
    stop() {
      stopped = true;
      current?.abort();
    },
  };
}

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
  const waker = new Waker();
  const watch = watchPod(conn, options.name, options.namespace, waker);
  try {
    return await pollVm(conn, apis, options, waker);
  } finally {
    watch.stop();
  }
}

async function pollVm(conn: Connection, apis: KubeApis, options: WaitOptions, waker: Waker): Promise<VmState> {
  const { name, namespace } = options;
  const started = Date.now();
  let last = '';
  for (;;) {
    let observed: Awaited<ReturnType<typeof observe>>;
    try {
      observed = await observe(conn, apis, name, namespace);
    } catch (error) {
      // A control plane restarting for a minute is no reason to give up a long wait.
      if (!(error instanceof BerthError && error.code === 'CLUSTER_UNREACHABLE') || Date.now() - started >= options.timeoutMs) throw error;
      if (last !== 'unreachable') options.progress(`  ${Math.round((Date.now() - started) / 1000)}s  the cluster does not answer; still trying`);
      last = 'unreachable';
      await waker.sleep(options.pollMs ?? WAIT_POLL_MS);
      continue;
    }
    const { sts } = observed;
    const replaced = observed.pod !== undefined && observed.pod.metadata?.uid === options.afterUid;
    const pod = replaced ? undefined : observed.pod;
    const state: VmState = replaced ? { status: 'Stopping', reason: 'PoweringDown' } : deriveVmState(sts, pod);
    const line = describe(state, pod);
    if (line !== last) {
      options.progress(`  ${Math.round((Date.now() - started) / 1000)}s  ${name}: ${line}`);
      last = line;
    }
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
    if (Date.now() - started >= options.timeoutMs) {
      throw new BerthError('TIMEOUT', `VM '${name}' is still ${state.status}${state.reason ? ` (${state.reason})` : ''} after ${Math.round(options.timeoutMs / 1000)}s`, {
        hint: [`keep waiting with: kubectl berth ${options.until === 'ready' ? 'start' : 'stop'} ${name} --wait --timeout 10m`, `see why with: kubectl describe pod ${vmPodName(name)} -n ${namespace}`],
      });
    }
    await waker.sleep(options.pollMs ?? WAIT_POLL_MS);
  }
}
