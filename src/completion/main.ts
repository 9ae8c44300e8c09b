// kubectl_complete-berth: kubectl runs it as `kubectl_complete-berth <words…> <partial>` when the
// user presses <TAB> after `kubectl berth`. Static answers come from the command table; only VM,
// image, node and namespace names load client-node and ask the cluster.
import { packageRoot } from '../package-root.js';
import { clusterValues } from './cluster-values.js';
import { planCompletion } from './plan.js';
import { Directive, formatCompletion, matching, type Candidate } from './protocol.js';
import { loadCommandTable } from './table.js';

const root = packageRoot(import.meta.url);
const debug = process.env.BERTH_COMPLETION_DEBUG ? (m: string) => process.stderr.write(`${m}\n`) : () => {};

async function complete(args: string[]): Promise<string> {
  const table = await loadCommandTable(root);
  const plan = planCompletion(table, args);
  if (plan.kind === 'static') return formatCompletion(plan.candidates, plan.directive);
  let found: Candidate[] = [];
  try {
    found = await clusterValues(plan.source, plan.connection);
  } catch (error) {
    // No cluster, no names: the shell shows nothing rather than an error in the middle of a line.
    const cause = (error as { cause?: { message?: string } }).cause?.message;
    debug(`completion: cannot list ${plan.source}: ${(error as Error).message}${cause ? ` (${cause})` : ''}`);
  }
  const values = matching(found, plan.partial).map((c) => ({ ...c, value: plan.prefix + c.value + plan.suffix }));
  return formatCompletion([...(plan.extra ?? []), ...values], plan.directive);
}

try {
  process.stdout.write(await complete(process.argv.slice(2)));
} catch (error) {
  debug(`completion failed: ${(error as Error).stack}`);
  process.stdout.write(formatCompletion([], Directive.error));
}
