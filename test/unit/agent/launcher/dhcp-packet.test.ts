import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { answer, MessageType, parseRequest, type DhcpLease } from '../../../../agent/launcher/dhcp-packet.js';
import { repo } from '../../../support/repo.js';

// Real requests from busybox udhcpc (test/fixtures/dhcp/README.md says how they were captured).
const fixture = (name: string): Buffer =>
  Buffer.from(readFileSync(join(repo, 'test', 'fixtures', 'dhcp', `${name}.hex`), 'utf8').trim(), 'hex');
const discover = fixture('udhcpc-discover');
const request = fixture('udhcpc-request');

const lease: DhcpLease = {
  mac: '52:54:00:11:22:33',
  vmIp: '169.254.75.2',
  netmask: '255.255.255.252',
  gateway: '169.254.75.1',
  mtu: 1450,
  nameservers: ['10.96.0.10', '10.96.0.11'],
  searchDomains: ['team-a.svc.cluster.local', 'cluster.local'],
};

/** Decodes a reply independently of the code under test: fixed fields and options by code. */
function decodeReply(packet: Buffer) {
  const options = new Map<number, Buffer>();
  for (let at = 240; at < packet.length && packet[at] !== 255; ) {
    if (packet[at] === 0) {
      at++;
      continue;
    }
    options.set(packet[at]!, packet.subarray(at + 2, at + 2 + packet[at + 1]!));
    at += 2 + packet[at + 1]!;
  }
  const ip = (b: Buffer | undefined, o = 0) => (b ? [...b.subarray(o, o + 4)].join('.') : undefined);
  return {
    op: packet[0],
    xid: packet.readUInt32BE(4),
    yiaddr: ip(packet, 16),
    chaddr: packet.subarray(28, 34).toString('hex'),
    cookie: packet.readUInt32BE(236),
    type: options.get(53)?.[0],
    serverId: ip(options.get(54)),
    mask: ip(options.get(1)),
    router: ip(options.get(3)),
    dns: options.get(6) ? [ip(options.get(6)), ip(options.get(6), 4)] : undefined,
    lease: options.get(51)?.readUInt32BE(0),
    mtu: options.get(26)?.readUInt16BE(0),
    search: options.get(119),
    domain: options.get(15)?.toString('ascii'),
  };
}

describe('launcher DHCP answers', () => {
  it('reads a real DISCOVER and REQUEST', () => {
    const d = parseRequest(discover);
    assert.equal(d?.type, MessageType.discover);
    assert.equal(d?.mac, '52:54:00:11:22:33');
    assert.equal(d?.ciaddr, '0.0.0.0');
    const r = parseRequest(request);
    assert.equal(r?.type, MessageType.request);
    assert.equal(r?.xid, d?.xid, 'udhcpc keeps the transaction id from DISCOVER to REQUEST');
    assert.equal(r?.requestedIp, '169.254.75.2');
    assert.equal(r?.serverId, '169.254.75.1');
  });

  it('offers the fixed address with route, DNS, MTU and an infinite lease, broadcast', () => {
    const reply = answer(parseRequest(discover)!, lease)!;
    assert.equal(reply.destination, '255.255.255.255');
    const r = decodeReply(reply.packet);
    assert.deepEqual(
      { op: r.op, type: r.type, yiaddr: r.yiaddr, chaddr: r.chaddr, cookie: r.cookie, serverId: r.serverId, mask: r.mask, router: r.router, dns: r.dns, lease: r.lease, mtu: r.mtu, domain: r.domain },
      { op: 2, type: MessageType.offer, yiaddr: '169.254.75.2', chaddr: '525400112233', cookie: 0x63825363, serverId: '169.254.75.1', mask: '255.255.255.252', router: '169.254.75.1', dns: ['10.96.0.10', '10.96.0.11'], lease: 0xffffffff, mtu: 1450, domain: 'team-a.svc.cluster.local' },
    );
    assert.equal(r.xid, parseRequest(discover)!.xid);
    // RFC 1035 wire format: length-prefixed labels, each name ending in a zero byte
    assert.equal(r.search?.toString('latin1'), '\x06team-a\x03svc\x07cluster\x05local\x00\x07cluster\x05local\x00');
    assert.ok(reply.packet.length >= 300, 'at least a BOOTP message');
  });

  it('acknowledges a REQUEST for its address and refuses one for another', () => {
    const ack = decodeReply(answer(parseRequest(request)!, lease)!.packet);
    assert.equal(ack.type, MessageType.ack);
    assert.equal(ack.yiaddr, '169.254.75.2');
    const nak = answer(parseRequest(request)!, { ...lease, vmIp: '169.254.75.6', gateway: '169.254.75.1' })!;
    const decoded = decodeReply(nak.packet);
    assert.equal(decoded.type, MessageType.nak);
    assert.equal(decoded.yiaddr, '0.0.0.0');
    assert.equal(decoded.lease, undefined);
    assert.equal(nak.destination, '255.255.255.255');
  });

  it('answers a renewing client (ciaddr set) by unicast', () => {
    const renewing = parseRequest(request)!;
    const reply = answer({ ...renewing, ciaddr: '169.254.75.2', requestedIp: undefined, serverId: undefined }, lease)!;
    assert.equal(reply.destination, '169.254.75.2');
    assert.equal(decodeReply(reply.packet).type, MessageType.ack);
  });

  it('stays silent for another MAC, a relayed request, another server, RELEASE and DECLINE', () => {
    const d = parseRequest(discover)!;
    const r = parseRequest(request)!;
    assert.equal(answer(d, { ...lease, mac: '52:54:00:aa:bb:cc' }), undefined);
    assert.equal(answer({ ...d, giaddr: '10.0.0.1' }, lease), undefined);
    assert.equal(answer({ ...r, serverId: '10.0.0.1' }, lease), undefined);
    assert.equal(answer({ ...r, type: MessageType.release }, lease), undefined);
    assert.equal(answer({ ...r, type: MessageType.decline }, lease), undefined);
  });

  it('ignores what is not a DHCP request', () => {
    assert.equal(parseRequest(Buffer.alloc(10)), undefined);
    const reply = answer(parseRequest(discover)!, lease)!.packet;
    assert.equal(parseRequest(reply), undefined, 'a BOOTREPLY');
    const noCookie = Buffer.from(discover);
    noCookie.writeUInt32BE(0, 236);
    assert.equal(parseRequest(noCookie), undefined);
    const truncated = Buffer.from(discover.subarray(0, 245));
    truncated[241] = 200; // an option longer than the packet
    assert.equal(parseRequest(truncated), undefined);
  });
});
