// The plugin run as a process against a stand-in API server that reports an older Kubernetes than
// kubectl-berth supports: version, install and create warn on stderr and go ahead, and ls never
// asks for /version. The stand-in answers like an empty cluster: a named object is 404, a list is
// empty, a create or an apply returns what it was sent.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { berth } from '../../support/plugin.js';

const KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBerthOldServerTestKeyOnly00000000000000000 t@old';

/** What discovery tells install's object client: the kinds the manifests hold, in any group. */
const RESOURCES = [
  ['namespaces', 'Namespace', false],
  ['serviceaccounts', 'ServiceAccount', true],
  ['configmaps', 'ConfigMap', true],
  ['clusterroles', 'ClusterRole', false],
  ['clusterrolebindings', 'ClusterRoleBinding', false],
  ['roles', 'Role', true],
  ['rolebindings', 'RoleBinding', true],
  ['daemonsets', 'DaemonSet', true],
  ['validatingadmissionpolicies', 'ValidatingAdmissionPolicy', false],
  ['validatingadmissionpolicybindings', 'ValidatingAdmissionPolicyBinding', false],
].map(([name, kind, namespaced]) => ({ name, kind, namespaced, singularName: '', verbs: ['get', 'patch'] }));

function fakeApiServer(gitVersion: string, seen: string[]): Server {
  return createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    seen.push(`${req.method} ${url.pathname}`);
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => {
      const reply = (code: number, value: unknown) => {
        res.writeHead(code, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify(value));
      };
      if (url.pathname === '/version') return reply(200, { major: '1', minor: gitVersion.split('.')[1], gitVersion });
      if (req.method === 'POST' || req.method === 'PATCH') {
        const object = JSON.parse(body || '{}') as { metadata?: Record<string, unknown> };
        return reply(201, { ...object, metadata: { ...object.metadata, resourceVersion: '1' } });
      }
      // After /api/v1 or /apis/GROUP/VERSION: nothing is discovery, an odd count of segments a
      // collection (nodes, namespaces/NS/pods), an even one a named object.
      const parts = url.pathname.split('/').filter(Boolean);
      const rest = parts.slice(parts[0] === 'api' ? 2 : 3);
      if (rest.length === 0) return reply(200, { kind: 'APIResourceList', groupVersion: parts.slice(1).join('/'), resources: RESOURCES });
      if (rest.length % 2 === 1) return reply(200, { kind: 'List', apiVersion: 'v1', metadata: {}, items: [] });
      return reply(404, { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404, message: `${rest.at(-1)} not found` });
    });
  });
}

/** The plugin (test/support/plugin.ts) pointed at the stand-in server, with a HOME of its own. */
const run = (args: string[], kubeconfig: string) => berth(args, { env: { KUBECONFIG: kubeconfig, HOME: tmpdir() }, timeoutMs: 60_000 });

describe('a cluster older than kubectl-berth supports (a stand-in API server)', function () {
  this.timeout(60_000);
  const seen: string[] = [];
  const server = fakeApiServer('v1.34.5+k3s1', seen);
  let kubeconfig: string;
  const warning = /Warning: the cluster runs Kubernetes v1\.34\.5\+k3s1, older than kubectl-berth supports \(1\.35 to 1\.37\); berth is not tested there and may fail\. Upgrade the cluster to 1\.35 or newer, or use a kubectl-berth release that supports 1\.34\./;
  const flat = (text: string) => text.replace(/\s*\n\s*/g, ' ');

  before(async () => {
    await new Promise<void>((listening) => server.listen(0, '127.0.0.1', () => listening()));
    const { port } = server.address() as AddressInfo;
    kubeconfig = join(mkdtempSync(join(tmpdir(), 't-old-server-')), 'kubeconfig');
    writeFileSync(kubeconfig, `apiVersion: v1
kind: Config
clusters: [{name: old, cluster: {server: "http://127.0.0.1:${port}", insecure-skip-tls-verify: true}}]
users: [{name: u, user: {token: t}}]
contexts: [{name: old, context: {cluster: old, user: u, namespace: team-a}}]
current-context: old
`);
  });

  after(() => new Promise<void>((closed) => server.close(() => closed())));
  beforeEach(() => seen.splice(0));

  it('version prints the server version and warns on stderr, exit 0', async () => {
    const r = await run(['version'], kubeconfig);
    assert.equal(r.exitCode, 0, r.stderr);
    assert.equal(r.stdout, 'Client Version: 0.1.0\nServer Version: v1.34.5+k3s1\nAgent Versions: none\n');
    assert.match(flat(r.stderr), warning);
    const json = await run(['version', '-o', 'json'], kubeconfig);
    assert.equal((JSON.parse(json.stdout) as { serverVersion: string }).serverVersion, 'v1.34.5+k3s1');
  });

  it('create warns before it creates anything, then creates the VM', async () => {
    const r = await run(['create', 'web', '--image', 'http://127.0.0.1:9/x.qcow2', '--accel', 'tcg', '--allow-unschedulable', '--ssh-key', KEY], kubeconfig);
    assert.equal(r.exitCode, 0, r.stderr);
    assert.equal(r.stdout, 'vm/web created\n');
    assert.match(flat(r.stderr), warning);
    assert.equal(seen.filter((s) => s === 'GET /version').length, 1);
    assert.ok(seen.some((s) => s.startsWith('POST /apis/apps/v1/namespaces/team-a/statefulsets')), seen.join('\n'));
  });

  it('create --dry-run changes nothing, so it does not ask', async () => {
    const r = await run(['create', 'web', '--image', 'http://127.0.0.1:9/x.qcow2', '--accel', 'tcg', '--ssh-key', KEY, '--dry-run', '-o', 'name'], kubeconfig);
    assert.equal(r.exitCode, 0, r.stderr);
    assert.doesNotMatch(r.stderr, /Warning/);
    assert.ok(!seen.includes('GET /version'));
  });

  it('install warns, then applies the manifests', async () => {
    const r = await run(['install', '--no-wait'], kubeconfig);
    assert.equal(r.exitCode, 0, r.stderr);
    assert.match(flat(r.stderr), new RegExp(`^${warning.source} installing berth into namespace berth-system`));
    assert.match(r.stderr, /clusterrole\.rbac\.authorization\.k8s\.io\/berth-vm-admin created/);
  });

  it('ls, which only reads, never asks for /version', async () => {
    const r = await run(['ls'], kubeconfig);
    assert.equal(r.exitCode, 0, r.stderr);
    assert.doesNotMatch(r.stderr, /Warning/);
    assert.ok(seen.length > 0 && !seen.includes('GET /version'), seen.join('\n'));
  });
});
