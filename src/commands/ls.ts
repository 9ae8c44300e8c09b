import { Flags } from '@oclif/core';
import { BerthCommand } from '../base-command.js';
import { noHeadersFlag, outputFlag } from '../flags/output.js';
import { printer, tablePrintable } from '../output/print.js';
import { vmColumns, vmObject } from '../core/vm-summary.js';
import { listVmRows, type VmList } from '../ops/list-vms.js';

export default class Ls extends BerthCommand {
  static override summary = 'List VMs with their status, node, IP and size.';
  static override description = `STATUS is one of Pending (waiting for a node), Starting (pod up, guest not answering yet; reason FetchingBase while the launcher downloads the VM's base image, with its progress), Running (the guest answers on its ready port), Paused (QEMU paused the guest on a disk error: DiskFull, resumed by itself once the volume has room, or IOError), Stopping, Stopped (disk kept; reason GuestShutdown when the guest of a VM made with --on-guest-shutdown stop powered itself off), Failed or Unknown; -o wide adds the accelerator, disk, firmware and reason (FailedCreate: the cluster refuses to create the pod, with its words), -o json|yaml the whole message. Two API requests in all, however many VMs there are; a third (the StatefulSets' events) only when a VM should have a pod and has none, one (its log tail) per VM whose launcher runs before its guest answers, and one (ServiceAccounts) while a VM made with --on-guest-shutdown stop is stopped.`;

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

  async run(): Promise<VmList> {
    const { flags } = await this.parse(Ls);
    const all = flags['all-namespaces'];
    const list = await listVmRows(await this.reader(flags), { allNamespaces: all, selector: flags.selector });
    const empty = all ? 'No VMs found in any namespace.' : `No VMs found in namespace '${list.namespace}'.`;
    printer(flags.output)(tablePrintable(list.rows, vmColumns(all, Date.now()), vmObject, { noHeaders: flags['no-headers'], empty }));
    return list;
  }
}
