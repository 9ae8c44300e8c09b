// The baseline of create → SSH: a person booting the same guest image with bare QEMU, the same
// accelerator and the same QEMU command line as the launcher, except that the network is QEMU's
// user-mode stack forwarding a loopback port to the guest's port 22 (no pod, no bridge, no tap).
// Timed: the overlay, the cloud-init seed, QEMU, and ssh retried until its first command succeeds.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { freePort, timeCommand } from './measure.js';
import { withNetdev } from './net-plan.js';

export interface GuestPlan {
  cpus: number;
  memoryMiB: number;
  /** The user that gets the key: root on the tiny guest, the default user on a cloud image. */
  user: string;
}

export const SSH_OPTIONS = [
  '-o', 'StrictHostKeyChecking=no',
  '-o', 'UserKnownHostsFile=/dev/null',
  '-o', 'BatchMode=yes',
  '-o', 'LogLevel=ERROR',
  '-o', 'ConnectTimeout=2',
];

type QemuArgs = (plan: Record<string, unknown>) => string[];

/** The launcher's argv for this guest, with its pod networking swapped for user-mode networking. */
async function qemuArgv(root: string, plan: GuestPlan, dir: string, port: number): Promise<{ argv: string[]; source: string }> {
  const module = join(root, 'dist', 'agent', 'launcher', 'qemu-args.js');
  const petDisk = join(dir, 'pet.qcow2');
  const seedIso = join(dir, 'seed.iso');
  const userNet = `user,id=net0,hostfwd=tcp:127.0.0.1:${port}-:22`;
  if (existsSync(module)) {
    const { qemuArgs } = (await import(pathToFileURL(module).href)) as { qemuArgs: QemuArgs };
    const args = qemuArgs({
      name: 'bench-bare', accel: 'tcg', cpus: plan.cpus, memoryMiB: plan.memoryMiB, petDisk, seedIso,
      tap: 'unused', mac: '52:54:00:12:34:56', qmpSocket: join(dir, 'qmp.sock'), vnc: 'off',
    });
    const swapped = withNetdev(args, userNet, join(dir, 'serial.log'));
    return { argv: ['qemu-system-x86_64', ...swapped], source: "the launcher's qemuArgs() with -netdev user,hostfwd" };
  }
  return {
    source: 'a QEMU command line like the launcher\'s (its qemuArgs() is not built)',
    argv: [
      'qemu-system-x86_64', '-nodefaults', '-no-user-config', '-machine', 'pc', '-accel', 'tcg',
      '-smp', String(plan.cpus), '-m', `${plan.memoryMiB}M`,
      '-drive', `file=${petDisk},format=qcow2,if=none,id=disk0`, '-device', 'virtio-blk-pci,drive=disk0,bootindex=0',
      '-drive', `file=${seedIso},format=raw,if=none,id=cidata,readonly=on`, '-device', 'virtio-blk-pci,drive=cidata',
      '-netdev', userNet, '-device', 'virtio-net-pci,netdev=net0',
      '-object', 'rng-random,id=rng0,filename=/dev/urandom', '-device', 'virtio-rng-pci,rng=rng0',
      '-vga', 'std', '-display', 'none', '-serial', `file:${join(dir, 'serial.log')}`,
    ],
  };
}

/** Retries `ssh … true` until it succeeds; returns how many attempts failed first. */
export async function sshUntilReady(argv: string[], deadline: number, env?: NodeJS.ProcessEnv): Promise<number> {
  let failures = 0;
  for (;;) {
    try {
      await timeCommand(argv, { timeoutMs: 15_000, env });
      return failures;
    } catch (error) {
      failures++;
      if (Date.now() > deadline) throw new Error(`ssh never succeeded (${failures} attempts): ${(error as Error).message}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

export interface BareBoot {
  seconds: number;
  sshFailures: number;
  source: string;
}

/** What a benchmark may do with the booted guest before QEMU is stopped: QEMU's PID, and ssh into the guest. */
export type WhileUp = (qemuPid: number, ssh: (command: string) => Promise<void>) => Promise<void>;

/**
 * One bare boot to the first ssh command, then `whileUp` (if given), then QEMU is stopped and its
 * files removed.
 */
export async function bareBoot(root: string, scratch: string, guest: string, key: string, plan: GuestPlan, run: number, timeoutMs = 180_000, whileUp?: WhileUp): Promise<BareBoot> {
  const dir = join(scratch, `bare-${run}`);
  await mkdir(join(dir, 'seed'), { recursive: true });
  const pub = (await readFile(`${key}.pub`, 'utf8')).trim();
  await writeFile(join(dir, 'seed', 'meta-data'), `instance-id: bench-bare-${run}\nlocal-hostname: bench-bare\n`);
  await writeFile(join(dir, 'seed', 'user-data'), `#cloud-config\nssh_authorized_keys:\n  - ${pub}\n`);
  const port = await freePort();
  const { argv, source } = await qemuArgv(root, plan, dir, port);
  const started = performance.now();
  await timeCommand(['qemu-img', 'create', '-q', '-f', 'qcow2', '-F', 'qcow2', '-b', guest, join(dir, 'pet.qcow2')]);
  await timeCommand(['genisoimage', '-quiet', '-output', join(dir, 'seed.iso'), '-volid', 'cidata', '-joliet', '-rock',
    join(dir, 'seed', 'user-data'), join(dir, 'seed', 'meta-data')]);
  const qemu = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'ignore', 'pipe'] });
  let qemuError = '';
  qemu.stderr.on('data', (chunk: Buffer) => (qemuError += chunk.toString()));
  const exited = new Promise<void>((resolve) => qemu.on('exit', () => resolve()));
  try {
    const ssh = ['ssh', ...SSH_OPTIONS, '-i', key, '-p', String(port), `${plan.user}@127.0.0.1`, 'true'];
    const failures = await Promise.race([
      sshUntilReady(ssh, Date.now() + timeoutMs),
      exited.then(() => Promise.reject(new Error(`QEMU exited before ssh succeeded: ${qemuError.trim()}`))),
    ]);
    const seconds = (performance.now() - started) / 1000;
    if (whileUp) await whileUp(qemu.pid!, async (command) => void (await timeCommand([...ssh.slice(0, -1), command], { timeoutMs })));
    return { seconds, sshFailures: failures, source };
  } finally {
    qemu.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
    if (qemu.exitCode === null && qemu.signalCode === null) qemu.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
  }
}
