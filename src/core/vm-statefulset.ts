// The VM's StatefulSet: one replica, because a VM is a pet — Kubernetes restarts it where it fits,
// and the pet disk (a PVC from the claim template) outlives restarts and stops.
import type { V1Container, V1ContainerResizePolicy, V1VolumeMount, V1EnvVar, V1NodeAffinity, V1PersistentVolumeClaim, V1StatefulSet, V1Volume } from '@kubernetes/client-node';
import {
  Annotations,
  dataDiskPvcName,
  DeviceResources,
  Files,
  guestShutdownAccountName,
  LAUNCHER_COMMAND,
  LabelValues,
  LauncherEnv,
  VM_USER,
  Paths,
  PodVolumes,
  Ports,
  VM_CONTAINER,
} from '../../shared/contract.js';
import { imageLabelKey } from '../../shared/image-cache.js';
import { TERMINATION_MARGIN_SECONDS } from './defaults.js';
import { hotplugHeadroom, podCpuMillis, podMemoryBytes } from '../../shared/vm-size.js';
import { cloudInitSecretName, DISK_CLAIM_TEMPLATE } from './names.js';
import { formatBinary, MiB } from '../../shared/quantity.js';
import { vmLabels, vmSelectorLabels } from './vm-labels.js';
import { requiredNodeLabel } from './node-room.js';
import type { VmSpec } from './vm-spec.js';

const Volumes = PodVolumes;

/** The annotations `ls` reads back: what the user asked for, as they wrote it. */
export function vmAnnotations(spec: VmSpec): Record<string, string> {
  return {
    [Annotations.vmImage]: spec.image.source,
    [Annotations.vmAccel]: spec.accel,
    [Annotations.vmCpus]: String(spec.cpus),
    [Annotations.vmMemory]: formatBinary(spec.memoryBytes),
    ...(spec.cdrom ? { [Annotations.vmCdrom]: spec.cdrom.source } : {}),
    [Annotations.vmFirmware]: spec.firmware,
    [Annotations.vmOnGuestShutdown]: spec.onGuestShutdown,
  };
}

/**
 * A volume that must hold `payload` bytes of files: ext4 keeps 5% of its blocks for root (QEMU
 * runs as uid 107) and about 1.6% for inode tables, so the payload is divided by 0.92, in whole
 * MiB. The one rule every VM claim (and an ephemeral disk's emptyDir) is sized by. Pure.
 */
export function volumeBytesFor(payload: number): number {
  return Math.ceil(payload / 0.92 / MiB) * MiB;
}

/**
 * Room on the pet volume for a --cdrom ISO the node has not cached: the catalog's size when it
 * gives one; for a URL (or a catalog entry without a size) a single-layer DVD, 4,700,372,992
 * bytes, what nearly every install ISO fits on. A larger ISO belongs in the catalog with its size.
 */
export const CDROM_ROOM_BYTES = 4_700_372_992;

function cdromCopyBytes(spec: Pick<VmSpec, 'cdrom'>): number {
  if (!spec.cdrom) return 0;
  return spec.cdrom.sizeBytes ?? CDROM_ROOM_BYTES;
}

/**
 * What the disk's claim must hold when the guest fills its disk: the qcow2 overlay at its full
 * virtual size plus its metadata (an L2 entry of 8 bytes and a refcount of 2 per 64K cluster,
 * under 1/4096 of the size, and a few MiB of tables), and the base image's copy where one lands
 * on the claim. A URL image is always copied there; its size is not known before the download,
 * so it is bounded by the disk's own (a base file is never larger than its virtual size, and the
 * disk starts at the base's). A catalog image is read from the node's cache; when the catalog
 * gives its size, room for a copy is kept too, for a node that has not cached it yet. The file
 * system takes its share first: ext4 keeps 5% of its blocks for root (QEMU runs as uid 107) and
 * about 1.6% for inode tables, so the payload is divided by 0.92. Pure.
 */
export function claimBytes(spec: Pick<VmSpec, 'disk' | 'image' | 'cdrom'>): number {
  const disk = spec.disk.sizeBytes;
  const qcow2Metadata = Math.ceil(disk / 4096) + 16 * MiB;
  // A blank disk (no url) has no base to copy.
  const baseCopy = spec.image.url === undefined ? 0 : spec.image.catalogName === undefined ? disk : (spec.image.sizeBytes ?? 0);
  return volumeBytesFor(disk + qcow2Metadata + baseCopy + cdromCopyBytes(spec));
}

/**
 * A data disk's claim: the raw file at its full size, nothing else (no qcow2 metadata, no base).
 * A small margin covers the file system's own directory blocks. Pure.
 */
export function dataClaimBytes(sizeBytes: number): number {
  return volumeBytesFor(sizeBytes + MiB);
}

export { podMemoryBytes };

/** Nodes where QEMU can run this VM: KVM-capable ones, or any agent node for TCG. */
function nodeAffinity(spec: VmSpec): V1NodeAffinity {
  const required = requiredNodeLabel(spec.accel);
  const affinity: V1NodeAffinity = {
    requiredDuringSchedulingIgnoredDuringExecution: {
      nodeSelectorTerms: [{ matchExpressions: [{ key: required, operator: 'In', values: ['true'] }] }],
    },
  };
  // Prefer nodes that cache the image (and the install ISO): no download before the first boot.
  const cached = [{ name: spec.image.catalogName, weight: 100 }, { name: spec.cdrom?.catalogName, weight: 50 }];
  const preferred = cached.flatMap(({ name, weight }) => (name === undefined ? [] : [{
    weight,
    preference: { matchExpressions: [{ key: imageLabelKey(name), operator: 'In', values: [LabelValues.imageReady] }] },
  }]));
  if (preferred.length > 0) affinity.preferredDuringSchedulingIgnoredDuringExecution = preferred;
  return affinity;
}

function launcherEnv(spec: VmSpec): V1EnvVar[] {
  const env: V1EnvVar[] = [
    { name: LauncherEnv.vmName, value: spec.name },
    { name: LauncherEnv.namespace, valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
    { name: LauncherEnv.podIp, valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
    { name: LauncherEnv.accel, value: spec.accel },
    { name: LauncherEnv.cpus, value: String(spec.cpus) },
    { name: LauncherEnv.memoryMiB, value: String(Math.ceil(spec.memoryBytes / MiB)) },
    ...headroomEnv(spec),
  ];
  if (spec.image.url !== undefined) env.push({ name: LauncherEnv.imageUrl, value: spec.image.url });
  if (spec.image.sha256) env.push({ name: LauncherEnv.imageSha256, value: spec.image.sha256 });
  env.push(...installEnv(spec));
  env.push(
    // A reused disk without --disk-size keeps its size: the default would grow it past its claim.
    ...(spec.disk.kind === 'pvc' && spec.disk.reuse && !spec.disk.sizeGiven ? [] : [{ name: LauncherEnv.diskSize, value: formatBinary(spec.disk.sizeBytes) }]),
    // From the pod's annotations, where the agent also reads them (from the container runtime, as it
    // may not read pods): one value for both. Unset, the launcher and the agent use VM_DEFAULTS.
    { name: LauncherEnv.vmIp, valueFrom: { fieldRef: { fieldPath: `metadata.annotations['${Annotations.podVmIp}']` } } },
    { name: LauncherEnv.vmGateway, valueFrom: { fieldRef: { fieldPath: `metadata.annotations['${Annotations.podVmGateway}']` } } },
    { name: LauncherEnv.vnc, value: spec.vnc.mode },
    { name: LauncherEnv.shutdownSeconds, value: String(spec.shutdownSeconds) },
    { name: LauncherEnv.firmware, value: spec.firmware },
    { name: LauncherEnv.onGuestShutdown, value: spec.onGuestShutdown },
  );
  if (spec.ports.length > 0) env.push({ name: LauncherEnv.loopbackPorts, value: spec.ports.join(',') });
  return env;
}

/** The launcher's variables for --blank-disk, --cdrom and --disk (each only when used). */
function installEnv(spec: VmSpec): V1EnvVar[] {
  const env: V1EnvVar[] = [];
  if (spec.image.url === undefined) env.push({ name: LauncherEnv.blankDisk, value: 'true' });
  if (spec.cdrom?.url !== undefined) env.push({ name: LauncherEnv.cdromUrl, value: spec.cdrom.url });
  if (spec.cdrom?.sha256 !== undefined) env.push({ name: LauncherEnv.cdromSha256, value: spec.cdrom.sha256 });
  if (spec.dataDisks.length > 0) env.push({ name: LauncherEnv.dataDisks, value: spec.dataDisks.map((d) => `${d.name}=${formatBinary(d.sizeBytes)}`).join(',') });
  return env;
}

function headroomEnv(spec: VmSpec): V1EnvVar[] {
  const room = hotplugHeadroom({ cpus: spec.cpus, memoryBytes: spec.memoryBytes }, spec.nodeRoom);
  return [
    { name: LauncherEnv.maxCpus, value: String(room.maxCpus) },
    { name: LauncherEnv.maxMemoryMiB, value: String(Math.floor(room.maxMemoryBytes / MiB)) },
  ];
}

/** The pod's requests and limits for a guest of this size; `resize` patches the same shape. */
export function vmResources(spec: Pick<VmSpec, 'cpus' | 'memoryBytes' | 'accel'>): { requests: Record<string, string>; limits: Record<string, string> } {
  const memory = formatBinary(podMemoryBytes(spec));
  const devices: Record<string, string> = { [DeviceResources.tun]: '1' };
  if (spec.accel === 'kvm') devices[DeviceResources.kvm] = '1';
  return {
    requests: { cpu: `${podCpuMillis(spec.cpus)}m`, memory, ...devices },
    limits: { memory, ...devices },
  };
}

/** Both resources resize without restarting the container: the launcher hotplugs them. */
export const VM_RESIZE_POLICY: readonly V1ContainerResizePolicy[] = [
  { resourceName: 'cpu', restartPolicy: 'NotRequired' },
  { resourceName: 'memory', restartPolicy: 'NotRequired' },
];

export function podSizeMount(): V1VolumeMount {
  return { name: Volumes.podSize, mountPath: Paths.podSize, readOnly: true };
}

/**
 * The pod's own CPU request and memory limit as files, which the kubelet rewrites after an
 * in-place resize: the launcher's only news of a resize (it has no API credentials). Of the two
 * channels that need none, this one says the CPU count too (the container's cgroup has no CPU
 * limit to read, and cgroup v2's cpu.weight turns the request into a lossy number).
 */
export function podSizeVolume(): V1Volume {
  return {
    name: Volumes.podSize,
    downwardAPI: {
      items: [
        { path: Files.cpuRequestMillis, resourceFieldRef: { containerName: VM_CONTAINER, resource: 'requests.cpu', divisor: '1m' } },
        { path: Files.memoryLimitMiB, resourceFieldRef: { containerName: VM_CONTAINER, resource: 'limits.memory', divisor: '1Mi' } },
      ],
    },
  };
}

function vmContainer(spec: VmSpec): V1Container {
  const container: V1Container = {
    name: VM_CONTAINER,
    image: spec.launcherImage,
    imagePullPolicy: 'IfNotPresent',
    command: [...LAUNCHER_COMMAND],
    env: launcherEnv(spec),
    resources: vmResources(spec),
    // `resize` changes CPU and memory in place; the launcher hotplugs them into the running guest.
    resizePolicy: [...VM_RESIZE_POLICY],
    // The image cache at Paths.imageCache is mounted by the agent's device plugin (with the tun
    // device), read-only: a hostPath here would fail Pod Security "baseline".
    volumeMounts: [
      { name: DISK_CLAIM_TEMPLATE, mountPath: Paths.vmDisk },
      { name: Volumes.cloudInit, mountPath: Paths.cloudInit, readOnly: true },
      { name: Volumes.run, mountPath: Paths.launcherRun },
      ...spec.dataDisks.map((d) => ({ name: d.name, mountPath: `${Paths.dataDisks}/${d.name}` })),
      podSizeMount(),
      ...(spec.onGuestShutdown === 'stop' ? [{ name: Volumes.api, mountPath: Paths.launcherApi, readOnly: true }] : []),
    ],
    // Pod Security "restricted": the agent builds the pod's network from outside before this
    // container starts, so the launcher needs no capability at all.
    securityContext: {
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
    },
    // stdin kept open for `console`, but no tty: a tty would merge the launcher's log (stderr) into
    // the serial console (stdout) as one stream. Apart, `console` shows the serial port alone and
    // `kubectl logs` still shows both.
    stdin: true,
    tty: false,
    // A launcher that fails leaves its last log lines (error: …, hint: …) in the pod status, where
    // `create --wait` reads them.
    terminationMessagePolicy: 'FallbackToLogsOnError',
  };
  // Loopback-only VNC is reached by port-forward to the pod; only a password-protected display
  // listens on the pod IP, where the kubelet and the network can see it.
  if (spec.vnc.mode === 'password') container.ports = [{ name: 'vnc', containerPort: Ports.vnc, protocol: 'TCP' }];
  if (spec.readyPort > 0) {
    // The kubelet probes the pod IP, which the launcher DNATs to the guest: a successful connect
    // means the guest's service (sshd by default) answers.
    container.readinessProbe = { tcpSocket: { port: spec.readyPort }, periodSeconds: 1, timeoutSeconds: 1, failureThreshold: 3 };
  }
  return container;
}

function cloudInitVolume(spec: VmSpec): V1Volume {
  const secretName = cloudInitSecretName(spec.name);
  const userData = spec.cloudInit.userData;
  if (userData.kind !== 'ref') return { name: Volumes.cloudInit, secret: { secretName, defaultMode: 0o400 } };
  // The user's object stays the one source of truth: mounted, not copied, so no second copy of
  // its secrets exists and an edit takes effect at the next boot.
  const item = { items: [{ key: Files.userData, path: Files.userData }] };
  const userSource = userData.ref.kind === 'secret'
    ? { secret: { name: userData.ref.name, ...item } }
    : { configMap: { name: userData.ref.name, ...item } };
  return { name: Volumes.cloudInit, projected: { defaultMode: 0o400, sources: [{ secret: { name: secretName } }, userSource] } };
}

/**
 * --on-guest-shutdown stop: the launcher's credentials to scale its own StatefulSet. Not the
 * automounted token (automountServiceAccountToken stays false): a projected one of the VM's own
 * ServiceAccount, for the API server's audience, valid 10 minutes (the least the API server
 * allows) and renewed by the kubelet, with the cluster's CA beside it. Pod Security "restricted"
 * allows projected volumes.
 */
function guestShutdownApiVolume(): V1Volume {
  return {
    name: Volumes.api,
    projected: {
      defaultMode: 0o440,
      sources: [
        { serviceAccountToken: { path: 'token', expirationSeconds: 600 } },
        { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
      ],
    },
  };
}

function claimTemplate(spec: VmSpec, name: string, bytes: number, storageClass: string | undefined): V1PersistentVolumeClaim {
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name, labels: vmLabels(spec.name) },
    spec: {
      accessModes: ['ReadWriteOnce'],
      ...(storageClass ? { storageClassName: storageClass } : {}),
      resources: { requests: { storage: formatBinary(bytes) } },
    },
  };
}

/**
 * The claim templates: the pet disk's (unless ephemeral), then one per data disk, named after it,
 * so the StatefulSet controller makes PVC NAME-VM-0 (dataDiskPvcName) and `purge` finds it by the
 * VM's label like the pet disk's. A data disk without class= takes --storage-class, else the default.
 */
function diskClaims(spec: VmSpec): V1PersistentVolumeClaim[] | undefined {
  const claims: V1PersistentVolumeClaim[] = [];
  const petClass = spec.disk.kind === 'pvc' ? spec.disk.storageClass : undefined;
  if (spec.disk.kind === 'pvc') claims.push(claimTemplate(spec, DISK_CLAIM_TEMPLATE, claimBytes(spec), petClass));
  for (const d of spec.dataDisks) claims.push(claimTemplate(spec, d.name, dataClaimBytes(d.sizeBytes), d.storageClass ?? petClass));
  return claims.length > 0 ? claims : undefined;
}

/** The PVC names of a VM's data disks. */
export function dataDiskPvcNames(spec: Pick<VmSpec, 'name' | 'dataDisks'>): string[] {
  return spec.dataDisks.map((d) => dataDiskPvcName(spec.name, d.name));
}

export function buildVmStatefulSet(spec: VmSpec): V1StatefulSet {
  const labels = vmLabels(spec.name);
  const annotations = vmAnnotations(spec);
  const volumes: V1Volume[] = [
    cloudInitVolume(spec),
    { name: Volumes.run, emptyDir: {} },
    podSizeVolume(),
  ];
  if (spec.onGuestShutdown === 'stop') volumes.push(guestShutdownApiVolume());
  // The same room as a claim: a limit of the bare disk size would evict the pod before the guest's disk is full.
  if (spec.disk.kind === 'ephemeral') volumes.push({ name: DISK_CLAIM_TEMPLATE, emptyDir: { sizeLimit: formatBinary(claimBytes(spec)) } });
  const claims = diskClaims(spec);
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: spec.name, namespace: spec.namespace, labels, annotations },
    spec: {
      replicas: 1,
      serviceName: spec.name,
      // A new template takes effect when the pod is next made (restart, stop and start), never by
      // the controller replacing a running VM: `resize` changes the template and the pod in place.
      updateStrategy: { type: 'OnDelete' },
      selector: { matchLabels: vmSelectorLabels(spec.name) },
      template: {
        metadata: { labels: vmLabels(spec.name), annotations: vmAnnotations(spec) },
        spec: {
          affinity: { nodeAffinity: nodeAffinity(spec) },
          ...(Object.keys(spec.nodeSelector).length > 0 ? { nodeSelector: spec.nodeSelector } : {}),
          // No token of any ServiceAccount is mounted: a VM pod has no API credentials, but for
          // --on-guest-shutdown stop its own one, as the projected volume above.
          ...(spec.onGuestShutdown === 'stop' ? { serviceAccountName: guestShutdownAccountName(spec.name) } : {}),
          automountServiceAccountToken: false,
          securityContext: {
            runAsUser: VM_USER.uid,
            runAsGroup: VM_USER.gid,
            runAsNonRoot: true,
            // the disk volume becomes writable by the launcher's group where the storage supports it
            fsGroup: VM_USER.gid,
            fsGroupChangePolicy: 'OnRootMismatch',
            seccompProfile: { type: 'RuntimeDefault' },
            // The launcher binds port 67 (DHCP) and the guest's low ports on 127.0.0.1 (the
            // port-forward relay). A capability added for a non-root uid is lost at exec (Kubernetes
            // sets no ambient capabilities); this sysctl of the pod's own network namespace is one
            // that Pod Security "baseline" and "restricted" allow.
            sysctls: [{ name: 'net.ipv4.ip_unprivileged_port_start', value: '0' }],
          },
          enableServiceLinks: false,
          terminationGracePeriodSeconds: spec.shutdownSeconds + TERMINATION_MARGIN_SECONDS,
          containers: [vmContainer(spec)],
          volumes,
        },
      },
      ...(claims ? { volumeClaimTemplates: claims } : {}),
    },
  };
}
