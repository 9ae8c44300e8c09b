import { Args } from '@oclif/core';
import { BerthCommand } from '../base-command.js';
import { changedLine, changedOutputFlag } from '../flags/output.js';
import { waitFlags, waitTimeoutMs } from '../flags/wait.js';
import { kubeApis } from '../kube/vm-objects.js';
import { restartVm } from '../kube/vm-scale.js';
import { waitForVm } from '../kube/vm-wait.js';

export default class Restart extends BerthCommand {
  static override summary = 'Restart a running VM: power the guest down and boot it again from its disk.';
  static override description = `Deletes the VM's pod; the launcher powers the guest down (ACPI, within the VM's
--shutdown-timeout) and the StatefulSet starts a new pod, possibly on another node, on the same disk.`;

  static override examples = ['<%= config.bin %> <%= command.id %> web', '<%= config.bin %> <%= command.id %> web --wait'];

  static override args = { name: Args.string({ description: 'VM name (vm/NAME also accepted).', required: true }) };

  static override flags = { ...waitFlags('Wait until the guest answers again on its ready port; progress on stderr.'), output: changedOutputFlag };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Restart);
    const timeoutMs = waitTimeoutMs(flags.timeout);
    const conn = await this.cluster(flags);
    const apis = await kubeApis(conn);
    const result = await restartVm(conn, apis, args.name);
    process.stdout.write(changedLine(`vm/${result.name}`, 'restarted', flags.output));
    if (!flags.wait) return;
    // The old pod is on its way out; wait for the new one to answer.
    await waitForVm(conn, apis, { name: result.name, namespace: result.namespace, timeoutMs, until: 'ready', progress: (m) => this.note(m), afterUid: result.oldPodUid });
  }
}
