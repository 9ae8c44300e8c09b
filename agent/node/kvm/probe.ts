// The thin runner around decideKvm: reads cpuinfo and sysfs, tries /dev/kvm, and boots the probe
// boot sector under KVM and TCG. Every path is an option so tests can point it at fakes.
import { execFile } from 'node:child_process';
import { constants, promises as fs } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildProbeBootSector, buildProbeQemuArgs, PROBE_EXIT_STATUS, type ProbeAccel } from './boot-sector.js';
import { cpuinfoHasVirt, decideKvm, kvmBlocker, type GuestRun, type KvmFacts, type KvmVerdict } from './decide.js';

export interface ProbeOptions {
  cpuinfoPath: string;
  kvmDevicePath: string;
  /** Root of sysfs; kvm-pvm shows as <sysfs>/module/kvm_pvm. */
  sysfsPath: string;
  qemuBinary: string;
  /** How long one guest run may take before it counts as failed. */
  guestTimeoutMs: number;
}

export const defaultProbeOptions: ProbeOptions = {
  cpuinfoPath: '/proc/cpuinfo',
  kvmDevicePath: '/dev/kvm',
  sysfsPath: '/sys',
  qemuBinary: 'qemu-system-x86_64',
  guestTimeoutMs: 5000,
};

async function exists(path: string): Promise<boolean> {
  return fs.access(path, constants.F_OK).then(() => true, () => false);
}

async function tryOpen(path: string): Promise<{ ok: true } | { ok: false; error: string }> {
  try {
    const handle = await fs.open(path, constants.O_RDWR);
    await handle.close();
    return { ok: true };
  } catch (error) {
    return { ok: false, error: (error as NodeJS.ErrnoException).code ?? String(error) };
  }
}

/** Boots the probe sector once; ok only when QEMU exits with exactly the probe's status. */
export function runProbeGuest(qemuBinary: string, bootSectorPath: string, accel: ProbeAccel, timeoutMs: number): Promise<GuestRun> {
  const started = Date.now();
  return new Promise((resolve) => {
    execFile(qemuBinary, buildProbeQemuArgs(bootSectorPath, accel), { timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 64 * 1024 }, (error, _stdout, stderr) => {
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      const err = error as (NodeJS.ErrnoException & { code?: unknown; killed?: boolean }) | null;
      const status = err ? (typeof err.code === 'number' ? err.code : undefined) : 0;
      if (status === PROBE_EXIT_STATUS) return resolve({ ok: true, detail: `guest ran, exit ${status} in ${seconds} s` });
      const lines = String(stderr).trim().split('\n').filter((l) => l.trim() !== '');
      const firstLine = (lines.find((l) => /error|fail|abort|assert/i.test(l)) ?? lines.at(-1) ?? '').slice(0, 200);
      if (err?.killed) return resolve({ ok: false, detail: `timed out after ${(timeoutMs / 1000).toFixed(0)} s` });
      if (err && err.code === 'ENOENT') return resolve({ ok: false, detail: `${qemuBinary} not found` });
      resolve({ ok: false, detail: `exit ${status ?? err?.code ?? '?'}${firstLine ? `: ${firstLine}` : ''}` });
    });
  });
}

/** Gathers the facts, runs the guests that can change the answer, and decides. */
export async function probeNode(options: ProbeOptions = defaultProbeOptions): Promise<{ facts: KvmFacts; verdict: KvmVerdict }> {
  const cpuinfo = await fs.readFile(options.cpuinfoPath, 'utf8').catch(() => '');
  const kvmDevicePresent = await exists(options.kvmDevicePath);
  const facts: KvmFacts = {
    kvmDevicePath: options.kvmDevicePath,
    cpuVirtFlag: cpuinfoHasVirt(cpuinfo),
    kvmDevicePresent,
    kvmDeviceOpen: kvmDevicePresent ? await tryOpen(options.kvmDevicePath) : undefined,
    kvmPvmLoaded: await exists(join(options.sysfsPath, 'module', 'kvm_pvm')),
  };
  const dir = await mkdtemp(join(tmpdir(), 'berth-probe-'));
  try {
    const sector = join(dir, 'probe.img');
    await writeFile(sector, buildProbeBootSector());
    facts.tcgGuest = await runProbeGuest(options.qemuBinary, sector, 'tcg', options.guestTimeoutMs);
    if (!kvmBlocker(facts)) facts.kvmGuest = await runProbeGuest(options.qemuBinary, sector, 'kvm', options.guestTimeoutMs);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return { facts, verdict: decideKvm(facts) };
}
