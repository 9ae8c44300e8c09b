// `stop`: scale the VM's StatefulSet to 0, say so, and with --wait follow it until the pod is gone.
import { waitTimeoutMs, type WaitFlagValues } from '../flags/wait.js';
import { setVmReplicas } from '../kube/vm-scale.js';
import { kubeApis } from '../kube/vm-objects.js';
import { waitForVm } from '../kube/vm-wait.js';
import { changesPrintable } from '../output/print.js';
import type { OpIo } from './io.js';
import type { PowerResult } from './start-vm.js';

export async function stopVm(rawName: string, flags: WaitFlagValues, io: OpIo): Promise<PowerResult> {
  const timeoutMs = waitTimeoutMs(flags.timeout);
  const conn = await io.connect();
  const apis = await kubeApis(conn);
  const result = await setVmReplicas(conn, apis, rawName, 0);
  io.print(changesPrintable([{ ref: `vm/${result.name}`, done: result.changed ? 'stopped' : 'already stopped' }]));
  if (!flags.wait) return result;
  const state = await waitForVm(conn, apis, { name: result.name, namespace: result.namespace, timeoutMs, until: 'stopped', progress: io.note });
  return { ...result, state };
}
