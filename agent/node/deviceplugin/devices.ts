// What the device plugin advertises and hands out, as plain data. A node device such as /dev/kvm
// can be shared by any number of VMs, so each resource advertises many interchangeable "slots";
// the slot count caps how many VM pods one node may run at once.

export const DEVICE_PLUGIN_API_VERSION = 'v1beta1';

export interface SharedDevice {
  /** The extended resource name, e.g. devices.berth.dev/tun. */
  resourceName: string;
  /** Socket file name in the kubelet's device-plugin directory. */
  socketName: string;
  /** Path of the device node in the container, and of the node's own device (e.g. /dev/net/tun). */
  devicePath: string;
  /**
   * The device node handed to containers, when not devicePath itself: a node the agent made with
   * mode 0666 (device-nodes.ts), so that the VM pod's non-root uid can open the device whatever
   * the host's own node allows. Runtimes copy the mode of this host node into the container.
   */
  hostPath?: string;
  /** Read-only bind mounts for every container holding the device (host path → container path). */
  mounts?: readonly { hostPath: string; containerPath: string }[];
  /** Device ID prefix, e.g. 'tun' gives tun-000 … tun-109. */
  idPrefix: string;
  slots: number;
}

export interface DeviceListEntry {
  ID: string;
  health: 'Healthy' | 'Unhealthy';
}

export function buildDeviceList(device: SharedDevice, healthy: boolean): DeviceListEntry[] {
  const width = String(Math.max(device.slots - 1, 0)).length;
  return Array.from({ length: device.slots }, (_, i) => ({
    ID: `${device.idPrefix}-${String(i).padStart(Math.max(width, 3), '0')}`,
    health: healthy ? 'Healthy' : 'Unhealthy',
  }));
}

export interface AllocateRequestShape {
  container_requests?: Array<{ devicesIDs?: string[] }>;
}

/** One device node per container, whatever number of slots it asked for: the slots are all the same device. */
export function buildAllocateResponse(device: SharedDevice, request: AllocateRequestShape) {
  return {
    container_responses: (request.container_requests ?? []).map(() => ({
      envs: {},
      mounts: (device.mounts ?? []).map((m) => ({ container_path: m.containerPath, host_path: m.hostPath, read_only: true })),
      devices: [{ container_path: device.devicePath, host_path: device.hostPath ?? device.devicePath, permissions: 'rw' }],
      annotations: {},
    })),
  };
}

export interface PreferredAllocationRequestShape {
  container_requests?: Array<{ available_deviceIDs?: string[]; must_include_deviceIDs?: string[]; allocation_size?: number }>;
}

/** Any slots will do; keep the ones the kubelet insists on, then fill up in order. */
export function buildPreferredAllocation(request: PreferredAllocationRequestShape) {
  return {
    container_responses: (request.container_requests ?? []).map((r) => {
      const must = r.must_include_deviceIDs ?? [];
      const rest = (r.available_deviceIDs ?? []).filter((id) => !must.includes(id));
      return { deviceIDs: [...must, ...rest].slice(0, Math.max(r.allocation_size ?? 0, must.length)) };
    }),
  };
}
