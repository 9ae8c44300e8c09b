import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  asKubectlReads,
  kubeconfigFiles,
  loadKubeConfig,
  mergeKubeconfigs,
  readKubeconfig,
  selectContext,
  type CurrentContext,
  type KubectlReadIo,
} from '../../../../src/kube/kubeconfig.js';
import { parseRequestTimeout } from '../../../../src/kube/connect.js';
import { BerthError } from '../../../../shared/errors.js';

function kubeconfig(cluster: string, server: string, context: string, current: string, ns?: string): string {
  return `apiVersion: v1
kind: Config
clusters: [{name: ${cluster}, cluster: {server: "${server}"}}]
users: [{name: u-${cluster}, user: {token: t}}]
contexts: [{name: ${context}, context: {cluster: ${cluster}, user: u-${cluster}${ns ? `, namespace: ${ns}` : ''}}}]
current-context: ${current}
`;
}

const doc = (cluster: string, server: string, context: string, current: string, extra: Record<string, unknown> = {}) => ({
  clusters: [{ name: cluster, cluster: { server, 'certificate-authority': 'ca.crt' } }],
  users: [{ name: `u-${cluster}`, user: { token: `t-${cluster}`, 'client-key': '/abs/key.pem', ...extra } }],
  contexts: [{ name: context, context: { cluster, user: `u-${cluster}`, namespace: `ns-${context}` } }],
  'current-context': current,
});

function merged(...docs: { file: string; doc: unknown }[]) {
  const m = mergeKubeconfigs(docs);
  assert.notEqual(typeof m, 'string', String(m));
  return m as Exclude<typeof m, string>;
}

describe('kubeconfig: the one reader', () => {
  const dir = mkdtempSync(join(tmpdir(), 'berth-kc-'));
  const a = join(dir, 'a');
  const b = join(dir, 'b');
  writeFileSync(a, kubeconfig('shared', 'https://first:6443', 'ctx-a', 'ctx-a', 'team-a'));
  writeFileSync(b, kubeconfig('shared', 'https://second:6443', 'ctx-b', 'ctx-b'));

  it('lists --kubeconfig alone, else KUBECONFIG split on the path delimiter, else ~/.kube/config', () => {
    assert.deepEqual(kubeconfigFiles({ kubeconfig: '/x', env: { KUBECONFIG: '/y' } }), ['/x']);
    assert.deepEqual(kubeconfigFiles({ env: { KUBECONFIG: '/y::/z' } }), ['/y', '/z']);
    assert.deepEqual(kubeconfigFiles({ env: {} }, '/home/u'), ['/home/u/.kube/config']);
  });

  it('merges as kubectl does: the first file wins for names and current-context', () => {
    const m = merged({ file: '/a/config', doc: doc('shared', 'https://first', 'ctx-a', 'ctx-a') }, { file: '/b/config', doc: doc('shared', 'https://second', 'ctx-b', 'ctx-b') });
    const ctx = selectContext(m, undefined);
    assert.equal(ctx.name, 'ctx-a');
    assert.equal(ctx.cluster.fields.server, 'https://first');
    assert.equal(ctx.namespace, 'ns-ctx-a');
    assert.equal(ctx.user?.fields.token, 't-shared');
    assert.deepEqual(m.contexts.map((c) => c.name), ['ctx-a', 'ctx-b']);
    // The second file's context still points at the first file's cluster of the same name.
    assert.equal(selectContext(m, 'ctx-b').cluster.fields.server, 'https://first');
  });

  it('hands client-node the same merge: first file wins, and --context is honoured', async () => {
    const old = process.env.KUBECONFIG;
    process.env.KUBECONFIG = `${a}:${b}`;
    try {
      const kc = await loadKubeConfig({});
      assert.equal(kc.getCurrentContext(), 'ctx-a');
      assert.equal(kc.getCurrentCluster()?.server, 'https://first:6443');
      assert.deepEqual(kc.getContexts().map((c) => c.name).sort(), ['ctx-a', 'ctx-b']);
      const other = await loadKubeConfig({ context: 'ctx-b' });
      assert.equal(other.getCurrentContext(), 'ctx-b');
      assert.equal(other.getCurrentCluster()?.server, 'https://first:6443');
    } finally {
      if (old === undefined) delete process.env.KUBECONFIG;
      else process.env.KUBECONFIG = old;
    }
  });

  it('resolves relative file paths against the directory of the file that names them', () => {
    const m = merged({ file: '/home/u/.kube/config', doc: doc('c', 'https://x', 'ctx', 'ctx', { tokenFile: 'tok', 'client-certificate': 'sub/cert.pem' }) });
    const ctx = selectContext(m, undefined);
    assert.equal(ctx.cluster.fields['certificate-authority'], '/home/u/.kube/ca.crt');
    assert.equal(ctx.user?.fields['client-certificate'], '/home/u/.kube/sub/cert.pem');
    assert.equal(ctx.user?.fields.tokenFile, '/home/u/.kube/tok');
    assert.equal(ctx.user?.fields['client-key'], '/abs/key.pem');
  });

  it('takes an empty file for an empty kubeconfig, and a context without user or namespace', () => {
    const m = merged({ file: '/e', doc: null }, { file: '/f', doc: { clusters: [{ name: 'c', cluster: { server: 'https://x' } }], contexts: [{ name: 'x', context: { cluster: 'c' } }], 'current-context': 'x' } });
    const ctx = selectContext(m, undefined);
    assert.equal(ctx.user, undefined);
    assert.equal(ctx.namespace, undefined);
  });

  it('names what is missing in an entry', () => {
    assert.equal(mergeKubeconfigs([{ file: '/a', doc: { clusters: [{ name: 'c', cluster: {} }] } }]), '/a: clusters[0].cluster.server is missing');
    assert.equal(mergeKubeconfigs([{ file: '/a', doc: { users: [{ user: {} }] } }]), '/a: users[0].name is missing');
    assert.equal(mergeKubeconfigs([{ file: '/a', doc: { contexts: [{ name: 'x', context: { user: 'u' } }] } }]), '/a: contexts[0].context.cluster is missing');
  });

  it('refuses an unknown --context, a missing current context and a context without a cluster', () => {
    const m = merged({ file: '/a', doc: doc('c', 'https://x', 'ctx', '') });
    assert.throws(() => selectContext(m, 'nope'), (e: BerthError) => e.code === 'KUBECONFIG' && /context 'nope' is not in your kubeconfig/.test(e.message) && /ctx/.test(e.suggestions[0]!));
    assert.throws(() => selectContext(m, undefined), /your kubeconfig has no current context/);
    const orphan = merged({ file: '/a', doc: { contexts: [{ name: 'o', context: { cluster: 'gone' } }], 'current-context': 'o' } });
    assert.throws(() => selectContext(orphan, undefined), /context 'o' names no known cluster/);
  });

  describe("kubectl's reading of the fields, the same for both clients", () => {
    const io = (env: NodeJS.ProcessEnv = {}, files: Record<string, string> = {}, system?: string): KubectlReadIo => ({
      env,
      readFile: (path) => {
        if (!(path in files)) throw new Error(`ENOENT: no such file or directory, open '${path}'`);
        return files[path]!;
      },
      systemCa: () => system,
    });
    const ctx = (cluster: Record<string, unknown>, user?: Record<string, unknown>): CurrentContext => ({
      name: 'k',
      cluster: { name: 'c', fields: { server: 'https://api.example:6443', ...cluster } },
      user: user ? { name: 'u', fields: user } : undefined,
    });

    it('lets certificate-authority-data, client-certificate-data and client-key-data override their files', () => {
      const read = asKubectlReads(ctx({ 'certificate-authority': '/ca', 'certificate-authority-data': 'Q0E=' }, { 'client-certificate': '/c', 'client-certificate-data': 'Qw==', 'client-key': '/k', 'client-key-data': 'Sw==' }), io());
      assert.equal(read.cluster.fields['certificate-authority'], undefined);
      assert.equal(read.cluster.fields['certificate-authority-data'], 'Q0E=');
      assert.deepEqual(Object.keys(read.user!.fields).sort(), ['client-certificate-data', 'client-key-data']);
      const fileOnly = asKubectlReads(ctx({ 'certificate-authority': '/ca' }), io());
      assert.equal(fileOnly.cluster.fields['certificate-authority'], '/ca');
    });

    it("reads kubectl's tokenFile (and client-node's token-file), trimmed; a token in the kubeconfig wins", () => {
      const files = { '/tok': 'from-file\n' };
      assert.equal(asKubectlReads(ctx({ 'certificate-authority-data': 'x' }, { tokenFile: '/tok' }), io({}, files)).user!.fields.token, 'from-file');
      assert.equal(asKubectlReads(ctx({ 'certificate-authority-data': 'x' }, { 'token-file': '/tok' }), io({}, files)).user!.fields.token, 'from-file');
      const both = asKubectlReads(ctx({ 'certificate-authority-data': 'x' }, { token: 'inline', tokenFile: '/tok' }), io({}, files)).user!.fields;
      assert.deepEqual(both, { token: 'inline' });
      assert.throws(() => asKubectlReads(ctx({}, { tokenFile: '/missing' }), io()), (e: BerthError) => e.code === 'KUBECONFIG' && /token file of user 'u' \(\/missing\)/.test(e.message));
    });

    it('takes the proxy from HTTPS_PROXY unless NO_PROXY covers the server or the cluster names its own', () => {
      const proxy = (env: NodeJS.ProcessEnv, cluster: Record<string, unknown> = {}) => asKubectlReads(ctx({ 'certificate-authority-data': 'x', ...cluster }), io(env)).cluster.fields['proxy-url'];
      assert.equal(proxy({ HTTPS_PROXY: 'proxy.corp:3128' }), 'http://proxy.corp:3128');
      assert.equal(proxy({ https_proxy: 'http://p:1' }), 'http://p:1');
      assert.equal(proxy({ HTTPS_PROXY: 'http://p:1', NO_PROXY: 'example' }), undefined);
      assert.equal(proxy({ HTTPS_PROXY: 'http://p:1', NO_PROXY: '.other,api.example:6443' }), undefined);
      assert.equal(proxy({ HTTPS_PROXY: 'http://p:1', NO_PROXY: 'api.example:443' }), 'http://p:1');
      assert.equal(proxy({ HTTP_PROXY: 'http://p:1' }), undefined, 'HTTP_PROXY is for http:// servers');
      assert.equal(proxy({ HTTPS_PROXY: 'http://p:1' }, { 'proxy-url': 'socks5://s:1080' }), 'socks5://s:1080');
      assert.equal(proxy({}), undefined);
    });

    it("never proxies loopback servers, and honours CIDRs and '*' in NO_PROXY", () => {
      const proxy = (server: string, env: NodeJS.ProcessEnv) => asKubectlReads(ctx({ server, 'certificate-authority-data': 'x' }), io(env)).cluster.fields['proxy-url'];
      assert.equal(proxy('https://127.0.0.1:6443', { HTTPS_PROXY: 'http://p:1' }), undefined);
      assert.equal(proxy('https://localhost:6443', { HTTPS_PROXY: 'http://p:1' }), undefined);
      assert.equal(proxy('https://10.1.2.3:6443', { HTTPS_PROXY: 'http://p:1', NO_PROXY: '10.0.0.0/8' }), undefined);
      assert.equal(proxy('https://11.1.2.3:6443', { HTTPS_PROXY: 'http://p:1', NO_PROXY: '10.0.0.0/8' }), 'http://p:1');
      assert.equal(proxy('https://[fd00::1]:6443', { HTTPS_PROXY: 'http://p:1', NO_PROXY: 'fd00::/8' }), undefined);
      assert.equal(proxy('https://api.example:6443', { HTTPS_PROXY: 'http://p:1', NO_PROXY: '*' }), undefined);
    });

    it("trusts the system's CAs when the cluster names none, and nothing else when it names one", () => {
      const system = '-----BEGIN CERTIFICATE-----\nSYSTEM\n-----END CERTIFICATE-----';
      const none = asKubectlReads(ctx({}), io({}, {}, system)).cluster.fields;
      assert.equal(Buffer.from(String(none['certificate-authority-data']), 'base64').toString(), system);
      assert.equal(asKubectlReads(ctx({ 'certificate-authority': '/ca' }), io({}, {}, system)).cluster.fields['certificate-authority-data'], undefined);
      assert.equal(asKubectlReads(ctx({ 'insecure-skip-tls-verify': true }), io({}, {}, system)).cluster.fields['certificate-authority-data'], undefined);
      assert.equal(asKubectlReads(ctx({}), io()).cluster.fields['certificate-authority-data'], undefined, "without a list of the system's CAs, Node's own roots");
    });

    it('hands client-node the settled fields', async () => {
      const file = join(dir, 'settled');
      writeFileSync(join(dir, 'tok'), 'file-token\n');
      writeFileSync(file, JSON.stringify({ clusters: [{ name: 'c', cluster: { server: 'https://api.example:6443', 'certificate-authority-data': 'Q0E=', 'certificate-authority': '/nowhere' } }], users: [{ name: 'u', user: { tokenFile: 'tok' } }], contexts: [{ name: 'k', context: { cluster: 'c', user: 'u' } }], 'current-context': 'k' }));
      const kc = await loadKubeConfig({ kubeconfig: file });
      assert.equal(kc.getCurrentUser()?.token, 'file-token');
      assert.equal(kc.getCurrentCluster()?.caFile, undefined);
      assert.equal(kc.getCurrentCluster()?.caData, 'Q0E=');
    });
  });

  describe('reading files', () => {
    const good = join(dir, 'good');
    const broken = join(dir, 'broken');
    const invalid = join(dir, 'invalid');
    writeFileSync(good, 'apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: "https://x:6443"}}]\nusers: [{name: u, user: {token: t}}]\ncontexts: [{name: k, context: {cluster: c, user: u}}]\ncurrent-context: k\n');
    writeFileSync(broken, 'clusters: [unclosed\n');
    writeFileSync(invalid, 'clusters: [{name: c, cluster: {}}]\n');

    it('reads the current context from --kubeconfig', () => {
      assert.equal(readKubeconfig({ kubeconfig: good }).context.cluster.fields.server, 'https://x:6443');
    });

    it('reports a file that does not parse, or an entry that is incomplete, naming the file', () => {
      assert.throws(() => readKubeconfig({ kubeconfig: broken }), (e: BerthError) => e.code === 'KUBECONFIG' && e.message.startsWith(`cannot read kubeconfig '${broken}'`));
      assert.throws(() => readKubeconfig({ kubeconfig: invalid }), (e: BerthError) => e.message === `cannot read kubeconfig '${invalid}': clusters[0].cluster.server is missing`);
    });

    it('refuses a context that does not exist, naming the ones that do, and a missing file', async () => {
      await assert.rejects(loadKubeConfig({ kubeconfig: a, context: 'nope' }), (e: BerthError) => {
        assert.equal(e.code, 'KUBECONFIG');
        assert.match(e.message, /context 'nope'/);
        assert.match(e.suggestions[0]!, /ctx-a/);
        return true;
      });
      // Never client-node's silent fallback to localhost:8080.
      await assert.rejects(loadKubeConfig({ kubeconfig: join(dir, 'missing') }), /does not exist/);
    });
  });

  it('parses kubectl request timeouts', () => {
    assert.equal(parseRequestTimeout('0'), 0);
    assert.equal(parseRequestTimeout('5'), 5000);
    assert.equal(parseRequestTimeout('1m30s'), 90_000);
    assert.equal(parseRequestTimeout('250ms'), 250);
    assert.throws(() => parseRequestTimeout('soon'), /invalid --request-timeout/);
  });
});
