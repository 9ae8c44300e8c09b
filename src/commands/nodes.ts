import { BerthCommand } from '../base-command.js';
import { noHeadersFlag, outputFlag } from '../flags/output.js';
import type { Columns } from '../output/format.js';
import { printer, tablePrintable } from '../output/print.js';
import { accelLabel, type NodeRow } from '../images/node-rows.js';
import { listNodeRows } from '../ops/list-nodes.js';

const columns: Columns<NodeRow> = {
  headers: ['name', 'vms', 'accel', 'reason'],
  wideHeaders: ['agent', 'images'],
  row: (r) => [r.name, r.vms, accelLabel(r), r.reason],
  wideRow: (r) => [r.agentVersion ?? '-', r.imagesReady.join(',') || '<none>'],
  name: (r) => `node/${r.name}`,
};

export default class Nodes extends BerthCommand {
  static override summary = 'Show which nodes can run VMs, with which accelerator, and why.';
  static override description = `The berth agent on each node boots a tiny test guest to prove what works there: ACCEL is kvm when a guest really ran under KVM, "tcg only" when only QEMU's software emulation works (VMs run, slowly), and none when no guest runs at all. REASON is the agent's own explanation, e.g. why /dev/kvm was not trusted. Nodes without an agent show unknown.`;

  static override examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> -o wide', '<%= config.bin %> <%= command.id %> -o json'];

  static override flags = { output: outputFlag, 'no-headers': noHeadersFlag };

  async run(): Promise<NodeRow[]> {
    const { flags } = await this.parse(Nodes);
    const rows = await listNodeRows(await this.cluster(flags));
    printer(flags.output)(tablePrintable(rows, columns, (r) => r, { noHeaders: flags['no-headers'] }));
    return rows;
  }
}
