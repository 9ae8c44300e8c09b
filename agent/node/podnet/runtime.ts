// Which pod sandbox a VM pod has on this node, from the container runtime (CRI) rather than the API
// server: the agent then needs no right to read pods, which RBAC could grant only cluster-wide.
// The runtime knows every sandbox on this node and nothing else, and the kubelet hands it the pod's
// UID and annotations when it creates the sandbox, before any container (and any device
// PreStartContainer call) of the pod.
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { findProto } from '../deviceplugin/proto.js';

/** The labels the kubelet puts on every sandbox it creates (kubelet/types/labels.go). */
export const SandboxLabels = {
  podName: 'io.kubernetes.pod.name',
  podNamespace: 'io.kubernetes.pod.namespace',
} as const;

export interface CriSandbox {
  id?: string;
  metadata?: { name?: string; uid?: string; namespace?: string; attempt?: number };
  /** 'SANDBOX_READY' | 'SANDBOX_NOTREADY' (enums as strings). */
  state?: string;
  /** Nanoseconds since the epoch, as a decimal string (int64). */
  created_at?: string;
  annotations?: Record<string, string>;
}

export interface PodSandboxFacts {
  uid: string;
  /** The pod's annotations, as the kubelet gave them to the runtime. */
  annotations: Record<string, string>;
}

/**
 * The sandbox of pod namespace/name that is ready, the newest when a restarted pod left an older
 * one behind (a StatefulSet pod keeps its name across re-creation, not its UID).
 */
export function pickSandbox(items: readonly CriSandbox[], namespace: string, name: string): PodSandboxFacts | undefined {
  const mine = items.filter(
    (s) => s.metadata?.namespace === namespace && s.metadata?.name === name && s.metadata.uid && (s.state ?? 'SANDBOX_READY') === 'SANDBOX_READY',
  );
  if (mine.length === 0) return undefined;
  const newest = mine.reduce((a, b) => (BigInt(b.created_at || '0') > BigInt(a.created_at || '0') ? b : a));
  return { uid: newest.metadata!.uid!, annotations: newest.annotations ?? {} };
}

interface RuntimeClient extends grpc.Client {
  ListPodSandbox(request: object, options: grpc.CallOptions, done: (error: grpc.ServiceError | null, list: { items?: CriSandbox[] }) => void): void;
}

let runtimeService: grpc.ServiceClientConstructor | undefined;

/** The ready sandbox of pod namespace/name on the runtime at `socket`; undefined when it has none. */
export async function findPodSandbox(socket: string, namespace: string, name: string, timeoutMs = 10_000): Promise<PodSandboxFacts | undefined> {
  if (!runtimeService) {
    const definition = protoLoader.loadSync(findProto(import.meta.url, 'cri.proto', 'agent/node/podnet'), {
      keepCase: true,
      defaults: true,
      enums: String,
      longs: String,
    });
    runtimeService = (grpc.loadPackageDefinition(definition).runtime as unknown as { v1: { RuntimeService: grpc.ServiceClientConstructor } }).v1.RuntimeService;
  }
  const client = new runtimeService(`unix://${socket}`, grpc.credentials.createInsecure()) as unknown as RuntimeClient;
  const filter = { label_selector: { [SandboxLabels.podName]: name, [SandboxLabels.podNamespace]: namespace } };
  try {
    const list = await new Promise<{ items?: CriSandbox[] }>((resolve, reject) =>
      client.ListPodSandbox({ filter }, { deadline: new Date(Date.now() + timeoutMs) }, (error, response) =>
        error ? reject(new Error(`the container runtime's ListPodSandbox on ${socket}: ${error.details || error.message}`)) : resolve(response),
      ),
    );
    return pickSandbox(list.items ?? [], namespace, name);
  } finally {
    client.close();
  }
}
