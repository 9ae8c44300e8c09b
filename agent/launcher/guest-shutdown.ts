// --on-guest-shutdown stop: when the guest powers itself off, the VM stays off. The launcher,
// which alone knows whether it asked for the powerdown (SIGTERM → ACPI) or the guest did it itself,
// scales its own StatefulSet to 0 through the scale subresource, then waits for the pod's deletion
// instead of exiting (an exit would have the kubelet restart the container and boot the guest).
//
// Its credentials (Paths.launcherApi) are a projected token of the VM's own ServiceAccount, valid
// for 10 minutes and renewed by the kubelet, which a Role allows to read this one StatefulSet,
// patch its scale subresource and mark that ServiceAccount, nothing else (src/core/guest-shutdown.ts; README, "A guest's own
// shutdown", says why this and not the node agent).
import { GUEST_SHUTDOWN_GENERATION, guestShutdownAccountName, Paths } from '../../shared/contract.js';
import { KubeApiError, KubeRest } from '../common/kube-rest.js';
import { loadCredentials } from '../common/kube-credentials.js';
import type { Log } from './log.js';
import type { ShutdownCause } from './vm.js';

/**
 * Whether QEMU ended because the guest powered itself off: QEMU exited cleanly after a SHUTDOWN
 * the guest caused, and the launcher had not asked for it (an ACPI powerdown the launcher asked
 * for ends in a guest-caused SHUTDOWN too). A crash, a QMP quit or a signal is not. Pure.
 */
export function isGuestsOwnPowerOff(cause: ShutdownCause, qemuStatus: number): boolean {
  return !cause.asked && qemuStatus === 0 && cause.event?.guest === true && cause.event.reason === 'guest-shutdown';
}

/** A StatefulSet's path, or one of its subresources', as the API server spells it. Pure. */
export function statefulSetPath(namespace: string, name: string, subresource?: 'scale'): string {
  return `/apis/apps/v1/namespaces/${encodeURIComponent(namespace)}/statefulsets/${encodeURIComponent(name)}${subresource ? `/${subresource}` : ''}`;
}

/** Answers worth another try: none at all, 409 (the object changed meanwhile), 429 and 5xx. Pure. */
export function mayRetry(error: unknown): boolean {
  return !(error instanceof KubeApiError) || error.code === 409 || error.code === 429 || error.code >= 500;
}

/**
 * The scale's body: replicas 0, only if the StatefulSet is still at the resourceVersion read (the
 * API server refuses it with 409 otherwise). So the generation the scale gives it is exactly the
 * one read plus one, with no other change in between. Pure.
 */
export function scaleToZeroPatch(resourceVersion: string): object {
  return { metadata: { resourceVersion }, spec: { replicas: 0 } };
}

/** The mark on the VM's ServiceAccount that `ls` compares with the StatefulSet's generation. Pure. */
export function guestShutdownMark(generation: number): object {
  return { metadata: { annotations: { [GUEST_SHUTDOWN_GENERATION]: String(generation) } } };
}

const ATTEMPTS = 5;
const RETRY_MS = 2000;
const MERGE_PATCH = 'application/merge-patch+json';

/**
 * Scales the VM's StatefulSet to 0, then marks the generation that gave it on the VM's
 * ServiceAccount; throws when the scale fails. A failed mark is only logged: the VM is stopped,
 * and `ls` shows it Stopped without saying by whom.
 */
export async function stopOwnStatefulSet(namespace: string, name: string, log: Log, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const rest = new KubeRest(await loadCredentials(env, Paths.launcherApi));
  let generation: number | undefined;
  for (let attempt = 1; ; attempt++) {
    try {
      const sts = await rest.request<{ metadata: { generation: number; resourceVersion: string }; spec: { replicas?: number } }>('GET', statefulSetPath(namespace, name));
      if (sts.spec.replicas === 0) {
        log('guest-shutdown', 'the StatefulSet is at 0 replicas already (someone stopped the VM meanwhile)');
        return;
      }
      await rest.request('PATCH', statefulSetPath(namespace, name, 'scale'), { body: scaleToZeroPatch(sts.metadata.resourceVersion), contentType: MERGE_PATCH });
      generation = sts.metadata.generation + 1;
      break;
    } catch (error) {
      if (attempt >= ATTEMPTS || !mayRetry(error)) throw error;
      log('guest-shutdown', `scaling to 0 failed (${(error as Error).message}); trying again`);
      await new Promise((resolve) => setTimeout(resolve, RETRY_MS * attempt));
    }
  }
  try {
    await rest.request('PATCH', `/api/v1/namespaces/${encodeURIComponent(namespace)}/serviceaccounts/${encodeURIComponent(guestShutdownAccountName(name))}`, {
      body: guestShutdownMark(generation),
      contentType: MERGE_PATCH,
    });
  } catch (error) {
    log('guest-shutdown', `warning: the VM is stopped, but marking it stopped by the guest failed (${(error as Error).message}); ls shows it Stopped without saying why`);
  }
}
