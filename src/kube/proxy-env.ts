// The proxy kubectl would use for an API server from the environment (Go's
// http.ProxyFromEnvironment, which client-go uses unless the kubeconfig names a proxy-url).
// client-node honours only proxy-url, so the kubeconfig reader turns the environment's answer into
// one: both of the plugin's clients then cross the same proxy kubectl would. Pure.
import { BlockList, isIP } from 'node:net';

/** Whether NO_PROXY (comma-separated hosts, domains, IPs or CIDRs, each with an optional port) covers host:port. */
export function noProxyCovers(noProxy: string, host: string, port: string): boolean {
  const name = host.toLowerCase();
  for (const raw of noProxy.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean)) {
    if (raw === '*') return true;
    if (raw.includes('/')) {
      const [address, bits] = raw.split('/') as [string, string];
      const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
      if (isIP(name) === 0 || isIP(address) === 0) continue;
      const list = new BlockList();
      try {
        list.addSubnet(address, Number(bits), family);
      } catch {
        continue;
      }
      if (list.check(name, isIP(name) === 6 ? 'ipv6' : 'ipv4')) return true;
      continue;
    }
    // host:port or [v6]:port; a bare IPv6 address has colons of its own.
    const bracketed = /^\[(.+)\](?::(\d+))?$/.exec(raw);
    const hostPort = bracketed ? [bracketed[1]!, bracketed[2]] : isIP(raw) === 6 ? [raw, undefined] : (raw.split(':') as [string, string?]);
    const [entry, entryPort] = hostPort as [string, string | undefined];
    if (entryPort && entryPort !== port) continue;
    if (isIP(entry) !== 0) {
      if (entry === name) return true;
      continue;
    }
    // "example.com" covers example.com and its subdomains; ".example.com" only the subdomains.
    const domain = entry.startsWith('.') ? entry : `.${entry}`;
    if (name.endsWith(domain) || (!entry.startsWith('.') && name === entry)) return true;
  }
  return false;
}

/** The proxy URL for `server` from HTTPS_PROXY/HTTP_PROXY and NO_PROXY, or undefined for none. */
export function proxyFromEnvironment(server: string, env: NodeJS.ProcessEnv): string | undefined {
  let url: URL;
  try {
    url = new URL(server);
  } catch {
    return undefined;
  }
  const https = url.protocol === 'https:';
  const proxy = https ? env.HTTPS_PROXY || env.https_proxy : env.HTTP_PROXY || env.http_proxy;
  if (!proxy) return undefined;
  const host = url.hostname.replace(/^\[|\]$/g, '');
  // Go never proxies requests to localhost or a loopback address, whatever the environment says.
  if (host === 'localhost' || /^127\./.test(host) || host === '::1') return undefined;
  const port = url.port || (https ? '443' : '80');
  if (noProxyCovers(env.NO_PROXY || env.no_proxy || '', host, port)) return undefined;
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(proxy) ? proxy : `http://${proxy}`;
}
