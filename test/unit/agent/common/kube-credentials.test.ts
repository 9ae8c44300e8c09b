// The agent's credentials for the API server, from real files: a service-account directory as a
// pod mounts it, and kubeconfigs read by client-node as the plugin reads them (several KUBECONFIG
// files, relative paths, an exec credential plugin that is a real program).
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { loadCredentials } from '../../../../agent/common/kube-credentials.js';

describe('the agent credentials for the API server', () => {
  let dir: string;
  let savedKubeconfig: string | undefined;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 't-agent-kc-'));
    savedKubeconfig = process.env.KUBECONFIG;
  });
  after(() => {
    rmSync(dir, { recursive: true, force: true });
    if (savedKubeconfig === undefined) delete process.env.KUBECONFIG;
    else process.env.KUBECONFIG = savedKubeconfig;
  });
  const write = (name: string, lines: string[]) => {
    writeFileSync(join(dir, name), lines.join('\n'));
    return join(dir, name);
  };
  const headers = async (c: Awaited<ReturnType<typeof loadCredentials>>) => (await c.requestOptions()).headers as Record<string, string>;

  it("in a pod: the service account, with the token read again for every request", async () => {
    const sa = mkdtempSync(join(dir, 'sa-'));
    writeFileSync(join(sa, 'ca.crt'), 'CA-PEM');
    writeFileSync(join(sa, 'token'), 'first\n');
    const c = await loadCredentials({ KUBERNETES_SERVICE_HOST: 'fd00::1', KUBERNETES_SERVICE_PORT: '443', KUBECONFIG: '/nonexistent' }, sa);
    assert.equal(c.server, 'https://[fd00::1]:443');
    assert.equal((await headers(c)).Authorization, 'Bearer first');
    writeFileSync(join(sa, 'token'), 'rotated\n');
    assert.equal((await headers(c)).Authorization, 'Bearer rotated');
  });

  it('elsewhere: every KUBECONFIG file (the current context may live in the second), relative files resolved', async () => {
    writeFileSync(join(dir, 'ca.crt'), 'CA-PEM');
    const first = write('first', ['apiVersion: v1', 'kind: Config', 'current-context: b', 'clusters:', '- name: a', '  cluster: {server: "https://a:6443"}', 'users:', '- name: ua', '  user: {token: a-token}', 'contexts:', '- name: a', '  context: {cluster: a, user: ua}']);
    const second = write('second', [
      'apiVersion: v1',
      'kind: Config',
      'clusters:',
      '- name: b',
      '  cluster: {server: "https://b:6443", certificate-authority: ca.crt}',
      'users:',
      '- name: ub',
      `  user: {client-certificate-data: ${Buffer.from('CERT').toString('base64')}, client-key-data: ${Buffer.from('KEY').toString('base64')}, token: b-token}`,
      'contexts:',
      '- name: b',
      '  context: {cluster: b, user: ub}',
    ]);
    process.env.KUBECONFIG = [first, second].join(delimiter);
    const c = await loadCredentials({});
    assert.equal(c.server, 'https://b:6443');
    assert.equal(c.source, "kubeconfig context 'b'");
    const options = await c.requestOptions();
    assert.equal(options.ca?.toString(), 'CA-PEM');
    assert.equal(options.cert?.toString(), 'CERT');
    assert.equal(options.key?.toString(), 'KEY');
    assert.equal((options.headers as Record<string, string>).Authorization, 'Bearer b-token');
  });

  it('elsewhere: an exec credential plugin is run for the token', async () => {
    const plugin = write('credential-plugin.sh', ['#!/bin/sh', `echo '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"exec-token"}}'`]);
    chmodSync(plugin, 0o755);
    process.env.KUBECONFIG = write('exec', [
      'apiVersion: v1',
      'kind: Config',
      'current-context: e',
      'clusters:',
      '- name: e',
      '  cluster: {server: "https://e:6443"}',
      'users:',
      '- name: ue',
      '  user:',
      '    exec: {apiVersion: client.authentication.k8s.io/v1, command: ' + plugin + ', interactiveMode: Never}',
      'contexts:',
      '- name: e',
      '  context: {cluster: e, user: ue}',
    ]);
    const c = await loadCredentials({});
    assert.equal((await headers(c)).Authorization, 'Bearer exec-token');
  });

  it('names a kubeconfig without a current context', async () => {
    process.env.KUBECONFIG = write('no-context', ['apiVersion: v1', 'kind: Config', 'clusters: []', 'contexts: []', 'users: []']);
    await assert.rejects(loadCredentials({}), /has no current context/);
  });
});
