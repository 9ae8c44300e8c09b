// `create`, start to finish: check the flags, ask for what is missing, resolve the image, read the
// keys and user-data, build the objects, check the cluster, create (or print) them, and wait.
import type { V1Secret, V1StatefulSet } from '@kubernetes/client-node';
import { BerthError, usageError } from '../../shared/errors.js';
import type { CreateFlags } from '../commands/create.js';
import { buildCloudInitSecret } from '../core/cloud-init-secret.js';
import { checkVmName } from '../core/names.js';
import { missingImage, parseImage, parseImageFlag, parseVmOptions, type VmRequest } from '../core/vm-flags.js';
import { resolveImage } from '../core/vm-image.js';
import { assembleVmSpec } from '../core/vm-spec.js';
import { buildVmStatefulSet } from '../core/vm-statefulset.js';
import type { VmState } from '../core/vm-status.js';
import { createVmObjects, preflight } from '../kube/vm-create.js';
import { readCatalog } from '../images/catalog-api.js';
import { kubeApis } from '../kube/vm-objects.js';
import { waitForVm } from '../kube/vm-wait.js';
import { olderServerWarning } from '../kube/cluster-versions.js';
import { forgetVmHostKeys } from '../access/known-hosts.js';
import { chooseLauncherImage, readInstalledAgentImage } from '../kube/installed-image.js';
import { waitTimeoutMs } from '../flags/wait.js';
import { objectsPrintable, renderData } from '../output/print.js';
import type { OpIo } from './io.js';
import { readSshKeys, readUserData, readVncPassword } from './local-inputs.js';
import { askImage, askVmName, askVncPassword, isInteractive } from './prompts.js';

export interface CreateResult {
  name: string;
  namespace: string;
  /** What was created, or with --dry-run what would be. */
  objects: [V1Secret, V1StatefulSet];
  dryRun: boolean;
  /** With --wait: the state the VM reached. */
  state?: VmState;
}

export async function createVm(nameArg: string | undefined, flags: CreateFlags, io: OpIo): Promise<CreateResult> {
  if (flags['dry-run'] && flags.wait) throw usageError('--dry-run and --wait cannot be used together', 'a dry run creates nothing to wait for');
  const timeoutMs = waitTimeoutMs(flags.timeout);
  const interactive = isInteractive();
  if (nameArg === undefined && !interactive) {
    throw new BerthError('USAGE', 'missing the VM name', { hint: 'kubectl berth create NAME --image IMAGE' });
  }
  // Check every flag before any prompt or request, so a typo costs nothing; what is missing is
  // asked for afterwards, only on a terminal.
  const givenName = nameArg === undefined ? undefined : checkVmName(nameArg);
  if (flags.image === undefined && !interactive) throw missingImage();
  const options = parseVmOptions(flags);
  const givenImage = parseImageFlag(flags);
  const passwordFrom = options.vncPasswordFrom;
  if (passwordFrom?.kind === 'prompt' && !interactive) {
    throw new BerthError('USAGE', '--vnc-password: no terminal to ask for the password on', {
      hint: ['pass --vnc-password-file FILE (its first line), or --vnc-password-file - with the password on stdin', 'a password is never taken on the command line, where shell history and ps would show it'],
    });
  }
  const name = givenName ?? checkVmName(await askVmName());
  // Read before the cluster is touched, so a bad password costs nothing.
  if (passwordFrom) options.vnc = { mode: 'password', password: passwordFrom.kind === 'prompt' ? await askVncPassword() : await readVncPassword(passwordFrom) };
  const conn = await io.connect();
  // Asked alongside the other requests, so the check adds no round trip of its own.
  const serverWarning = flags['dry-run'] ? undefined : olderServerWarning(conn);
  const apis = await kubeApis(conn);
  // With no --image, the catalog is read once to offer its names; a URL typed in needs none.
  let catalog = givenImage === undefined ? await readCatalog(conn) : undefined;
  const image = givenImage ?? parseImage(await askImage(Object.keys(catalog ?? {}).sort()), flags['image-sha256']);
  const request: VmRequest = { name, image, ...options };
  if (image.kind === 'catalog' && catalog === undefined) catalog = await readCatalog(conn);
  const resolved = resolveImage(image, catalog);
  const ssh = await readSshKeys(request.sshKeys);
  const spec = assembleVmSpec(request, {
    namespace: conn.namespace,
    image: resolved,
    sshKeys: ssh.keys,
    userData: await readUserData(request.userDataFile),
    // A dry run must work offline, so only a real create asks which image the agent runs.
    launcherImage: chooseLauncherImage(process.env, flags['dry-run'] ? undefined : await readInstalledAgentImage(conn, apis)),
  });
  if (image.kind === 'url' && !resolved.sha256) {
    io.note('Note: no --image-sha256 given; the download will not be verified. Recommended: --image-sha256 $(sha256sum IMAGE | cut -d" " -f1)');
  }
  if (ssh.defaults.length > 0) io.note(`SSH keys: ${ssh.defaults.join(', ')} (pass --ssh-key to choose others).`);
  if (ssh.keys.length === 0) io.note('Note: no SSH public key given and none in ~/.ssh/*.pub; kubectl berth ssh will not get in unless --user-data sets up access.');
  const objects: [V1Secret, V1StatefulSet] = [buildCloudInitSecret(spec), buildVmStatefulSet(spec)];
  const result: CreateResult = { name: spec.name, namespace: spec.namespace, objects, dryRun: Boolean(flags['dry-run']) };
  const ref = `vm/${spec.name}`;
  if (result.dryRun) {
    // As kubectl does: -o name names what would be created; without -o, the objects as YAML.
    io.print(objectsPrintable(objects, [ref], renderData({ objects }, 'yaml')));
    return result;
  }
  const warning = await serverWarning;
  if (warning) io.note(warning);
  await preflight(conn, apis, spec, request, { allowUnschedulable: flags['allow-unschedulable'], note: io.note });
  await createVmObjects(conn, apis, ...objects, io.note);
  // A VM on a new disk is a new host to ssh, even where an earlier one had its name (a wiped
  // cluster, a rebuilt image); a reused disk keeps its keys, and so does the entry.
  if (!(request.disk.kind === 'pvc' && request.disk.reuse)) forgetVmHostKeys(conn.kubeConfig.getCurrentCluster()?.name, spec.namespace, [spec.name]);
  io.print(objectsPrintable(objects, [ref], `${ref} created\n`));
  if (!flags.wait) return result;
  io.note(`Waiting for VM '${spec.name}' (up to ${Math.round(timeoutMs / 1000)}s)…`);
  result.state = await waitForVm(conn, apis, { name: spec.name, namespace: spec.namespace, timeoutMs, until: 'ready', progress: io.note });
  io.note(spec.readyPort > 0 ? `VM '${spec.name}' is running; its guest answers on port ${spec.readyPort}.` : `VM '${spec.name}' is running.`);
  return result;
}
