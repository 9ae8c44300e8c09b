// The pet disk: created once as a qcow2 overlay on the verified base image, reused on every
// restart, its base restored onto the pet volume when its node lacks it (restoreBase), and refused
// when it no longer sits on the base image it was made on.
import { access, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BerthError, isBerthError } from '../../shared/errors.js';
import { cachedImageFileName, Files, LauncherEnv, LauncherLog } from '../../shared/contract.js';
import { DownloadError, downloadFile, verifyFile, type DownloadFailure } from '../common/download.js';
import type { LauncherConfig } from './config.js';
import { fileImageFormat, FORMAT_NAMES } from '../common/image-format.js';
import { mustRun, type Run } from '../common/exec.js';
import type { Log } from './log.js';
import { backingOf, petDiskPlan, targetDiskSize, type PetDiskOrigin, type PetDiskPlan, type QemuImgInfo } from './pet-disk.js';

const exists = (path: string) => access(path).then(() => true, () => false);

async function imageInfo(run: Run, path: string): Promise<QemuImgInfo> {
  const { stdout } = await mustRun(run, 'qemu-img', ['info', '--output=json', path], `reading ${path}`);
  return JSON.parse(stdout) as QemuImgInfo;
}

/** Returns the pet disk's path, creating the overlay (and fetching the base) on first start. */
export async function preparePetDisk(config: LauncherConfig, run: Run, log: Log, signal?: AbortSignal): Promise<string> {
  const petDisk = join(config.paths.disk, Files.petDisk);
  const originFile = join(config.paths.disk, Files.petDiskOrigin);
  if (await exists(petDisk)) {
    const info = await imageInfo(run, petDisk);
    const backing = backingOf(info);
    const origin = await readOrigin(originFile);
    const local = join(config.paths.disk, Files.localBase);
    const plan = petDiskPlan({
      info,
      origin,
      backingExists: backing === undefined || (await exists(backing)),
      expectedSha256: config.imageSha256,
      imageUrl: config.imageUrl,
      petDisk,
      localBase: local,
      localBaseExists: await exists(local),
    });
    if (plan.action === 'refuse') throw new BerthError('LAUNCHER', `refusing to start: ${plan.problem.message}`, { hint: plan.problem.hint });
    if (plan.action === 'restore') await restoreBase(plan, { run, log, signal, petDisk, originFile, origin, local });
    else log('disk', `reusing pet disk ${petDisk} (backing file ${backing ?? 'none'})`);
    await growIfAsked(config, run, log, petDisk, info['virtual-size']);
    return petDisk;
  }

  if (config.blankDisk) return createBlankDisk(config, run, log, petDisk);
  const { base, sha256 } = await locateBase(config, run, log, signal);
  const baseInfo = await imageInfo(run, base);
  if (baseInfo.format !== 'qcow2') {
    throw new BerthError('LAUNCHER', `the base image ${base} is ${baseInfo.format}, not qcow2`, {
      hint: 'Berth images are qcow2 cloud images; convert it with `qemu-img convert -O qcow2` and update the catalog.',
    });
  }
  const { grow, note } = targetDiskSize(config.diskSizeBytes, baseInfo['virtual-size']);
  if (note) log('disk', note);
  const partial = `${petDisk}.part`;
  await rm(partial, { force: true });
  const args = ['create', '-q', '-f', 'qcow2', '-F', 'qcow2', '-b', base, partial];
  if (grow !== undefined) args.push(String(grow));
  await mustRun(run, 'qemu-img', args, 'creating the pet disk');
  const origin: PetDiskOrigin = { sha256, base, createdAt: new Date().toISOString() };
  await writeFile(originFile, `${JSON.stringify(origin, null, 2)}\n`);
  await rename(partial, petDisk);
  log('disk', `created pet disk ${petDisk} on ${base}${grow ? ` (${grow} bytes)` : ''}`);
  return petDisk;
}

/**
 * --blank-disk: a qcow2 with no backing file, at the asked size, for an installer to fill. qcow2
 * like every pet disk, so the existing-disk path (petDiskPlan: no backing, nothing to check;
 * growIfAsked) serves it from the second start on, and the empty disk costs only its metadata
 * until the installer writes. Made under a temporary name and renamed: a start cut short leaves
 * no half-made disk that the next start would take for the installed one.
 */
async function createBlankDisk(config: LauncherConfig, run: Run, log: Log, petDisk: string): Promise<string> {
  const size = config.diskSizeBytes;
  if (size === undefined) throw new BerthError('LAUNCHER', 'a blank disk needs a size', { hint: `Set ${LauncherEnv.diskSize}.` });
  const partial = `${petDisk}.part`;
  await rm(partial, { force: true });
  await mustRun(run, 'qemu-img', ['create', '-q', '-f', 'qcow2', partial, String(size)], 'creating the blank pet disk');
  await rename(partial, petDisk);
  log('disk', `created blank pet disk ${petDisk} (${size} bytes): the VM boots its install media until the disk is bootable`);
  return petDisk;
}

interface RestoreContext {
  run: Run;
  log: Log;
  signal?: AbortSignal;
  petDisk: string;
  originFile: string;
  origin?: PetDiskOrigin;
  /** The pet volume's base (Files.localBase). */
  local: string;
}

/**
 * A pet disk whose base is missing on this node (its pod moved to another node, or the node's
 * cache lost the file) gets that base back before QEMU starts: a copy on the pet volume, verified
 * by the sha256 the disk was made on, and the overlay pointed at it.
 *
 * Why the launcher, and why the pet volume: the launcher already holds all it needs (the sha256
 * and URL the VM's StatefulSet records, a writable volume, the one downloader) and needs no new
 * right; the VM pod stays Pod Security restricted with no API credentials. Letting the node agent
 * fetch into its cache instead would need it to learn which pod waits for which base and to signal
 * the pod back, and the cache is read-only in VM pods on purpose (no pod may write what other VMs
 * boot from). Once the copy is on the volume the disk carries its base wherever the volume goes:
 * the next move fetches nothing, and no cache eviction, `images rm` or new sha256 for a catalog
 * name can strand it again. The cost is the base's size on the volume, as for a URL image no node
 * had cached.
 *
 * Why `qemu-img rebase -u` rather than naming the base to QEMU on each start (a backing blockdev):
 * a qcow2 overlay stores its base's path in its header, and `-u` rewrites only that path, without
 * reading either image; that is safe exactly when the new base holds the same bytes, which the
 * sha256 proves. Overriding the path at every start would need every other qemu-img call (info,
 * resize) taught the same override, and the header would keep pointing at a file that is not there.
 * The rebase comes before the record (pet.qcow2.base.json) is rewritten; a restore cut between the
 * two leaves the overlay on the volume's copy, which petDiskPlan accepts.
 */
async function restoreBase(plan: Extract<PetDiskPlan, { action: 'restore' }>, ctx: RestoreContext): Promise<void> {
  const { run, log, local } = ctx;
  const step = LauncherLog.baseStep;
  log(step, `the pet disk's base ${plan.backing} (sha256 ${plan.sha256}) is not on this node: restoring it onto the pet volume`);
  let from = 'pet volume';
  if (await exists(local)) {
    log(step, `verifying the copy already on the pet volume (${local})`);
    if (await verifyFile(local, plan.sha256).catch(() => false)) log(step, `${local} matches sha256 ${plan.sha256}`);
    else {
      log(step, `${local} does not match sha256 ${plan.sha256}: fetching it again`);
      await rm(local, { force: true });
    }
  }
  if (!(await exists(local))) {
    if (!plan.url) {
      throw new BerthError('LAUNCHER', `the pet disk's base (sha256 ${plan.sha256}) is missing and the VM records no image URL`, {
        hint: `Add an image with sha256 ${plan.sha256} to the catalog so the node agent caches it on this node.`,
      });
    }
    from = plan.url;
    log(step, `fetching sha256 ${plan.sha256} from ${plan.url}`);
    try {
      await downloadBase(plan.url, plan.sha256, local, log, { signal: ctx.signal });
    } catch (error) {
      if (!isBerthError(error)) throw error;
      // The URL is the one the VM recorded when it was made; the catalog may have moved on since.
      const viaCatalog = `Or add an image with sha256 ${plan.sha256} to the catalog (kubectl berth images add NAME --url URL --sha256 ${plan.sha256}): the node agent caches it, and the VM's pod, which restarts by itself, boots from that copy.`;
      throw new BerthError('LAUNCHER', `cannot restore the pet disk's base: ${error.message}`, { hint: [...error.suggestions, viaCatalog] });
    }
  }
  await checkImage(run, local, 'the restored base image', `Delete ${local} so the launcher fetches it again.`);
  if (plan.backing !== local) {
    await mustRun(run, 'qemu-img', ['rebase', '-u', '-f', 'qcow2', '-F', 'qcow2', '-b', local, ctx.petDisk], 'pointing the pet disk at the restored base');
  }
  const now = new Date().toISOString();
  const origin: PetDiskOrigin = { ...(ctx.origin ?? { createdAt: now }), sha256: plan.sha256, base: local, restoredAt: now, restoredFrom: from };
  await writeFile(ctx.originFile, `${JSON.stringify(origin, null, 2)}\n`);
  log(step, `restored: the pet disk ${ctx.petDisk} now sits on ${local} (sha256 ${plan.sha256}, from ${from})`);
}

/**
 * The base image: the node's cache, else a copy on the pet volume, else downloaded there. Files in
 * the cache and on the volume were sha256-verified before they got their names (the agent and
 * downloadBase rename only a matching file), so here they get qemu-img's structural check,
 * which reads metadata only: hashing a large image again would delay every first boot.
 */
async function locateBase(config: LauncherConfig, run: Run, log: Log, signal?: AbortSignal): Promise<{ base: string; sha256: string }> {
  const found = await findOrFetch({ sha256: config.imageSha256, url: config.imageUrl, what: 'base image' }, join(config.paths.disk, Files.localBase), config, log, signal);
  const checks = {
    cache: ['the cached base image', "Ask the cluster admin to delete it on the node; the node agent then fetches and verifies it again."],
    volume: ['the base image on the pet volume', `Delete ${found.path} so the launcher downloads it again.`],
    download: ['the downloaded base image', 'Berth images are qcow2 cloud images; fix the image catalog entry.'],
  } as const;
  await refuseIso(found.path, 'base image');
  const [what, hint] = checks[found.from];
  await checkImage(run, found.path, what, hint);
  return { base: found.path, sha256: found.sha256 };
}

/**
 * A file pinned by sha256 (a base image or an install ISO), from wherever it already is: the
 * node's cache (content-addressed, filled by the agent from the catalog, mounted read-only), else
 * the pet volume's copy at `local`, else downloaded from the URL to `local` and verified. A file
 * only gets its final name once its sha256 matched, so one found is not hashed again.
 */
export async function findOrFetch(
  source: { sha256?: string; url?: string; what: string },
  local: string,
  config: Pick<LauncherConfig, 'paths'>,
  log: Log,
  signal?: AbortSignal,
): Promise<{ path: string; sha256: string; from: 'cache' | 'volume' | 'download' }> {
  const sha = source.sha256;
  if (sha !== undefined) {
    const cached = join(config.paths.imageCache, cachedImageFileName(sha));
    if (await exists(cached)) {
      log('disk', `${source.what} found in the node cache: ${cached}`);
      return { path: cached, sha256: sha, from: 'cache' };
    }
    if (await exists(local)) {
      log('disk', `${source.what} found on the pet volume: ${local}`);
      return { path: local, sha256: sha, from: 'volume' };
    }
  }
  if (!source.url) {
    throw new BerthError('LAUNCHER', `the ${source.what} sha256 ${sha} is not in the node cache (${config.paths.imageCache}) and no URL is set`, {
      hint: `Let the node agent cache the ${source.what} on this node, or give the VM its URL.`,
    });
  }
  log(LauncherLog.baseStep, `${source.what} not cached on this node: downloading ${source.url} to ${local}`);
  const sha256 = await downloadBase(source.url, sha, local, log, { signal });
  return { path: local, sha256, from: 'download' };
}

/** An ISO where a qcow2 base belongs: say what it is and where it goes, before qemu-img's verdict. */
async function refuseIso(path: string, what: string): Promise<void> {
  if ((await fileImageFormat(path).catch(() => 'unknown')) !== 'iso9660') return;
  throw new BerthError('LAUNCHER', `the ${what} ${path} is ${FORMAT_NAMES.iso9660}, not a qcow2 disk image`, {
    hint: 'Attach an ISO as install media instead: kubectl berth create NAME --cdrom IMAGE --blank-disk (an empty disk to install onto), or --cdrom IMAGE beside --image.',
  });
}

export interface BaseDownloadOptions {
  signal?: AbortSignal;
  /** No byte from the server for this long fails the download instead of hanging the VM's start. */
  stallMs?: number;
}

const UNREACHABLE =
  'Check that the URL is reachable from the pod, or let the node agent cache the image on this node. The pod tries again when it restarts, resuming where this attempt stopped when the image has a sha256.';
const DOWNLOAD_HINTS: Partial<Record<DownloadFailure, string>> = {
  network: UNREACHABLE,
  stalled: UNREACHABLE,
  http: 'Check the image URL, or let the node agent cache the image on this node.',
  checksum: 'Fix the image catalog entry (URL and sha256 must belong together), then restart the VM.',
  disk: 'The pet volume is too small for the base image and the disk: recreate the VM with a larger --disk-size.',
};

/**
 * Downloads the base image onto the pet volume with the agent's downloader (agent/common/download.ts):
 * verified against `sha256` when given, fsynced, and resumed from `DEST.partial` when the pod
 * restarts midway. Returns the content's sha256.
 */
export async function downloadBase(url: string, sha256: string | undefined, dest: string, log: Log, options: BaseDownloadOptions = {}): Promise<string> {
  let lastReport = Date.now();
  try {
    const result = await downloadFile({ url, sha256 }, { final: dest, partial: `${dest}.partial` }, {
      stallMs: options.stallMs ?? 60_000,
      // The pet disk grows on the same volume; the volume's size, not a reserve, bounds it.
      reserveBytes: 0,
      signal: options.signal,
      onProgress: (done, total) => {
        if (Date.now() - lastReport < 5000) return;
        lastReport = Date.now();
        log(LauncherLog.baseStep, `downloaded ${mib(done)}${total ? ` of ${mib(total)}` : ''}`);
      },
    });
    const resumed = result.resumedFrom > 0 ? `, resumed at ${mib(result.resumedFrom)}` : '';
    log(LauncherLog.baseStep, `downloaded ${mib(result.bytes)} to ${dest}${resumed}, sha256 ${result.sha256}${sha256 ? ' (verified)' : ' (no checksum given: recorded, not verified)'}`);
    return result.sha256;
  } catch (error) {
    const e = error as Error;
    const kind = error instanceof DownloadError ? error.kind : undefined;
    const hint = kind ? DOWNLOAD_HINTS[kind] : undefined;
    const what = kind === 'checksum' ? `the image downloaded from ${url} is corrupt or not the expected one` : `cannot download the base image from ${url}`;
    throw new BerthError('LAUNCHER', `${what}: ${e.message}`, hint ? { hint } : {});
  }
}

function mib(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

/** qemu-img check: 0 is clean, 3 only leaked clusters (harmless); anything else is damage. */
async function checkImage(run: Run, path: string, what: string, hint: string): Promise<void> {
  const result = await run('qemu-img', ['check', '-q', '-f', 'qcow2', path]);
  if (result.exitCode === 0 || result.exitCode === 3) return;
  const detail = (result.stderr || result.stdout).trim().split('\n')[0] || `qemu-img check exit ${result.exitCode}`;
  throw new BerthError('LAUNCHER', `${what} ${path} is corrupt or not a qcow2 image: ${detail}`, { hint });
}

async function readOrigin(path: string): Promise<PetDiskOrigin | undefined> {
  try {
    const parsed = JSON.parse(await readFile(path, 'utf8')) as Partial<PetDiskOrigin>;
    return typeof parsed.sha256 === 'string' && typeof parsed.base === 'string' ? (parsed as PetDiskOrigin) : undefined;
  } catch {
    return undefined;
  }
}

async function growIfAsked(config: LauncherConfig, run: Run, log: Log, petDisk: string, current: number): Promise<void> {
  const { grow, note } = targetDiskSize(config.diskSizeBytes, current);
  if (note) log('disk', note);
  if (grow === undefined) return;
  await mustRun(run, 'qemu-img', ['resize', '-q', petDisk, String(grow)], 'growing the pet disk');
  log('disk', `grew the pet disk from ${current} to ${grow} bytes`);
}
