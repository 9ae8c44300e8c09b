// ls reads through plain HTTPS when the kubeconfig allows it and through client-node otherwise.
// Against the real cluster: client certificates, ServiceAccount tokens and the admin token work
// without client-node ever being imported; an exec credential plugin falls back to client-node and
// still works; and every failure reads the same whichever client met it.
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { execa } from 'execa';
import { parse } from 'yaml';
import { clusterKubeconfig, serviceAccountToken } from '../../support/cluster.js';
import { importTraceModule, loadedPackages } from '../../support/import-trace.js';
import { packageRoot } from '../../../src/package-root.js';
import { berth, createNamespace, DEAD_IMAGE, deleteNamespace, kube, requireCluster, type Run } from './fixture.js';

const files = mkdtempSync(join(tmpdir(), 't-plugin-ls-clients-'));
const admin = parse(readFileSync(clusterKubeconfig(), 'utf8')) as {
  clusters: { cluster: { server: string; 'certificate-authority': string } }[];
  users: { user: { token: string } }[];
};
const server = admin.clusters[0]!.cluster.server;
const caFile = admin.clusters[0]!.cluster['certificate-authority'];

/** A one-context kubeconfig file; `user` holds the user's fields as kubectl writes them. */
function writeKubeconfig(name: string, user: Record<string, unknown>, cluster: Record<string, unknown> = { server, 'certificate-authority': caFile }): string {
  const path = join(files, name);
  const doc = { apiVersion: 'v1', kind: 'Config', clusters: [{ name: 'c', cluster }], users: [{ name: 'u', user }], contexts: [{ name: 'k', context: { cluster: 'c', user: 'u' } }], 'current-context': 'k' };
  writeFileSync(path, JSON.stringify(doc));
  return path;
}

/** An exec credential plugin (a shell script) that hands client-node this bearer token. */
function execUser(token: string): Record<string, unknown> {
  const script = join(files, `cred-${randomBytes(4).toString('hex')}.sh`);
  const credential = { apiVersion: 'client.authentication.k8s.io/v1beta1', kind: 'ExecCredential', status: { token } };
  writeFileSync(script, `#!/bin/sh\ncat <<'EOF'\n${JSON.stringify(credential)}\nEOF\n`);
  chmodSync(script, 0o755);
  return { exec: { apiVersion: 'client.authentication.k8s.io/v1beta1', command: script } };
}

interface TracedRun extends Run {
  clientNode: boolean;
}

/** Runs the plugin and reports whether the process imported @kubernetes/client-node. */
async function tracedBerth(args: string[]): Promise<TracedRun> {
  const trace = join(files, `trace-${randomBytes(4).toString('hex')}`);
  writeFileSync(trace, '');
  const run = await berth(args, { env: { NODE_OPTIONS: `--import=${importTraceModule}`, BERTH_TEST_IMPORT_TRACE: trace } });
  const loaded = loadedPackages(trace, packageRoot(import.meta.url));
  assert.ok(loaded.has('@oclif/core'), 'the import trace recorded nothing: it does not see the process');
  return { ...run, clientNode: loaded.has('@kubernetes/client-node') };
}

/** A client certificate for user `cn`, signed by the local cluster's CA. */
async function clientCertificate(cn: string): Promise<{ cert: string; key: string }> {
  const key = join(files, 'me.key');
  const csr = join(files, 'me.csr');
  const cert = join(files, 'me.crt');
  await execa('openssl', ['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-subj', `/CN=${cn}`, '-out', csr]);
  const caKey = join(dirname(caFile), 'ca.key');
  // -set_serial, not -CAcreateserial: the cluster's own serial file is left alone.
  await execa('openssl', ['x509', '-req', '-in', csr, '-CA', caFile, '-CAkey', caKey, '-set_serial', `0x${randomBytes(8).toString('hex')}`, '-days', '1', '-out', cert]);
  return { cert, key };
}

describe('ls through plain HTTPS or client-node (integration, local cluster)', function () {
  this.timeout(120_000);
  let ns: string;
  let readerToken: string;
  let silent: Server;
  const sockets: Socket[] = [];

  before(async function () {
    this.timeout(120_000);
    await requireCluster();
    ns = await createNamespace('ls-clients');
    const created = await berth(['create', 'solo', '-n', ns, '--image', DEAD_IMAGE, '--accel', 'tcg', '--memory', '128Mi', '--ephemeral', '--node-selector', `t-plugin.berth.dev/never=${ns}`, '--allow-unschedulable']);
    assert.equal(created.exitCode, 0, created.stderr);
    const { client, kc } = await kube();
    const rbac = kc.makeApiClient(client.RbacAuthorizationV1Api);
    await rbac.createNamespacedRole({ namespace: ns, body: { metadata: { name: 'vm-reader' }, rules: [{ apiGroups: ['', 'apps'], resources: ['pods', 'statefulsets'], verbs: ['list'] }] } });
    const subjects = [
      { kind: 'ServiceAccount', name: 'reader', namespace: ns },
      { kind: 'User', name: `t-plugin-cert-${ns}`, apiGroup: 'rbac.authorization.k8s.io' },
    ];
    await rbac.createNamespacedRoleBinding({ namespace: ns, body: { metadata: { name: 'vm-reader' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'vm-reader' }, subjects } });
    readerToken = await serviceAccountToken(ns, 'reader');
    // Accepts connections and never says a word: a cluster that does not answer.
    silent = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  });

  after(async () => {
    for (const socket of sockets) socket.destroy();
    silent?.close();
    if (ns) await deleteNamespace(ns);
    rmSync(files, { recursive: true, force: true });
  });

  it("the admin token of the cluster's kubeconfig: listed without importing client-node", async () => {
    const run = await tracedBerth(['ls', '-n', ns, '-o', 'name']);
    assert.equal(run.exitCode, 0, run.stderr);
    assert.equal(run.stdout, 'vm/solo\n');
    assert.equal(run.clientNode, false);
  });

  it('a client certificate and key (files named relative to the kubeconfig) with an inline CA', async () => {
    const { cert, key } = await clientCertificate(`t-plugin-cert-${ns}`);
    const ca = { server, 'certificate-authority-data': readFileSync(caFile).toString('base64') };
    const byFile = await tracedBerth(['ls', '-n', ns, '-o', 'name', '--kubeconfig', writeKubeconfig('cert.kubeconfig', { 'client-certificate': 'me.crt', 'client-key': 'me.key' }, ca)]);
    assert.equal(byFile.exitCode, 0, byFile.stderr);
    assert.equal(byFile.stdout, 'vm/solo\n');
    assert.equal(byFile.clientNode, false);
    const inline = { 'client-certificate-data': readFileSync(cert).toString('base64'), 'client-key-data': readFileSync(key).toString('base64') };
    const byData = await tracedBerth(['ls', '-n', ns, '-o', 'name', '--kubeconfig', writeKubeconfig('cert-data.kubeconfig', inline)]);
    assert.equal(byData.exitCode, 0, byData.stderr);
    assert.equal(byData.stdout, 'vm/solo\n');
    assert.equal(byData.clientNode, false);
  });

  it("a ServiceAccount's token, inline and from kubectl's tokenFile", async () => {
    writeFileSync(join(files, 'reader.token'), `${readerToken}\n`);
    for (const user of [{ token: readerToken }, { tokenFile: join(files, 'reader.token') }]) {
      const run = await tracedBerth(['ls', '-n', ns, '-o', 'name', '--kubeconfig', writeKubeconfig('sa.kubeconfig', user)]);
      assert.equal(run.exitCode, 0, `${JSON.stringify(Object.keys(user))}: ${run.stderr}`);
      assert.equal(run.stdout, 'vm/solo\n');
      assert.equal(run.clientNode, false);
    }
  });

  it('an exec credential plugin: falls back to client-node and still lists', async () => {
    const run = await tracedBerth(['ls', '-n', ns, '-o', 'name', '--kubeconfig', writeKubeconfig('exec.kubeconfig', execUser(admin.users[0]!.user.token))]);
    assert.equal(run.exitCode, 0, run.stderr);
    assert.equal(run.stdout, 'vm/solo\n');
    assert.equal(run.clientNode, true);
  });

  describe('failures read the same through either client', () => {
    const cases: [string, () => { light: Record<string, unknown>; cluster?: Record<string, unknown>; args?: string[] }, number, RegExp][] = [
      ['rejected credentials', () => ({ light: { token: 'not-a-token' } }), 5, /^cannot list VMs: the cluster did not accept your credentials/],
      ['no RBAC permission (all namespaces)', () => ({ light: { token: readerToken }, args: ['-A'] }), 5, /^cannot list VMs: forbidden \(.*"system:serviceaccount:t-plugin-ls-clients-[0-9a-f]+:reader" cannot list resource "(statefulsets|pods)".* at the cluster scope/],
      ['unreachable cluster', () => ({ light: { token: 'x' }, cluster: { server: 'https://127.0.0.1:2' } }), 5, /^cannot list VMs: cannot reach the cluster at https:\/\/127\.0\.0\.1:2 \(/],
      ['a cluster that never answers', () => ({ light: { token: 'x' }, cluster: { server: `https://127.0.0.1:${(silent.address() as { port: number }).port}`, 'certificate-authority': caFile }, args: ['--request-timeout', '1s'] }), 5, /^cannot list VMs: the cluster did not answer in time/],
    ];
    for (const [title, setup, exitCode, message] of cases) {
      it(`${title}: exit ${exitCode}`, async () => {
        const { light, cluster, args = [] } = setup();
        const token = String(light.token);
        const runs: Record<string, TracedRun> = {};
        for (const [client, user] of [['https', light], ['client-node', execUser(token)]] as const) {
          const path = writeKubeconfig(`${client}-${randomBytes(3).toString('hex')}.kubeconfig`, user, cluster);
          runs[client] = await tracedBerth(['ls', '-n', ns, '--kubeconfig', path, ...args]);
          assert.equal(runs[client]!.clientNode, client === 'client-node');
          assert.equal(runs[client]!.exitCode, exitCode, `${client}: ${runs[client]!.stderr}`);
          const error = /Error: (.*?) Code:/.exec(runs[client]!.message)?.[1] ?? '';
          assert.match(error, message, client);
        }
        // Everything up to the network's own words in parentheses is the same sentence.
        const headline = (r: TracedRun) => r.message.replace(/\s\(.*?\)\s+Code:/, ' Code:');
        assert.equal(headline(runs.https!), headline(runs['client-node']!));
      });
    }
  });
});
