// `create`, start to finish: check the flags, ask for what is missing, resolve the image, read the
// keys and user-data, build the objects, check the cluster, create (or print) them, and wait.
import { BerthError } from '../../shared/errors.js';
import { buildCloudInitSecret } from '../core/cloud-init-secret.js';
import { renderManifests } from '../core/render.js';
import { parseVmFlags, type VmFlags } from '../core/vm-flags.js';
import { resolveImage } from '../core/vm-image.js';
import { assembleVmSpec } from '../core/vm-spec.js';
import { buildVmStatefulSet } from '../core/vm-statefulset.js';
import type { Connection } from '../kube/connect.js';
import { createVmObjects, preflight, readCatalog } from '../kube/vm-create.js';
import { kubeApis } from '../kube/vm-objects.js';
import { waitForVm } from '../kube/vm-wait.js';
import { olderServerWarning } from '../kube/cluster-versions.js';
import { forgetVmHostKeys } from '../access/known-hosts.js';
import { chooseLauncherImage, readInstalledAgentImage } from '../kube/installed-image.js';
import { waitTimeoutMs } from '../flags/wait.js';
import { readSshKeys, readUserData } from './local-inputs.js';
import { askImage, askVmName, isInteractive } from './prompts.js';

export interface CreateFlags extends Omit<VmFlags, 'no-vnc'> {
  vnc: boolean;
  'allow-unschedulable'?: boolean;
  wait?: boolean;
  timeout?: string;
  'dry-run'?: boolean;
  output?: string;
}

export interface CreateIo {
  connect(): Promise<Connection>;
  note(message: string): void;
  out(text: string): void;
}

export async function createVm(nameArg: string | undefined, flags: CreateFlags, io: CreateIo): Promise<void> {
  const vmFlags: VmFlags = { ...flags, 'no-vnc': !flags.vnc };
  const timeoutMs = waitTimeoutMs(flags.timeout);
  const interactive = isInteractive();
  if (nameArg === undefined && !interactive) {
    throw new BerthError('USAGE', 'missing the VM name', { hint: 'kubectl berth create NAME --image IMAGE' });
  }
  // Check every flag before any prompt or request, so a typo costs nothing; what is missing is
  // asked for afterwards (only on a terminal, else parseVmFlags reports it).
  const asked = 'asked-later';
  parseVmFlags(nameArg ?? asked, interactive && vmFlags.image === undefined ? { ...vmFlags, image: asked } : vmFlags);
  const name = nameArg ?? (await askVmName());
  const conn = await io.connect();
  // Asked alongside the other requests, so the check adds no round trip of its own.
  const serverWarning = flags['dry-run'] ? undefined : olderServerWarning(conn);
  const apis = await kubeApis(conn);
  // With no --image, the catalog is read once to offer its names; a URL typed in needs none.
  let catalog = vmFlags.image === undefined ? await readCatalog(conn, apis) : undefined;
  vmFlags.image ??= await askImage(Object.keys(catalog ?? {}).sort());
  const request = parseVmFlags(name, vmFlags);
  if (request.image.kind === 'catalog' && catalog === undefined) catalog = await readCatalog(conn, apis);
  const image = resolveImage(request.image, catalog);
  const ssh = await readSshKeys(request.sshKeys);
  const spec = assembleVmSpec(request, {
    namespace: conn.namespace,
    image,
    sshKeys: ssh.keys,
    userData: await readUserData(request.userDataFile),
    // A dry run must work offline, so only a real create asks which image the agent runs.
    launcherImage: chooseLauncherImage(process.env, flags['dry-run'] ? undefined : await readInstalledAgentImage(conn, apis)),
  });
  if (request.image.kind === 'url' && !image.sha256) {
    io.note('Note: no --image-sha256 given; the download will not be verified. Recommended: --image-sha256 $(sha256sum IMAGE | cut -d" " -f1)');
  }
  if (ssh.defaults.length > 0) io.note(`SSH keys: ${ssh.defaults.join(', ')} (pass --ssh-key to choose others).`);
  if (ssh.keys.length === 0) io.note('Note: no SSH public key given and none in ~/.ssh/*.pub; kubectl berth ssh will not get in unless --user-data sets up access.');
  const secret = buildCloudInitSecret(spec);
  const sts = buildVmStatefulSet(spec);
  if (flags['dry-run']) {
    // As kubectl does: -o name names what would be created; without -o, the objects as YAML.
    io.out(flags.output === 'name' ? `vm/${spec.name}\n` : renderManifests([secret, sts], flags.output === 'json' ? 'json' : 'yaml'));
    return;
  }
  const warning = await serverWarning;
  if (warning) io.note(warning);
  await preflight(conn, apis, spec, request, { allowUnschedulable: Boolean(flags['allow-unschedulable']), note: io.note });
  await createVmObjects(conn, apis, secret, sts);
  // A VM on a new disk is a new host to ssh, even where an earlier one had its name (a wiped
  // cluster, a rebuilt image); a reused disk keeps its keys, and so does the entry.
  if (!(request.disk.kind === 'pvc' && request.disk.reuse)) forgetVmHostKeys(conn.kubeConfig.getCurrentCluster()?.name, spec.namespace, [spec.name]);
  if (flags.output === 'yaml' || flags.output === 'json') io.out(renderManifests([secret, sts], flags.output));
  else if (flags.output === 'name') io.out(`vm/${spec.name}\n`);
  else io.out(`vm/${spec.name} created\n`);
  if (!flags.wait) return;
  io.note(`Waiting for VM '${spec.name}' (up to ${Math.round(timeoutMs / 1000)}s)…`);
  await waitForVm(conn, apis, { name: spec.name, namespace: spec.namespace, timeoutMs, until: 'ready', progress: io.note });
  io.note(spec.readyPort > 0 ? `VM '${spec.name}' is running; its guest answers on port ${spec.readyPort}.` : `VM '${spec.name}' is running.`);
}
