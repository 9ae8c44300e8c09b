// The one place where kubectl-berth spells its label and annotation keys, resource names, image
// names, paths and the environment contract between the generated VM pod and the launcher.
// Plugin (src/), node agent and launcher (agent/) import from here; nothing else spells these.

export const API_GROUP = 'berth.dev';

/**
 * The Kubernetes minors kubectl-berth supports and is tested on: the three newest, oldest first.
 * test/cluster/versions.sh lists the same minors (SUPPORTED_K8S_MINORS) for the test clusters; a
 * unit test keeps the two lists equal.
 */
export const SUPPORTED_KUBERNETES_MINORS: readonly string[] = ['1.35', '1.36', '1.37'];

/** Namespace of the node agent, its RBAC and the image catalog. */
export const SYSTEM_NAMESPACE = 'berth-system';

export const Labels = {
  /** Standard marker on every object the plugin creates. */
  managedBy: 'app.kubernetes.io/managed-by',
  /** Standard component label: 'vm', 'agent'. */
  component: 'app.kubernetes.io/component',
  /** The VM's name, on every object that belongs to a VM (StatefulSet, pod template, Secret, PVC). */
  vm: `${API_GROUP}/vm`,
  /** Node: 'true' when a guest was proven to run under KVM there, 'false' otherwise. */
  nodeKvm: `${API_GROUP}/kvm`,
  /** Node: 'true' where the agent runs and QEMU runs at all (with KVM or TCG). */
  nodeReady: `${API_GROUP}/node`,
  /** Node label prefix, one label per cached image: `image.berth.dev/<name>=ready`. */
  nodeImagePrefix: `image.${API_GROUP}/`,
} as const;

export const LabelValues = {
  managedBy: 'kubectl-berth',
  componentVm: 'vm',
  componentAgent: 'agent',
  imageReady: 'ready',
} as const;

export const Annotations = {
  /** Node: why berth.dev/kvm has the value it has (human-readable). */
  nodeKvmReason: `${API_GROUP}/kvm-reason`,
  /** Node: JSON status of the image cache, per image (see ImageCacheStatus). */
  nodeImageCache: `${API_GROUP}/image-cache`,
  /** Node: the agent's version, for `kubectl berth version` skew warnings. */
  nodeAgentVersion: `${API_GROUP}/agent-version`,
  /** VM objects: the --image as the user gave it (catalog name or URL). */
  vmImage: `${API_GROUP}/image`,
  /** VM objects: the accelerator asked for ('kvm' | 'tcg'). */
  vmAccel: `${API_GROUP}/accel`,
  /**
   * VM pod (template): the guest's private address and its gateway, the other end of the pod's
   * 1:1 NAT. Unset means VM_DEFAULTS; set them only when the pod network overlaps the defaults.
   * The agent reads them from the pod's sandbox (CRI), the launcher through the downward API.
   */
  podVmIp: `${API_GROUP}/vm-ip`,
  podVmGateway: `${API_GROUP}/vm-gateway`,
  /** VM objects: number of virtual CPUs. */
  vmCpus: `${API_GROUP}/cpus`,
  /** VM objects: guest memory as given (Kubernetes quantity). */
  vmMemory: `${API_GROUP}/memory`,
  /** VM objects: the --cdrom as the user gave it (catalog name or URL), when the VM has one. */
  vmCdrom: `${API_GROUP}/cdrom`,
  /** VM objects: the firmware (Firmware: bios, uefi or uefi-secure-boot). */
  vmFirmware: `${API_GROUP}/firmware`,
  /** VM objects: what a guest's own power-off does (GuestShutdownAction: restart or stop). */
  vmOnGuestShutdown: `${API_GROUP}/on-guest-shutdown`,
} as const;

/** The RBAC roles install ships for people, as opposed to the agent (manifests/user-rbac.yaml). */
export const UserRoles = {
  /** ClusterRole: every VM command in the namespaces it is bound in; aggregated into admin and edit. */
  vmAdmin: 'berth-vm-admin',
  /** ClusterRole: ls and reading VMs, no changes and no tunnels; aggregated into view. */
  vmViewer: 'berth-vm-viewer',
  /** ClusterRole, bound by no one: nodes and StorageClasses, for create's checks, nodes and images. */
  clusterViewer: 'berth-cluster-viewer',
  /** Role in SYSTEM_NAMESPACE, bound to every authenticated user: the catalog and the agent's image. */
  catalogReader: 'berth-catalog-reader',
  /**
   * ClusterRole: create's --on-guest-shutdown stop, which makes a ServiceAccount, Role and
   * RoleBinding per VM; aggregated into admin only, as edit may not write RBAC.
   */
  vmGuestStop: 'berth-vm-guest-stop',
} as const;

/** Extended resources served by the agent's device plugin. */
export const DeviceResources = {
  kvm: `devices.${API_GROUP}/kvm`,
  tun: `devices.${API_GROUP}/tun`,
} as const;

/** Host and container paths. */
export const Paths = {
  /** hostPath where the agent caches base images, content-addressed; the device plugin mounts it read-only into VM pods. */
  imageCache: '/var/lib/berth/images',
  /** Where the VM pod mounts its pet volume (PVC or emptyDir). */
  vmDisk: '/var/lib/berth/disk',
  /** Where the VM pod mounts its cloud-init Secret. */
  cloudInit: '/etc/berth/cloud-init',
  /** Where the VM pod mounts each data disk's volume: DATA_DISKS_DIR/NAME (create --disk NAME=SIZE). */
  dataDisks: '/var/lib/berth/data',
  /**
   * Where the VM pod mounts a downward-API volume with its own CPU request and memory limit
   * (Files.cpuRequestMillis, Files.memoryLimitMiB). The kubelet rewrites it after an in-place
   * resize; the launcher watches it and hotplugs the guest to match (the launcher has no API
   * credentials, so this is how it learns of a resize).
   */
  podSize: '/etc/berth/size',
  /** Scratch space of the launcher inside the pod (QMP socket, seed ISO, dnsmasq state). */
  launcherRun: '/run/berth',
  /**
   * Only for --on-guest-shutdown stop: the VM's own short-lived service-account token and the
   * cluster's CA (a projected volume), with which the launcher scales its StatefulSet to 0.
   */
  launcherApi: '/var/run/secrets/berth.dev/guest-shutdown',
  /** The kubelet's device-plugin directory (socket registration). */
  kubeletDevicePlugins: '/var/lib/kubelet/device-plugins',
  /** The kubelet's PodResources API socket. */
  kubeletPodResources: '/var/lib/kubelet/pod-resources/kubelet.sock',
  /** containerd's CRI socket where kubeadm, kind and most distributions put it (install --runtime-socket changes it). */
  containerRuntime: '/run/containerd/containerd.sock',
  /** hostPath where the agent makes the device nodes it hands to VM pods (mode 0666). */
  agentDeviceNodes: '/var/lib/berth/dev',
} as const;

/** File names inside the VM pod's volumes. */
export const Files = {
  /** The qcow2 overlay ("pet" disk) on the pet volume. */
  petDisk: 'pet.qcow2',
  /** A base image downloaded into the pet volume when the node cache lacks it. */
  localBase: 'base.qcow2',
  /** Beside the pet disk: JSON recording the base image (sha256, path) the overlay was made on. */
  petDiskOrigin: 'pet.qcow2.base.json',
  /** A data disk's file on its own volume: raw, sparse (see agent/launcher/data-disks.ts for why). */
  dataDisk: 'disk.raw',
  /** An install ISO (--cdrom) downloaded onto the pet volume when the node cache lacks it. */
  localCdrom: 'cdrom.iso',
  /** Beside the pet disk: the VM's UEFI variable store (NVRAM), a copy of OVMF's template made on first boot. */
  uefiVars: 'uefi-vars.fd',
  /** Secret keys, and so file names under Paths.cloudInit. */
  metaData: 'meta-data',
  userData: 'user-data',
  networkConfig: 'network-config',
  vncPassword: 'vnc-password',
  /** Under Paths.podSize: the VM container's CPU request in millicores, and its memory limit in MiB. */
  cpuRequestMillis: 'cpu-request-millis',
  memoryLimitMiB: 'memory-limit-mib',
} as const;

/** The name of a cached base image: content-addressed by its sha256. */
export function cachedImageFileName(sha256: string): string {
  return `${sha256.toLowerCase()}.qcow2`;
}

/** Environment variables the plugin sets on the VM container and the launcher reads. */
export const LauncherEnv = {
  vmName: 'BERTH_VM_NAME',
  namespace: 'BERTH_VM_NAMESPACE',
  /** Pod IP from the downward API. */
  podIp: 'BERTH_POD_IP',
  accel: 'BERTH_ACCEL',
  cpus: 'BERTH_CPUS',
  memoryMiB: 'BERTH_MEMORY_MIB',
  /**
   * Hotplug headroom QEMU starts with (shared/vm-size.ts hotplugHeadroom of the boot size). The
   * plugin writes them, so it can tell from the pod alone how far the running guest can grow; a
   * pod without them was made before resize existed and grows only by a restart.
   */
  maxCpus: 'BERTH_MAX_CPUS',
  maxMemoryMiB: 'BERTH_MAX_MEMORY_MIB',
  imageUrl: 'BERTH_IMAGE_URL',
  imageSha256: 'BERTH_IMAGE_SHA256',
  diskSize: 'BERTH_DISK_SIZE',
  /** 'true': the pet disk starts empty (create --blank-disk): no base image, an installer fills it. */
  blankDisk: 'BERTH_BLANK_DISK',
  /** Data disks, `NAME=SIZE` comma-separated (sizes as Kubernetes quantities); each on its volume under Paths.dataDisks. */
  dataDisks: 'BERTH_DATA_DISKS',
  /** The install ISO attached as a read-only CD-ROM (create --cdrom): its URL and sha256. */
  cdromUrl: 'BERTH_CDROM_URL',
  cdromSha256: 'BERTH_CDROM_SHA256',
  vmIp: 'BERTH_VM_IP',
  vmGateway: 'BERTH_VM_GATEWAY',
  /** 'loopback' (VNC only on the pod's 127.0.0.1), 'password' or 'off'. */
  vnc: 'BERTH_VNC',
  /** Seconds the launcher may spend on a guest powerdown before it quits QEMU. */
  shutdownSeconds: 'BERTH_SHUTDOWN_SECONDS',
  /** Firmware: 'bios' (SeaBIOS), 'uefi' (OVMF) or 'uefi-secure-boot' (OVMF with Secure Boot, q35 + SMM). */
  firmware: 'BERTH_FIRMWARE',
  /** What a guest's own power-off does: 'restart' (QEMU exits, the container restarts) or 'stop' (the launcher scales its StatefulSet to 0). */
  onGuestShutdown: 'BERTH_ON_GUEST_SHUTDOWN',
  /** Extra guest TCP ports (comma-separated) the launcher proxies from the pod's 127.0.0.1 (port-forward); 22 always. */
  loopbackPorts: 'BERTH_LOOPBACK_PORTS',
  /** Path overrides (default: Paths, /etc/resolv.conf), so the launcher runs outside a cluster in tests. */
  imageCacheDir: 'BERTH_IMAGE_CACHE_DIR',
  diskDir: 'BERTH_DISK_DIR',
  dataDisksDir: 'BERTH_DATA_DISKS_DIR',
  cloudInitDir: 'BERTH_CLOUD_INIT_DIR',
  runDir: 'BERTH_RUN_DIR',
  resolvConf: 'BERTH_RESOLV_CONF',
  podSizeDir: 'BERTH_POD_SIZE_DIR',
} as const;

/**
 * The launcher's log lines (stderr): `berth-launcher: STEP: message`. The plugin reads them back:
 * the last `error:`/`hint:` from a failed start's termination message, and while the pod is not
 * Ready the last line of its log tail, which says while a base image is being fetched.
 */
export const LauncherLog = {
  prefix: 'berth-launcher',
  /** The step of every line about fetching, verifying or restoring the VM's base image. */
  baseStep: 'base',
  /** The step of the lines about a guest QEMU paused on a disk error, and its resume. */
  diskStep: 'disk',
  /** How a pause line begins, after the step: `disk: error: the guest is paused: WHY`. */
  pausedMark: 'error: the guest is paused: ',
  /** WHY of a pause for a full volume begins so; anything else is another I/O error. */
  diskFullMark: "the VM's disk volume is full",
  /** The step of the lines about an in-place resize (hotplug); `resize` waits for them. */
  resizeStep: 'resize',
  /** A done resize: `resize: resized to N vCPUs, M MiB`. */
  resizedMark: 'resized to ',
  /** A resize the guest did not take: `resize: error: N vCPUs, M MiB: WHY`. */
  resizeErrorMark: 'error: ',
} as const;

/** How the launcher's resize lines spell a size, and how the plugin finds its own. */
export function resizeLogSize(cpus: number, memoryMiB: number): string {
  return `${cpus} vCPUs, ${memoryMiB} MiB`;
}

export type Accel = 'kvm' | 'tcg';
export type VncMode = 'loopback' | 'password' | 'off';
export type Firmware = 'bios' | 'uefi' | 'uefi-secure-boot';
export const FIRMWARES: readonly Firmware[] = ['bios', 'uefi', 'uefi-secure-boot'];
export type GuestShutdownAction = 'restart' | 'stop';
export const GUEST_SHUTDOWN_ACTIONS: readonly GuestShutdownAction[] = ['restart', 'stop'];

/**
 * On the VM's guest-shutdown ServiceAccount: the StatefulSet's metadata.generation right after the
 * launcher scaled it to 0 because the guest powered itself off. Any later change of replicas
 * (`start`, `stop`, `kubectl scale`) moves the generation on, so a stopped VM whose generation
 * still equals it was stopped by its guest: how `ls` says so truthfully. (The StatefulSet's
 * managedFields cannot say it: the API server records no owner for replicas set through the scale
 * subresource.)
 */
export const GUEST_SHUTDOWN_GENERATION = `${API_GROUP}/guest-shutdown-generation`;

/**
 * The ServiceAccount, Role and RoleBinding of a VM made with --on-guest-shutdown stop: the one
 * identity allowed to scale that VM's StatefulSet, and nothing else.
 */
export function guestShutdownAccountName(vm: string): string {
  return `${vm}-guest-shutdown`;
}

/** The VM container's name in the pod (attach, logs, port-forward). The VM's defaults: defaults.ts. */
export const VM_CONTAINER = 'vm';

/** The StatefulSet's volumeClaimTemplate, and so the pod's volume name for the pet disk. */
export const DISK_CLAIM_TEMPLATE = 'disk';

/**
 * The PVC the StatefulSet controller creates from the claim template for pod 0: the plugin checks
 * and purges it, the launcher names it when the disk is full.
 */
export function diskPvcName(vm: string): string {
  return `${DISK_CLAIM_TEMPLATE}-${vm}-0`;
}

/**
 * The PVC of data disk `disk` (create --disk NAME=SIZE): its claim template is named after the
 * disk, as the pet disk's is DISK_CLAIM_TEMPLATE, so `kubectl get pvc` reads disk-web-0, data-web-0.
 */
export function dataDiskPvcName(vm: string, disk: string): string {
  return `${disk}-${vm}-0`;
}

/** The VM pod's own volumes besides its disk claims. Add a new pod volume here. */
export const PodVolumes = { cloudInit: 'cloud-init', run: 'run', podSize: 'pod-size', api: 'guest-shutdown-api' } as const;

/**
 * The volume names a VM pod uses itself, which a data disk may not take (its claim template, and
 * so its pod volume, is named after it).
 */
export const RESERVED_VOLUME_NAMES: readonly string[] = [DISK_CLAIM_TEMPLATE, ...Object.values(PodVolumes)];

/**
 * The longest data disk name: the guest sees it as the virtio disk's serial
 * (/dev/disk/by-id/virtio-NAME), and virtio-blk serials stop at 20 bytes (VIRTIO_BLK_ID_BYTES).
 */
export const MAX_DATA_DISK_NAME_LENGTH = 20;

/**
 * The VM pod's network devices. The node agent creates them in the pod's network namespace before
 * the launcher starts (agent/node/podnet); the launcher finds them there and QEMU opens the tap.
 */
export const BRIDGE_DEVICE = 'berth-br0';
export const TAP_DEVICE = 'berth-tap0';

/**
 * The uid and gid the launcher and QEMU run as in a VM pod (runAsUser/runAsGroup/fsGroup), and so
 * the tap's owner. 107 is QEMU's uid in KubeVirt and on Debian and Fedora hosts.
 */
export const VM_USER = { uid: 107, gid: 107 } as const;

export const Ports = {
  vnc: 5900,
  ssh: 22,
  /** The agent's /healthz and /metrics, on the node's loopback. */
  agentHttp: 9477,
} as const;

/** The image catalog: a ConfigMap in SYSTEM_NAMESPACE, one key per image, the value JSON. */
export const Catalog = {
  configMap: 'berth-images',
} as const;

/**
 * The namespace where the plugin reads and edits the catalog: SYSTEM_NAMESPACE, unless
 * BERTH_CATALOG_NAMESPACE names another. That variable is for tests and is left out of every
 * --help on purpose: on a shared cluster where berth is installed, a test that edited the catalog
 * in berth-system would set the installed agents downloading its entries, and could not show what
 * the plugin says where berth is not installed. With it, such a test points the plugin at a
 * namespace of its own (or at one that does not exist) on the same, real API server. The agent's
 * --catalog-namespace (BERTH_AGENT_CATALOG_NAMESPACE) is the same switch on the agent's side.
 */
export function catalogNamespace(env: NodeJS.ProcessEnv = process.env): string {
  return env.BERTH_CATALOG_NAMESPACE || SYSTEM_NAMESPACE;
}

export interface CatalogEntry {
  url: string;
  sha256: string;
  /** Size in bytes, when known; lets the agent check free disk before downloading. */
  size?: number;
}

/**
 * 'no-room': the image does not fit the node's cache budget (IMAGE_CACHE_BUDGET), so it was not
 * downloaded, or it was evicted to make room for one a VM uses; the status's error says how much
 * was missing. The agent tries again when room may have come (every resync), never in a loop.
 */
export type ImageCacheState = 'pending' | 'downloading' | 'ready' | 'failed' | 'no-room';

export interface ImageCacheStatus {
  state: ImageCacheState;
  sha256: string;
  bytesDone: number;
  bytesTotal?: number;
  error?: string;
  updated: string;
}

/**
 * The node agent's image cache budget, set by `kubectl berth install` through these environment
 * variables of the agent's DaemonSet (the agent's --disk-reserve and --cache-max read the same).
 * The reserve is the free space the cache never eats into on its file system: a percentage of the
 * file system or a quantity. Its default, 20%, stays well clear of the kubelet's default hard
 * eviction thresholds (nodefs.available<10%, imagefs.available<15%; the cache's /var/lib/berth
 * usually shares a file system with both), so a large image cannot put the node under
 * DiskPressure. The maximum, a quantity or 'none', caps what the cache itself may hold.
 */
export const AgentCacheEnv = {
  diskReserve: 'BERTH_AGENT_DISK_RESERVE',
  cacheMax: 'BERTH_AGENT_CACHE_MAX',
} as const;

export const IMAGE_CACHE_BUDGET = {
  diskReserve: '20%',
  cacheMax: 'none',
} as const;

/** Where the container image installs the app (package.json, dist/, node_modules/). */
export const APP_DIR = '/opt/berth';

/** The VM container's command: the launcher, which runs QEMU and the pod's network plumbing. */
export const LAUNCHER_COMMAND: readonly string[] = ['node', `${APP_DIR}/dist/agent/launcher/main.js`];

/** The node agent's command (DaemonSet): KVM probe, node labels, device plugin, image cache. */
export const AGENT_COMMAND: readonly string[] = ['node', `${APP_DIR}/dist/agent/node/main.js`];

/** Container image shared by the agent and the launcher; override with BERTH_IMAGE. */
export const BERTH_IMAGE_DEFAULT = 'localhost/kubectl-berth:0.1.0';

export function berthImage(env: NodeJS.ProcessEnv = process.env): string {
  return env.BERTH_IMAGE || BERTH_IMAGE_DEFAULT;
}
