// `vnc screenshot`: one full frame of the VM's display, through the same port-forward as `vnc`, as a
// PNG. A VM that has just started may not listen yet, or may not have drawn yet: both are waited
// out, up to --timeout.
import { Duplex, PassThrough } from 'node:stream';
import { BerthError, usageError } from '../../shared/errors.js';
import { parseDuration } from '../../shared/duration.js';
import { Files } from '../../shared/contract.js';
import { cloudInitSecretName } from '../core/names.js';
import type { ClusterReader } from '../kube/reader.js';
import { checkTarget } from '../access/resolve.js';
import { grabFrame } from '../access/rfb-client.js';
import { encodePng } from '../access/screenshot.js';
import { resolveVncTarget, type VncTarget } from '../access/vnc-session.js';
import type { Framebuffer } from '../access/rfb.js';
import type { AccessIo } from './io.js';

export interface ScreenshotRequest {
  target: string;
  /** --timeout as typed. */
  timeout: string;
}

export interface Screenshot {
  vm: string;
  width: number;
  height: number;
  png: Buffer;
}

/** How long a black screen is given to show something, within the whole timeout. */
const SETTLE_MS = 5_000;
const RETRY_MS = 1_000;

export async function takeScreenshot(request: ScreenshotRequest, io: AccessIo): Promise<Screenshot> {
  const timeout = parseDuration(request.timeout);
  if (!timeout.ok) throw usageError(`--timeout: ${timeout.problem}`);
  checkTarget(request.target);
  const reader = await io.reader();
  const deadline = Date.now() + timeout.ms;
  for (;;) {
    try {
      const target = await resolveVncTarget(reader, request.target);
      const password = target.mode === 'password' ? await readVncPassword(reader, target) : undefined;
      const fb = await grabOnce(target, password, deadline);
      return { vm: target.vm, width: fb.width, height: fb.height, png: await encodePng(fb) };
    } catch (error) {
      // A pod still starting and a VNC server not listening yet are what "just started" looks like;
      // a stopped VM (also VM_NOT_RUNNING, "is stopped") will not start by waiting.
      const starting = error instanceof BerthError && error.code === 'VM_NOT_RUNNING' && error.message.includes('not running yet');
      const retryable = starting || (error instanceof BerthError && error.code === 'TUNNEL_REFUSED');
      if (!retryable || Date.now() + RETRY_MS >= deadline) throw error;
      io.note(`vnc screenshot: ${error.message}; trying again`);
      await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
    }
  }
}

async function grabOnce(target: VncTarget, password: string | undefined, deadline: number): Promise<Framebuffer> {
  const toPod = new PassThrough();
  const fromPod = new PassThrough();
  const tunnel = await target.open({ input: toPod, output: fromPod, finish: () => fromPod.end() });
  let timer: NodeJS.Timeout | undefined;
  try {
    const left = Math.max(0, deadline - Date.now());
    const grabbed = grabFrame(Duplex.from({ readable: fromPod, writable: toPod }), { password, settleMs: Math.min(SETTLE_MS, left) });
    // The error channel says why a tunnel closed (nothing listening yet) better than the RFB reader can.
    const refused = tunnel.closed.then((result) => {
      if (result.refused) throw result.refused;
      return grabbed;
    });
    const late = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new BerthError('TIMEOUT', `the display of VM '${target.vm}' sent no picture in time`, { hint: 'try a longer --timeout; is the VM running? see kubectl berth ls' })), left);
    });
    return await Promise.race([grabbed, refused, late]);
  } finally {
    clearTimeout(timer);
    tunnel.close();
  }
}

/** The password of a display in password mode, from the VM's cloud-init Secret (never argv or logs). */
async function readVncPassword(reader: ClusterReader, target: VncTarget): Promise<string> {
  const name = cloudInitSecretName(target.vm);
  const secret = (await reader.read('secrets', target.namespace, name)) as { data?: Record<string, string> } | undefined;
  const encoded = secret?.data?.[Files.vncPassword];
  if (!encoded) {
    throw new BerthError('NOT_FOUND', `VM '${target.vm}' has a password-protected display, but Secret ${name} holds no ${Files.vncPassword}`, {
      hint: 'recreate the VM with --vnc-password, or put the password into that Secret',
    });
  }
  return Buffer.from(encoded, 'base64').toString('latin1').replace(/\r?\n$/, '');
}
