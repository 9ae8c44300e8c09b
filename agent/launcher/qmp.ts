// A minimal QMP client (QEMU Machine Protocol over the unix socket): connect, negotiate, run one
// command at a time, and events with their data. Enough for powerdown, quit, cont and status.
import { createConnection, type Socket } from 'node:net';

export interface QmpReply {
  return?: unknown;
  error?: { class: string; desc: string };
}

export class Qmp {
  private buffer = '';
  private pending: ((reply: QmpReply) => void)[] = [];
  private greeted?: () => void;

  private constructor(private readonly socket: Socket, private readonly onEvent: (event: string, data: unknown) => void) {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => this.receive(chunk));
    socket.on('close', () => {
      for (const resolve of this.pending.splice(0)) resolve({ error: { class: 'Closed', desc: 'QMP connection closed' } });
    });
    socket.on('error', () => undefined);
  }

  /** Connects (retrying while QEMU creates the socket) and leaves capabilities negotiation done. */
  static async connect(path: string, timeoutMs: number, onEvent: (event: string, data: unknown) => void = () => undefined): Promise<Qmp> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        const socket = await new Promise<Socket>((resolve, reject) => {
          const s = createConnection(path);
          s.once('connect', () => resolve(s));
          s.once('error', reject);
        });
        const qmp = new Qmp(socket, onEvent);
        await new Promise<void>((resolve) => (qmp.greeted = resolve));
        const reply = await qmp.execute('qmp_capabilities');
        if (reply.error) throw new Error(reply.error.desc);
        return qmp;
      } catch (error) {
        if (Date.now() > deadline) throw new Error(`QMP socket ${path} did not answer: ${(error as Error).message}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  }

  execute(command: string, args?: Record<string, unknown>): Promise<QmpReply> {
    return new Promise((resolve) => {
      if (this.socket.destroyed) return resolve({ error: { class: 'Closed', desc: 'QMP connection closed' } });
      this.pending.push(resolve);
      this.socket.write(`${JSON.stringify(args ? { execute: command, arguments: args } : { execute: command })}\n`);
    });
  }

  close(): void {
    this.socket.destroy();
  }

  private receive(chunk: string): void {
    this.buffer += chunk;
    let newline: number;
    while ((newline = this.buffer.indexOf('\n')) >= 0) {
      const line = this.buffer.slice(0, newline).trim();
      this.buffer = this.buffer.slice(newline + 1);
      if (!line) continue;
      const message = JSON.parse(line) as QmpReply & { QMP?: unknown; event?: string; data?: unknown };
      if (message.QMP) this.greeted?.();
      else if (message.event) this.onEvent(message.event, message.data);
      else this.pending.shift()?.(message);
    }
  }
}
