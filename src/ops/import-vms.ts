// `import`, start to finish: read the Airship Berth values files, turn every enabled VM into
// create's request (every problem in every file first: one bad entry imports nothing), report what
// berth leaves out, then make the VMs as create does.
import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { BerthError, usageError } from '../../shared/errors.js';
import type { ImportFlags } from '../commands/import.js';
import { importRequests, planBerthImport, type BerthValuesFile } from '../core/berth-import.js';
import type { VmFlagValues } from '../core/vm-flags.js';
import { resolveImage } from '../core/vm-image.js';
import { olderServerWarning } from '../kube/cluster-versions.js';
import { kubeApis } from '../kube/vm-objects.js';
import { waitTimeoutMs } from '../flags/wait.js';
import type { OpIo } from './io.js';
import { makeOptions, makeVms, type MadeVms } from './create-vm.js';
import { unreadable } from './local-inputs.js';

async function readValuesFile(path: string): Promise<BerthValuesFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new BerthError('INVALID_VALUE', `values file '${path}' ${unreadable(error)}`, { hint: 'pass the path of an Airship Berth values file' });
  }
  try {
    return { source: path, values: parseYaml(text) };
  } catch (error) {
    throw new BerthError('INVALID_VALUE', `${path} is not valid YAML: ${(error as Error).message.split('\n')[0]}`, { hint: 'check it with: helm lint, or any YAML linter' });
  }
}

export async function importVms(paths: string[], flags: ImportFlags, io: OpIo): Promise<MadeVms> {
  if (flags['dry-run'] && flags.wait) throw usageError('--dry-run and --wait cannot be used together', 'a dry run creates nothing to wait for');
  const timeoutMs = waitTimeoutMs(flags.timeout);
  const files = [];
  for (const path of paths) files.push(await readValuesFile(path));
  const plan = planBerthImport(files);
  const shared: VmFlagValues = { 'ssh-key': flags['ssh-key'], accel: flags.accel, 'shutdown-timeout': flags['shutdown-timeout'] };
  const requests = importRequests(plan, files.map((f) => f.source).join(' + '), shared);
  for (const note of plan.notes) io.note(`Note: ${note}.`);
  for (const vm of plan.vms) for (const note of vm.notes) io.note(`Note: ${vm.name}: ${note}.`);
  if (plan.disabled.length > 0) io.note(`Skipped (enabled: false): ${plan.disabled.join(', ')}.`);
  const conn = await io.connect();
  const serverWarning = flags['dry-run'] ? undefined : olderServerWarning(conn);
  const apis = await kubeApis(conn);
  const vms = requests.map((request, i) => ({ request, image: resolveImage(request.image, undefined), userData: plan.vms[i].userData }));
  return makeVms(conn, apis, vms, makeOptions(flags, timeoutMs, serverWarning, io));
}
