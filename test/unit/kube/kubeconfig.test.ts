import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kubeconfigFiles, loadKubeConfig } from '../../../src/kube/kubeconfig.js';
import { parseRequestTimeout } from '../../../src/kube/connect.js';
import { BerthError } from '../../../shared/errors.js';

function kubeconfig(cluster: string, server: string, context: string, current: string, ns?: string): string {
  return `apiVersion: v1
kind: Config
clusters: [{name: ${cluster}, cluster: {server: "${server}"}}]
users: [{name: u-${cluster}, user: {token: t}}]
contexts: [{name: ${context}, context: {cluster: ${cluster}, user: u-${cluster}${ns ? `, namespace: ${ns}` : ''}}}]
current-context: ${current}
`;
}

describe('kubeconfig loading', () => {
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

  it('merges several files as kubectl does: the first file wins for names and current-context', async () => {
    const old = process.env.KUBECONFIG;
    process.env.KUBECONFIG = `${a}:${b}`;
    try {
      const kc = await loadKubeConfig({});
      assert.equal(kc.getCurrentContext(), 'ctx-a');
      assert.equal(kc.getCurrentCluster()?.server, 'https://first:6443');
      assert.deepEqual(kc.getContexts().map((c) => c.name).sort(), ['ctx-a', 'ctx-b']);
    } finally {
      if (old === undefined) delete process.env.KUBECONFIG;
      else process.env.KUBECONFIG = old;
    }
  });

  it('refuses a context that does not exist, naming the ones that do', async () => {
    await assert.rejects(loadKubeConfig({ kubeconfig: a, context: 'nope' }), (e: BerthError) => {
      assert.equal(e.code, 'KUBECONFIG');
      assert.match(e.message, /context 'nope'/);
      assert.match(e.suggestions[0], /ctx-a/);
      return true;
    });
  });

  it('refuses to fall back to localhost:8080 when no kubeconfig exists', async () => {
    await assert.rejects(loadKubeConfig({ kubeconfig: join(dir, 'missing') }), /does not exist/);
  });

  it('parses kubectl request timeouts', () => {
    assert.equal(parseRequestTimeout('0'), 0);
    assert.equal(parseRequestTimeout('5'), 5000);
    assert.equal(parseRequestTimeout('1m30s'), 90_000);
    assert.equal(parseRequestTimeout('250ms'), 250);
    assert.throws(() => parseRequestTimeout('soon'), /invalid --request-timeout/);
  });
});
