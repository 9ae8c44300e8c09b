// Runs the built node agent (dist/agent/node/main.js) as a real process, the way the DaemonSet
// runs it, with its options pointed at test resources; keeps its log for failure messages. And the
// fake node and catalog namespace such a test runs it against (AgentTestbed).
import { spawn, type ChildProcess } from 'node:child_process';
import { Annotations, Catalog, type ImageCacheStatus } from '../../shared/contract.js';
import { parseImageCacheAnnotation } from '../../shared/image-cache.js';
import { applyJson, clusterKubeconfig, kubectlJsonSync, kubectlSync, removeFakeNodeAndNamespace, uniqueSuffix } from './cluster.js';
import { freePort } from './ports.js';
import { agentMain } from './repo.js';

export class AgentProcess {
  private child?: ChildProcess;
  log = '';

  constructor(private readonly args: string[], private readonly env: Record<string, string> = {}) {}

  start(): void {
    this.child = spawn(process.execPath, [agentMain, ...this.args], {
      env: { ...process.env, KUBECONFIG: clusterKubeconfig(), ...this.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const append = (d: Buffer) => {
      this.log += d.toString();
      if (this.log.length > 200_000) this.log = this.log.slice(-100_000);
    };
    this.child.stdout!.on('data', append);
    this.child.stderr!.on('data', append);
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Sends the signal and waits for the exit; resolves with the exit code or signal. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<number | string> {
    const child = this.child;
    if (!child || !this.running) return child?.exitCode ?? child?.signalCode ?? 'not started';
    const exited = new Promise<number | string>((resolve) => child.once('exit', (code, sig) => resolve(code ?? sig ?? '?')));
    child.kill(signal);
    return exited;
  }

  tail(lines = 30): string {
    return this.log.trim().split('\n').slice(-lines).join('\n');
  }
}

/**
 * What a test of the agent process needs around it: a namespace of its own (for its catalog) and
 * a fake Node (no kubelet), so it never fights the real agent over berth-node; and how to read
 * back what the agent reported there.
 */
export class AgentTestbed {
  readonly namespace: string;
  readonly node: string;

  constructor(prefix: string) {
    const suffix = uniqueSuffix();
    this.namespace = `t-agent-${prefix}-${suffix}`;
    this.node = `t-agent-${prefix}-node-${suffix}`;
  }

  /** Creates the namespace and the fake node. */
  create(): void {
    kubectlSync(['create', 'namespace', this.namespace]);
    applyJson({ apiVersion: 'v1', kind: 'Node', metadata: { name: this.node } });
  }

  /** Writes the catalog: image name → entry. */
  setCatalog(entries: Record<string, object>): void {
    const data = Object.fromEntries(Object.entries(entries).map(([k, v]) => [k, JSON.stringify(v)]));
    applyJson({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: Catalog.configMap, namespace: this.namespace }, data });
  }

  /** The options every agent under test takes: this catalog, a free HTTP port, no device plugins. */
  async agentArgs(cacheDir: string): Promise<string[]> {
    return ['--cache-dir', cacheDir, '--catalog-namespace', this.namespace, '--http', `127.0.0.1:${await freePort()}`, '--device-plugins', 'off', '--status-interval', '500ms'];
  }

  nodeMeta(): { labels: Record<string, string>; annotations: Record<string, string> } {
    const { labels, annotations } = kubectlJsonSync(['get', 'node', this.node]).metadata;
    return { labels: labels ?? {}, annotations: annotations ?? {} };
  }

  /** What the node's image-cache annotation says about one image. */
  imageStatus(name: string): ImageCacheStatus | undefined {
    return parseImageCacheAnnotation(this.nodeMeta().annotations[Annotations.nodeImageCache])[name];
  }

  /** The Events about the fake node (in 'default', where the API accepts Node events). */
  events(): { reason: string; type: string; message: string }[] {
    return kubectlJsonSync(['get', 'events', '-n', 'default', '--field-selector', `involvedObject.name=${this.node}`]).items;
  }

  remove(): Promise<void> {
    return removeFakeNodeAndNamespace(this.namespace, this.node);
  }
}
