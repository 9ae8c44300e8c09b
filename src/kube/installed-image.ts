// VM pods must run the same image as the installed agent: `install --image registry/x` would
// otherwise leave VM pods on the default local image, which a real cluster's nodes do not have.
import { BERTH_IMAGE_DEFAULT, LabelValues, Labels, SYSTEM_NAMESPACE } from '../../shared/contract.js';
import type { Connection } from './connect.js';
import type { KubeApis } from './vm-objects.js';

/** The launcher image: $BERTH_IMAGE, else the installed agent's image, else the default. Pure. */
export function chooseLauncherImage(env: NodeJS.ProcessEnv, installedAgentImage: string | undefined): string {
  return env.BERTH_IMAGE || installedAgentImage || BERTH_IMAGE_DEFAULT;
}

/** The image the installed agent DaemonSet runs, or undefined when berth is not installed or unreadable. */
export async function readInstalledAgentImage(_conn: Connection, apis: KubeApis): Promise<string | undefined> {
  try {
    const list = await apis.apps.listNamespacedDaemonSet({
      namespace: SYSTEM_NAMESPACE,
      labelSelector: `${Labels.component}=${LabelValues.componentAgent},${Labels.managedBy}=${LabelValues.managedBy}`,
    });
    return list.items[0]?.spec?.template?.spec?.containers?.[0]?.image;
  } catch {
    // Not installed, or no permission to read berth-system: the default image is the best guess,
    // and preflight reports real problems (no node can run the VM) on its own.
    return undefined;
  }
}
