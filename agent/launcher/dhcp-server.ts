// Serves the guest its one DHCP lease from inside the pod, without NET_ADMIN or NET_RAW (the
// answers themselves are dhcp-packet.ts). Two sockets, because an unprivileged process cannot
// bind to a device: one on 0.0.0.0:67 receives the guest's broadcasts (a socket bound to an address
// does not see datagrams sent to 255.255.255.255), and one bound to the gateway address sends, so
// that the kernel sends a limited broadcast out of the interface holding that address, the bridge,
// and not along the pod's default route. Port 67 is below 1024: the VM pod sets the sysctl
// net.ipv4.ip_unprivileged_port_start=0 for its own network namespace.
import { createSocket, type Socket } from 'node:dgram';
import { BerthError } from '../../shared/errors.js';
import { answer, DHCP_CLIENT_PORT, DHCP_SERVER_PORT, MessageType, parseRequest, type DhcpLease } from './dhcp-packet.js';
import type { Log } from './log.js';

export interface DhcpServer {
  close(): Promise<void>;
}

const NAMES: Record<number, string> = Object.fromEntries(Object.entries(MessageType).map(([name, code]) => [code, name.toUpperCase()]));

export async function startDhcpServer(lease: DhcpLease, log: Log): Promise<DhcpServer> {
  const receive = createSocket({ type: 'udp4', reuseAddr: true });
  const send = createSocket({ type: 'udp4', reuseAddr: true });
  try {
    await bind(receive, '0.0.0.0');
    await bind(send, lease.gateway);
  } catch (error) {
    receive.close();
    send.close();
    const code = (error as NodeJS.ErrnoException).code;
    throw new BerthError('LAUNCHER', `cannot serve DHCP on port ${DHCP_SERVER_PORT}: ${(error as Error).message}`, {
      hint:
        code === 'EACCES'
          ? 'the VM pod must set the sysctl net.ipv4.ip_unprivileged_port_start=0 (securityContext.sysctls), which kubectl berth create does'
          : `is the bridge up with the gateway address ${lease.gateway}? The node agent prepares it before the launcher starts`,
    });
  }
  send.setBroadcast(true);
  let answered = new Set<string>();
  receive.on('message', (datagram) => {
    const request = parseRequest(datagram);
    if (!request) return;
    const reply = answer(request, lease);
    if (!reply) return;
    send.send(reply.packet, DHCP_CLIENT_PORT, reply.destination, (error) => {
      const what = `${NAMES[request.type] ?? request.type} from ${request.mac}`;
      if (error) {
        log('network', `warning: could not answer a DHCP ${what}: ${error.message}`);
        return;
      }
      // the first exchange of each kind is news; a guest renewing or rebooting repeats them
      if (!answered.has(what)) log('network', `DHCP: answered ${what} (${lease.vmIp})`);
      answered.add(what);
    });
  });
  receive.on('error', (error) => log('network', `warning: DHCP socket: ${error.message}`));
  send.on('error', (error) => log('network', `warning: DHCP socket: ${error.message}`));
  return {
    async close() {
      answered = new Set();
      await Promise.all([receive, send].map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
    },
  };
}

function bind(socket: Socket, address: string): Promise<void> {
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(DHCP_SERVER_PORT, address, () => {
      socket.off('error', reject);
      resolve();
    });
  });
}
