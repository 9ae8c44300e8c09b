import { Flags } from '@oclif/core';
import { BerthCommand } from '../base-command.js';
import { SYSTEM_NAMESPACE } from '../../shared/contract.js';
import { uninstallBerth, type UninstallResult } from '../ops/uninstall-berth.js';
import { printer } from '../output/print.js';

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

  async run(): Promise<UninstallResult> {
    const { flags } = await this.parse(Uninstall);
    const request = { yes: flags.yes, dryRun: flags['dry-run'], wait: flags.wait, timeout: flags.timeout };
    return uninstallBerth(request, { connect: () => this.cluster(flags), note: (m) => this.note(m), print: printer(flags.output) });
  }
}
