// The VM pod's entrypoint: reads the launcher contract, prepares disk, seed and network, runs QEMU,
// and on SIGTERM powers the guest down. Exits with QEMU's status; on a failure it undoes what it
// set up and exits non-zero with a message and a hint.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BerthError, ExitCode, isBerthError } from '../../shared/errors.js';
import { dataDiskPvcName, diskPvcName, Files, guestShutdownAccountName, LauncherLog, TAP_DEVICE } from '../../shared/contract.js';
import { MiB } from '../../shared/quantity.js';
import { MEMORY_SLOTS } from '../../shared/vm-size.js';
import { fileResizeIo, GuestResizer, POD_SIZE_POLL_MS } from './resize.js';
import { Cleanup } from './cleanup.js';
import { parseLauncherConfig, type LauncherConfig } from './config.js';
import { preparePetDisk } from './disk.js';
import { run } from '../common/exec.js';
import { stderrLog, type Log } from './log.js';
import { startLoopbackProxy } from './loopback-proxy.js';
import { vmMac } from './mac.js';
import { joinPodNetwork } from './network.js';
import { dataDriveId, qemuArgs } from './qemu-args.js';
import { prepareCdrom } from './cdrom.js';
import { prepareDataDisks } from './data-disks.js';
import { buildSeedIso } from './seed.js';
import { startVm, type RunningVm } from './vm.js';
import { RESUME_FREE_BYTES } from './disk-full.js';
import { normalizeVncPassword } from './vnc-password.js';
import { prepareUefi } from './firmware.js';
import { isGuestsOwnPowerOff, stopOwnStatefulSet } from './guest-shutdown.js';

export async function launch(env: NodeJS.ProcessEnv, log: Log): Promise<number> {
  let config: LauncherConfig;
  try {
    config = parseLauncherConfig(env);
  } catch (error) {
    return report(error, log);
  }
  const cleanup = new Cleanup(log);
  const abort = new AbortController();
  let vm: RunningVm | undefined;
  let qemuExited = false;
  let stopping = false;
  let signalled!: () => void;
  const stopSignal = new Promise<void>((resolve) => (signalled = resolve));
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) return log('signal', `${signal} again: already stopping`);
    stopping = true;
    log('signal', `${signal} received`);
    signalled();
    if (vm && !qemuExited) void vm.shutdown(config.shutdownSeconds);
    else if (!vm) abort.abort();
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);

  try {
    const { paths } = config;
    log('start', `VM ${config.namespace}/${config.vmName}: ${config.accel}, ${config.cpus} CPU, ${config.memoryMiB} MiB, image ${config.blankDisk ? 'none (blank disk)' : config.imageSha256 ? `sha256 ${config.imageSha256}` : config.imageUrl}, VNC ${config.vnc}`);
    await mkdir(paths.run, { recursive: true, mode: 0o700 });
    const petDisk = await preparePetDisk(config, run, log, abort.signal);
    abort.signal.throwIfAborted();
    const dataDisks = await prepareDataDisks(config, run, log);
    const cdrom = await prepareCdrom(config, log, abort.signal);
    abort.signal.throwIfAborted();
    const seedIso = await buildSeedIso(config, run, log);
    const vncPasswordFile = config.vnc === 'password' ? await writeVncPassword(config, log) : undefined;
    const uefi = await prepareUefi(config.firmware, paths.disk, log);
    const mac = vmMac(config.namespace, config.vmName);
    abort.signal.throwIfAborted();
    await joinPodNetwork(config, mac, log, cleanup);
    abort.signal.throwIfAborted();
    const proxy = await startLoopbackProxy(config.loopbackPorts, config.vmIp, log);
    cleanup.add('port-forward relay', () => proxy.close());
    const qmpSocket = join(paths.run, 'qmp.sock');
    vm = await startVm(
      qemuArgs({
        name: `${config.namespace}.${config.vmName}`,
        accel: config.accel,
        cpus: config.cpus,
        memoryMiB: config.memoryMiB,
        maxCpus: config.maxCpus,
        maxMemoryMiB: config.maxMemoryMiB,
        memorySlots: MEMORY_SLOTS,
        petDisk,
        seedIso,
        tap: TAP_DEVICE,
        mac,
        qmpSocket,
        vnc: config.vnc,
        vncPasswordFile,
        dataDisks,
        cdrom,
        uefi,
      }),
      qmpSocket,
      log,
      {
        diskDir: paths.disk,
        hint: growHint(config, diskPvcName(config.vmName)),
        others: Object.fromEntries(dataDisks.map((d) => [dataDriveId(d.name), { dir: d.dir, hint: growHint(config, dataDiskPvcName(config.vmName, d.name)) }])),
      },
    );
    if (stopping) void vm.shutdown(config.shutdownSeconds);
    const stopResize = watchPodSize(config, vm, log);
    const status = await vm.exit;
    stopResize();
    qemuExited = true;
    log('stop', `QEMU exited with status ${status}`);
    if (config.onGuestShutdown === 'stop' && isGuestsOwnPowerOff(vm.shutdownCause(), status)) return await stayStopped(config, stopSignal, log);
    return status;
  } catch (error) {
    if (abort.signal.aborted) {
      log('stop', 'stopped before the VM started');
      return ExitCode.interrupted;
    }
    return report(error, log);
  } finally {
    const { undone, failed } = await cleanup.run();
    if (undone.length > 0) log('stop', `removed ${undone.join(', ')}`);
    if (failed.length > 0) log('stop', `cleanup incomplete: ${failed.join(', ')} (see above)`);
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
  }
}

function growHint(config: LauncherConfig, pvc: string): string {
  return `grow the VM's disk claim where its StorageClass allows expansion (kubectl patch pvc ${pvc} -n ${config.namespace} -p '{"spec":{"resources":{"requests":{"storage":"LARGER"}}}}'), or free space on the volume; the guest resumes by itself once the volume has ${RESUME_FREE_BYTES / 2 ** 20} MiB free`;
}

/** Follows the pod's size files while QEMU runs and hotplugs the guest to match (resize.ts). */
function watchPodSize(config: LauncherConfig, vm: RunningVm, log: Log): () => void {
  const resizer = new GuestResizer(fileResizeIo(config.paths.podSize, (command, args) => vm.execute(command, args), log), {
    boot: { cpus: config.cpus, memoryBytes: config.memoryMiB * MiB },
    room: { maxCpus: config.maxCpus, maxMemoryBytes: config.maxMemoryMiB * MiB, memorySlots: MEMORY_SLOTS },
    accel: config.accel,
    vmName: config.vmName,
  });
  log(LauncherLog.resizeStep, `room to grow without a restart: up to ${config.maxCpus} vCPUs and ${config.maxMemoryMiB} MiB`);
  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    resizer.check().catch((error: Error) => log(LauncherLog.resizeStep, `${LauncherLog.resizeErrorMark}${error.message}`)).finally(() => (busy = false));
  }, POD_SIZE_POLL_MS);
  return () => clearInterval(timer);
}

/**
 * The guest powered itself off and the VM was made with --on-guest-shutdown stop: scale the
 * StatefulSet to 0, then wait for the pod's deletion (SIGTERM) rather than exit, which would have
 * the kubelet restart the container and boot the guest again. When the scale fails, say why and
 * exit: the guest then boots again, as with restart, rather than the VM sitting dead in a pod.
 */
async function stayStopped(config: LauncherConfig, stopSignal: Promise<void>, log: Log): Promise<number> {
  log('guest-shutdown', 'the guest powered itself off; stopping the VM (--on-guest-shutdown stop)');
  try {
    await stopOwnStatefulSet(config.namespace, config.vmName, log);
  } catch (error) {
    log('guest-shutdown', `error: could not scale StatefulSet ${config.namespace}/${config.vmName} to 0: ${(error as Error).message}`);
    log('guest-shutdown', `hint: the VM's ServiceAccount, Role and RoleBinding (${guestShutdownAccountName(config.vmName)}) allow it; recreate them with the VM, or stop it with: kubectl berth stop ${config.vmName} -n ${config.namespace}`);
    return ExitCode.unexpected;
  }
  log('guest-shutdown', 'StatefulSet scaled to 0; waiting for the pod to be deleted');
  await stopSignal;
  return 0;
}

async function writeVncPassword(config: LauncherConfig, log: Log): Promise<string> {
  const source = join(config.paths.cloudInit, Files.vncPassword);
  const raw = await readFile(source, 'utf8').catch((error: NodeJS.ErrnoException) => {
    throw new BerthError('LAUNCHER', `VNC is in password mode but ${source} cannot be read (${error.code})`, {
      hint: `Put a ${Files.vncPassword} key into the VM's cloud-init Secret, or use VNC mode loopback.`,
    });
  });
  const { password, error, warning } = normalizeVncPassword(raw);
  if (error || password === undefined) throw new BerthError('LAUNCHER', `${source}: ${error}`);
  if (warning) log('vnc', `warning: ${warning}`);
  const file = join(config.paths.run, Files.vncPassword);
  await writeFile(file, password, { mode: 0o600 });
  return file;
}

function report(error: unknown, log: Log): number {
  if (isBerthError(error)) {
    log('error', error.message);
    for (const hint of error.suggestions) log('hint', hint);
    return error.exitCode;
  }
  log('error', `unexpected: ${(error as Error)?.stack ?? String(error)}`);
  return ExitCode.unexpected;
}

const code = await launch(process.env, stderrLog());
process.exit(code);
