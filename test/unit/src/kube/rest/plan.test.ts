import assert from 'node:assert/strict';
import type { CurrentContext } from '../../../../../src/kube/kubeconfig.js';
import { apiUrl } from '../../../../../src/kube/rest/get.js';
import { planRest, type RestPlan } from '../../../../../src/kube/rest/plan.js';
import { listPath } from '../../../../../src/kube/reader.js';

const files: Record<string, string> = { '/pki/ca.crt': 'CA-FILE', '/pki/me.crt': 'CERT-FILE', '/pki/me.key': 'KEY-FILE', '/tok': 'file-token\n' };
function readFile(path: string): Buffer {
  if (!(path in files)) throw Object.assign(new Error(`ENOENT: no such file or directory, open '${path}'`), { code: 'ENOENT' });
  return Buffer.from(files[path]!);
}

function context(cluster: Record<string, unknown>, user?: Record<string, unknown>): CurrentContext {
  return { name: 'x', cluster: { name: 'c', fields: { server: 'https://api:6443', ...cluster } }, user: user ? { name: 'u', fields: user } : undefined };
}

function target(plan: RestPlan) {
  assert.ok(plan.ok, plan.ok ? '' : plan.reason);
  return plan.target;
}

const b64 = (s: string) => Buffer.from(s).toString('base64');

describe('plain HTTPS plan for a kubeconfig context', () => {
  it('uses a CA file, client certificate and key files', () => {
    const t = target(planRest(context({ 'certificate-authority': '/pki/ca.crt' }, { 'client-certificate': '/pki/me.crt', 'client-key': '/pki/me.key' }), readFile));
    assert.equal(t.tls.ca?.toString(), 'CA-FILE');
    assert.equal(t.tls.cert?.toString(), 'CERT-FILE');
    assert.equal(t.tls.key?.toString(), 'KEY-FILE');
    assert.deepEqual(t.headers, {});
    assert.equal(t.tls.rejectUnauthorized, undefined, 'verification stays on');
  });

  it('decodes the -data forms, and prefers the data when both are given (as client-go does)', () => {
    const t = target(planRest(context({ 'certificate-authority-data': b64('CA-DATA') }, { 'client-certificate-data': b64('C'), 'client-key-data': b64('K') }), readFile));
    assert.deepEqual([t.tls.ca?.toString(), t.tls.cert?.toString(), t.tls.key?.toString()], ['CA-DATA', 'C', 'K']);
    const both = target(planRest(context({ 'certificate-authority': '/pki/ca.crt', 'certificate-authority-data': b64('CA-DATA') }), readFile));
    assert.equal(both.tls.ca?.toString(), 'CA-DATA');
  });

  it('sends a bearer token before basic auth (token files are read by the kubeconfig reader)', () => {
    assert.equal(target(planRest(context({}, { token: 'abc' }), readFile)).headers.Authorization, 'Bearer abc');
    assert.equal(target(planRest(context({}, { username: 'ann', password: 'pw' }), readFile)).headers.Authorization, `Basic ${b64('ann:pw')}`);
    assert.equal(target(planRest(context({}, { username: 'ann', password: 'pw', token: 'abc' }), readFile)).headers.Authorization, 'Bearer abc');
  });

  it('honours insecure-skip-tls-verify, tls-server-name and impersonation of a user', () => {
    const t = target(planRest(context({ 'insecure-skip-tls-verify': true, 'tls-server-name': 'kubernetes.default' }, { as: 'jane' }), readFile));
    assert.equal(t.tls.rejectUnauthorized, false);
    assert.equal(t.tls.servername, 'kubernetes.default');
    assert.equal(t.headers['Impersonate-User'], 'jane');
    // Only a real YAML true skips verification, as in client-node.
    assert.equal(target(planRest(context({ 'insecure-skip-tls-verify': 'true' }), readFile)).tls.rejectUnauthorized, undefined);
  });

  it('works without a user (anonymous) and strips trailing slashes from the server, keeping a path prefix', () => {
    const t = target(planRest(context({ server: 'https://rancher.example/k8s/clusters/c-1/' }), readFile));
    assert.equal(t.server, 'https://rancher.example/k8s/clusters/c-1');
    assert.equal(apiUrl(t, listPath('pods', 'web')).href, 'https://rancher.example/k8s/clusters/c-1/api/v1/namespaces/web/pods');
  });

  it('falls back to client-node for exec plugins, auth providers, proxies, http:// and group impersonation', () => {
    const cases: [CurrentContext, RegExp][] = [
      [context({}, { exec: { command: 'aws', apiVersion: 'client.authentication.k8s.io/v1beta1' } }), /exec credential plugin/],
      [context({}, { 'auth-provider': { name: 'oidc', config: {} } }), /auth-provider/],
      [context({ 'proxy-url': 'http://proxy:3128' }, { token: 't' }), /proxy/],
      [context({ server: 'http://127.0.0.1:8080', 'insecure-skip-tls-verify': true }), /not https/],
      [context({}, { as: 'jane', 'as-groups': ['admins'] }), /impersonated groups/],
    ];
    for (const [ctx, reason] of cases) {
      const plan = planRest(ctx, readFile);
      assert.equal(plan.ok, false);
      assert.match(plan.ok ? '' : plan.reason, reason);
    }
  });

  it('falls back when a file it names cannot be read, so client-node reports it as it always did', () => {
    const plan = planRest(context({ 'certificate-authority': '/pki/missing.crt' }, { token: 't' }), readFile);
    assert.equal(plan.ok, false);
    assert.match(plan.ok ? '' : plan.reason, /ENOENT.*missing\.crt/);
  });
});

describe('list URLs', () => {
  const t = { server: 'https://api:6443', tls: {}, headers: {} };

  it('builds namespaced and cluster-wide collection paths with the selector encoded', () => {
    assert.equal(listPath('statefulsets', 'team-a'), '/apis/apps/v1/namespaces/team-a/statefulsets');
    assert.equal(listPath('statefulsets', undefined), '/apis/apps/v1/statefulsets');
    assert.equal(listPath('pods', undefined), '/api/v1/pods');
    const url = apiUrl(t, listPath('pods', 'a'), { labelSelector: 'app.kubernetes.io/managed-by=kubectl-berth,x!=y', other: undefined });
    assert.equal(url.search, '?labelSelector=app.kubernetes.io%2Fmanaged-by%3Dkubectl-berth%2Cx%21%3Dy');
  });
});
