// VM pods must run the same image as the installed agent: `install --image registry/x` would
// otherwise leave VM pods on the default local image, which a real cluster's nodes do not have.
import { BERTH_IMAGE_DEFAULT, LabelValues, Labels, SYSTEM_NAMESPACE } from '../../shared/contract.js';
import type { Connection } from './connect.js';
import type { KubeApis } from './vm-objects.js';

/** What the cluster says about its agent: its image, or why there is none to go by. */
export type InstalledAgentImage = { image: string; why?: undefined } | { image?: undefined; why: string };

export interface LauncherImageChoice {
  image: string;
  /** Set when the image is only the default: why the cluster's own could not be used. */
  guess?: string;
}

/** The launcher image: $BERTH_IMAGE, else the installed agent's image, else the default (and why). Pure. */
export function chooseLauncherImage(env: NodeJS.ProcessEnv, installed: InstalledAgentImage): LauncherImageChoice {
  if (env.BERTH_IMAGE) return { image: env.BERTH_IMAGE };
  if (installed.image) return { image: installed.image };
  return { image: BERTH_IMAGE_DEFAULT, guess: installed.why ?? 'no agent image was found' };
}

/** The image the installed agent DaemonSet runs, or why it cannot be told. */
export async function readInstalledAgentImage(_conn: Connection, apis: KubeApis): Promise<InstalledAgentImage> {
  try {
    const list = await apis.apps.listNamespacedDaemonSet({
      namespace: SYSTEM_NAMESPACE,
      labelSelector: `${Labels.component}=${LabelValues.componentAgent},${Labels.managedBy}=${LabelValues.managedBy}`,
    });
    const image = list.items[0]?.spec?.template?.spec?.containers?.[0]?.image;
    return image ? { image } : { why: `the berth agent is not installed in namespace ${SYSTEM_NAMESPACE}` };
  } catch (error) {
    // No permission to read berth-system, or no cluster at all: the default image is the best
    // guess, and a real create's preflight reports real problems (no node can run the VM) on its own.
    return { why: `the cluster's berth agent could not be read (${(error as Error).message.split('\n')[0]})` };
  }
}

/**
 * The launcher image for `create` and `import`. A dry run asks the cluster too, so its output is
 * what a real create would make, but gives up after `dryRunWaitMs` (a dry run must not hang on an
 * unreachable cluster) and then says that the image is the default's guess.
 */
export async function launcherImageFor(conn: Connection, apis: KubeApis, options: { dryRun: boolean; note(m: string): void; dryRunWaitMs?: number }): Promise<string> {
  const read = readInstalledAgentImage(conn, apis);
  const installed = options.dryRun
    ? await Promise.race([read, new Promise<InstalledAgentImage>((done) => setTimeout(() => done({ why: 'the cluster did not answer' }), options.dryRunWaitMs ?? 5000).unref())])
    : await read;
  const choice = chooseLauncherImage(process.env, installed);
  if (options.dryRun && choice.guess) options.note(`Note: ${choice.guess}; the objects name the default launcher image ${choice.image} (set BERTH_IMAGE to choose).`);
  return choice.image;
}
