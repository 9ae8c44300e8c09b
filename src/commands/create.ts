import { Args, Flags, type Interfaces } from '@oclif/core';
import { BerthCommand } from '../base-command.js';
import { vmFlags } from '../flags/vm.js';
import { waitFlags } from '../flags/wait.js';
import { createVm, type CreateResult } from '../ops/create-vm.js';
import { printer } from '../output/print.js';
import { HOTPLUG_RATIO } from '../../shared/vm-size.js';
import { VM_LIMITS } from '../core/defaults.js';

export default class Create extends BerthCommand {
  static override summary = 'Create a VM: a StatefulSet of one pod running QEMU, with a pet disk and cloud-init.';
  static override description = `The VM boots the given qcow2 image on a node whose agent proved KVM works (or any agent node with --accel tcg). Its disk is a copy-on-write overlay on a PersistentVolumeClaim that survives restarts, stop/start and node moves; purge keeps it unless asked. cloud-init gets your SSH public keys (default: every ~/.ssh/*.pub), merged into --user-data when that is a #cloud-config file. VNC listens on the pod's loopback only and is reached with kubectl berth vnc; --vnc-password opens it on the pod IP instead, with a password asked for on the terminal (or read from --vnc-password-file, - for stdin; never from the command line), --no-vnc turns it off.

--disk NAME=SIZE adds a blank data disk on a claim of its own (the guest's virtio disk with serial NAME); --cdrom attaches an install ISO read-only; --blank-disk --cdrom ISO starts from an empty disk and boots the ISO until something is installed.

QEMU starts with room to grow, so kubectl berth resize can add vCPUs and memory to the running guest: up to ${HOTPLUG_RATIO}× the --cpus (at most ${VM_LIMITS.maxCpus}) and ${HOTPLUG_RATIO}× the --memory, and no more than the largest node that may run the VM has: its CPUs, and the memory one pod may have there less QEMU's overhead (when create may list nodes). Beyond that, resize --restart.

--firmware uefi boots OVMF (UEFI) instead of SeaBIOS; the VM's UEFI variable store is made on its disk volume at the first boot and kept from then on. --secure-boot adds Secure Boot with Microsoft's keys enrolled. --on-guest-shutdown stop keeps a VM whose guest powers itself off Stopped until kubectl berth start (default: it boots again); for that the VM gets a ServiceAccount, Role and RoleBinding of its own that may scale only its StatefulSet, which needs the berth-vm-guest-stop role (part of admin).

Everything is checked before anything is created: the name, every flag, the image, the referenced objects and that a node can run the VM. If creating fails halfway, what was created is removed again.`;

  static override examples = [
    '<%= config.bin %> <%= command.id %> web --image debian-12',
    '<%= config.bin %> <%= command.id %> db --image https://example.com/db.qcow2 --image-sha256 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08 --cpus 2 --memory 4Gi --disk-size 40Gi --wait',
    '<%= config.bin %> <%= command.id %> ci-runner --image debian-12 --ephemeral --accel tcg --user-data ./cloud-config.yaml',
    '<%= config.bin %> <%= command.id %> app --image debian-12 --user-data-from secret/app-cloud-config',
    '<%= config.bin %> <%= command.id %> db --image debian-12 --disk data=100Gi --disk logs=10Gi,class=fast-ssd',
    '<%= config.bin %> <%= command.id %> legacy --blank-disk --cdrom debian-12-netinst --disk-size 20Gi --ready-port 0',
    '<%= config.bin %> <%= command.id %> appliance --image https://example.com/appliance.qcow2 --firmware uefi --on-guest-shutdown stop',
    '<%= config.bin %> <%= command.id %> web --image debian-12 --dry-run -o yaml | kubectl apply -f -',
  ];

  static override args = {
    name: Args.string({ description: 'VM name: lower-case letters, digits and dashes, at most 52 characters (asked for on a terminal when missing).' }),
  };

  static override flags = {
    ...vmFlags,
    ...waitFlags('Wait until the pod runs and the guest answers on --ready-port; progress on stderr.'),
    'dry-run': Flags.boolean({ summary: 'Print the objects instead of creating them (with -o yaml|json).' }),
    output: Flags.string({ char: 'o', summary: 'Print the objects as yaml or json, or the VM as name.', options: ['yaml', 'json', 'name'] }),
  };

  async run(): Promise<CreateResult> {
    const { args, flags } = await this.parse(Create);
    return createVm(args.name, flags, { connect: () => this.cluster(flags), note: (m) => this.note(m), print: printer(flags.output) });
  }
}

/** create's own flags as oclif parses them: the type comes from the declaration above. */
export type CreateFlags = Interfaces.InferredFlags<typeof Create.flags>;
