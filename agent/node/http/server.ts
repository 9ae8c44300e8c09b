// /healthz and /metrics on the node's loopback (the agent runs with hostNetwork): for the kubelet's
// liveness probe and for a Prometheus node scrape, never exposed off the node.
import http from 'node:http';

export interface HealthState {
  ok: boolean;
  detail: string;
}

export function startHttpServer(host: string, port: number, metrics: () => string, health: () => HealthState): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD' }).end();
    } else if (path === '/healthz') {
      const h = health();
      res.writeHead(h.ok ? 200 : 503, { 'Content-Type': 'text/plain; charset=utf-8' }).end(`${h.ok ? 'ok' : 'unhealthy'}: ${h.detail}\n`);
    } else if (path === '/metrics') {
      res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8' }).end(metrics());
    } else {
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('not found: try /healthz or /metrics\n');
    }
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}
