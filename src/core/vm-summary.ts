// One row per VM for `ls`, joined from the StatefulSets and pods of a listing. Pure.
import type { CoreV1Event, V1Pod, V1ServiceAccount, V1StatefulSet } from '@kubernetes/client-node';
import { Annotations, dataDiskPvcName, Labels, LauncherEnv, VM_CONTAINER } from '../../shared/contract.js';
import { humanAge } from '../../shared/duration.js';
import type { Columns } from '../output/format.js';
import { createFailure, mayFailCreate } from './create-failure.js';
import { deriveVmState, GUEST_STOPPED, type VmStatus } from './vm-status.js';
import { accountsByVm, stoppedByGuest } from './guest-shutdown.js';

export interface VmSummary {
  name: string;
  namespace: string;
  status: VmStatus;
  reason: string;
  /** The cluster's explanation of a Failed reason (why the pod is refused, a container's waiting message); may be empty. */
  message: string;
  node: string;
  ip: string;
  image: string;
  cpus: string;
  memory: string;
  accel: string;
  disk: string;
  /** Data disks as `NAME=SIZE` (the sizes the guest sees), in the order created. */
  dataDisks: string[];
  /** The install ISO (--cdrom) as given, or ''. */
  cdrom: string;
  /** bios, uefi or uefi-secure-boot; bios for VMs made before the flag. */
  firmware: string;
  /** restart or stop: what the guest's own power-off does. */
  onGuestShutdown: string;
  created: string;
}

/**
 * The disk's size as the guest sees it (the launcher's BERTH_DISK_SIZE), not its claim's or
 * emptyDir's, which also hold qcow2 metadata and a base copy; the claim only when the VM reuses a
 * disk at whatever size it has.
 */
function diskOf(sts: V1StatefulSet): string {
  const container = sts.spec?.template?.spec?.containers?.find((c) => c.name === VM_CONTAINER);
  const size = container?.env?.find((e) => e.name === LauncherEnv.diskSize)?.value ?? sts.spec?.volumeClaimTemplates?.[0]?.spec?.resources?.requests?.storage;
  const ephemeral = sts.spec?.template?.spec?.volumes?.find((v) => v.emptyDir?.sizeLimit);
  if (ephemeral) return `${size ?? ephemeral.emptyDir!.sizeLimit} (ephemeral)`;
  return size ? String(size) : '';
}

function dataDisksOf(sts: V1StatefulSet): string[] {
  const container = sts.spec?.template?.spec?.containers?.find((c) => c.name === VM_CONTAINER);
  const value = container?.env?.find((e) => e.name === LauncherEnv.dataDisks)?.value ?? '';
  return value.split(',').filter(Boolean);
}

/** Each VM's pod, by namespace/name of the StatefulSet it belongs to. */
function podsByVm(pods: V1Pod[]): Map<string, V1Pod> {
  const podByVm = new Map<string, V1Pod>();
  for (const pod of pods) {
    const vm = pod.metadata?.labels?.[Labels.vm];
    if (vm) podByVm.set(`${pod.metadata?.namespace}/${vm}`, pod);
  }
  return podByVm;
}

const podOf = (podByVm: Map<string, V1Pod>, sts: V1StatefulSet) => podByVm.get(`${sts.metadata?.namespace ?? ''}/${sts.metadata?.name ?? ''}`);

/** Whether the listing needs the StatefulSets' events: some VM should have a pod and has none. */
export function needsCreateEvents(statefulSets: V1StatefulSet[], pods: V1Pod[]): boolean {
  const podByVm = podsByVm(pods);
  return statefulSets.some((sts) => mayFailCreate(sts, podOf(podByVm, sts)));
}

/**
 * `events` are the StatefulSets' events, read only when needsCreateEvents (create-failure.ts);
 * `logTails` the VM containers' log tails by namespace/pod name, read only where mayFetchBase.
 */
export function summariseVms(statefulSets: V1StatefulSet[], pods: V1Pod[], events: CoreV1Event[] = [], logTails: ReadonlyMap<string, string> = new Map(), accounts: V1ServiceAccount[] = []): VmSummary[] {
  const podByVm = podsByVm(pods);
  const accountByVm = accountsByVm(accounts);
  const rows = statefulSets.map((sts): VmSummary => {
    const name = sts.metadata?.name ?? '';
    const namespace = sts.metadata?.namespace ?? '';
    const pod = podOf(podByVm, sts);
    const logTail = pod ? logTails.get(`${pod.metadata?.namespace}/${pod.metadata?.name}`) : undefined;
    const derived = deriveVmState(sts, pod, mayFailCreate(sts, pod) ? createFailure(sts, events) : undefined, logTail);
    // `accounts` are the VMs' guest-shutdown ServiceAccounts, read only when needsGuestShutdownMarks.
    const state = derived.status === 'Stopped' && stoppedByGuest(sts, accountByVm.get(`${namespace}/${name}`)) ? GUEST_STOPPED : derived;
    const a = sts.metadata?.annotations ?? {};
    const created = sts.metadata?.creationTimestamp;
    return {
      name,
      namespace,
      status: state.status,
      reason: state.reason,
      message: state.message ?? '',
      node: pod?.spec?.nodeName ?? '',
      ip: pod?.status?.podIP ?? '',
      image: a[Annotations.vmImage] ?? '',
      cpus: a[Annotations.vmCpus] ?? '',
      memory: a[Annotations.vmMemory] ?? '',
      accel: a[Annotations.vmAccel] ?? '',
      disk: diskOf(sts),
      dataDisks: dataDisksOf(sts),
      cdrom: a[Annotations.vmCdrom] ?? '',
      firmware: a[Annotations.vmFirmware] ?? 'bios',
      onGuestShutdown: a[Annotations.vmOnGuestShutdown] ?? 'restart',
      created: created ? new Date(created).toISOString() : '',
    };
  });
  return rows.sort((x, y) => x.namespace.localeCompare(y.namespace) || x.name.localeCompare(y.name));
}

const dash = (v: string) => (v === '' ? '<none>' : v);

/** A table cell keeps its column readable; -o json|yaml carries the whole message. */
const MESSAGE_CELL_CHARS = 80;

/** The REASON cell: the reason, and the start of the cluster's message when there is one. */
export function reasonCell(r: Pick<VmSummary, 'reason' | 'message'>): string {
  if (!r.message) return dash(r.reason);
  const message = r.message.replace(/\s+/g, ' ');
  return `${r.reason}: ${message.length > MESSAGE_CELL_CHARS ? `${message.slice(0, MESSAGE_CELL_CHARS - 1)}…` : message}`;
}

/** The ls columns; NAMESPACE first with -A, as kubectl does. `now` makes AGE testable. */
export function vmColumns(allNamespaces: boolean, now: number): Columns<VmSummary> {
  const age = (r: VmSummary) => (r.created ? humanAge(now - Date.parse(r.created)) : '<unknown>');
  return {
    headers: [...(allNamespaces ? ['namespace'] : []), 'name', 'status', 'node', 'ip', 'image', 'cpus', 'memory', 'age'],
    wideHeaders: ['accel', 'disk', 'data-disks', 'firmware', 'reason'],
    row: (r) => [...(allNamespaces ? [r.namespace] : []), r.name, r.status, dash(r.node), dash(r.ip), r.image, r.cpus, r.memory, age(r)],
    wideRow: (r) => [r.accel, dash(r.disk), dash(r.dataDisks.join(',')), r.firmware, reasonCell(r)],
    name: (r) => `vm/${r.name}`,
  };
}

/** What -o json|yaml prints per VM: the same facts, with units spelled out for scripts. */
export function vmObject(r: VmSummary): Record<string, unknown> {
  return {
    name: r.name,
    namespace: r.namespace,
    status: r.status,
    reason: r.reason || undefined,
    message: r.message || undefined,
    node: r.node || undefined,
    ip: r.ip || undefined,
    image: r.image,
    cpus: r.cpus ? Number(r.cpus) : undefined,
    memory: r.memory,
    accel: r.accel,
    disk: r.disk || undefined,
    dataDisks: r.dataDisks.length > 0 ? r.dataDisks.map((d) => ({ name: d.slice(0, d.indexOf('=')), size: d.slice(d.indexOf('=') + 1), claim: dataDiskPvcName(r.name, d.slice(0, d.indexOf('='))) })) : undefined,
    cdrom: r.cdrom || undefined,
    firmware: r.firmware,
    onGuestShutdown: r.onGuestShutdown,
    created: r.created,
  };
}

