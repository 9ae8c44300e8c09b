// Polls the cluster until the agent DaemonSet is rolled out and every agent reported on its node.
// Polling (every 2 s) rather than watching: three cheap reads, and no watch timeouts to handle.
import { setTimeout as sleep } from 'node:timers/promises';
import { BerthError } from '../../shared/errors.js';
import type { Connection } from '../kube/connect.js';
import { call, readOptional, type KubeApis } from '../kube/vm-objects.js';
import { agentRollout, type AgentRollout } from './agent-rollout.js';
import type { ManifestObject } from './manifest-set.js';

export interface WaitOptions {
  timeoutMs: number;
  progress: (line: string) => void;
  intervalMs?: number;
}

function selectorOf(ds: ManifestObject): string {
  const match = ((ds.spec as { selector?: { matchLabels?: Record<string, string> } } | undefined)?.selector?.matchLabels) ?? {};
  return Object.entries(match).map(([k, v]) => `${k}=${v}`).join(',');
}

export async function readRollout(conn: Connection, apis: KubeApis, ds: ManifestObject): Promise<AgentRollout> {
  const name = ds.metadata.name;
  const namespace = ds.metadata.namespace!;
  const [current, pods, nodes] = await Promise.all([
    readOptional(conn, `read daemonset ${name}`, () => apis.apps.readNamespacedDaemonSet({ name, namespace })),
    call(conn, 'list the agent pods', () => apis.core.listNamespacedPod({ namespace, labelSelector: selectorOf(ds) })),
    call(conn, 'list nodes', () => apis.core.listNode()),
  ]);
  return agentRollout(current, pods.items, nodes.items);
}

export async function waitForAgents(conn: Connection, apis: KubeApis, ds: ManifestObject, options: WaitOptions): Promise<AgentRollout> {
  const deadline = Date.now() + options.timeoutMs;
  let last = '';
  for (;;) {
    const rollout = await readRollout(conn, apis, ds);
    const line = [rollout.summary, ...rollout.problems].join('; ');
    if (line !== last) options.progress(`waiting: ${line}`);
    last = line;
    if (rollout.done) return rollout;
    if (Date.now() >= deadline) {
      const hints = rollout.problems.some((p) => /Image/.test(p))
        ? ['the agent image is not on the node: import it (test/image/build.sh) or pass --image with an image your nodes can pull']
        : [];
      throw new BerthError('TIMEOUT', `the berth agent is not ready after ${Math.round(options.timeoutMs / 1000)}s: ${line}`, {
        hint: [...hints, `look at the agent: kubectl -n ${ds.metadata.namespace} get pods -o wide; kubectl -n ${ds.metadata.namespace} logs daemonset/${ds.metadata.name}`],
      });
    }
    await sleep(options.intervalMs ?? 2000);
  }
}
