import assert from 'node:assert/strict';
import { qemuArgs } from '../../../agent/launcher/qemu-args.js';
import {
  detached, icmpInEchos, noiseVerdict, parsePing, passtArgv, passtNetdev, pingArgv, pullScript, pushScript, shellQuote, sinkServer, sourceServer, waitListening, withNetdev,
} from '../../bench/net-plan.js';

const launcherArgv = () => qemuArgs({
  name: 'vm', accel: 'tcg', cpus: 1, memoryMiB: 256, petDisk: '/d/pet.qcow2', seedIso: '/d/seed.iso',
  tap: 'berth-tap0', mac: '52:54:00:00:00:01', qmpSocket: '/r/qmp.sock', vnc: 'off',
});

describe('bench net-plan: the network-path benchmark\'s commands', () => {
  it("swaps only the launcher's tap netdev and stdio console, keeping every other argument", () => {
    const before = launcherArgv();
    const after = withNetdev(before, passtNetdev('/p/passt.socket'), '/p/serial.log');
    assert.equal(after.length, before.length);
    assert.equal(after[after.indexOf('-netdev') + 1], 'stream,id=net0,server=off,addr.type=unix,addr.path=/p/passt.socket');
    assert.equal(after[after.indexOf('-chardev') + 1], 'file,id=console,path=/p/serial.log');
    const changed = after.flatMap((arg, i) => (arg === before[i] ? [] : [i]));
    assert.deepEqual(changed, [after.indexOf('-netdev') + 1, after.indexOf('-chardev') + 1]);
  });

  it('refuses an argv with no tap netdev rather than benchmarking the wrong backend', () => {
    assert.throws(() => withNetdev(['-netdev', 'user,id=net0'], 'x', '/s'), /no tap netdev/);
  });

  it('runs passt in the foreground on the given socket, forwarding only the listed TCP ports', () => {
    assert.deepEqual(passtArgv('/p/s', [22, 5001]), ['passt', '--foreground', '--stderr', '--socket', '/p/s', '--tcp-ports', '22,5001', '--udp-ports', 'none']);
  });

  it('builds the socat servers and the peer scripts that time them', () => {
    assert.deepEqual(sinkServer(5001), ['socat', '-b', '65536', 'TCP-LISTEN:5001,reuseaddr,fork', 'SYSTEM:cat >/dev/null; echo ok']);
    assert.deepEqual(sourceServer(5002, 1024), ['socat', '-b', '65536', '-t', '120', 'TCP-LISTEN:5002,reuseaddr,fork', 'SYSTEM:head -c 1024 /dev/zero']);
    assert.equal(pushScript('10.0.0.1', 5001, 1024), 'head -c 1024 /dev/zero | socat -b 65536 -t 120 -T 120 - TCP:10.0.0.1:5001');
    assert.equal(pullScript('10.0.0.1', 5002), 'printf x | socat -b 65536 -t 120 -T 120 - TCP:10.0.0.1:5002 | wc -c');
  });

  it('detaches a server with its words quoted for sh', () => {
    assert.equal(detached(sinkServer(5001)), "setsid socat -b 65536 TCP-LISTEN:5001,reuseaddr,fork 'SYSTEM:cat >/dev/null; echo ok' </dev/null >/dev/null 2>&1 &");
    assert.equal(shellQuote("it's"), `'it'\\''s'`);
  });

  it('waits for the ports by their hex form in /proc/net/tcp', () => {
    const script = waitListening([5001, 22]);
    assert.match(script, /grep -q ':1389 ' \/proc\/net\/tcp && grep -q ':0016 ' \/proc\/net\/tcp/);
  });

  it('pings count times, 0.2 s apart', () => {
    assert.deepEqual(pingArgv('10.0.0.2', 10), ['ping', '-c', '10', '-i', '0.2', '-W', '5', '10.0.0.2']);
  });

  it("reads the mean round trip from busybox's and iputils' summaries, in seconds", () => {
    const busybox = '--- 10.250.0.20 ping statistics ---\n3 packets transmitted, 3 packets received, 0% packet loss\nround-trip min/avg/max = 1.928/3.157/5.583 ms\n';
    assert.deepEqual(parsePing(busybox), { avgSeconds: 0.003157, sent: 3, received: 3 });
    const iputils = '10 packets transmitted, 10 received, 0% packet loss, time 1834ms\nrtt min/avg/max/mdev = 0.031/0.052/0.071/0.011 ms\n';
    assert.deepEqual(parsePing(iputils), { avgSeconds: 0.000052, sent: 10, received: 10 });
  });

  it('refuses a ping that lost replies or printed no summary', () => {
    assert.throws(() => parsePing('3 packets transmitted, 2 packets received, 33% packet loss\nround-trip min/avg/max = 1/2/3 ms'), /lost 1 of 3/);
    assert.throws(() => parsePing('ping: sendto: Operation not permitted'), /no ping summary/);
  });

  it('counts the runs that went against passt, in the direction of the target', () => {
    assert.equal(noiseVerdict([0.65, 1.42, 0.9], 'at-least'), 'passt did worse in 2 of 3 runs (per-run ratios 0.65×–1.42×).');
    assert.equal(noiseVerdict([0.65, 1.42, 0.9], 'at-most'), 'passt did worse in 1 of 3 runs (per-run ratios 0.65×–1.42×).');
  });

  it("reads the echo requests a kernel received from /proc/net/snmp's Icmp lines", () => {
    const snmp = 'Ip: Forwarding DefaultTTL\nIp: 1 64\nIcmp: InMsgs InErrors InEchos OutMsgs\nIcmp: 40 0 7 41\nIcmpMsg: InType8\nIcmpMsg: 7\n';
    assert.equal(icmpInEchos(snmp), 7);
    assert.throws(() => icmpInEchos('Ip: Forwarding\nIp: 1\n'), /no Icmp InEchos/);
  });
});
