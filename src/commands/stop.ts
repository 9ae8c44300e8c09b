import { Args } from '@oclif/core';
import { BerthCommand } from '../base-command.js';
import { changedLine, changedOutputFlag } from '../flags/output.js';
import { waitFlags, waitTimeoutMs } from '../flags/wait.js';
import { kubeApis } from '../kube/vm-objects.js';
import { setVmReplicas } from '../kube/vm-scale.js';
import { waitForVm } from '../kube/vm-wait.js';

export default class Stop extends BerthCommand {
  static override summary = 'Stop a VM: power the guest down and remove its pod; the disk stays.';
  static override description = `Scales the VM's StatefulSet to 0. The launcher asks the guest to power down (ACPI) and gives it
the VM's --shutdown-timeout before it stops QEMU. The disk (PVC) and the cloud-init Secret stay;
kubectl berth start brings the same VM back.`;

  static override examples = ['<%= config.bin %> <%= command.id %> web', '<%= config.bin %> <%= command.id %> web --wait -n team-a'];

  static override args = { name: Args.string({ description: 'VM name (vm/NAME also accepted).', required: true }) };

  static override flags = { ...waitFlags('Wait until the guest has powered down and the pod is gone.'), output: changedOutputFlag };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Stop);
    const timeoutMs = waitTimeoutMs(flags.timeout);
    const conn = await this.cluster(flags);
    const apis = await kubeApis(conn);
    const result = await setVmReplicas(conn, apis, args.name, 0);
    process.stdout.write(changedLine(`vm/${result.name}`, result.changed ? 'stopped' : 'already stopped', flags.output));
    if (!flags.wait) return;
    await waitForVm(conn, apis, { name: result.name, namespace: result.namespace, timeoutMs, until: 'stopped', progress: (m) => this.note(m) });
  }
}
