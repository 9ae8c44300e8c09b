// The pod's DNS settings (the kubelet writes them to /etc/resolv.conf), handed on to the VM.
import { isIpv4 } from '../common/ipv4.js';

export interface PodDns {
  nameservers: string[];
  searchDomains: string[];
  /** Nameservers the VM cannot use (loopback, IPv6), with the reason. */
  skipped: string[];
}

export function parseResolvConf(text: string): PodDns {
  const dns: PodDns = { nameservers: [], searchDomains: [], skipped: [] };
  for (const raw of text.split('\n')) {
    const line = raw.replace(/[#;].*$/, '').trim();
    const [keyword, ...values] = line.split(/\s+/);
    if (keyword === 'nameserver' && values[0]) {
      const server = values[0];
      if (!isIpv4(server)) dns.skipped.push(`${server} (not IPv4)`);
      else if (server.startsWith('127.')) dns.skipped.push(`${server} (the pod's loopback is not the VM's)`);
      else if (!dns.nameservers.includes(server)) dns.nameservers.push(server);
    } else if (keyword === 'search') {
      // the last search line wins, as in glibc
      dns.searchDomains = values.filter((d) => d !== '.');
    } else if (keyword === 'domain' && values[0] && dns.searchDomains.length === 0) {
      dns.searchDomains = [values[0]];
    }
  }
  return dns;
}
