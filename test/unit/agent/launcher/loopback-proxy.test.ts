import assert from 'node:assert/strict';
import { connect, createServer, type Server } from 'node:net';
import { startLoopbackProxy, type LoopbackProxy } from '../../../../agent/launcher/loopback-proxy.js';

// The "VM" listens on 127.0.0.2 (all of 127/8 is loopback on Linux); the relay on 127.0.0.1.
describe('loopback relay (port-forward path)', () => {
  let vm: Server;
  let port: number;
  let proxy: LoopbackProxy;
  const lines: string[] = [];

  before(async () => {
    // answers only after the client has finished sending: proves half-close is relayed
    vm = createServer({ allowHalfOpen: true }, (socket) => {
      let received = '';
      socket.on('data', (d) => (received += d));
      socket.on('end', () => socket.end(`vm got ${received} from ${socket.remoteAddress}`));
    });
    await new Promise<void>((resolve) => vm.listen({ host: '127.0.0.2', port: 0 }, resolve));
    port = (vm.address() as { port: number }).port;
    proxy = await startLoopbackProxy([port], '127.0.0.2', (step, message) => lines.push(`${step}: ${message}`));
  });

  after(async () => {
    await proxy?.close();
    await new Promise((resolve) => vm?.close(resolve));
  });

  it('relays a connection to 127.0.0.1:port to the VM, including after a half-close', async () => {
    assert.deepEqual(proxy.ports, [port]);
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port, allowHalfOpen: true }, () => socket.end('hello'));
      let data = '';
      socket.on('data', (d) => (data += d));
      socket.on('end', () => resolve(data));
      socket.on('error', reject);
    });
    assert.equal(answer, 'vm got hello from 127.0.0.1');
  });

  it('warns and carries on when a port is taken', async () => {
    const second = await startLoopbackProxy([port], '127.0.0.2', (step, message) => lines.push(`${step}: ${message}`));
    assert.deepEqual(second.ports, []);
    assert.ok(lines.some((l) => l.includes(`cannot listen on 127.0.0.1:${port} (EADDRINUSE)`)));
    await second.close();
  });
});
