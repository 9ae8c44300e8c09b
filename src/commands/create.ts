import { Args, Flags } from '@oclif/core';
import { BerthCommand } from '../base-command.js';
import { usageError } from '../../shared/errors.js';
import { VM_DEFAULTS } from '../core/defaults.js';
import { createVm, type CreateFlags } from '../ops/create-vm.js';
import { waitFlags } from '../flags/wait.js';

export default class Create extends BerthCommand {
  static override summary = 'Create a VM: a StatefulSet of one pod running QEMU, with a pet disk and cloud-init.';
  static override description = `The VM boots the given qcow2 image on a node whose agent proved KVM works (or any agent node
with --accel tcg). Its disk is a copy-on-write overlay on a PersistentVolumeClaim that survives
restarts, stop/start and node moves; purge keeps it unless asked. cloud-init gets your SSH public
keys (default: every ~/.ssh/*.pub), merged into --user-data when that is a #cloud-config file.
VNC listens on the pod's loopback only and is reached with kubectl berth vnc; --vnc-password
opens it on the pod IP instead, --no-vnc turns it off.

Everything is checked before anything is created: the name, every flag, the image, the
referenced objects and that a node can run the VM. If creating fails halfway, what was created
is removed again.`;

  static override examples = [
    '<%= config.bin %> <%= command.id %> web --image debian-12',
    '<%= config.bin %> <%= command.id %> db --image https://example.com/db.qcow2 --image-sha256 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08 --cpus 2 --memory 4Gi --disk-size 40Gi --wait',
    '<%= config.bin %> <%= command.id %> ci-runner --image debian-12 --ephemeral --accel tcg --user-data ./cloud-config.yaml',
    '<%= config.bin %> <%= command.id %> app --image debian-12 --user-data-from secret/app-cloud-config',
    '<%= config.bin %> <%= command.id %> web --image debian-12 --dry-run -o yaml | kubectl apply -f -',
  ];

  static override args = {
    name: Args.string({ description: 'VM name: lower-case letters, digits and dashes, at most 52 characters (asked for on a terminal when missing).' }),
  };

  static override flags = {
    image: Flags.string({ summary: 'Image to boot: a name from the image catalog, or an http(s) URL of a qcow2 file.', helpGroup: 'IMAGE' }),
    'image-sha256': Flags.string({ summary: 'sha256 of the image at --image URL; recommended: the download is verified against it.', helpGroup: 'IMAGE' }),
    cpus: Flags.string({ summary: `Virtual CPUs (default ${VM_DEFAULTS.cpus}); each reserves 100m of node CPU.`, helpGroup: 'SIZE' }),
    memory: Flags.string({ summary: `Guest memory, a Kubernetes quantity (default ${VM_DEFAULTS.memory}); the pod adds QEMU's overhead.`, helpGroup: 'SIZE' }),
    'disk-size': Flags.string({ summary: `Size of the VM's disk (default ${VM_DEFAULTS.diskSize}).`, helpGroup: 'SIZE' }),
    'storage-class': Flags.string({ summary: 'StorageClass of the disk PVC (default: the cluster default).', helpGroup: 'SIZE' }),
    ephemeral: Flags.boolean({ summary: 'Keep the disk in the pod (emptyDir): lost when the pod goes.', helpGroup: 'SIZE' }),
    'reuse-disk': Flags.boolean({ summary: 'Boot from the disk an earlier VM of this name left behind.', helpGroup: 'SIZE' }),
    'ssh-key': Flags.string({ summary: 'SSH public key file or key text; repeatable (default: every ~/.ssh/*.pub).', multiple: true, helpGroup: 'CLOUD-INIT' }),
    'user-data': Flags.string({ summary: 'cloud-init user-data file; a #cloud-config file gets the SSH keys merged in.', helpGroup: 'CLOUD-INIT' }),
    'user-data-from': Flags.string({ summary: 'Use the user-data key of configmap/NAME or secret/NAME, mounted as is.', helpGroup: 'CLOUD-INIT' }),
    'vnc-password': Flags.string({ summary: 'Open VNC on the pod IP with this password (at most 8 characters).', helpGroup: 'ACCESS' }),
    vnc: Flags.boolean({ summary: 'VNC display on the pod\'s loopback (use --no-vnc to turn it off).', allowNo: true, default: true, helpGroup: 'ACCESS' }),
    'ready-port': Flags.string({ summary: `Guest TCP port whose answer makes the VM Ready (default ${VM_DEFAULTS.readyPort}; 0: none).`, helpGroup: 'ACCESS' }),
    port: Flags.string({ summary: 'Guest TCP port to reach with kubectl berth port-forward (22 always works); repeatable.', multiple: true, helpGroup: 'ACCESS' }),
    accel: Flags.string({ summary: 'kvm (default), or tcg: software emulation for nodes without usable KVM, many times slower.', helpValue: 'kvm|tcg', helpGroup: 'PLACEMENT' }),
    'node-selector': Flags.string({ summary: 'Run only on nodes with this label, key=value; repeatable.', multiple: true, helpGroup: 'PLACEMENT' }),
    'allow-unschedulable': Flags.boolean({ summary: 'Create even if no node can run the VM yet; it waits Pending.', helpGroup: 'PLACEMENT' }),
    'shutdown-timeout': Flags.string({ summary: `Seconds the guest gets to power down when stopped (default ${VM_DEFAULTS.shutdownTimeout}).`, helpGroup: 'PLACEMENT' }),
    ...waitFlags('Wait until the pod runs and the guest answers on --ready-port; progress on stderr.'),
    'dry-run': Flags.boolean({ summary: 'Print the objects instead of creating them (with -o yaml|json).' }),
    output: Flags.string({ char: 'o', summary: 'Print the objects as yaml or json, or the VM as name.', options: ['yaml', 'json', 'name'] }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Create);
    if (flags['dry-run'] && flags.wait) throw usageError('--dry-run and --wait cannot be used together', 'a dry run creates nothing to wait for');
    await createVm(args.name, flags as CreateFlags, {
      connect: () => this.cluster(flags),
      note: (m) => this.note(m),
      out: (text) => process.stdout.write(text),
    });
  }
}
