// ls at scale: `kubectl berth ls` over 500 VMs against kubectl listing the same pods and the same
// StatefulSets (ls reads both). Target ≤ 1.2× against `kubectl get pods`. A diagnostic side lists
// the same VMs through @kubernetes/client-node (an exec credential plugin makes ls use it), which is
// what the plugin would cost if client-node served every command. The VMs are StatefulSets
// carrying the VM labels whose pods never run: their template names a scheduler that does not exist,
// so each VM has one real Pending pod and nothing boots. Everything lives in one namespace, deleted
// at the end (and at the start, if an earlier run was interrupted).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { parse } from 'yaml';
import { join } from 'node:path';
import type { V1StatefulSet } from '@kubernetes/client-node';
import { vmLabels, allVmsSelector } from '../../src/core/vm-labels.js';
import { Annotations, berthImage, Labels } from '../../shared/contract.js';
import { benchEnv, interleaved, KUBECONFIG, requireCluster, timeCommand } from './measure.js';
import { buildFacts, mb, pluginSize } from './plugin-build.js';
import { loadedPackages } from '../support/import-trace.js';
import { NotMeasuredError, type Benchmark, type BenchContext, type Figure } from './result.js';
import { median, meetsTarget, ratioSummary, summarize, type Target } from './stats.js';

/** 500 for the record; BERTH_BENCH_LS_VMS=20 makes a quick trial of the code path. */
const VMS = Number(process.env.BERTH_BENCH_LS_VMS ?? 500);
const BATCH = 25;
const NAMESPACE = 't-bench-ls';
const EMPTY_NAMESPACE = 't-bench-ls-empty';
const TARGET: Target = { direction: 'at-most', value: 1.2 };

export function benchVm(name: string, namespace: string): V1StatefulSet {
  const labels = vmLabels(name);
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: {
      name,
      namespace,
      labels,
      annotations: { [Annotations.vmImage]: 'bench', [Annotations.vmAccel]: 'tcg', [Annotations.vmCpus]: '1', [Annotations.vmMemory]: '512Mi' },
    },
    spec: {
      replicas: 1,
      serviceName: name,
      selector: { matchLabels: { [Labels.component]: labels[Labels.component]!, [Labels.vm]: name } },
      template: {
        metadata: { labels },
        spec: {
          // No scheduler answers to this name: the pod exists, stays Pending and costs the node nothing.
          schedulerName: 'berth-bench-never-scheduled',
          automountServiceAccountToken: false,
          containers: [{ name: 'vm', image: berthImage(), imagePullPolicy: 'Never', command: ['sleep', 'infinity'] }],
        },
      },
    },
  };
}

async function api() {
  const k8s = await import('@kubernetes/client-node');
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(KUBECONFIG);
  return { core: kc.makeApiClient(k8s.CoreV1Api), apps: kc.makeApiClient(k8s.AppsV1Api) };
}

type Api = Awaited<ReturnType<typeof api>>;

async function deleteNamespace(client: Api, log: (m: string) => void): Promise<void> {
  try {
    await client.core.deleteNamespace({ name: NAMESPACE });
  } catch (error) {
    if ((error as { code?: number }).code === 404) return;
    throw error;
  }
  log(`deleting namespace ${NAMESPACE}`);
  const deadline = Date.now() + 180_000;
  while (Date.now() < deadline) {
    try {
      await client.core.readNamespace({ name: NAMESPACE });
    } catch (error) {
      if ((error as { code?: number }).code === 404) return;
      throw error;
    }
    await new Promise((r) => setTimeout(r, 2000));
  }
  log(`namespace ${NAMESPACE} is still terminating after 180 s; continuing`);
}

async function populate(client: Api, ctx: BenchContext): Promise<void> {
  await client.core.createNamespace({ body: { metadata: { name: NAMESPACE, labels: { [Labels.managedBy]: 'kubectl-berth-bench' } } } });
  const names = Array.from({ length: VMS }, (_, i) => `bench-vm-${String(i).padStart(3, '0')}`);
  const started = Date.now();
  for (let i = 0; i < names.length; i += BATCH) {
    await Promise.all(names.slice(i, i + BATCH).map((name) => client.apps.createNamespacedStatefulSet({ namespace: NAMESPACE, body: benchVm(name, NAMESPACE) })));
  }
  ctx.log(`created ${VMS} StatefulSets in ${((Date.now() - started) / 1000).toFixed(1)} s; waiting for their ${VMS} Pending pods`);
  const deadline = Date.now() + 300_000;
  for (;;) {
    const pods = await client.core.listNamespacedPod({ namespace: NAMESPACE, labelSelector: allVmsSelector() });
    if (pods.items.length >= VMS) break;
    if (Date.now() > deadline) throw new Error(`only ${pods.items.length} of ${VMS} pods appeared within 300 s`);
    await new Promise((r) => setTimeout(r, 3000));
  }
  ctx.log(`all ${VMS} pods exist after ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

/**
 * A copy of the cluster's kubeconfig whose user is an exec credential plugin handing out the same
 * token: the light reader declines exec plugins, so ls lists through client-node, everything else
 * equal. The plugin is a shell script that prints a file (a few ms of the figure).
 */
function execKubeconfig(scratch: string): string {
  const admin = parse(readFileSync(KUBECONFIG, 'utf8')) as { clusters: { name: string; cluster: Record<string, unknown> }[]; users: { user: { token?: string } }[] };
  const token = admin.users[0]?.user.token;
  if (!token) throw new NotMeasuredError(`the cluster's kubeconfig (${KUBECONFIG}) has no token to hand to an exec plugin`);
  const credential = join(scratch, 'credential.json');
  writeFileSync(credential, JSON.stringify({ apiVersion: 'client.authentication.k8s.io/v1beta1', kind: 'ExecCredential', status: { token } }));
  const script = join(scratch, 'credential.sh');
  writeFileSync(script, `#!/bin/sh\nexec cat ${credential}\n`, { mode: 0o755 });
  const path = join(scratch, 'exec.kubeconfig');
  const user = { exec: { apiVersion: 'client.authentication.k8s.io/v1beta1', command: script, interactiveMode: 'Never' } };
  writeFileSync(path, JSON.stringify({ apiVersion: 'v1', kind: 'Config', clusters: [admin.clusters[0]], users: [{ name: 'exec', user }], contexts: [{ name: 'exec', context: { cluster: admin.clusters[0]!.name, user: 'exec' } }], 'current-context': 'exec' }));
  return path;
}

/** Times one listing and checks it really listed `rows` objects (a fast error is not a sample). */
async function timedListing(argv: string[], env: NodeJS.ProcessEnv, rows: number): Promise<number> {
  const { seconds, stdout } = await timeCommand(argv, { env, timeoutMs: 60_000 });
  const lines = stdout.split('\n').filter((l) => l.trim() !== '').length;
  if (lines < rows) throw new Error(`${argv.join(' ')} printed ${lines} lines, expected at least ${rows}:\n${stdout.slice(0, 300)}`);
  return seconds;
}

export const lsScale: Benchmark = {
  id: 'ls-scale',
  title: 'ls at scale',
  async run(ctx) {
    if (!existsSync(join(ctx.root, 'dist', 'plugin', 'berth.js'))) {
      throw new NotMeasuredError('the plugin is not built (no dist/plugin/berth.js): run npm run build');
    }
    await requireCluster(ctx.root);
    const env = benchEnv(ctx.root);
    const selector = allVmsSelector();
    const client = await api();
    const facts = buildFacts(ctx.root);
    await deleteNamespace(client, ctx.log);
    try {
      await populate(client, ctx);
      const ls = ['kubectl', 'berth', 'ls', '-n', NAMESPACE];
      const pods = ['kubectl', 'get', 'pods', '-n', NAMESPACE, '-l', selector];
      const sts = ['kubectl', 'get', 'statefulsets', '-n', NAMESPACE, '-l', selector];
      // Diagnostic fourth side: the same two requests from bare Node without client-node.
      const floor = [process.execPath, join(ctx.root, 'dist', 'test', 'bench', 'list-floor.js'), KUBECONFIG, NAMESPACE, selector];
      // Diagnostic fifth side: ls itself, through the bundled client-node (exec credential plugin).
      const viaClientNode = { ...env, KUBECONFIG: execKubeconfig(ctx.scratch) };
      for (const argv of [ls, pods, sts, floor]) await timedListing(argv, env, VMS);
      await timedListing(ls, viaClientNode, VMS);
      const [oursS, podsS, stsS, floorS, clientNodeS] = (await interleaved(
        ctx.runs,
        [
          () => timedListing(ls, env, VMS),
          () => timedListing(pods, env, VMS),
          () => timedListing(sts, env, VMS),
          () => timedListing(floor, env, VMS),
          () => timedListing(ls, viaClientNode, VMS),
        ],
        ctx.log,
      )) as [number[], number[], number[], number[], number[]];
      ctx.log('fixed cost: the same commands on an empty namespace');
      const emptyLs = ['kubectl', 'berth', 'ls', '-n', EMPTY_NAMESPACE];
      const emptyPods = ['kubectl', 'get', 'pods', '-n', EMPTY_NAMESPACE, '-l', selector];
      const [emptyOurs, emptyKubectl, emptyClientNode] = (await interleaved(
        ctx.runs,
        [() => timedListing(emptyLs, env, 0), () => timedListing(emptyPods, env, 0), () => timedListing(emptyLs, viaClientNode, 0)],
      )) as [number[], number[], number[]];
      // What one ls process loads, from an import trace (test/support/import-trace.ts).
      const traced = async (runEnv: NodeJS.ProcessEnv) => {
        const trace = join(ctx.scratch, `ls-imports-${Date.now()}.txt`);
        writeFileSync(trace, '');
        await timeCommand(ls, { env: { ...runEnv, NODE_OPTIONS: `--import=${join(ctx.root, 'dist', 'test', 'support', 'import-trace.js')}`, BERTH_TEST_IMPORT_TRACE: trace }, timeoutMs: 60_000 });
        return loadedPackages(trace, ctx.root);
      };
      const imported = await traced(env);
      const importedViaClientNode = await traced(viaClientNode);
      if (!importedViaClientNode.has('@kubernetes/client-node')) throw new Error('ls with an exec credential plugin did not load client-node: the diagnostic side measures the wrong path');
      const loadsClientNode = imported.has('@kubernetes/client-node');
      const ms = (s: number) => `${Math.round(s * 1000)} ms`;
      const fixedOurs = median(emptyOurs);
      const fixedKubectl = median(emptyKubectl);
      const fixedClientNode = median(emptyClientNode);
      const scaleOurs = median(oursS) - fixedOurs;
      const scaleKubectl = median(podsS) - fixedKubectl;
      const clientNodeRatio = ratioSummary(clientNodeS, podsS).median;
      const floorRatio = ratioSummary(floorS, podsS).median;
      const startUp = loadsClientNode
        ? 'ls loads @kubernetes/client-node, whose import alone costs more than the whole budget (see the client-node side below).'
        : `ls does not load @kubernetes/client-node (it lists with node:https through the light reader, src/kube/reader.ts; one run loads ${imported.size} packages, from ${facts.bundled ? 'the bundle' : 'node_modules'}). ` +
          `Through the bundled client-node the same ls takes ${ms(median(clientNodeS))} (${clientNodeRatio.toFixed(2)}× kubectl get pods; ${ms(fixedClientNode)} on an empty namespace, ` +
          `${ms(fixedClientNode - fixedOurs)} more than the light reader): loading it evaluates its chunk of the bundle (undici, the auth providers and proxy agents, the generated API clients and their models; ${mb(pluginSize(ctx.root).largestChunk.bytes)} minified), so the light reader stays for ls, ssh, scp, vnc and port-forward. ` +
          `What is left is Node's start, kubectl's dispatch and evaluating the bundle (oclif, yaml, our modules) before the two requests.`;
      const ifMissed =
        `on an empty namespace ls takes ${ms(fixedOurs)} and kubectl ${ms(fixedKubectl)}; ` +
        `the ${VMS} VMs add ${ms(scaleOurs)} to ls and ${ms(scaleKubectl)} to kubectl. ` +
        (floorRatio > TARGET.value
          ? `The same two requests from a bare Node process, with no plugin around them (list-floor.ts), already take ${ms(median(floorS))}, ${floorRatio.toFixed(2)}× kubectl get pods: ` +
            `above the target, so no plugin written for Node reaches it on this machine. ls adds ${ms(median(oursS) - median(floorS))} over that floor: kubectl's plugin dispatch, evaluating the bundle and oclif's work. `
          : `The same two requests from bare Node without client-node take ${ms(median(floorS))} (${floorRatio.toFixed(2)}× kubectl get pods), so Node is not the obstacle; the plugin's start-up is (${ms(median(oursS) - median(floorS))} over that floor). `) +
        startUp;
      const figure = (label: string, what: string, base: number[]): Figure => {
        const value = ratioSummary(oursS, base);
        return {
          label,
          ours: { what: `\`${ls.join(' ')}\``, summary: summarize(oursS), unit: 's' },
          baseline: { what, summary: summarize(base), unit: 's' },
          value,
          unit: 'x',
          target: TARGET,
          met: meetsTarget(value, TARGET),
          ifMissed,
        };
      };
      return {
        figures: [
          figure(`${VMS} VMs vs \`kubectl get pods -l …\``, `\`${pods.join(' ')}\``, podsS),
          figure(`${VMS} VMs vs \`kubectl get statefulsets -l …\``, `\`${sts.join(' ')}\``, stsS),
        ],
        notes: [
          `${VMS} StatefulSets with the VM labels, created through the API ${BATCH} at a time; each has one Pending pod that no scheduler picks up, ` +
            'so `kubectl get pods` has as many objects to list as ls has VMs (with replicas 0 it would list nothing and measure only its own start).',
          `Fixed cost on an empty namespace: \`kubectl berth ls\` ${ms(fixedOurs)}, \`kubectl get pods\` ${ms(fixedKubectl)}.`,
          `What Node itself can do: the same two list requests, in parallel, from a bare Node process with node:https and no client-node (test/bench/list-floor.ts): ` +
            `${ms(median(floorS))} (${floorRatio.toFixed(2)}× kubectl get pods).`,
          `The same \`kubectl berth ls\` through the bundled @kubernetes/client-node (a kubeconfig whose user is an exec credential plugin handing out the same token, which the light reader leaves to client-node): ` +
            `${ms(median(clientNodeS))} (${clientNodeRatio.toFixed(2)}× kubectl get pods); on the empty namespace ${ms(fixedClientNode)}.`,
          `This build: ${facts.bundled ? 'bundled' : 'not bundled'}, oclif manifest ${facts.manifest ? 'shipped' : 'absent'}, compile cache ${facts.compileCache ? 'enabled' : 'not enabled'}.`,
        ],
      };
    } finally {
      await deleteNamespace(client, ctx.log).catch((error: Error) => ctx.log(`could not delete ${NAMESPACE}: ${error.message}`));
    }
  },
};
