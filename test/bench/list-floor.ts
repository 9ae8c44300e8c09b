// A diagnostic for ls-scale, not a product: the two list requests ls makes (StatefulSets and pods by
// label), issued in parallel from a bare Node process with node:https and the kubeconfig read with
// `yaml`, no client-node. Its time is what a Node plugin could reach, so the gap between it and
// `kubectl berth ls` is what the plugin's own code costs. Prints one VM name a line.
// Usage: node list-floor.js KUBECONFIG NAMESPACE SELECTOR
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { parse } from 'yaml';

interface Named<T> {
  name: string;
  [key: string]: unknown;
  cluster?: T;
  user?: T;
  context?: T;
}

const [kubeconfigPath, namespace, selector] = process.argv.slice(2);
if (!kubeconfigPath || !namespace || !selector) {
  process.stderr.write('usage: list-floor.js KUBECONFIG NAMESPACE SELECTOR\n');
  process.exit(2);
}
const config = parse(readFileSync(kubeconfigPath, 'utf8')) as {
  'current-context': string;
  contexts: Named<{ cluster: string; user: string }>[];
  clusters: Named<Record<string, string>>[];
  users: Named<Record<string, string>>[];
};
const context = config.contexts.find((c) => c.name === config['current-context'])!.context!;
const cluster = config.clusters.find((c) => c.name === context.cluster)!.cluster!;
const user = config.users.find((u) => u.name === context.user)!.user ?? {};
const pem = (data?: string, file?: string) => (data ? Buffer.from(data, 'base64') : file ? readFileSync(file) : undefined);
const tls = {
  ca: pem(cluster['certificate-authority-data'], cluster['certificate-authority']),
  cert: pem(user['client-certificate-data'], user['client-certificate']),
  key: pem(user['client-key-data'], user['client-key']),
};
const headers: Record<string, string> = { Accept: 'application/json' };
if (user.token) headers.Authorization = `Bearer ${user.token}`;

interface Item {
  metadata: { name: string };
}

function list(path: string): Promise<Item[]> {
  const url = new URL(`${path}?labelSelector=${encodeURIComponent(selector!)}`, cluster.server);
  return new Promise((resolve, reject) => {
    const req = request(url, { headers, ...tls }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        if (res.statusCode !== 200) return reject(new Error(`${url}: HTTP ${res.statusCode}`));
        resolve((JSON.parse(Buffer.concat(chunks).toString()) as { items: Item[] }).items);
      });
    });
    req.on('error', reject);
    req.end();
  });
}

const [sets, pods] = await Promise.all([
  list(`/apis/apps/v1/namespaces/${namespace}/statefulsets`),
  list(`/api/v1/namespaces/${namespace}/pods`),
]);
process.stdout.write(sets.map((s) => `${s.metadata.name}\n`).join(''));
process.stderr.write(`statefulsets ${sets.length}, pods ${pods.length}\n`);
