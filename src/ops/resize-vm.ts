// `resize`: a VM's vCPUs and memory, in place when the running guest can take them (the pod's
// `resize` subresource, the kubelet applies it, the launcher hotplugs), else by a graceful restart
// when --restart says so. The StatefulSet's template is changed too, so every later start boots
// with the new size. What fits is decided by core/resize-plan.ts; this is the I/O around it.
import type { V1Pod } from '@kubernetes/client-node';
import { Annotations, VM_CONTAINER, type Accel } from '../../shared/contract.js';
import { BerthError } from '../../shared/errors.js';
import { MiB } from '../../shared/quantity.js';
import type { GuestSize } from '../../shared/vm-size.js';
import { VM_DEFAULTS, VM_LIMITS } from '../core/defaults.js';
import { checkVmName, vmPodName } from '../core/names.js';
import { describeSize, kubeletResizeState, launcherResizeOutcome, needsRestartError, planResize, podResizePatch, statefulSetResizePatch, type KubeletResize, type ResizePlan } from '../core/resize-plan.js';
import { parseSizeFlag, parseWholeNumber } from '../core/vm-flags.js';
import { waitTimeoutMs } from '../flags/wait.js';
import { isNotFound, toBerthError } from '../kube/errors.js';
import { apiContext, call, getVm, kubeApis, readOptional, type KubeApis } from '../kube/vm-objects.js';
import { restartVm as deleteVmPod } from '../kube/vm-scale.js';
import { listVmNodes } from '../kube/vm-nodes.js';
import { largestNodeRoom, vmNodeLabelSelector } from '../core/node-room.js';
import { waitForVm } from '../kube/vm-wait.js';
import { waitUntil, watchWake } from '../kube/wait-until.js';
import type { Connection } from '../kube/connect.js';
import { changesPrintable } from '../output/print.js';
import type { OpIo } from './io.js';

export interface ResizeFlags {
  cpus?: string;
  memory?: string;
  restart?: boolean;
  wait?: boolean;
  timeout?: string;
}

export interface ResizeResult {
  name: string;
  namespace: string;
  how: ResizePlan['kind'];
  size: GuestSize;
}

/** --cpus and --memory, checked as create checks them; one of them is required. Pure. */
export function parseResizeFlags(flags: ResizeFlags): { cpus?: number; memoryBytes?: number } {
  if (flags.cpus === undefined && flags.memory === undefined) {
    throw new BerthError('USAGE', 'resize needs --cpus, --memory or both', { hint: 'for example: kubectl berth resize web --cpus 2 --memory 2Gi' });
  }
  return {
    cpus: flags.cpus === undefined ? undefined : parseWholeNumber('cpus', flags.cpus, 1, VM_LIMITS.maxCpus, ' (virtual CPUs)'),
    memoryBytes: flags.memory === undefined ? undefined : parseSizeFlag('memory', flags.memory, VM_LIMITS.minMemoryBytes, VM_LIMITS.maxMemoryBytes),
  };
}

/** How often the resize waits look again when no watch event comes first. */
const POLL_MS = 1000;

export async function resizeVm(rawName: string, flags: ResizeFlags, io: OpIo): Promise<ResizeResult> {
  const name = checkVmName(rawName);
  const request = parseResizeFlags(flags);
  const timeoutMs = waitTimeoutMs(flags.timeout);
  const conn = await io.connect();
  const namespace = conn.namespace;
  const apis = await kubeApis(conn);
  const sts = await getVm(conn, apis, name, namespace);
  const pod = await readOptional(conn, `read the pod of VM '${name}'`, () => apis.core.readNamespacedPod({ name: vmPodName(name), namespace }));
  const accel = (sts.metadata?.annotations?.[Annotations.vmAccel] === 'tcg' ? 'tcg' : 'kvm') as Accel;
  const template = templateSize(sts.metadata?.annotations ?? {});
  const plan = planResize({ name, accel, template, replicas: sts.spec?.replicas ?? 1, pod }, request);
  const result = { name, namespace, how: plan.kind, size: plan.target };

  if (plan.kind === 'unchanged') {
    io.print(changesPrintable([{ ref: `vm/${name}`, done: `unchanged (${describeSize(plan.target)})` }]));
    return result;
  }
  const patchTemplate = async () => {
    // The next start's room to grow, bounded by the largest node that may run the VM, as at create.
    const nodes = await listVmNodes(conn, apis, vmNodeLabelSelector(accel, sts.spec?.template?.spec?.nodeSelector ?? {}));
    const body = statefulSetResizePatch(sts, plan.target, accel, nodes.nodes ? largestNodeRoom(nodes.nodes, accel) : {});
    return call(conn, `store the new size of VM '${name}'`, () => apis.apps.patchNamespacedStatefulSet({ name, namespace, body }), { subject: `VM '${name}'` });
  };

  if (plan.kind === 'restart') {
    if (!flags.restart) throw needsRestartError(name, plan);
    await patchTemplate();
    if (plan.stopped) {
      io.print(changesPrintable([{ ref: `vm/${name}`, done: `resized to ${describeSize(plan.target)} (stopped: it boots with it at start)` }]));
      return result;
    }
    const restarted = await deleteVmPod(conn, apis, name);
    io.print(changesPrintable([{ ref: `vm/${name}`, done: `resized to ${describeSize(plan.target)} by a restart` }]));
    if (flags.wait) await waitForVm(conn, apis, { name, namespace, timeoutMs, until: 'ready', progress: io.note, afterUid: restarted.oldPodUid });
    return result;
  }

  if (plan.from.cpus === plan.target.cpus && plan.from.memoryBytes === plan.target.memoryBytes) {
    // The running pod has this size already (an earlier resize stopped before the template): store it.
    await patchTemplate();
    io.print(changesPrintable([{ ref: `vm/${name}`, done: `resized to ${describeSize(plan.target)} (it runs with it already)` }]));
    return result;
  }
  // In place: the pod first (the kubelet must grant it), then the template, then the guest.
  const running = pod!;
  try {
    await apis.core.patchNamespacedPodResize({ name: vmPodName(name), namespace, body: podResizePatch(running, plan.target, accel) });
  } catch (error) {
    if (isNotFound(error)) {
      throw new BerthError('CONFLICT', `the cluster cannot resize a running pod (no pods/resize subresource: in-place resize needs Kubernetes 1.35 or newer)`, {
        hint: `apply it with a graceful restart: kubectl berth resize ${name} --cpus ${plan.target.cpus} --memory ${plan.target.memoryBytes / MiB}Mi --restart`,
      });
    }
    throw toBerthError(error, apiContext(conn, `resize the pod of VM '${name}'`, { subject: `VM '${name}'` }));
  }
  const startedAt = Date.now();
  io.note(`Resizing VM '${name}' from ${describeSize(plan.from)} to ${describeSize(plan.target)} in place…`);
  await waitForKubelet(conn, apis, name, namespace, timeoutMs, io, async () => {
    // An infeasible size would stay pending on the pod for ever: give the pod its old size back.
    await apis.core.patchNamespacedPodResize({ name: vmPodName(name), namespace, body: podResizePatch(running, plan.from, accel) }).catch(() => undefined);
  });
  await patchTemplate();
  await waitForGuest(conn, apis, name, namespace, plan.target, timeoutMs - (Date.now() - startedAt), startedAt, io);
  io.print(changesPrintable([{ ref: `vm/${name}`, done: `resized to ${describeSize(plan.target)} in place` }]));
  return result;
}

/** The size the template boots with, from the annotations create writes. */
function templateSize(annotations: Record<string, string>): GuestSize {
  const cpus = Number(annotations[Annotations.vmCpus] ?? VM_DEFAULTS.cpus);
  const memory = parseSizeFlag('memory', annotations[Annotations.vmMemory] ?? VM_DEFAULTS.memory, 0, Number.MAX_SAFE_INTEGER);
  return { cpus, memoryBytes: memory };
}

async function waitForKubelet(conn: Connection, apis: KubeApis, name: string, namespace: string, timeoutMs: number, io: OpIo, undo: () => Promise<void>): Promise<void> {
  type Seen = { pod?: V1Pod; state: KubeletResize | { state: 'gone' } };
  const describe = (s: Seen['state']) =>
    s.state === 'pending' ? `the kubelet defers the resize (${s.reason})${s.message ? `: ${s.message}` : ''}`
      : s.state === 'in-progress' ? 'the kubelet is applying the new resources'
        : s.state;
  try {
    await waitUntil<Seen, true>({
      async observe() {
        const pod = await readOptional(conn, `read the pod of VM '${name}'`, () => apis.core.readNamespacedPod({ name: vmPodName(name), namespace }));
        return { pod, state: pod ? kubeletResizeState(pod) : { state: 'gone' } };
      },
      describe: ({ state }) => `${name}: ${describe(state)}`,
      done({ state }) {
        if (state.state === 'applied') return true;
        if (state.state === 'gone') throw new BerthError('VM_NOT_RUNNING', `the pod of VM '${name}' went away during the resize`, { hint: `see what happened: kubectl berth ls ${name}` });
        if (state.state === 'infeasible') throw new BerthError('NO_NODE_FITS', `the node cannot give VM '${name}' this size: ${state.message ?? 'infeasible'}`, { hint: `a restart lets the scheduler place it on a node with room: add --restart` });
        if (state.state === 'error') throw new BerthError('CONFLICT', `the kubelet failed to resize VM '${name}': ${state.message ?? 'error'}`, { hint: `see the pod's events: kubectl describe pod ${vmPodName(name)} -n ${namespace}` });
        return undefined;
      },
      timedOut: ({ state }) => new BerthError('TIMEOUT', `VM '${name}': ${describe(state)} after ${Math.round(timeoutMs / 1000)}s`, { hint: [`the pod keeps the request; the kubelet applies it once the node has room (see: kubectl describe pod ${vmPodName(name)} -n ${namespace})`, 'or add --restart to place it anew'] }),
      timeoutMs,
      pollMs: POLL_MS,
      progress: (line, elapsedMs) => io.note(`  ${Math.round(elapsedMs / 1000)}s  ${line}`),
      watch: (wake) => watchWake(conn, `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods`, { fieldSelector: `metadata.name=${vmPodName(name)}` }, wake),
    });
  } catch (error) {
    if (error instanceof BerthError && error.code === 'NO_NODE_FITS') await undo();
    throw error;
  }
}

/** Waits for the launcher's line about this size in the VM container's log (it has no API access). */
async function waitForGuest(conn: Connection, apis: KubeApis, name: string, namespace: string, target: GuestSize, timeoutMs: number, since: number, io: OpIo): Promise<void> {
  type Seen = ReturnType<typeof launcherResizeOutcome> | 'waiting';
  const outcome = await waitUntil<Seen, { done: true } | { done: false; error: string }>({
    async observe() {
      const sinceSeconds = Math.max(1, Math.ceil((Date.now() - since) / 1000) + 5);
      const log = await call(conn, `read the log of VM '${name}'`, () => apis.core.readNamespacedPodLog({ name: vmPodName(name), namespace, container: VM_CONTAINER, sinceSeconds }));
      return launcherResizeOutcome(String(log ?? ''), target) ?? 'waiting';
    },
    describe: (seen) => `${name}: ${seen === 'waiting' ? 'the launcher is adding the vCPUs and memory to the guest' : seen?.done ? 'done' : 'refused'}`,
    done: (seen) => (seen === 'waiting' || seen === undefined ? undefined : seen),
    timedOut: () => new BerthError('TIMEOUT', `VM '${name}': the pod has the new size, but its launcher did not report adding it to the guest within ${Math.round(timeoutMs / 1000)}s`, { hint: `read its log: kubectl logs ${vmPodName(name)} -n ${namespace} -c ${VM_CONTAINER} | grep resize` }),
    timeoutMs: Math.max(timeoutMs, 10_000),
    pollMs: POLL_MS,
    progress: (line, elapsedMs) => io.note(`  ${Math.round(elapsedMs / 1000)}s  ${line}`),
  });
  if (!outcome.done) {
    throw new BerthError('LAUNCHER', `VM '${name}': the pod has the new size, but the guest did not take it: ${outcome.error}`, {
      hint: `the next start boots with it; to apply it now: kubectl berth restart ${name} --wait`,
    });
  }
}
