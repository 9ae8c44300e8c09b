// The launcher's DHCP answers, as pure functions (RFC 2131/2132). The VM pod runs without
// NET_ADMIN, and dnsmasq refuses to serve DHCP without it ("process is missing required capability
// NET_ADMIN"), so the launcher answers the one guest itself: one MAC, one address, an infinite
// lease. Everything else is ignored, as a server for a single static host should.
import { formatIpv4, parseIpv4 } from '../common/ipv4.js';

export const DHCP_SERVER_PORT = 67;
export const DHCP_CLIENT_PORT = 68;

const MAGIC_COOKIE = 0x63825363;
const FIXED_PART = 236;
const BOOTREQUEST = 1;
const BOOTREPLY = 2;
const HTYPE_ETHERNET = 1;
/** "Broadcast" flag of the flags field: the client cannot receive unicast before it has an address. */
const FLAG_BROADCAST = 0x8000;
const INFINITE_LEASE = 0xffffffff;

export const MessageType = {
  discover: 1,
  offer: 2,
  request: 3,
  decline: 4,
  ack: 5,
  nak: 6,
  release: 7,
  inform: 8,
} as const;

const Option = {
  pad: 0,
  subnetMask: 1,
  router: 3,
  dnsServers: 6,
  domainName: 15,
  mtu: 26,
  requestedIp: 50,
  leaseTime: 51,
  messageType: 53,
  serverId: 54,
  domainSearch: 119,
  end: 255,
} as const;

export interface DhcpRequest {
  type: number;
  xid: number;
  flags: number;
  /** The client's MAC, lower case with colons. */
  mac: string;
  ciaddr: string;
  giaddr: string;
  requestedIp?: string;
  serverId?: string;
  /** The fixed part and the client's chaddr, echoed in the reply. */
  chaddr: Buffer;
}

/** What the launcher hands out: the guest's address and everything it needs to route and resolve. */
export interface DhcpLease {
  mac: string;
  vmIp: string;
  netmask: string;
  gateway: string;
  mtu: number;
  nameservers: readonly string[];
  searchDomains: readonly string[];
}

export interface DhcpReply {
  packet: Buffer;
  /** Where to send it: a broadcast unless the client already has its address (ciaddr). */
  destination: string;
}

/** Parses a datagram that arrived on port 67; undefined for anything that is not a DHCP request. */
export function parseRequest(datagram: Buffer): DhcpRequest | undefined {
  if (datagram.length < FIXED_PART + 4) return undefined;
  if (datagram[0] !== BOOTREQUEST || datagram[1] !== HTYPE_ETHERNET || datagram[2] !== 6) return undefined;
  if (datagram.readUInt32BE(FIXED_PART) !== MAGIC_COOKIE) return undefined;
  const options = readOptions(datagram.subarray(FIXED_PART + 4));
  if (!options) return undefined;
  const type = options.get(Option.messageType);
  if (!type || type.length !== 1) return undefined;
  return {
    type: type[0]!,
    xid: datagram.readUInt32BE(4),
    flags: datagram.readUInt16BE(10),
    mac: [...datagram.subarray(28, 34)].map((b) => b.toString(16).padStart(2, '0')).join(':'),
    ciaddr: ipAt(datagram, 12),
    giaddr: ipAt(datagram, 24),
    requestedIp: addressOption(options.get(Option.requestedIp)),
    serverId: addressOption(options.get(Option.serverId)),
    chaddr: Buffer.from(datagram.subarray(28, 44)),
  };
}

/**
 * The answer to `request`, or undefined when the server must stay silent: another MAC, a relayed
 * request, a REQUEST meant for another server, RELEASE and DECLINE (the guest keeps its fixed
 * address whatever it says).
 */
export function answer(request: DhcpRequest, lease: DhcpLease): DhcpReply | undefined {
  if (request.mac !== lease.mac.toLowerCase() || request.giaddr !== '0.0.0.0') return undefined;
  switch (request.type) {
    case MessageType.discover:
      return reply(request, lease, MessageType.offer);
    case MessageType.request: {
      if (request.serverId !== undefined && request.serverId !== lease.gateway) return undefined;
      const wanted = request.requestedIp ?? request.ciaddr;
      return reply(request, lease, wanted === lease.vmIp ? MessageType.ack : MessageType.nak);
    }
    case MessageType.inform:
      return reply(request, lease, MessageType.ack, { inform: true });
    default:
      return undefined;
  }
}

function reply(request: DhcpRequest, lease: DhcpLease, type: number, { inform = false } = {}): DhcpReply {
  const fixed = Buffer.alloc(FIXED_PART + 4);
  fixed[0] = BOOTREPLY;
  fixed[1] = HTYPE_ETHERNET;
  fixed[2] = 6;
  fixed.writeUInt32BE(request.xid, 4);
  fixed.writeUInt16BE(request.flags & FLAG_BROADCAST, 10);
  writeIp(fixed, 12, request.ciaddr);
  // yiaddr: the address, except in a NAK and in the answer to an INFORM (RFC 2131 table 3)
  if (type !== MessageType.nak && !inform) writeIp(fixed, 16, lease.vmIp);
  request.chaddr.copy(fixed, 28);
  fixed.writeUInt32BE(MAGIC_COOKIE, FIXED_PART);

  const options: Buffer[] = [option(Option.messageType, Buffer.from([type])), option(Option.serverId, ipBytes(lease.gateway))];
  if (type !== MessageType.nak) {
    if (!inform) options.push(option(Option.leaseTime, uint32(INFINITE_LEASE)));
    options.push(
      option(Option.subnetMask, ipBytes(lease.netmask)),
      option(Option.router, ipBytes(lease.gateway)),
      option(Option.mtu, uint16(lease.mtu)),
    );
    if (lease.nameservers.length > 0) options.push(option(Option.dnsServers, Buffer.concat(lease.nameservers.map(ipBytes))));
    if (lease.searchDomains.length > 0) {
      options.push(option(Option.domainSearch, Buffer.concat(lease.searchDomains.map(dnsName))));
      // option 15 for guests that ignore 119
      options.push(option(Option.domainName, Buffer.from(lease.searchDomains[0]!, 'ascii')));
    }
  }
  options.push(Buffer.from([Option.end]));
  let packet = Buffer.concat([fixed, ...options]);
  // BOOTP relay agents and old clients expect at least the 300-byte BOOTP message
  if (packet.length < 300) packet = Buffer.concat([packet, Buffer.alloc(300 - packet.length)]);
  const unicast = request.ciaddr !== '0.0.0.0' && type !== MessageType.nak;
  return { packet, destination: unicast ? request.ciaddr : '255.255.255.255' };
}

/** Options as a map of code to value; undefined when the field is malformed. */
function readOptions(bytes: Buffer): Map<number, Buffer> | undefined {
  const options = new Map<number, Buffer>();
  let at = 0;
  while (at < bytes.length) {
    const code = bytes[at]!;
    if (code === Option.end) return options;
    if (code === Option.pad) {
      at += 1;
      continue;
    }
    const length = bytes[at + 1];
    if (length === undefined || at + 2 + length > bytes.length) return undefined;
    // RFC 3396: a repeated option is one long option split in parts
    const value = bytes.subarray(at + 2, at + 2 + length);
    const earlier = options.get(code);
    options.set(code, earlier ? Buffer.concat([earlier, value]) : Buffer.from(value));
    at += 2 + length;
  }
  return options;
}

function option(code: number, value: Buffer): Buffer {
  if (value.length > 255) throw new RangeError(`DHCP option ${code} is ${value.length} bytes, more than one option holds`);
  return Buffer.concat([Buffer.from([code, value.length]), value]);
}

/** A domain name in DNS wire format (RFC 1035 3.1), as option 119 wants it (RFC 3397), uncompressed. */
function dnsName(name: string): Buffer {
  const labels = name.replace(/\.$/, '').split('.').filter((l) => l.length > 0);
  return Buffer.concat([...labels.map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l, 'ascii')])), Buffer.from([0])]);
}

function addressOption(value: Buffer | undefined): string | undefined {
  return value?.length === 4 ? ipAt(value, 0) : undefined;
}

function ipAt(bytes: Buffer, offset: number): string {
  return formatIpv4(bytes.readUInt32BE(offset));
}

function ipBytes(ip: string): Buffer {
  const value = parseIpv4(ip);
  if (value === undefined) throw new RangeError(`not an IPv4 address: ${ip}`);
  return uint32(value);
}

function writeIp(buffer: Buffer, offset: number, ip: string): void {
  ipBytes(ip).copy(buffer, offset);
}

function uint32(value: number): Buffer {
  const bytes = Buffer.alloc(4);
  bytes.writeUInt32BE(value >>> 0);
  return bytes;
}

function uint16(value: number): Buffer {
  const bytes = Buffer.alloc(2);
  bytes.writeUInt16BE(value);
  return bytes;
}
