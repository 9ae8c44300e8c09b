// The complete, validated description of a VM: what the builders turn into Kubernetes objects.
// Assembled from the checked flags plus what the command read (key files, user-data, catalog).
import { BerthError } from '../../shared/errors.js';
import { buildMetaData, mergeSshKeys, parsePublicKeys } from './cloud-config.js';
import type { UserDataRef, VmRequest } from './vm-flags.js';
import type { ResolvedImage } from './vm-image.js';
import type { NodeRoom } from '../../shared/vm-size.js';

export interface KeyText {
  /** Where the text came from, for messages: a file path or '--ssh-key'. */
  source: string;
  text: string;
}

/** The --user-data file: text, or bytes that are not UTF-8 text (gzip), which travel untouched. */
export type UserDataFile = KeyText | { source: string; bytes: Buffer };

export interface ResolvedInputs {
  namespace: string;
  image: ResolvedImage;
  cdrom?: ResolvedImage;
  sshKeys: KeyText[];
  userData?: UserDataFile;
  /** The container image of the launcher (berthImage()). */
  launcherImage: string;
  /** What the largest node that may run the VM can give it; {} when the nodes cannot be listed. */
  nodeRoom?: NodeRoom;
}

/** The request's checked settings, carried over unchanged. */
type CarriedOver = 'name' | 'cpus' | 'memoryBytes' | 'disk' | 'dataDisks' | 'vnc' | 'accel' | 'nodeSelector' | 'readyPort' | 'ports' | 'shutdownSeconds' | 'firmware' | 'onGuestShutdown';

export interface VmSpec extends Pick<VmRequest, CarriedOver> {
  namespace: string;
  image: ResolvedImage;
  /** The install ISO (--cdrom), resolved like an image. */
  cdrom?: ResolvedImage;
  cloudInit: {
    metaData: string;
    /** Generated user-data text, binary user-data as given, or the user's ConfigMap/Secret mounted as user-data. */
    userData: { kind: 'inline'; text: string } | { kind: 'bytes'; bytes: Buffer } | { kind: 'ref'; ref: UserDataRef };
  };
  launcherImage: string;
  /** Bounds the room to grow QEMU starts with (shared/vm-size.ts hotplugHeadroom). */
  nodeRoom: NodeRoom;
}

/** Joins the request and the resolved inputs, checking key and user-data contents. Pure. */
export function assembleVmSpec(request: VmRequest, inputs: ResolvedInputs): VmSpec {
  const keys: string[] = [];
  for (const source of inputs.sshKeys) {
    const parsed = parsePublicKeys(source.text, source.source);
    if (!parsed.ok) throw new BerthError('INVALID_VALUE', `--ssh-key: ${parsed.problem}`, { hint: 'pass a public key file such as ~/.ssh/id_ed25519.pub, or the key text itself' });
    for (const key of parsed.keys) if (!keys.includes(key)) keys.push(key);
  }
  let userData: VmSpec['cloudInit']['userData'];
  let metaKeys: string[] = [];
  if (request.userDataFrom) {
    userData = { kind: 'ref', ref: request.userDataFrom };
    metaKeys = keys;
  } else if (inputs.userData && 'bytes' in inputs.userData) {
    // gzip or another binary form cloud-init reads: nothing to merge into, so the keys go to meta-data
    userData = { kind: 'bytes', bytes: inputs.userData.bytes };
    metaKeys = keys;
  } else {
    const merged = mergeSshKeys(inputs.userData?.text, keys, inputs.userData?.source);
    if (!merged.ok) throw new BerthError('INVALID_VALUE', `--user-data: ${merged.problem}`, { hint: 'fix the file; check it with: cloud-init schema --config-file FILE' });
    userData = { kind: 'inline', text: merged.userData };
    if (!merged.keysInUserData) metaKeys = keys;
  }
  return {
    name: request.name,
    namespace: inputs.namespace,
    image: inputs.image,
    cpus: request.cpus,
    memoryBytes: request.memoryBytes,
    disk: request.disk,
    dataDisks: request.dataDisks,
    ...(inputs.cdrom ? { cdrom: inputs.cdrom } : {}),
    cloudInit: { metaData: buildMetaData(request.name, metaKeys), userData },
    vnc: request.vnc,
    accel: request.accel,
    nodeSelector: request.nodeSelector,
    readyPort: request.readyPort,
    ports: request.ports,
    shutdownSeconds: request.shutdownSeconds,
    firmware: request.firmware,
    onGuestShutdown: request.onGuestShutdown,
    launcherImage: inputs.launcherImage,
    nodeRoom: inputs.nodeRoom ?? {},
  };
}
