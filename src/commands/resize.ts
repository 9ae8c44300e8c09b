import { Args, Flags } from '@oclif/core';
import { BerthCommand } from '../base-command.js';
import { changedOutputFlag } from '../flags/output.js';
import { waitFlags } from '../flags/wait.js';
import { resizeVm, type ResizeResult } from '../ops/resize-vm.js';
import { printer } from '../output/print.js';
import { HOTPLUG_RATIO, MEMORY_HOTPLUG_ALIGN_BYTES, MEMORY_SLOTS } from '../../shared/vm-size.js';
import { VM_LIMITS } from '../core/defaults.js';

export default class Resize extends BerthCommand {
  static override summary = "Change a VM's vCPUs and memory: in place, without a reboot, where the running guest can take them.";
  static override description = `Resizes the VM's pod in place (Kubernetes in-place pod resize, the pod's resize subresource), waits until the kubelet has applied the new CPU request and memory limit, then the launcher adds the vCPUs and memory to the running guest (CPU and DIMM hotplug through QEMU) and the command waits for it, with progress on stderr. The StatefulSet is updated too, so every later start boots with the new size.

A VM is started with room to grow: up to ${HOTPLUG_RATIO}× the vCPUs it booted with (at most ${VM_LIMITS.maxCpus}) and ${HOTPLUG_RATIO}× its memory, within the largest node that may run it (its CPUs, and the memory one pod may have there), in up to ${MEMORY_SLOTS} memory additions, each a multiple of ${MEMORY_HOTPLUG_ALIGN_BYTES / 2 ** 20}Mi. The guest must bring added CPUs and memory online: most cloud images do; a plain Debian guest needs a udev rule (see the README).

Fewer vCPUs or less memory, a size beyond that room, a stopped VM, a VM made by a kubectl berth without resize, or a cluster without in-place resize (before Kubernetes 1.35) cannot be resized in place: resize says why, and --restart applies the size with a graceful restart instead (the guest powers down and boots with the new size; a stopped VM keeps it for its next start).`;

  static override examples = [
    '<%= config.bin %> <%= command.id %> web --cpus 4',
    '<%= config.bin %> <%= command.id %> web --cpus 2 --memory 4Gi',
    '<%= config.bin %> <%= command.id %> web --memory 1Gi --restart --wait',
  ];

  static override args = { name: Args.string({ description: 'VM name (vm/NAME also accepted).', required: true }) };

  static override flags = {
    cpus: Flags.string({ summary: 'Virtual CPUs the guest gets.', helpGroup: 'SIZE' }),
    memory: Flags.string({ summary: 'Guest memory, a Kubernetes quantity (e.g. 2Gi); the pod adds QEMU\'s overhead as at create.', helpGroup: 'SIZE' }),
    restart: Flags.boolean({ summary: 'Apply a size the running guest cannot take by a graceful restart.' }),
    ...waitFlags('With --restart: wait until the guest answers again. (An in-place resize always waits for the guest, up to --timeout.)'),
    output: changedOutputFlag,
  };

  async run(): Promise<ResizeResult> {
    const { args, flags } = await this.parse(Resize);
    return resizeVm(args.name, flags, { connect: () => this.cluster(flags), note: (m) => this.note(m), print: printer(flags.output) });
  }
}
