// Waits until the agent DaemonSet is rolled out and every agent reported on its node: three cheap
// reads every 2 s, woken early by watches on the agent pods and the nodes (wait-until.ts).
import { BerthError } from '../../shared/errors.js';
import type { Connection } from '../kube/connect.js';
import { call, readOptional, type KubeApis } from '../kube/vm-objects.js';
import { waitUntil, watchAll, watchWake } from '../kube/wait-until.js';
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
  const namespace = ds.metadata.namespace!;
  const line = (rollout: AgentRollout) => [rollout.summary, ...rollout.problems].join('; ');
  return waitUntil<AgentRollout, AgentRollout>({
    observe: () => readRollout(conn, apis, ds),
    describe: line,
    done: (rollout) => (rollout.done ? rollout : undefined),
    timedOut(rollout) {
      const hints = rollout.problems.some((p) => /Image/.test(p))
        ? ['the agent image is not on the node: import it (test/image/build.sh) or pass --image with an image your nodes can pull']
        : [];
      return new BerthError('TIMEOUT', `the berth agent is not ready after ${Math.round(options.timeoutMs / 1000)}s: ${line(rollout)}`, {
        hint: [...hints, `look at the agent: kubectl -n ${namespace} get pods -o wide; kubectl -n ${namespace} logs daemonset/${ds.metadata.name}`],
      });
    },
    timeoutMs: options.timeoutMs,
    pollMs: options.intervalMs ?? 2000,
    progress: (l) => options.progress(`waiting: ${l}`),
    // The agents' pods turning Ready and each agent labelling its node are the changes that matter.
    watch: (wake) =>
      watchAll(
        watchWake(conn, `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods`, { labelSelector: selectorOf(ds) }, wake),
        watchWake(conn, '/api/v1/nodes', {}, wake),
      ),
  });
}
