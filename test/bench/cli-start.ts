// CLI start: `kubectl berth --help` against `kubectl version --client`, both through kubectl as a
// user types them. Target ≤ 2×. A breakdown (Node alone, the plugin without kubectl's dispatch,
// oclif's import) explains where the time goes when the target is missed.
import { join } from 'node:path';
import { benchEnv, interleaved, meanOf, timeCommand } from './measure.js';
import type { Benchmark, BenchContext } from './result.js';
import { median, meetsTarget, ratioSummary, summarize, type Target } from './stats.js';

/** Invocations per sample: one start takes tens of milliseconds, too short to time alone. */
const BURST = 5;
const TARGET: Target = { direction: 'at-most', value: 2 };

async function timed(argv: string[], env: NodeJS.ProcessEnv, check?: (stdout: string) => void, cwd?: string): Promise<number> {
  const { seconds, stdout } = await timeCommand(argv, { env, cwd });
  check?.(stdout);
  return seconds;
}

function expectHelp(stdout: string): void {
  if (!/USAGE/.test(stdout)) throw new Error(`kubectl berth --help printed no USAGE section:\n${stdout.slice(0, 400)}`);
}

async function breakdown(ctx: BenchContext, env: NodeJS.ProcessEnv): Promise<Record<string, number>> {
  const node = process.execPath;
  const probes: Record<string, string[]> = {
    node: [node, '-e', '0'],
    oclifImport: [node, '--input-type=module', '-e', "await import('@oclif/core')"],
    pluginDirect: [join(ctx.root, 'bin', 'kubectl-berth'), '--help'],
  };
  const medians: Record<string, number> = {};
  for (const [name, argv] of Object.entries(probes)) {
    const samples: number[] = [];
    for (let i = 0; i < ctx.runs; i++) samples.push(await meanOf(3, () => timed(argv, env, undefined, ctx.root)));
    medians[name] = median(samples);
  }
  return medians;
}

export const cliStart: Benchmark = {
  id: 'cli-start',
  title: 'CLI start',
  async run(ctx) {
    const env = benchEnv(ctx.root);
    // One unmeasured round warms the page cache for both sides.
    await timed(['kubectl', 'berth', '--help'], env, expectHelp);
    await timed(['kubectl', 'version', '--client'], env);
    const [ours, baseline] = (await interleaved(
      ctx.runs,
      [
        () => meanOf(BURST, () => timed(['kubectl', 'berth', '--help'], env, expectHelp)),
        () => meanOf(BURST, () => timed(['kubectl', 'version', '--client'], env)),
      ],
      ctx.log,
    )) as [number[], number[]];
    const value = ratioSummary(ours, baseline);
    ctx.log('breakdown: node -e 0, oclif import, plugin without kubectl');
    const parts = await breakdown(ctx, env);
    const ms = (s: number) => `${Math.round(s * 1000)} ms`;
    const oursMedian = median(ours);
    const dispatch = oursMedian - parts.pluginDirect!;
    const notes = [
      `Each sample is the mean of ${BURST} back-to-back invocations.`,
      `Breakdown (medians): \`node -e 0\` ${ms(parts.node!)}; \`import('@oclif/core')\` in a fresh Node ${ms(parts.oclifImport!)}; ` +
        `\`bin/kubectl-berth --help\` without kubectl ${ms(parts.pluginDirect!)}; kubectl's plugin lookup and exec ≈ ${ms(dispatch)}.`,
    ];
    const floor = (parts.node! + dispatch) / median(baseline);
    const ifMissed =
      `kubectl starts in ${ms(median(baseline))}; Node alone plus kubectl's plugin dispatch already cost ` +
      `${floor.toFixed(1)}× that, before any of our code runs. The rest (${ms(parts.pluginDirect! - parts.node!)}) is oclif and our command modules. ` +
      'What would close the gap: (1) ship oclif.manifest.json (`oclif manifest` at build time) so --help reads one JSON file instead of importing every command; ' +
      '(2) enable Node\'s compile cache in bin/run.js (`module.enableCompileCache()` before importing @oclif/core) — it cuts module compile time on every start after the first; ' +
      '(3) keep @kubernetes/client-node out of every import graph that --help touches (it costs ~0.3–0.4 s). ' +
      'Node\'s own start and kubectl\'s dispatch are a floor no plugin written for Node can go below; a Go plugin could.';
    return {
      figures: [
        {
          label: '`kubectl berth --help` vs `kubectl version --client`',
          ours: { what: 'kubectl berth --help', summary: summarize(ours), unit: 's' },
          baseline: { what: 'kubectl version --client', summary: summarize(baseline), unit: 's' },
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
