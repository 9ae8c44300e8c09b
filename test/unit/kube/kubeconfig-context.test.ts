import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mergeKubeconfigs, readCurrentContext, selectContext } from '../../../src/kube/kubeconfig-context.js';
import { loadKubeConfig } from '../../../src/kube/kubeconfig.js';
import { BerthError } from '../../../shared/errors.js';

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

describe('kubeconfig context without client-node', () => {
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

  it("resolves relative file paths against the directory of the file that names them", () => {
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

  it('names what client-node would reject instead of guessing at it', () => {
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

  describe('reading files', () => {
    const dir = mkdtempSync(join(tmpdir(), 'berth-kcc-'));
    const good = join(dir, 'good');
    const broken = join(dir, 'broken');
    writeFileSync(good, 'apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: "https://x:6443"}}]\nusers: [{name: u, user: {token: t}}]\ncontexts: [{name: k, context: {cluster: c, user: u}}]\ncurrent-context: k\n');
    writeFileSync(broken, 'clusters: [unclosed\n');

    it('reads the current context from --kubeconfig', () => {
      const result = readCurrentContext({ kubeconfig: good });
      assert.ok(result.ok);
      assert.equal(result.context.cluster.fields.server, 'https://x:6443');
    });

    it('leaves a file that does not parse to client-node, whose error the user then sees', async () => {
      const result = readCurrentContext({ kubeconfig: broken });
      assert.equal(result.ok, false);
      await assert.rejects(loadKubeConfig({ kubeconfig: broken }), /cannot read kubeconfig/);
    });

    it('throws the same errors as loadKubeConfig for a missing file or context', async () => {
      for (const sel of [{ kubeconfig: join(dir, 'missing') }, { kubeconfig: good, context: 'nope' }]) {
        const light = (() => {
          try {
            readCurrentContext(sel);
          } catch (error) {
            return error as BerthError;
          }
          assert.fail('no error');
        })();
        await assert.rejects(loadKubeConfig(sel), (heavy: BerthError) => {
          assert.equal(light.message, heavy.message);
          assert.deepEqual(light.suggestions, heavy.suggestions);
          return true;
        });
      }
    });
  });
});
