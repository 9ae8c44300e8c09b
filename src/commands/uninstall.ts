import { Flags } from '@oclif/core';
import { setTimeout as sleep } from 'node:timers/promises';
import { BerthCommand } from '../base-command.js';
import { BerthError, usageError } from '../../shared/errors.js';
import { parseDuration } from '../../shared/duration.js';
import { kubeApis } from '../kube/vm-objects.js';
import { deleteObjects, objectExists } from '../install/apply.js';
import { clearNodeLabels, takeInventory } from '../install/cleanup.js';
import { leftoverLines, refusalReason } from '../install/leftovers.js';
import { loadManifests } from '../install/manifest-files.js';
import { deleteOrder, installImage, installObjects } from '../install/manifest-set.js';
import { printManifests } from '../install/print.js';
import { SYSTEM_NAMESPACE } from '../../shared/contract.js';

export default class Uninstall extends BerthCommand {
  static override summary = 'Remove berth from the cluster: the node agent, image catalog, RBAC and namespace.';
  static override description = `Deletes what \`kubectl berth install\` applied and the berth labels on nodes, then says what it left: VMs and their disks (PVCs hold your data and are never deleted here) and the base images cached on the nodes' disks.

While VMs exist it refuses, because without the agent they cannot be rescheduled; purge them first, or pass --yes to go ahead and leave them running.`;

  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --yes',
    '<%= config.bin %> <%= command.id %> --dry-run -o yaml',
  ];

  static override flags = {
    yes: Flags.boolean({ char: 'y', summary: 'Uninstall even while VMs exist (they keep running, unmanaged).' }),
    'dry-run': Flags.boolean({ summary: 'Print what would be deleted; change nothing.' }),
    output: Flags.string({ char: 'o', summary: 'Print the objects deleted (or, with --dry-run, that would be): yaml, json or name.', options: ['yaml', 'json', 'name'], helpGroup: 'OUTPUT' }),
    wait: Flags.boolean({ summary: `Wait until namespace ${SYSTEM_NAMESPACE} is gone.`, default: true, allowNo: true }),
    timeout: Flags.string({ summary: 'How long to wait for the deletion, e.g. 90s or 5m.', default: '2m' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Uninstall);
    const timeout = parseDuration(flags.timeout);
    if (!timeout.ok) throw usageError(`--timeout: ${timeout.problem}`);
    const bundle = await loadManifests();
    const objects = installObjects(bundle.objects, bundle.kustomization, installImage(undefined, process.env, bundle.kustomization));
    if (flags['dry-run']) {
      process.stdout.write(printManifests(deleteOrder(objects), flags.output, ' (dry run)'));
      return;
    }
    const conn = await this.cluster(flags);
    const apis = await kubeApis(conn);
    const stock = await takeInventory(conn, apis);
    const refusal = refusalReason(stock);
    if (refusal && !flags.yes) {
      throw new BerthError('CONFLICT', `not uninstalling: ${refusal}`, {
        hint: ['purge them first: kubectl berth purge NAME -n NAMESPACE (add --delete-disks to drop their disks)', 'or pass --yes to uninstall anyway; the VMs keep running but nothing manages them'],
      });
    }
    if (refusal) this.note(`warning: ${refusal}; they keep running without an agent (--yes)`);
    this.note('uninstalling berth');
    await deleteObjects(conn, objects, (line) => this.note(`  ${line}`));
    await clearNodeLabels(conn, apis, stock.cleanups, (line) => this.note(`  ${line}`));
    if (flags.output) process.stdout.write(printManifests(deleteOrder(objects), flags.output));
    const namespace = objects.find((o) => o.kind === 'Namespace');
    if (flags.wait && namespace) {
      this.note(`waiting for namespace ${namespace.metadata.name} to terminate`);
      const deadline = Date.now() + timeout.ms;
      while (await objectExists(conn, namespace)) {
        if (Date.now() > deadline) throw new BerthError('TIMEOUT', `namespace ${namespace.metadata.name} is still terminating after ${flags.timeout}`, { hint: `see what holds it: kubectl get all -n ${namespace.metadata.name}` });
        await sleep(2000);
      }
    }
    for (const line of leftoverLines(stock)) this.note(line);
  }
}
