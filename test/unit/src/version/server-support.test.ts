import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { forbiddenRoleHint } from '../../../../src/kube/forbidden-hint.js';
import { SUPPORTED_KUBERNETES_MINORS } from '../../../../shared/contract.js';
import { renderVersionText } from '../../../../src/version/report.js';
import { checkServerSupport, parseKubeMinor, serverSupportNotice, supportedRange } from '../../../../src/version/server-support.js';
import { repo as root } from '../../../support/repo.js';

const supported = ['1.35', '1.36', '1.37'];

describe('supported Kubernetes versions', () => {
  it('are the three newest minors, oldest first, the same as the test clusters (test/cluster/versions.sh)', () => {
    assert.deepEqual(SUPPORTED_KUBERNETES_MINORS, supported);
    const line = /^SUPPORTED_K8S_MINORS=\(([^)]*)\)/m.exec(readFileSync(join(root, 'test', 'cluster', 'versions.sh'), 'utf8'));
    assert.ok(line, 'versions.sh declares SUPPORTED_K8S_MINORS');
    assert.deepEqual(line[1]!.trim().split(/\s+/), [...SUPPORTED_KUBERNETES_MINORS]);
    assert.equal(supportedRange(), '1.35 to 1.37');
  });

  const minors: [string, string | undefined][] = [
    ['v1.37.2', '1.37'],
    ['v1.36.0-gke.1', '1.36'],
    ['v1.34.5+k3s1', '1.34'],
    ['v1.33.4-eks-1234abc', '1.33'],
    ['v1.35.0-rc.1+rke2r1', '1.35'],
    ['1.36', '1.36'],
    [' v1.35.1 ', '1.35'],
    ['', undefined],
    ['latest', undefined],
    ['v1', undefined],
    ['v1.x.0', undefined],
    ['v1.37.2junk', undefined],
  ];
  for (const [text, minor] of minors) {
    it(`reads the minor of ${JSON.stringify(text)}: ${minor ?? 'none'}`, () => {
      const parsed = parseKubeMinor(text);
      assert.equal(parsed && `${parsed.major}.${parsed.minor}`, minor);
    });
  }

  const checks: [object, string, string][] = [
    [{ gitVersion: 'v1.34.5+k3s1' }, 'older', 'v1.34.5+k3s1'],
    [{ gitVersion: 'v1.20.2' }, 'older', 'v1.20.2'],
    [{ gitVersion: 'v1.35.0' }, 'supported', 'v1.35.0'],
    [{ gitVersion: 'v1.36.0-gke.1' }, 'supported', 'v1.36.0-gke.1'],
    [{ gitVersion: 'v1.37.2' }, 'supported', 'v1.37.2'],
    [{ gitVersion: 'v1.38.0-alpha.0' }, 'newer', 'v1.38.0-alpha.0'],
    [{ gitVersion: 'v2.0.0' }, 'newer', 'v2.0.0'],
    // Some distributions report minor "27+"; without a usable gitVersion the fields are read.
    [{ gitVersion: 'custom-build', major: '1', minor: '27+' }, 'older', 'custom-build'],
    [{ major: '1', minor: '36' }, 'supported', '1.36'],
    [{}, 'unknown', 'unknown'],
  ];
  for (const [info, status, server] of checks) {
    it(`a server reporting ${JSON.stringify(info)} is ${status}`, () => {
      const check = checkServerSupport(info, supported);
      assert.equal(check.status, status);
      assert.equal(check.server, server);
    });
  }

  it('warns about an older server, naming its version, the supported range and what to do', () => {
    const notice = serverSupportNotice(checkServerSupport({ gitVersion: 'v1.34.5+k3s1' }, supported), supported);
    assert.equal(notice?.level, 'Warning');
    assert.equal(
      notice?.text,
      'the cluster runs Kubernetes v1.34.5+k3s1, older than kubectl-berth supports (1.35 to 1.37); berth is not tested there and may fail. ' +
        'Upgrade the cluster to 1.35 or newer, or use a kubectl-berth release that supports 1.34.',
    );
  });

  it('only notes a newer server, and says nothing about a supported or unknown one', () => {
    const newer = serverSupportNotice(checkServerSupport({ gitVersion: 'v1.38.1' }, supported), supported);
    assert.equal(newer?.level, 'Note');
    assert.match(newer!.text, /^the cluster runs Kubernetes v1\.38\.1, newer than kubectl-berth is tested on \(1\.35 to 1\.37\)/);
    assert.equal(serverSupportNotice(checkServerSupport({ gitVersion: 'v1.36.3' }, supported), supported), undefined);
    assert.equal(serverSupportNotice(checkServerSupport({}, supported), supported), undefined);
  });

  it('version prints the server version after the client version, like kubectl version', () => {
    assert.equal(
      renderVersionText({ clientVersion: '0.1.0', serverVersion: 'v1.37.2', agentVersions: [] }),
      'Client Version: 0.1.0\nServer Version: v1.37.2\nAgent Versions: none\n',
    );
  });
});

describe('a forbidden VM command names the role that grants it', () => {
  const forbidden = 'cannot stop VM \'web\': forbidden (statefulsets.apps "web" is forbidden: User "u" cannot patch resource "statefulsets/scale" in API group "apps" in the namespace "team-a")';

  it('berth-vm-admin for the commands that change or reach a VM, berth-vm-viewer for ls', () => {
    for (const id of ['create', 'stop', 'start', 'restart', 'purge', 'ssh', 'scp', 'port-forward', 'vnc', 'vnc:port-forward', 'console']) {
      assert.equal(forbiddenRoleHint(id, forbidden), 'the ClusterRole berth-vm-admin grants this in a namespace: kubectl create rolebinding berth-vm-admin --clusterrole=berth-vm-admin --user=USER -n NAMESPACE', id);
    }
    assert.match(forbiddenRoleHint('ls', forbidden)!, /^the ClusterRole berth-vm-viewer \(or berth-vm-admin\) grants this in a namespace: kubectl create rolebinding berth-vm-viewer --clusterrole=berth-vm-viewer /);
  });

  it('nothing for other commands, nor for a request at the cluster scope, which no RoleBinding grants', () => {
    for (const id of ['install', 'uninstall', 'images:add', 'nodes', undefined]) assert.equal(forbiddenRoleHint(id, forbidden), undefined, id);
    assert.equal(forbiddenRoleHint('ls', 'cannot list VMs: forbidden (User "u" cannot list resource "statefulsets" in API group "apps" at the cluster scope)'), undefined);
  });
});
