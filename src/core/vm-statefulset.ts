// The VM's StatefulSet: one replica, because a VM is a pet — Kubernetes restarts it where it fits,
// and the pet disk (a PVC from the claim template) outlives restarts and stops.
import type { V1Container, V1EnvVar, V1NodeAffinity, V1PersistentVolumeClaim, V1StatefulSet, V1Volume } from '@kubernetes/client-node';
import {
  Annotations,
  DeviceResources,
  Files,
  guestShutdownAccountName,
  LAUNCHER_COMMAND,
  LabelValues,
  Labels,
  LauncherEnv,
  VM_USER,
  Paths,
  Ports,
  VM_CONTAINER,
} from '../../shared/contract.js';
import { imageLabelKey } from '../../shared/image-cache.js';
import { CPU_REQUEST_MILLIS_PER_VCPU, MEMORY_OVERHEAD_BYTES, TCG_EXTRA_OVERHEAD_BYTES, TERMINATION_MARGIN_SECONDS } from './defaults.js';
import { cloudInitSecretName, DISK_CLAIM_TEMPLATE } from './names.js';
import { formatBinary, MiB } from '../../shared/quantity.js';
import { vmLabels, vmSelectorLabels } from './vm-labels.js';
import type { VmSpec } from './vm-spec.js';

const Volumes = { cloudInit: 'cloud-init', run: 'run', api: 'guest-shutdown-api' } as const;

/** The annotations `ls` reads back: what the user asked for, as they wrote it. */
export function vmAnnotations(spec: VmSpec): Record<string, string> {
  return {
    [Annotations.vmImage]: spec.image.source,
    [Annotations.vmAccel]: spec.accel,
    [Annotations.vmCpus]: String(spec.cpus),
    [Annotations.vmMemory]: formatBinary(spec.memoryBytes),
    [Annotations.vmFirmware]: spec.firmware,
    [Annotations.vmOnGuestShutdown]: spec.onGuestShutdown,
  };
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
export function claimBytes(spec: Pick<VmSpec, 'disk' | 'image'>): number {
  const disk = spec.disk.sizeBytes;
  const qcow2Metadata = Math.ceil(disk / 4096) + 16 * MiB;
  const baseCopy = spec.image.catalogName === undefined ? disk : (spec.image.sizeBytes ?? 0);
  return Math.ceil((disk + qcow2Metadata + baseCopy) / 0.92 / MiB) * MiB;
}

/** Guest RAM plus what QEMU, the launcher and (under TCG) the translation cache need. */
export function podMemoryBytes(spec: Pick<VmSpec, 'memoryBytes' | 'accel'>): number {
  return spec.memoryBytes + MEMORY_OVERHEAD_BYTES + (spec.accel === 'tcg' ? TCG_EXTRA_OVERHEAD_BYTES : 0);
}

/** Nodes where QEMU can run this VM: KVM-capable ones, or any agent node for TCG. */
function nodeAffinity(spec: VmSpec): V1NodeAffinity {
  const required = spec.accel === 'kvm' ? Labels.nodeKvm : Labels.nodeReady;
  const affinity: V1NodeAffinity = {
    requiredDuringSchedulingIgnoredDuringExecution: {
      nodeSelectorTerms: [{ matchExpressions: [{ key: required, operator: 'In', values: ['true'] }] }],
    },
  };
  if (spec.image.catalogName) {
    affinity.preferredDuringSchedulingIgnoredDuringExecution = [
      {
        weight: 100,
        preference: {
          matchExpressions: [{ key: imageLabelKey(spec.image.catalogName), operator: 'In', values: [LabelValues.imageReady] }],
        },
      },
    ];
  }
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
    { name: LauncherEnv.imageUrl, value: spec.image.url },
  ];
  if (spec.image.sha256) env.push({ name: LauncherEnv.imageSha256, value: spec.image.sha256 });
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

function vmContainer(spec: VmSpec): V1Container {
  const memory = formatBinary(podMemoryBytes(spec));
  const devices: Record<string, string> = { [DeviceResources.tun]: '1' };
  if (spec.accel === 'kvm') devices[DeviceResources.kvm] = '1';
  const container: V1Container = {
    name: VM_CONTAINER,
    image: spec.launcherImage,
    imagePullPolicy: 'IfNotPresent',
    command: [...LAUNCHER_COMMAND],
    env: launcherEnv(spec),
    resources: {
      requests: { cpu: `${spec.cpus * CPU_REQUEST_MILLIS_PER_VCPU}m`, memory, ...devices },
      limits: { memory, ...devices },
    },
    // The image cache at Paths.imageCache is mounted by the agent's device plugin (with the tun
    // device), read-only: a hostPath here would fail Pod Security "baseline".
    volumeMounts: [
      { name: DISK_CLAIM_TEMPLATE, mountPath: Paths.vmDisk },
      { name: Volumes.cloudInit, mountPath: Paths.cloudInit, readOnly: true },
      { name: Volumes.run, mountPath: Paths.launcherRun },
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

function diskClaim(spec: VmSpec): V1PersistentVolumeClaim[] | undefined {
  if (spec.disk.kind !== 'pvc') return undefined;
  return [
    {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: DISK_CLAIM_TEMPLATE, labels: vmLabels(spec.name) },
      spec: {
        accessModes: ['ReadWriteOnce'],
        ...(spec.disk.storageClass ? { storageClassName: spec.disk.storageClass } : {}),
        resources: { requests: { storage: formatBinary(claimBytes(spec)) } },
      },
    },
  ];
}

export function buildVmStatefulSet(spec: VmSpec): V1StatefulSet {
  const labels = vmLabels(spec.name);
  const annotations = vmAnnotations(spec);
  const volumes: V1Volume[] = [
    cloudInitVolume(spec),
    { name: Volumes.run, emptyDir: {} },
  ];
  if (spec.onGuestShutdown === 'stop') volumes.push(guestShutdownApiVolume());
  // The same room as a claim: a limit of the bare disk size would evict the pod before the guest's disk is full.
  if (spec.disk.kind === 'ephemeral') volumes.push({ name: DISK_CLAIM_TEMPLATE, emptyDir: { sizeLimit: formatBinary(claimBytes(spec)) } });
  const claims = diskClaim(spec);
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: spec.name, namespace: spec.namespace, labels, annotations },
    spec: {
      replicas: 1,
      serviceName: spec.name,
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
