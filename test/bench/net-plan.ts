// The pure half of the network-path benchmark (net-paths.ts): the command lines it runs in the
// namespaces and the guest, and the parsers of what they print. Unit-tested; no I/O here.

/** Ports the guest (or the bare pod) serves for the throughput runs. */
export const NET_PORTS = { ssh: 22, sink: 5001, source: 5002 } as const;

/**
 * Swaps the launcher's tap netdev for another QEMU netdev, and its stdio console for a file (the
 * benchmark's QEMU has no terminal). Everything else stays the launcher's own command line, so a
 * comparison differs in the network backend only.
 */
export function withNetdev(args: readonly string[], netdev: string, serialFile: string): string[] {
  let swapped = false;
  const out = args.map((arg, i) => {
    if (args[i - 1] === '-netdev' && arg.startsWith('tap,')) {
      swapped = true;
      return netdev;
    }
    if (args[i - 1] === '-chardev' && arg.startsWith('stdio,')) return `file,id=console,path=${serialFile}`;
    return arg;
  });
  if (!swapped) throw new Error("the launcher's QEMU argv has no tap netdev to swap");
  return out;
}

/** QEMU 7.2's stream netdev on passt's UNIX socket (passt's man page, "qemu"). */
export function passtNetdev(socket: string): string {
  return `stream,id=net0,server=off,addr.type=unix,addr.path=${socket}`;
}

/**
 * passt in the foreground, forwarding the benchmark's TCP ports and nothing else: passt forwards
 * inbound traffic only port by port (there is no "every protocol"), which is one of the reasons
 * berth keeps the kernel path. DHCP, ARP and ICMP echo for the guest are passt's own.
 */
export function passtArgv(socket: string, tcpPorts: readonly number[]): string[] {
  return ['passt', '--foreground', '--stderr', '--socket', socket, '--tcp-ports', tcpPorts.join(','), '--udp-ports', 'none'];
}

/** socat copies 8 KiB per system call by default; 64 KiB keeps the bare pod's copy from being socat's. */
const SOCAT_BLOCK = ['-b', '65536'] as const;

/**
 * A TCP sink that answers "ok" once it has read the sender's whole stream, so the sender's clock
 * stops when the bytes have arrived, not when they have left its socket buffer.
 */
export function sinkServer(port: number): string[] {
  return ['socat', ...SOCAT_BLOCK, `TCP-LISTEN:${port},reuseaddr,fork`, 'SYSTEM:cat >/dev/null; echo ok'];
}

/** A TCP source that sends `bytes` zeros to whoever connects, then closes. */
export function sourceServer(port: number, bytes: number): string[] {
  // -t 120: a reader that half-closes its side at once must not cut the stream short (socat's
  // default gives the other direction 0.5 s after one ends)
  return ['socat', ...SOCAT_BLOCK, '-t', '120', `TCP-LISTEN:${port},reuseaddr,fork`, `SYSTEM:head -c ${bytes} /dev/zero`];
}

/** The peer's side of "peer → guest": push `bytes` and wait (up to 120 s) for the sink's "ok". */
export function pushScript(host: string, port: number, bytes: number): string {
  return `head -c ${bytes} /dev/zero | socat ${SOCAT_BLOCK.join(' ')} -t 120 -T 120 - TCP:${host}:${port}`;
}

/**
 * The peer's side of "guest → peer": send a one-byte request, read the source to its end and count
 * the bytes. The request is there for passt: the Debian 12 passt forwarded nothing from the guest
 * on a connection the peer had not yet sent anything on (0 bytes, then the close).
 */
export function pullScript(host: string, port: number): string {
  return `printf x | socat ${SOCAT_BLOCK.join(' ')} -t 120 -T 120 - TCP:${host}:${port} | wc -c`;
}

/**
 * `sh -c` text that starts argv in the background, in a session of its own, so the ssh session
 * that started it can end.
 */
export function detached(argv: readonly string[]): string {
  return `setsid ${argv.map(shellQuote).join(' ')} </dev/null >/dev/null 2>&1 &`;
}

/**
 * `sh -c` text that waits (up to 20 s) until every port has a socket in /proc/net/tcp, which the
 * guest's busybox and the host read alike; exits 1 if one never appears.
 */
export function waitListening(ports: readonly number[]): string {
  const checks = ports.map((p) => `grep -q ':${p.toString(16).toUpperCase().padStart(4, '0')} ' /proc/net/tcp`).join(' && ');
  return `i=0; until ${checks}; do i=$((i+1)); [ $i -gt 100 ] && { ps >&2; cat /proc/net/tcp >&2; exit 1; }; sleep 0.2; done`;
}

export function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** Pings from the guest (busybox) or a namespace (iputils): count requests, 0.2 s apart. */
export function pingArgv(host: string, count: number): string[] {
  return ['ping', '-c', String(count), '-i', '0.2', '-W', '5', host];
}

/**
 * The mean round trip in seconds from ping's summary line: iputils prints
 * "rtt min/avg/max/mdev = a/b/c/d ms", busybox "round-trip min/avg/max = a/b/c ms". A summary
 * that lost replies is an error, never a fast sample.
 */
export function parsePing(output: string): { avgSeconds: number; sent: number; received: number } {
  const counts = /(\d+) packets transmitted, (\d+) (?:packets )?received/.exec(output);
  const rtt = /(?:rtt|round-trip) min\/avg\/max(?:\/mdev)? = [\d.]+\/([\d.]+)\/[\d.]+(?:\/[\d.]+)? ms/.exec(output);
  if (!counts || !rtt) throw new Error(`no ping summary in:\n${output.trim()}`);
  const sent = Number(counts[1]);
  const received = Number(counts[2]);
  if (received !== sent) throw new Error(`ping lost ${sent - received} of ${sent} replies:\n${output.trim()}`);
  return { avgSeconds: Number(rtt[1]) / 1000, sent, received };
}

/**
 * How many of a ratio's runs went against passt, and their range: a median past the target with
 * runs on both sides of 1× is a different finding from every run on one side.
 */
export function noiseVerdict(ratios: readonly number[], direction: 'at-least' | 'at-most'): string {
  const worse = ratios.filter((r) => (direction === 'at-least' ? r < 1 : r > 1)).length;
  const range = `${Math.min(...ratios).toFixed(2)}×–${Math.max(...ratios).toFixed(2)}×`;
  return `passt did worse in ${worse} of ${ratios.length} runs (per-run ratios ${range}).`;
}

/**
 * The ICMP echo requests a kernel has received (Icmp InEchos in /proc/net/snmp, a header line then
 * a value line): whether a peer's ping to the pod IP reached the guest or stopped in front of it.
 */
export function icmpInEchos(snmp: string): number {
  const [header, values] = snmp.split('\n').filter((line) => line.startsWith('Icmp:')).map((line) => line.trim().split(/\s+/));
  const at = header?.indexOf('InEchos') ?? -1;
  const value = at > 0 ? Number(values?.[at]) : Number.NaN;
  if (!Number.isInteger(value)) throw new Error(`no Icmp InEchos in:\n${snmp.trim()}`);
  return value;
}
