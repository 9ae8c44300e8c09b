import assert from 'node:assert/strict';
import { buildProxyArgv, buildSshArgv, sshConnectionArgs } from '../../../../src/access/ssh-argv.js';

const proxy = buildProxyArgv({ self: '/opt/berth/bin/kubectl-berth', name: 'web-1', namespace: 'team-a', port: 22 });
const base = { proxyArgv: proxy, name: 'web-1', namespace: 'team-a', knownHostsFile: '/home/u/.cache/kubectl-berth/known_hosts/prod' };
const ours = [
  '-o',
  'ProxyCommand=/opt/berth/bin/kubectl-berth port-forward --stdio -n team-a web-1 22',
  '-o',
  'HostKeyAlias=vm/web-1.team-a',
  '-o',
  'UserKnownHostsFile=/home/u/.cache/kubectl-berth/known_hosts/prod',
  '-o',
  'StrictHostKeyChecking=accept-new',
];

describe('access: ssh argv', () => {
  it('builds the ProxyCommand argv with the connection flags passed through', () => {
    assert.deepEqual(proxy, ['/opt/berth/bin/kubectl-berth', 'port-forward', '--stdio', '-n', 'team-a', 'web-1', '22']);
    assert.deepEqual(
      buildProxyArgv({ self: '/b', name: 'db', namespace: 'ns', port: 2222, kubeconfig: '/k/config', context: 'prod', requestTimeout: '30s' }),
      ['/b', 'port-forward', '--stdio', '--kubeconfig', '/k/config', '--context', 'prod', '--request-timeout', '30s', '-n', 'ns', 'db', '2222'],
    );
    assert.deepEqual(buildProxyArgv({ self: '/b', name: 'db', namespace: 'ns', port: 22, requestTimeout: '0' }), ['/b', 'port-forward', '--stdio', '-n', 'ns', 'db', '22']);
  });

  it('a minimal session: our options, then --, then the dotted host', () => {
    assert.deepEqual(buildSshArgv(base), [...ours, '--', 'vm.web-1.team-a']);
  });

  it("puts the user's options first (ssh keeps the first value), -i only when given, the command after the host", () => {
    assert.deepEqual(
      buildSshArgv({ ...base, user: 'root', identityFile: '/k/id', options: ['StrictHostKeyChecking=yes'], extraArgs: ['-v', '-A'], command: ['exit', '7'] }),
      ['-v', '-A', '-o', 'StrictHostKeyChecking=yes', '-i', '/k/id', ...ours, '--', 'root@vm.web-1.team-a', 'exit', '7'],
    );
  });

  it('quotes a ProxyCommand path with spaces and a known_hosts path with spaces', () => {
    const args = sshConnectionArgs({
      ...base,
      proxyArgv: buildProxyArgv({ self: '/Users/A B/bin/kubectl-berth', name: 'w', namespace: 'n', port: 22, kubeconfig: '/Users/A B/k 100%' }),
      knownHostsFile: '/Users/A B/.cache/kh',
    });
    assert.equal(args[1], "ProxyCommand='/Users/A B/bin/kubectl-berth' port-forward --stdio --kubeconfig '/Users/A B/k 100%%' -n n w 22");
    assert.equal(args[5], 'UserKnownHostsFile="/Users/A B/.cache/kh"');
  });
});
