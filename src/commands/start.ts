import { Args } from '@oclif/core';
import { BerthCommand } from '../base-command.js';
import { changedLine, changedOutputFlag } from '../flags/output.js';
import { waitFlags, waitTimeoutMs } from '../flags/wait.js';
import { kubeApis } from '../kube/vm-objects.js';
import { setVmReplicas } from '../kube/vm-scale.js';
import { waitForVm } from '../kube/vm-wait.js';

export default class Start extends BerthCommand {
  static override summary = 'Start a stopped VM again, from the disk it left behind.';
  static override description = `Scales the VM's StatefulSet back to 1. Kubernetes places the pod on a node that can run it
(reattaching the disk), and the launcher boots the guest from its pet disk.`;

  static override examples = ['<%= config.bin %> <%= command.id %> web', '<%= config.bin %> <%= command.id %> web --wait -n team-a'];

  static override args = { name: Args.string({ description: 'VM name (vm/NAME also accepted).', required: true }) };

  static override flags = { ...waitFlags('Wait until the pod runs and the guest answers on its ready port; progress on stderr.'), output: changedOutputFlag };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Start);
    const timeoutMs = waitTimeoutMs(flags.timeout);
    const conn = await this.cluster(flags);
    const apis = await kubeApis(conn);
    const result = await setVmReplicas(conn, apis, args.name, 1);
    process.stdout.write(changedLine(`vm/${result.name}`, result.changed ? 'started' : 'already started', flags.output));
    if (!flags.wait) return;
    await waitForVm(conn, apis, { name: result.name, namespace: result.namespace, timeoutMs, until: 'ready', progress: (m) => this.note(m) });
  }
}
