// A real VNC server without a cluster: QEMU with no disk, its VGA showing SeaBIOS's text screen,
// serving VNC on a Unix socket, with or without a password. The RFB client and the web console's
// bridge meet exactly the server a VM pod runs.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { eventually } from './eventually.js';

export interface LocalDisplay {
  socket: string;
  connect(): Promise<Socket>;
  stop(): Promise<void>;
}

export function haveQemu(): boolean {
  return existsSync('/usr/bin/qemu-system-x86_64');
}

/** Starts QEMU (TCG, 32 MiB, -vga std as the launcher's) and waits for its VNC socket. */
export async function startLocalDisplay(options: { password?: string } = {}): Promise<LocalDisplay> {
  const dir = mkdtempSync(join(tmpdir(), 't-qemu-display-'));
  const socket = join(dir, 'vnc.sock');
  const args = ['-nodefaults', '-machine', 'pc', '-accel', 'tcg', '-m', '32', '-vga', 'std', '-display', 'none'];
  if (options.password !== undefined) {
    writeFileSync(join(dir, 'password'), options.password, { mode: 0o600 });
    args.push('-object', `secret,id=vncpass,file=${join(dir, 'password')},format=raw`, '-vnc', `unix:${socket},password-secret=vncpass`);
  } else {
    args.push('-vnc', `unix:${socket}`);
  }
  const qemu: ResultPromise = execa('qemu-system-x86_64', args, { reject: false, stdin: 'ignore' });
  let exited = false;
  void qemu.then(() => (exited = true));
  const stop = async () => {
    qemu.kill('SIGKILL');
    await qemu;
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await eventually('QEMU to create its VNC socket', 20_000, () => existsSync(socket), { stopEarly: () => (exited ? 'QEMU exited' : undefined) });
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    socket,
    connect: () =>
      new Promise((resolve, reject) => {
        const s = connect(socket, () => resolve(s));
        s.once('error', reject);
      }),
    stop,
  };
}
