// CLI start: `kubectl berth --help` (target ≤ 1.5×) and a command's help, `kubectl berth ls --help`
// (target ≤ 2×), against `kubectl version --client`, all through kubectl as a user types them.
// Diagnostic sides run in the same interleaved loop (so the same noise hits them): the plugin
// without kubectl's dispatch, `node -e 0`, and importing the bundle in a fresh Node. CPU time backs
// up the wall-clock ratios.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { benchEnv, cpuSeconds, interleaved, meanOf, timeCommand } from './measure.js';
import { buildFacts, mb, pluginSize } from './plugin-build.js';
import type { Benchmark, Figure } from './result.js';
import { median, meetsTarget, ratioSummary, summarize, type Target } from './stats.js';

/** Invocations per sample: one start takes tens of milliseconds, too short to time alone. */
const BURST = 5;
const ROOT_HELP_TARGET: Target = { direction: 'at-most', value: 1.5 };
const COMMAND_HELP_TARGET: Target = { direction: 'at-most', value: 2 };

function expectHelp(stdout: string): void {
  if (!/USAGE/.test(stdout)) throw new Error(`kubectl berth --help printed no USAGE section:\n${stdout.slice(0, 400)}`);
}

const ms = (s: number) => `${Math.round(s * 1000)} ms`;

export const cliStart: Benchmark = {
  id: 'cli-start',
  title: 'CLI start',
  async run(ctx) {
    const env = benchEnv(ctx.root);
    // The bundle as bin/run.js loads it: compile cache on, then one dynamic import.
    const importBundle = `import module from 'node:module'; module.enableCompileCache?.(); await import(${JSON.stringify(pathToFileURL(join(ctx.root, 'dist', 'plugin', 'berth.js')).href)});`;
    const sides: Array<{ argv: string[]; env?: NodeJS.ProcessEnv; check?: (stdout: string) => void }> = [
      { argv: ['kubectl', 'berth', '--help'], check: expectHelp },
      { argv: ['kubectl', 'version', '--client'] },
      { argv: ['kubectl', 'berth', 'ls', '--help'], check: expectHelp },
      { argv: [join(ctx.root, 'bin', 'kubectl-berth'), '--help'], check: expectHelp },
      { argv: [join(ctx.root, 'bin', 'kubectl-berth'), 'ls', '--help'], check: expectHelp },
      { argv: [process.execPath, '-e', '0'] },
      { argv: [process.execPath, '--input-type=module', '-e', importBundle] },
      // What a command's help costs when oclif renders it from the bundle (no pre-rendered file).
      { argv: [join(ctx.root, 'bin', 'kubectl-berth'), 'ls', '--help'], env: { BERTH_NO_PRERENDERED_HELP: '1' }, check: expectHelp },
    ];
    const once = (side: (typeof sides)[number]) => async () => {
      const { seconds, stdout } = await timeCommand(side.argv, { env: { ...env, ...side.env }, cwd: ctx.root });
      side.check?.(stdout);
      return seconds;
    };
    // One unmeasured round warms the page cache and the compile cache for every side.
    for (const side of sides) await once(side)();
    const [rootHelp, kubectl, lsHelp, rootDirect, lsDirect, bareNode, bundleImport, lsHelpOclif] = (await interleaved(
      ctx.runs,
      sides.map((side) => () => meanOf(BURST, once(side))),
      ctx.log,
    )) as [number[], number[], number[], number[], number[], number[], number[], number[]];
    const cpu = async (side: (typeof sides)[number]) => {
      const samples: number[] = [];
      for (let i = 0; i < ctx.runs; i++) samples.push(await cpuSeconds(side.argv, ctx.scratch, { env, cwd: ctx.root }));
      return median(samples);
    };
    const [cpuRoot, cpuKubectl, cpuLs] = [await cpu(sides[0]!), await cpu(sides[1]!), await cpu(sides[2]!)];
    const facts = buildFacts(ctx.root);
    const size = pluginSize(ctx.root);
    const dispatch = median(rootHelp.map((o, i) => o - rootDirect[i]!));
    const floor = median(bareNode.map((n, i) => (n + Math.max(dispatch, 0)) / kubectl[i]!));
    const notes = [
      `Each sample is the mean of ${BURST} back-to-back invocations; every line below ran in the same interleaved loop.`,
      `Breakdown (medians): \`node -e 0\` ${ms(median(bareNode))}; importing the bundle (dist/plugin/berth.js: oclif and every command) in a fresh Node ${ms(median(bundleImport))}; ` +
        `\`bin/kubectl-berth --help\` without kubectl ${ms(median(rootDirect))}, \`bin/kubectl-berth ls --help\` ${ms(median(lsDirect))}; kubectl's plugin lookup and exec ≈ ${ms(dispatch)}.`,
      `A command's help rendered by oclif from the bundle (\`BERTH_NO_PRERENDERED_HELP=1 bin/kubectl-berth ls --help\`, what the pre-rendered file spares): ${ms(median(lsHelpOclif))}, ` +
        `${ms(median(lsHelpOclif) - median(lsDirect))} more than the pre-rendered answer.`,
      `CPU time (user+system, median of ${ctx.runs}): \`kubectl berth --help\` ${ms(cpuRoot)}, \`kubectl berth ls --help\` ${ms(cpuLs)}, \`kubectl version --client\` ${ms(cpuKubectl)}. ` +
        'CPU time hardly moves with the load of a shared machine, so it is the figure to trust when the wall-clock range is wide.',
      `This build: ${facts.bundled ? 'bundled with esbuild (src/build/bundle.ts)' : 'not bundled'}, oclif manifest ${facts.manifest ? 'shipped' : 'absent'}, ` +
        `compile cache ${facts.compileCache ? 'enabled in bin/run.js' : 'not enabled'}, root help ${facts.prerenderedHelp ? 'pre-rendered at build time' : 'rendered by oclif'}, ` +
        `commands' help ${facts.prerenderedCommandHelp ? 'pre-rendered at build time' : 'rendered by oclif'} (a pre-rendered help is served by bin/run.js without loading the bundle).`,
      `Size: the bundle is ${size.bundleFiles} files, ${mb(size.bundleBytes)} of JavaScript; a start loads ${mb(size.startupBytes)} of it, and the largest chunk ` +
        `(${mb(size.largestChunk.bytes)}: ${size.largestChunk.packages.includes('@kubernetes/client-node') ? '@kubernetes/client-node with its dependencies' : size.largestChunk.packages.slice(0, 3).join(', ')}) loads only when a command needs it. ` +
        `The plugin as installed (bin/, dist/plugin/, dist/help/, manifests/, package.json, oclif.manifest.json, README; no source maps, no node_modules at run time): ${mb(size.installBytes)}.`,
    ];
    const ifMissed = (what: string) =>
      `kubectl starts in ${ms(median(kubectl))}; Node's own start plus kubectl's plugin dispatch already cost ${floor.toFixed(1)}× that before any of our code runs. ` +
      `${what} Where oclif must answer, what is left after the bundle is evaluating it (${ms(median(bundleImport) - median(bareNode))} over a bare Node: oclif and its dependencies, yaml, our modules) and oclif's own work per run (reading package.json and the manifest, parsing, rendering). ` +
      "Node's start and kubectl's dispatch are a floor no plugin written for Node goes below.";
    const figure = (label: string, ours: number[], what: string, target: Target, missed: string): Figure => {
      const value = ratioSummary(ours, kubectl);
      return {
        label,
        ours: { what, summary: summarize(ours), unit: 's' },
        baseline: { what: '`kubectl version --client`', summary: summarize(kubectl), unit: 's' },
        value,
        unit: 'x',
        target,
        met: meetsTarget(value, target),
        ifMissed: ifMissed(missed),
      };
    };
    return {
      figures: [
        figure('`kubectl berth --help` vs `kubectl version --client`', rootHelp, '`kubectl berth --help`', ROOT_HELP_TARGET,
          facts.prerenderedHelp ? 'The root help is pre-rendered and served by bin/run.js before the bundle is imported, so this is Node, dispatch and one file read.' : 'Pre-render the root help at build time (src/help/prerender.ts).'),
        figure('`kubectl berth ls --help` vs `kubectl version --client`', lsHelp, '`kubectl berth ls --help`', COMMAND_HELP_TARGET,
          facts.prerenderedCommandHelp ? 'The command\'s help is pre-rendered and served like the root help.' : 'A command\'s help loads the bundle and renders through oclif; pre-rendering it as the root help is would spare that.'),
      ],
      notes,
    };
  },
};
