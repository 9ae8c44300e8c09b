// `restart`: delete the VM's pod (the guest powers down, the StatefulSet makes a new one), say so,
// and with --wait follow the new pod until the guest answers again.
import { waitTimeoutMs, type WaitFlagValues } from '../flags/wait.js';
import { restartVm as deleteVmPod } from '../kube/vm-scale.js';
import { kubeApis } from '../kube/vm-objects.js';
import { waitForVm } from '../kube/vm-wait.js';
import { changesPrintable } from '../output/print.js';
import type { OpIo } from './io.js';
import type { PowerResult } from './start-vm.js';

export async function restartVm(rawName: string, flags: WaitFlagValues, io: OpIo): Promise<PowerResult> {
  const timeoutMs = waitTimeoutMs(flags.timeout);
  const conn = await io.connect();
  const apis = await kubeApis(conn);
  const result = await deleteVmPod(conn, apis, rawName);
  io.print(changesPrintable([{ ref: `vm/${result.name}`, done: 'restarted' }]));
  if (!flags.wait) return result;
  // The old pod is on its way out; wait for the new one to answer.
  const state = await waitForVm(conn, apis, { name: result.name, namespace: result.namespace, timeoutMs, until: 'ready', progress: io.note, afterUid: result.oldPodUid });
  return { ...result, state };
}
