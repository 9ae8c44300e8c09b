// ls at scale: `kubectl berth ls` over 500 VMs against kubectl listing the same pods and the same
// StatefulSets (ls reads both). Target ≤ 1.2× against `kubectl get pods`. The VMs are StatefulSets
// carrying the VM labels whose pods never run: their template names a scheduler that does not exist,
// so each VM has one real Pending pod and nothing boots. Everything lives in one namespace, deleted
// at the end (and at the start, if an earlier run was interrupted).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { V1StatefulSet } from '@kubernetes/client-node';
import { vmLabels, allVmsSelector } from '../../src/core/vm-labels.js';
import { Annotations, berthImage, Labels } from '../../shared/contract.js';
import { benchEnv, interleaved, KUBECONFIG, requireCluster, timeCommand } from './measure.js';
import { startupFixesInPlace, tunedCopy } from './tuned-copy.js';
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
    if (!existsSync(join(ctx.root, 'dist', 'src', 'commands', 'ls.js'))) {
      throw new NotMeasuredError('`kubectl berth ls` does not exist yet (no dist/src/commands/ls.js)');
    }
    await requireCluster(ctx.root);
    const env = benchEnv(ctx.root);
    const selector = allVmsSelector();
    const client = await api();
    const fixes = startupFixesInPlace(ctx.root);
    await deleteNamespace(client, ctx.log);
    try {
      await populate(client, ctx);
      const ls = ['kubectl', 'berth', 'ls', '-n', NAMESPACE];
      const pods = ['kubectl', 'get', 'pods', '-n', NAMESPACE, '-l', selector];
      const sts = ['kubectl', 'get', 'statefulsets', '-n', NAMESPACE, '-l', selector];
      // Diagnostic fourth side: the same two requests from bare Node without client-node.
      const floor = [process.execPath, join(ctx.root, 'dist', 'test', 'bench', 'list-floor.js'), KUBECONFIG, NAMESPACE, selector];
      // Diagnostic fifth side: this build with an oclif manifest and a warm compile cache.
      const tuned = await tunedCopy(ctx.root, ctx.scratch, env, [ls.slice(1), ls.slice(1)]);
      for (const argv of [ls, pods, sts, floor]) await timedListing(argv, env, VMS);
      const [oursS, podsS, stsS, floorS, tunedS] = (await interleaved(
        ctx.runs,
        [
          () => timedListing(ls, env, VMS),
          () => timedListing(pods, env, VMS),
          () => timedListing(sts, env, VMS),
          () => timedListing(floor, env, VMS),
          () => timedListing(ls, tuned.env, VMS),
        ],
        ctx.log,
      )) as [number[], number[], number[], number[], number[]];
      ctx.log('fixed cost: the same commands on an empty namespace');
      const emptyLs = ['kubectl', 'berth', 'ls', '-n', EMPTY_NAMESPACE];
      const emptyPods = ['kubectl', 'get', 'pods', '-n', EMPTY_NAMESPACE, '-l', selector];
      const [emptyOurs, emptyKubectl] = (await interleaved(
        ctx.runs,
        [() => timedListing(emptyLs, env, 0), () => timedListing(emptyPods, env, 0)],
      )) as [number[], number[]];
      // What one ls process loads, from an import trace (test/support/import-trace.ts).
      const trace = join(ctx.scratch, 'ls-imports.txt');
      writeFileSync(trace, '');
      await timeCommand(ls, { env: { ...env, NODE_OPTIONS: `--import=${join(ctx.root, 'dist', 'test', 'support', 'import-trace.js')}`, BERTH_TEST_IMPORT_TRACE: trace }, timeoutMs: 60_000 });
      const imported = new Set(readFileSync(trace, 'utf8').split('\n').filter((l) => l && !l.startsWith('node:')).map((l) => (l.startsWith('@') ? l.split('/').slice(0, 2) : l.split('/').slice(0, 1)).join('/')));
      const loadsClientNode = imported.has('@kubernetes/client-node');
      const ms = (s: number) => `${Math.round(s * 1000)} ms`;
      const fixedOurs = median(emptyOurs);
      const fixedKubectl = median(emptyKubectl);
      const scaleOurs = median(oursS) - fixedOurs;
      const scaleKubectl = median(podsS) - fixedKubectl;
      const startUp = loadsClientNode
        ? 'Most of it is importing @kubernetes/client-node: its KubeConfig module (dist/config.js) statically imports every generated API and model, undici, openid-client and the socks/proxy agents ' +
          `(~0.4–0.5 s of CPU here)${fixes.manifest ? '' : ', and without oclif.manifest.json oclif also imports every command module on each start'}. ` +
          'Closing it: on read-only paths read the kubeconfig with `yaml` and issue the list calls with node:https as list-floor.ts does, keeping client-node for what needs it.'
        : `ls no longer loads @kubernetes/client-node (it lists with node:https; one run imports ${imported.size} packages, client-node not among them). ` +
          "What is left is Node's start and loading @oclif/core with its CommonJS dependency tree: a CPU profile of ls is mostly module resolution and loading " +
          '(file stats, package.json reads, the CJS loader), not our code or the two requests. ' +
          'Closing it: bundle the plugin into one file at build time (esbuild or similar), so that resolution is paid once at build time instead of on every start, ' +
          'or serve ls without oclif, as bin/run.js already does for the root help.';
      const ifMissed =
        `on an empty namespace ls takes ${ms(fixedOurs)} and kubectl ${ms(fixedKubectl)}; ` +
        `the ${VMS} VMs add ${ms(scaleOurs)} to ls and ${ms(scaleKubectl)} to kubectl. ` +
        `The same two requests from bare Node without client-node take ${ms(median(floorS))}, so Node is not the obstacle; the plugin's start-up is. ` +
        `${startUp} ` +
        `${fixes.manifest && fixes.compileCache ? 'The build already ships an oclif manifest and enables the compile cache; ' : ''}this build with a warm compile cache (measured on a copy) takes ${ms(median(tunedS))}` +
        `${fixes.manifest ? '' : '; ship oclif.manifest.json'}${fixes.compileCache ? '' : '; call module.enableCompileCache() in bin/run.js'}.`;
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
            `${ms(median(floorS))} (${(median(floorS) / median(podsS)).toFixed(2)}× kubectl get pods).`,
          `This build with ${tuned.manifestAlreadyShipped ? '' : 'a generated oclif.manifest.json and '}a warm NODE_COMPILE_CACHE (test/bench/tuned-copy.ts; the build itself ${fixes.manifest ? 'ships' : 'lacks'} a manifest and ${fixes.compileCache ? 'enables' : 'does not enable'} the compile cache): ` +
            `${ms(median(tunedS))} (${ratioSummary(tunedS, podsS).median.toFixed(2)}× kubectl get pods).`,
        ],
      };
    } finally {
      await deleteNamespace(client, ctx.log).catch((error: Error) => ctx.log(`could not delete ${NAMESPACE}: ${error.message}`));
    }
  },
};
