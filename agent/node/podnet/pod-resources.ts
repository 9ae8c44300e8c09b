// Which pod is about to start with our device. The kubelet's PreStartContainer call names only the
// device IDs it allocated; its PodResources API (a local socket, no API-server credentials) lists
// the pods and containers holding each device ID, and it already lists a pod whose first container
// is about to start, because devices are allocated when the pod is admitted.
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { findProto } from '../deviceplugin/proto.js';

export interface PodResourcesList {
  pod_resources?: Array<{
    name?: string;
    namespace?: string;
    containers?: Array<{ name?: string; devices?: Array<{ resource_name?: string; device_ids?: string[] }> }>;
  }>;
}

export interface DeviceHolder {
  namespace: string;
  pod: string;
  container: string;
}

/** The container that holds any of `deviceIds` of `resourceName`; undefined when none does. */
export function holderOf(list: PodResourcesList, resourceName: string, deviceIds: readonly string[]): DeviceHolder | undefined {
  for (const pod of list.pod_resources ?? []) {
    for (const container of pod.containers ?? []) {
      const holds = (container.devices ?? []).some(
        (d) => d.resource_name === resourceName && (d.device_ids ?? []).some((id) => deviceIds.includes(id)),
      );
      if (holds && pod.name && pod.namespace && container.name) return { namespace: pod.namespace, pod: pod.name, container: container.name };
    }
  }
  return undefined;
}

/** The kubelet's PodResources socket under its root directory. */
export function podResourcesSocket(kubeletRoot: string): string {
  return join(kubeletRoot, 'pod-resources', 'kubelet.sock');
}

interface ListerClient extends grpc.Client {
  List(request: object, options: grpc.CallOptions, done: (error: grpc.ServiceError | null, list: PodResourcesList) => void): void;
}

let lister: grpc.ServiceClientConstructor | undefined;

/** Calls List on the kubelet's PodResources socket. */
export async function listPodResources(socket: string, timeoutMs = 10_000): Promise<PodResourcesList> {
  if (!lister) {
    const definition = protoLoader.loadSync(findProto(import.meta.url, 'podresources.proto', 'agent/node/podnet'), {
      keepCase: true,
      defaults: true,
    });
    lister = (grpc.loadPackageDefinition(definition).v1 as unknown as { PodResourcesLister: grpc.ServiceClientConstructor }).PodResourcesLister;
  }
  const client = new lister(`unix://${socket}`, grpc.credentials.createInsecure()) as unknown as ListerClient;
  try {
    return await new Promise((resolve, reject) =>
      client.List({}, { deadline: new Date(Date.now() + timeoutMs) }, (error, list) =>
        error ? reject(new Error(`PodResources List on ${socket}: ${error.details || error.message}`)) : resolve(list),
      ),
    );
  } finally {
    client.close();
  }
}
