import { Args, Flags, type Interfaces } from '@oclif/core';
import { BerthCommand } from '../base-command.js';
import { vmFlags } from '../flags/vm.js';
import { waitFlags } from '../flags/wait.js';
import { importVms } from '../ops/import-vms.js';
import type { MadeVms } from '../ops/create-vm.js';
import { printer } from '../output/print.js';

export default class Import extends BerthCommand {
  static override summary = "Create berth VMs from Airship Berth values files (the chart's vmlist).";
  static override description = `Each enabled entry of vmlist becomes the VM that create would make from the same settings: vmconfig.cpu.vcpu and ram_mb its CPUs and memory, vmconfig.rootfs.sourceurl its image, pvc_size and pvc_class its disk, netconfig.ports the guest ports port-forward reaches, readinessTcpProbe its ready port (none given: no readiness check, as in Berth), cloudconfig.userdata its cloud-init user-data (with your SSH keys merged in), labels.node_selector_key/value a node selector for every VM. Several files merge in order, as helm --values merges them.

Everything is checked before anything is created: every entry of every file, then each VM against the cluster. One bad entry stops the whole import, and all problems are listed at once. Keys berth leaves out (localtarget, cloudconfig.metadata, images.vmrunner, unknown keys) are named per VM on stderr. The disks of running Berth VMs are not copied: each imported VM starts from its source image.`;

  static override examples = [
    '<%= config.bin %> <%= command.id %> berth-values.yaml --dry-run -o yaml',
    '<%= config.bin %> <%= command.id %> base.yaml vms.yaml --wait',
    '<%= config.bin %> <%= command.id %> cirros-test.yaml --accel tcg --ssh-key ~/.ssh/id_ed25519.pub',
  ];

  static override strict = false;

  static override args = {
    file: Args.string({ description: 'Airship Berth values file(s) with a vmlist; later files override earlier ones.', required: true }),
  };

  static override flags = {
    'ssh-key': vmFlags['ssh-key'],
    accel: vmFlags.accel,
    'allow-unschedulable': vmFlags['allow-unschedulable'],
    'shutdown-timeout': vmFlags['shutdown-timeout'],
    ...waitFlags('Wait until every imported VM runs and answers on its ready port; progress on stderr.'),
    'dry-run': Flags.boolean({ summary: 'Print the objects instead of creating them (with -o yaml|json).' }),
    output: Flags.string({ char: 'o', summary: 'Print the objects as yaml or json, or the VMs as names.', options: ['yaml', 'json', 'name'] }),
  };

  async run(): Promise<MadeVms> {
    const { argv, flags } = await this.parse(Import);
    return importVms(argv as string[], flags, { connect: () => this.cluster(flags), note: (m) => this.note(m), print: printer(flags.output) });
  }
}

/** import's own flags as oclif parses them. */
export type ImportFlags = Interfaces.InferredFlags<typeof Import.flags>;
