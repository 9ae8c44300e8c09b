import { Flags } from '@oclif/core';
import { BerthCommand } from '../base-command.js';
import { noHeadersFlag, outputFlag } from '../flags/output.js';
import { formatItems, parseOutputFormat } from '../output/format.js';
import { summariseVms, vmColumns, vmObject } from '../core/vm-summary.js';
import { listVms } from '../kube/vm-list.js';

export default class Ls extends BerthCommand {
  static override summary = 'List VMs with their status, node, IP and size.';
  static override description = `STATUS is one of Pending (waiting for a node), Starting (pod up, guest not answering yet),
Running (the guest answers on its ready port), Stopping, Stopped (disk kept), Failed or Unknown;
-o wide adds the reason. Two API requests in all, however many VMs there are.`;

  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> -A -o wide',
    '<%= config.bin %> <%= command.id %> -l team=web -o name',
    '<%= config.bin %> <%= command.id %> -o json | jq -r \'.items[] | select(.status=="Running") | .ip\'',
  ];

  static override flags = {
    'all-namespaces': Flags.boolean({ char: 'A', summary: 'List VMs in every namespace.' }),
    selector: Flags.string({ char: 'l', summary: 'Only VMs whose StatefulSet matches this label selector, e.g. team=web.' }),
    output: outputFlag,
    'no-headers': noHeadersFlag,
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Ls);
    const format = parseOutputFormat(flags.output);
    const reader = await this.reader(flags);
    const all = flags['all-namespaces'];
    const listing = await listVms(reader, { allNamespaces: all, selector: flags.selector });
    const rows = summariseVms(listing.statefulSets, listing.pods);
    if (rows.length === 0 && (format === 'table' || format === 'wide')) {
      this.note(all ? 'No VMs found in any namespace.' : `No VMs found in namespace '${reader.namespace}'.`);
      return;
    }
    process.stdout.write(formatItems(rows, format, vmColumns(all, Date.now()), vmObject, flags['no-headers']));
  }
}
