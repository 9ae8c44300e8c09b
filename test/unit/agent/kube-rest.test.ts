import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadRestConfig } from '../../../agent/node/kube-rest.js';

describe('loadRestConfig (out of cluster)', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 't-agent-kc-'));
    writeFileSync(join(dir, 'ca.crt'), 'CA-PEM');
    writeFileSync(join(dir, 'token'), 'file-token\n');
    writeFileSync(
      join(dir, 'config'),
      [
        'apiVersion: v1',
        'kind: Config',
        'current-context: b',
        'clusters:',
        '- name: a',
        '  cluster: {server: "https://a:6443"}',
        '- name: b',
        '  cluster: {server: "https://b:6443", certificate-authority: ca.crt}',
        'users:',
        '- name: u',
        `  user: {client-certificate-data: ${Buffer.from('CERT').toString('base64')}, client-key-data: ${Buffer.from('KEY').toString('base64')}, tokenFile: token}`,
        'contexts:',
        '- name: a',
        '  context: {cluster: a, user: u}',
        '- name: b',
        '  context: {cluster: b, user: u}',
      ].join('\n'),
    );
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('uses the current context, resolves relative files, decodes inline data and reads the token file', async () => {
    const c = await loadRestConfig({ KUBECONFIG: join(dir, 'config') });
    assert.equal(c.server, 'https://b:6443');
    assert.equal(c.ca?.toString(), 'CA-PEM');
    assert.equal(c.cert?.toString(), 'CERT');
    assert.equal(c.key?.toString(), 'KEY');
    assert.equal(c.token?.(), 'file-token');
  });
  it('names a missing current context', async () => {
    writeFileSync(join(dir, 'bad'), 'current-context: nope\ncontexts: []\n');
    await assert.rejects(loadRestConfig({ KUBECONFIG: join(dir, 'bad') }), /current context 'nope' not found/);
  });
});
