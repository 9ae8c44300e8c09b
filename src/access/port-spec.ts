// Port arguments as kubectl port-forward spells them: `REMOTE`, `LOCAL:REMOTE`, `:REMOTE` (any free
// local port), with an optional `tcp/` prefix. Kubernetes port-forward carries TCP only.
import { usageError } from '../../shared/errors.js';

export interface PortSpec {
  /** 0 means: let the system pick a free port. */
  local: number;
  remote: number;
}

/** Parses one port number; `allowZero` admits 0 (a free port chosen by the system). */
export function parsePort(raw: string, what: string, allowZero = false): number {
  if (!/^\d{1,5}$/.test(raw)) {
    throw usageError(`${what} '${raw}' is not a port number`, 'use a number from 1 to 65535');
  }
  const port = Number(raw);
  if (port > 65535 || (port === 0 && !allowZero)) {
    throw usageError(`${what} ${port} is out of range`, `use a number from ${allowZero ? 0 : 1} to 65535`);
  }
  return port;
}

export function parsePortSpec(raw: string): PortSpec {
  let spec = raw;
  const slash = spec.indexOf('/');
  if (slash >= 0) {
    const protocol = spec.slice(0, slash).toLowerCase();
    if (protocol === 'udp') {
      throw usageError(`'${raw}': UDP cannot be forwarded`, 'Kubernetes port-forward carries TCP only; expose UDP with a Service instead');
    }
    if (protocol !== 'tcp') throw usageError(`'${raw}': unknown protocol '${protocol}'`, 'write PORT, LOCAL:REMOTE or tcp/LOCAL:REMOTE');
    spec = spec.slice(slash + 1);
  }
  const parts = spec.split(':');
  if (parts.length > 2) throw usageError(`'${raw}' is not a port spec`, 'write PORT, LOCAL:REMOTE or :REMOTE');
  if (parts.length === 1) {
    const port = parsePort(parts[0], 'port');
    return { local: port, remote: port };
  }
  const local = parts[0] === '' ? 0 : parsePort(parts[0], 'local port', true);
  return { local, remote: parsePort(parts[1], 'remote port') };
}

/** Parses every spec and refuses two that would listen on the same fixed local port. */
export function parsePortSpecs(raws: string[]): PortSpec[] {
  if (raws.length === 0) throw usageError('no port given', 'name at least one port, e.g. 8080:80');
  const specs = raws.map(parsePortSpec);
  const seen = new Set<number>();
  for (const spec of specs) {
    if (spec.local === 0) continue;
    if (seen.has(spec.local)) throw usageError(`local port ${spec.local} is given twice`, 'give each forward its own local port');
    seen.add(spec.local);
  }
  return specs;
}
