// `kubectl berth console`: the VM container's stdio is the guest's serial console. Raw terminal
// while attached, Ctrl-] to leave, and the terminal restored however the session ends.
import { PassThrough } from 'node:stream';
import { BerthError } from '../../shared/errors.js';
import type { Connection } from '../kube/connect.js';
import { attachContainer } from '../kube/tunnel.js';
import { clientNodeReader } from '../kube/reader.js';
import { readerLookup } from '../kube/vm-pod.js';
import { VM_CONTAINER } from '../../shared/contract.js';
import { consoleAttach, consoleBanner, splitAtEscape } from './console-keys.js';
import { resolveVm } from './resolve.js';

export type ConsoleEnd = 'escape' | 'input-ended' | 'remote-closed';

export async function runConsole(conn: Connection, rawName: string, note: (line: string) => void): Promise<ConsoleEnd> {
  const { name, namespace, pod, podName } = await resolveVm(readerLookup(await clientNodeReader(conn, 'console attaches through client-node')), conn, rawName);
  const container = pod.spec?.containers.find((c) => c.name === VM_CONTAINER);
  if (!container?.stdin) {
    throw new BerthError('CONFLICT', `VM '${name}' has no console: its container '${VM_CONTAINER}' does not keep stdin open`, {
      hint: `read its output with: kubectl logs ${podName} -c ${VM_CONTAINER} -n ${namespace}`,
    });
  }
  const { tty, note: mixed } = consoleAttach(name, namespace, container);
  if (mixed) note(mixed);
  const stdin = process.stdin;
  const toGuest = new PassThrough();
  let end: ConsoleEnd = 'remote-closed';
  let escaped!: () => void;
  const escape = new Promise<void>((resolve) => {
    escaped = resolve;
  });
  const onInput = (chunk: Buffer) => {
    const { forward, escaped: hit } = splitAtEscape(chunk);
    if (forward.length > 0) toGuest.write(forward);
    if (hit) {
      end = 'escape';
      escaped();
    }
  };
  const onInputEnd = () => {
    end = 'input-ended';
    toGuest.end();
  };
  const raw = Boolean(stdin.isTTY);
  const attached = await attachContainer(
    conn.kubeConfig,
    { namespace, pod: podName, container: VM_CONTAINER, vm: name },
    // stderr is the launcher's log: not asked for, so it never lands in the user's session.
    { stdin: toGuest, stdout: process.stdout, stderr: null, tty },
  );
  const restore = () => {
    if (raw && stdin.isTTY) stdin.setRawMode(false);
  };
  process.once('exit', restore);
  try {
    if (raw) stdin.setRawMode(true);
    // Said once the stream is open and the terminal is raw: what is typed from now on reaches the
    // guest unechoed by us. Raw output needs its own carriage return.
    note(`${consoleBanner(name, namespace)}${raw ? '\r' : ''}`);
    stdin.on('data', onInput);
    stdin.once('end', onInputEnd);
    stdin.resume();
    await Promise.race([attached.closed, escape]);
  } finally {
    attached.close();
    stdin.off('data', onInput);
    stdin.off('end', onInputEnd);
    stdin.pause();
    restore();
    process.off('exit', restore);
  }
  return end;
}
