// create when the API server's answer to the StatefulSet create is lost after the server stored
// it: the real API server behind a small HTTP proxy of the test's own that forwards every request
// and, for that one POST, reads the answer and then cuts the connection instead of passing it on.
// The Secret must stay (the VM's pod mounts it) and create must find out that the VM exists.
import assert from 'node:assert/strict';
import { readFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { cloudInitSecretName } from '../../../src/core/names.js';
import { clusterKubeconfig } from '../../support/cluster.js';
import { berth, createNamespace, DEAD_IMAGE, deleteNamespace, kube, requireCluster } from './fixture.js';

const SHA = 'e'.repeat(64);
const STS_CREATE = /^\/apis\/apps\/v1\/namespaces\/[^/]+\/statefulsets(\?.*)?$/;

/** The admin kubeconfig's server, CA and token: the proxy forwards to the first, the plugin sends the last. */
function adminAccess() {
  const doc = parse(readFileSync(clusterKubeconfig(), 'utf8')) as {
    clusters: { cluster: { server: string; 'certificate-authority': string } }[];
    users: { user: { token: string } }[];
  };
  return { server: new URL(doc.clusters[0]!.cluster.server), ca: readFileSync(doc.clusters[0]!.cluster['certificate-authority']), token: doc.users[0]!.user.token };
}

describe('create: a lost answer to the StatefulSet create (integration, local cluster)', function () {
  this.timeout(120_000);
  const files = mkdtempSync(join(tmpdir(), 't-plugin-lost-reply-'));
  let ns: string;
  let proxy: Server;
  let kubeconfig: string;
  /** The non-dry-run StatefulSet creates the proxy saw, and how many answers it dropped. */
  const seen = { stsCreates: 0, dropped: 0 };

  before(async function () {
    this.timeout(60_000);
    await requireCluster();
    ns = await createNamespace('lost-reply');
    const { server, ca, token } = adminAccess();
    proxy = createServer((req, res) => {
      const url = req.url ?? '/';
      const isStsCreate = req.method === 'POST' && STS_CREATE.test(url) && !/[?&]dryRun=/.test(url);
      if (isStsCreate) seen.stsCreates += 1;
      const drop = isStsCreate && seen.dropped === 0;
      const upstream = httpsRequest(new URL(url, server), { method: req.method, headers: { ...req.headers, host: server.host }, ca }, (answer) => {
        if (drop) {
          // The server has decided and stored the object; the client never hears of it.
          seen.dropped += 1;
          answer.resume();
          answer.on('end', () => req.socket.destroy());
          return;
        }
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      upstream.on('error', () => req.socket.destroy());
      req.pipe(upstream);
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    const port = (proxy.address() as { port: number }).port;
    kubeconfig = join(files, 'via-proxy.kubeconfig');
    const doc = {
      apiVersion: 'v1',
      kind: 'Config',
      // Plain HTTP on loopback to the proxy, which holds the TLS to the API server; client-node
      // allows an http:// server only with insecure-skip-tls-verify.
      clusters: [{ name: 'c', cluster: { server: `http://127.0.0.1:${port}`, 'insecure-skip-tls-verify': true } }],
      users: [{ name: 'u', user: { token } }],
      contexts: [{ name: 'k', context: { cluster: 'c', user: 'u', namespace: ns } }],
      'current-context': 'k',
    };
    writeFileSync(kubeconfig, JSON.stringify(doc));
  });

  after(async () => {
    proxy?.closeAllConnections();
    proxy?.close();
    if (ns) await deleteNamespace(ns);
    rmSync(files, { recursive: true, force: true });
  });

  it('keeps the Secret, asks again and reports the VM created', async () => {
    const run = await berth(['create', 'lost', '--kubeconfig', kubeconfig, '--image', DEAD_IMAGE, '--image-sha256', SHA, '--accel', 'tcg', '--ephemeral', '--node-selector', `t-plugin.berth.dev/never=${ns}`, '--allow-unschedulable']);
    assert.equal(seen.dropped, 1, 'the proxy dropped the answer to the StatefulSet create');
    assert.equal(run.exitCode, 0, run.stderr);
    assert.equal(run.stdout, 'vm/lost created\n');
    assert.match(run.message, /no clear answer to creating VM 'lost'; asking again/);
    assert.equal(seen.stsCreates, 2);
    const { apps, core } = await kube();
    const sts = await apps.readNamespacedStatefulSet({ name: 'lost', namespace: ns });
    assert.equal(sts.metadata!.name, 'lost');
    const secret = await core.readNamespacedSecret({ name: cloudInitSecretName('lost'), namespace: ns });
    assert.equal(secret.metadata!.name, cloudInitSecretName('lost'));
  });
});
