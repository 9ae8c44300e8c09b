// The stand-in VM for the access tests: a StatefulSet of one pod labelled like a berth VM, with a
// container 'vm' running test/fixtures/access-image (sshd, VNC banner on the pod's loopback, echo,
// a line-echoing console), in a namespace of its own. Commands run as the real bin/kubectl-berth.
import { randomBytes } from 'node:crypto';
import { connect as tcpConnect } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { berthCache, clusterKubeconfig, createUniqueNamespace, deleteNamespace } from '../../support/cluster.js';
import { waitForOutput } from '../../support/child-output.js';
import { eventually } from '../../support/eventually.js';
import { berthProcess } from '../../support/plugin.js';
import { join } from 'node:path';
import { execa } from 'execa';
import type { V1StatefulSet } from '@kubernetes/client-node';
import { vmLabels, vmSelectorLabels } from '../../../src/core/vm-labels.js';
import { VM_CONTAINER } from '../../../shared/contract.js';
import { repo } from '../../support/repo.js';

export const accessImageDir = join(berthCache(), 'access-image');
export const sshKey = join(accessImageDir, 'id_ed25519');

async function k8s() {
  const client = await import('@kubernetes/client-node');
  const kc = new client.KubeConfig();
  kc.loadFromFile(clusterKubeconfig());
  return { kc, core: kc.makeApiClient(client.CoreV1Api), apps: kc.makeApiClient(client.AppsV1Api) };
}

export async function buildAccessImage(): Promise<string> {
  const { stdout } = await execa('bash', [join(repo, 'test/fixtures/access-image/build.sh')], { env: { KUBECONFIG: clusterKubeconfig() } });
  return stdout.trim().split('\n').at(-1)!;
}

/** `tty: true` stands for a VM created by an older plugin, whose container had a terminal. */
export function fakeVm(name: string, image: string, replicas: number, tty = false): V1StatefulSet {
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name, labels: vmLabels(name) },
    spec: {
      replicas,
      serviceName: name,
      selector: { matchLabels: vmSelectorLabels(name) },
      template: {
        metadata: { labels: vmLabels(name) },
        spec: {
          terminationGracePeriodSeconds: 1,
          containers: [{ name: VM_CONTAINER, image, imagePullPolicy: 'Never', stdin: true, tty }],
        },
      },
    },
  };
}

export interface Fixture {
  namespace: string;
  clusterName: string;
  cleanup(): Promise<void>;
}

/** Creates the fake VM `name` (one replica) in `namespace` and waits until its pod runs. */
export async function startFakeVm(namespace: string, name: string, image: string, tty = false): Promise<void> {
  const { core, apps } = await k8s();
  await apps.createNamespacedStatefulSet({ namespace, body: fakeVm(name, image, 1, tty) });
  await eventually(`pod ${name}-0 in ${namespace} to run`, 90_000, async () => {
    const pod = await core.readNamespacedPod({ name: `${name}-0`, namespace }).catch(() => undefined);
    return pod?.status?.phase === 'Running';
  });
}

/** A namespace with a running fake VM `running` and a stopped one (`stopped`, replicas 0). */
export async function startFixture(image: string): Promise<Fixture> {
  const { kc, apps } = await k8s();
  const namespace = await createUniqueNamespace('access');
  const cleanup = () => deleteNamespace(namespace);
  try {
    await apps.createNamespacedStatefulSet({ namespace, body: fakeVm('stopped', image, 0) });
    await startFakeVm(namespace, 'running', image);
  } catch (error) {
    await cleanup();
    throw error;
  }
  return { namespace, clusterName: kc.getCurrentCluster()!.name, cleanup };
}

export const cacheDir = mkdtempSync(join(tmpdir(), 'berth-access-cache-'));

/** The plugin started as a process (test/support/plugin.ts) with a private cache directory. */
export function startBerth(args: string[], options: { stdin?: 'pipe' | 'ignore'; path?: string; env?: Record<string, string> } = {}) {
  return berthProcess(args, { stdin: options.stdin, env: { XDG_CACHE_HOME: cacheDir, ...(options.path ? { PATH: options.path } : {}), ...options.env } });
}

/**
 * Drives a started `kubectl berth console`: waits until it is attached, types a fresh word, waits
 * for the stand-in console's answer, leaves with Ctrl-] and returns how the command ended.
 */
export async function consoleRoundTrip(child: ReturnType<typeof startBerth>) {
  await waitForOutput(child, 'stderr', /Press Ctrl-\] to exit/);
  const word = `ping-${randomBytes(4).toString('hex')}`;
  const echoed = waitForOutput(child, 'stdout', new RegExp(`console: ${word}`));
  child.stdin!.write(`${word}\n`);
  await echoed;
  child.stdin!.write(Buffer.from([0x1d]));
  return child;
}

/** Sends `payload` and collects exactly as many bytes back (an echo service), then closes. */
export function echoRoundTrip(port: number, payload: Buffer): Promise<Buffer> {
  return new Promise((resolvePromise, reject) => {
    const chunks: Buffer[] = [];
    let received = 0;
    const socket = tcpConnect(port, '127.0.0.1', () => socket.write(payload));
    socket.on('data', (chunk) => {
      chunks.push(chunk);
      received += chunk.length;
      if (received >= payload.length) {
        socket.destroy();
        resolvePromise(Buffer.concat(chunks));
      }
    });
    socket.on('error', reject);
    socket.on('close', () => {
      if (received < payload.length) reject(new Error(`connection closed after ${received} of ${payload.length} bytes`));
    });
  });
}
