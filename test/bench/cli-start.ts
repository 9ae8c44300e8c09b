// CLI start: `kubectl berth --help` against `kubectl version --client`, both through kubectl as a
// user types them. Target ≤ 2×. Diagnostic sides run in the same interleaved loop (so the same noise
// hits them): the plugin without kubectl's dispatch, `node -e 0`, a bare import of @oclif/core, and
// this build with an oclif manifest and a warm compile cache. CPU time backs up the wall-clock ratio.
import { join } from 'node:path';
import { benchEnv, cpuSeconds, interleaved, meanOf, timeCommand } from './measure.js';
import type { Benchmark } from './result.js';
import { median, meetsTarget, ratioSummary, summarize, type Target } from './stats.js';
import { startupFixesInPlace, tunedCopy } from './tuned-copy.js';

/** Invocations per sample: one start takes tens of milliseconds, too short to time alone. */
const BURST = 5;
const TARGET: Target = { direction: 'at-most', value: 2 };

function expectHelp(stdout: string): void {
  if (!/USAGE/.test(stdout)) throw new Error(`kubectl berth --help printed no USAGE section:\n${stdout.slice(0, 400)}`);
}

const ms = (s: number) => `${Math.round(s * 1000)} ms`;

export const cliStart: Benchmark = {
  id: 'cli-start',
  title: 'CLI start',
  async run(ctx) {
    const env = benchEnv(ctx.root);
    const tuned = await tunedCopy(ctx.root, ctx.scratch, env, [['--help'], ['--help']]);
    const sides: Array<{ argv: string[]; env: NodeJS.ProcessEnv; check?: (stdout: string) => void }> = [
      { argv: ['kubectl', 'berth', '--help'], env, check: expectHelp },
      { argv: ['kubectl', 'version', '--client'], env },
      { argv: ['kubectl', 'berth', '--help'], env: tuned.env, check: expectHelp },
      { argv: [join(ctx.root, 'bin', 'kubectl-berth'), '--help'], env, check: expectHelp },
      { argv: [process.execPath, '-e', '0'], env },
      { argv: [process.execPath, '--input-type=module', '-e', "await import('@oclif/core')"], env },
      // A command's help goes through oclif even when the root help is pre-rendered.
      { argv: ['kubectl', 'berth', 'ls', '--help'], env, check: expectHelp },
    ];
    const once = (side: (typeof sides)[number]) => async () => {
      const { seconds, stdout } = await timeCommand(side.argv, { env: side.env, cwd: ctx.root });
      side.check?.(stdout);
      return seconds;
    };
    // One unmeasured round warms the page cache for every side.
    for (const side of sides) await once(side)();
    const [ours, baseline, tunedS, direct, bareNode, oclif, commandHelp] = (await interleaved(
      ctx.runs,
      sides.map((side) => () => meanOf(BURST, once(side))),
      ctx.log,
    )) as [number[], number[], number[], number[], number[], number[], number[]];
    const fixes = startupFixesInPlace(ctx.root);
    const cpu = async (side: (typeof sides)[number]) => {
      const samples: number[] = [];
      for (let i = 0; i < ctx.runs; i++) samples.push(await cpuSeconds(side.argv, ctx.scratch, { env: side.env, cwd: ctx.root }));
      return median(samples);
    };
    const cpuOurs = await cpu(sides[0]!);
    const cpuKubectl = await cpu(sides[1]!);

    const value = ratioSummary(ours, baseline);
    const tunedRatio = ratioSummary(tunedS, baseline);
    const dispatch = median(ours.map((o, i) => o - direct[i]!));
    const notes = [
      `Each sample is the mean of ${BURST} back-to-back invocations; every line below ran in the same interleaved loop.`,
      `Breakdown (medians): \`node -e 0\` ${ms(median(bareNode))}; \`import('@oclif/core')\` in a fresh Node ${ms(median(oclif))}; ` +
        `\`bin/kubectl-berth --help\` without kubectl ${ms(median(direct))}; kubectl's plugin lookup and exec ≈ ${ms(dispatch)}.`,
      `CPU time (user+system, median of ${ctx.runs}): \`kubectl berth --help\` ${ms(cpuOurs)}, \`kubectl version --client\` ${ms(cpuKubectl)} — ${(cpuOurs / cpuKubectl).toFixed(1)}×. ` +
        'CPU time hardly moves with the load of a shared machine, so it is the figure to trust when the wall-clock range is wide.',
      `Measured fix: the same build with ${tuned.manifestAlreadyShipped ? '' : 'a generated oclif.manifest.json and '}a warm NODE_COMPILE_CACHE ` +
        `(test/bench/tuned-copy.ts, a copy in a scratch directory): \`kubectl berth --help\` ${ms(median(tunedS))}, ${tunedRatio.median.toFixed(2)}× kubectl.`,
      `This build: oclif manifest ${fixes.manifest ? 'shipped' : 'absent'}, compile cache ${fixes.compileCache ? 'enabled in bin/run.js' : 'not enabled'}, ` +
        `root help ${fixes.prerenderedHelp ? 'pre-rendered at build time (served without loading oclif)' : 'rendered by oclif'}. ` +
        `A command's help, which always goes through oclif, \`kubectl berth ls --help\`: ${ms(median(commandHelp))}, ${ratioSummary(commandHelp, baseline).median.toFixed(2)}× kubectl.`,
    ];
    const floor = median(bareNode.map((n, i) => (n + Math.max(dispatch, 0)) / baseline[i]!));
    const ifMissed =
      `kubectl starts in ${ms(median(baseline))}; Node's own start plus kubectl's plugin dispatch already cost ${floor.toFixed(1)}× that before any of our code runs, ` +
      `and @oclif/core alone takes ${ms(median(oclif))} to import. With a manifest and the compile cache (measured on a copy) --help is ${tunedRatio.median.toFixed(2)}×. ` +
      'What would close the gap: ' +
      (fixes.manifest ? '' : '(a) ship oclif.manifest.json (generated at build time) so oclif reads one JSON file instead of importing every command module, on every start of every command; ') +
      (fixes.compileCache ? '' : '(b) call `module.enableCompileCache()` in bin/run.js before importing @oclif/core; ') +
      (fixes.prerenderedHelp ? '' : `(c) answer the root --help from bin/run.js with a help text rendered at build time, before @oclif/core is imported: that costs Node's start and kubectl's dispatch alone, ${floor.toFixed(1)}× here, ` +
        `while 2× leaves ${ms(Math.max(0, 2 * median(baseline) - median(bareNode) - Math.max(dispatch, 0)))} for everything after Node starts — less than importing @oclif/core takes; `) +
      'and keep @kubernetes/client-node, execa and @inquirer/prompts out of the static import graph of command modules. ' +
      'Node\'s start and kubectl\'s dispatch are a floor no plugin written for Node goes below.';
    return {
      figures: [
        {
          label: '`kubectl berth --help` vs `kubectl version --client`',
          ours: { what: '`kubectl berth --help`', summary: summarize(ours), unit: 's' },
          baseline: { what: '`kubectl version --client`', summary: summarize(baseline), unit: 's' },
          value,
          unit: 'x',
          target: TARGET,
          met: meetsTarget(value, TARGET),
          ifMissed,
        },
      ],
      notes,
    };
  },
};
