// `start`: scale the VM's StatefulSet back to 1, say so, and with --wait follow it until the guest answers.
import { waitTimeoutMs, type WaitFlagValues } from '../flags/wait.js';
import { setVmReplicas, type ScaleResult } from '../kube/vm-scale.js';
import { kubeApis } from '../kube/vm-objects.js';
import { waitForVm } from '../kube/vm-wait.js';
import type { VmState } from '../core/vm-status.js';
import { changesPrintable } from '../output/print.js';
import type { OpIo } from './io.js';

export interface PowerResult extends ScaleResult {
  /** With --wait: the state the VM reached. */
  state?: VmState;
}

export async function startVm(rawName: string, flags: WaitFlagValues, io: OpIo): Promise<PowerResult> {
  const timeoutMs = waitTimeoutMs(flags.timeout);
  const conn = await io.connect();
  const apis = await kubeApis(conn);
  const result = await setVmReplicas(conn, apis, rawName, 1);
  io.print(changesPrintable([{ ref: `vm/${result.name}`, done: result.changed ? 'started' : 'already started' }]));
  if (!flags.wait) return result;
  const state = await waitForVm(conn, apis, { name: result.name, namespace: result.namespace, timeoutMs, until: 'ready', progress: io.note });
  return { ...result, state };
}
