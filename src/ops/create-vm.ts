// `create`, start to finish: check the flags, ask for what is missing, resolve the image, read the
// keys and user-data, build the objects, check the cluster, create (or print) them, and wait.
import type { V1Secret, V1StatefulSet } from '@kubernetes/client-node';
import { BerthError, usageError } from '../../shared/errors.js';
import type { CreateFlags } from '../commands/create.js';
import { buildCloudInitSecret } from '../core/cloud-init-secret.js';
import { checkVmName } from '../core/names.js';
import { missingImage, parseImage, parseImageFlag, parseVmOptions, type VmRequest } from '../core/vm-flags.js';
import { resolveImage, type ResolvedImage } from '../core/vm-image.js';
import { assembleVmSpec, type UserDataFile } from '../core/vm-spec.js';
import { buildVmStatefulSet } from '../core/vm-statefulset.js';
import type { VmState } from '../core/vm-status.js';
import { createVmObjects, preflight } from '../kube/vm-create.js';
import { guestShutdownObjects } from '../core/guest-shutdown.js';
import { createGuestShutdownAccess } from '../kube/vm-guest-shutdown.js';
import { readCatalog } from '../images/catalog-api.js';
import { kubeApis, type KubeApis } from '../kube/vm-objects.js';
import type { Connection } from '../kube/connect.js';
import { waitForVm } from '../kube/vm-wait.js';
import { olderServerWarning } from '../kube/cluster-versions.js';
import { forgetVmHostKeys } from '../access/known-hosts.js';
import { launcherImageFor } from '../kube/installed-image.js';
import { listVmNodes, type VmNodes } from '../kube/vm-nodes.js';
import { largestNodeRoom, vmNodeLabelSelector } from '../core/node-room.js';
import { HOTPLUG_RATIO } from '../../shared/vm-size.js';
import { LauncherEnv } from '../../shared/contract.js';
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
  if (flags.image === undefined && !flags['blank-disk'] && !interactive) throw missingImage();
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
  if ((image.kind === 'catalog' || request.cdrom?.kind === 'catalog') && catalog === undefined) catalog = await readCatalog(conn);
  const resolved = resolveImage(image, catalog);
  const cdrom = request.cdrom ? resolveImage(request.cdrom, catalog) : undefined;
  const vm = { request, image: resolved, ...(cdrom ? { cdrom } : {}), userData: await readUserData(request.userDataFile) };
  const made = await makeVms(conn, apis, [vm], makeOptions(flags, timeoutMs, serverWarning, io));
  return { ...made.vms[0], dryRun: made.dryRun };
}

/** One VM to make: create's checked request with what was read for it. */
export interface VmToMake {
  request: VmRequest;
  image: ResolvedImage;
  /** The resolved --cdrom. */
  cdrom?: ResolvedImage;
  userData?: UserDataFile;
}

export interface MakeOptions {
  dryRun: boolean;
  wait: boolean;
  timeoutMs: number;
  allowUnschedulable: boolean;
  /** olderServerWarning(conn), started early so it costs no round trip of its own. */
  serverWarning?: Promise<string | undefined>;
  io: OpIo;
}

/** The options of makeVms from the flags create and import share. */
export function makeOptions(flags: { 'dry-run'?: boolean; wait?: boolean; 'allow-unschedulable'?: boolean }, timeoutMs: number, serverWarning: MakeOptions['serverWarning'], io: OpIo): MakeOptions {
  return { dryRun: Boolean(flags['dry-run']), wait: Boolean(flags.wait), timeoutMs, allowUnschedulable: Boolean(flags['allow-unschedulable']), serverWarning, io };
}

export interface MadeVms {
  vms: Omit<CreateResult, 'dryRun'>[];
  dryRun: boolean;
}

/**
 * create's second half, shared with import: the objects of every VM, then (unless a dry run) every
 * check of every VM before the first object is made, the objects, and the wait. The SSH keys are
 * read once, for all.
 */
export async function makeVms(conn: Connection, apis: KubeApis, vms: VmToMake[], options: MakeOptions): Promise<MadeVms> {
  const { io } = options;
  const sshKeys = vms[0].request.sshKeys;
  const ssh = await readSshKeys(sshKeys);
  const launcherImage = await launcherImageFor(conn, apis, { dryRun: options.dryRun, note: io.note });
  // The nodes each VM may run on bound its room to grow and are checked before anything is made;
  // listed once per selector, as an import's VMs mostly share one.
  const listed = new Map<string, Promise<VmNodes>>();
  const nodesFor = (request: VmRequest) => {
    const selector = vmNodeLabelSelector(request.accel, request.nodeSelector);
    if (!listed.has(selector)) listed.set(selector, listVmNodes(conn, apis, selector, { dryRun: options.dryRun }));
    return listed.get(selector)!;
  };
  const specs = [];
  for (const vm of vms) {
    const nodes = await nodesFor(vm.request);
    const nodeRoom = nodes.nodes ? largestNodeRoom(nodes.nodes, vm.request.accel) : {};
    const spec = assembleVmSpec(vm.request, { namespace: conn.namespace, image: vm.image, cdrom: vm.cdrom, sshKeys: ssh.keys, userData: vm.userData, launcherImage, nodeRoom });
    if (vm.request.image.kind === 'url' && !vm.image.sha256) {
      const subject = vms.length > 1 ? `${spec.name}: ` : '';
      io.note(`Note: ${subject}no --image-sha256 given; the download will not be verified. Recommended: --image-sha256 $(sha256sum IMAGE | cut -d" " -f1)`);
    }
    specs.push({ spec, request: vm.request, nodes, objects: [buildCloudInitSecret(spec), buildVmStatefulSet(spec)] as [V1Secret, V1StatefulSet] });
  }
  if (ssh.defaults.length > 0) io.note(`SSH keys: ${ssh.defaults.join(', ')} (pass --ssh-key to choose others).`);
  if (ssh.keys.length === 0) io.note('Note: no SSH public key given and none in ~/.ssh/*.pub; kubectl berth ssh will not get in unless --user-data sets up access.');
  const results = specs.map(({ spec, objects }) => ({ name: spec.name, namespace: spec.namespace, objects }) as Omit<CreateResult, 'dryRun'>);
  const refs = specs.map(({ spec }) => `vm/${spec.name}`);
  if (options.dryRun) {
    const unlisted = specs.find((s) => s.nodes.why);
    if (unlisted) io.note(`Note: cannot list the nodes that may run the VM (${unlisted.nodes.why}); its room to grow (${LauncherEnv.maxCpus}, ${LauncherEnv.maxMemoryMiB}) is ${HOTPLUG_RATIO}× its size that no node bounds.`);
    // As kubectl does: -o name names what would be created; without -o, the objects as YAML.
    const objects = specs.flatMap((s) => [...s.objects, ...guestShutdownObjects(s.spec)]);
    io.print(objectsPrintable(objects, refs, renderData({ objects }, 'yaml')));
    return { vms: results, dryRun: true };
  }
  const warning = await options.serverWarning;
  if (warning) io.note(warning);
  for (const { spec, request, nodes } of specs) await preflight(conn, apis, spec, request, nodes, { allowUnschedulable: options.allowUnschedulable, note: io.note });
  for (const { spec, objects } of specs) {
    const access = await createGuestShutdownAccess(conn, spec, io.note);
    await createVmObjects(conn, apis, ...objects, io.note).catch(async (error) => {
      await access?.remove();
      throw error;
    });
    if (access) await access.adopt(await apis.apps.readNamespacedStatefulSet({ name: spec.name, namespace: spec.namespace }).catch(() => undefined));
    // A created VM may be a new host to ssh, even where an earlier one had its name: a new disk (a
    // wiped cluster, a rebuilt image), or a reused one booted with another seed, which cloud-init
    // takes for a new instance and gives new host keys. Trust on first use, as for any new host.
    forgetVmHostKeys(conn.kubeConfig.getCurrentCluster()?.name, spec.namespace, [spec.name]);
  }
  io.print(objectsPrintable(specs.flatMap((s) => s.objects), refs, refs.map((ref) => `${ref} created\n`).join('')));
  if (!options.wait) return { vms: results, dryRun: false };
  for (const [i, { spec }] of specs.entries()) {
    io.note(`Waiting for VM '${spec.name}' (up to ${Math.round(options.timeoutMs / 1000)}s)…`);
    results[i].state = await waitForVm(conn, apis, { name: spec.name, namespace: spec.namespace, timeoutMs: options.timeoutMs, until: 'ready', progress: io.note });
    io.note(spec.readyPort > 0 ? `VM '${spec.name}' is running; its guest answers on port ${spec.readyPort}.` : `VM '${spec.name}' is running.`);
  }
  return { vms: results, dryRun: false };
}
