import assert from 'node:assert/strict';
import { buildScpArgv, parseScpOperand, planScp } from '../../../../src/access/scp-argv.js';
import { buildProxyArgv } from '../../../../src/access/ssh-argv.js';
import { BerthError } from '../../../../shared/errors.js';

describe('access: scp operands and argv', () => {
  it('reads remote operands with scp\'s rule (a colon before any slash)', () => {
    assert.deepEqual(parseScpOperand('web-1:/tmp/x'), { kind: 'remote', target: { name: 'web-1' }, path: '/tmp/x' });
    assert.deepEqual(parseScpOperand('root@web-1.ns:'), { kind: 'remote', target: { user: 'root', name: 'web-1', namespace: 'ns' }, path: '' });
    assert.deepEqual(parseScpOperand('./a:b'), { kind: 'local', path: './a:b' });
    assert.deepEqual(parseScpOperand('/abs/a:b'), { kind: 'local', path: '/abs/a:b' });
    assert.deepEqual(parseScpOperand('file.txt'), { kind: 'local', path: 'file.txt' });
    assert.deepEqual(parseScpOperand(':x'), { kind: 'local', path: ':x' });
  });

  it('plans a copy with exactly one VM', () => {
    assert.deepEqual(planScp(['a', 'b', 'web-1.ns:/tmp/']).vm, { name: 'web-1', namespace: 'ns' });
    assert.deepEqual(planScp(['root@web-1:/etc/hosts', 'web-1:/x', '.']).vm, { name: 'web-1' });
    const usage = (raws: string[], message: RegExp) =>
      assert.throws(() => planScp(raws), (e: unknown) => e instanceof BerthError && e.exitCode === 2 && message.test(e.message));
    usage(['a'], /needs a source and a destination/);
    usage(['a', 'b'], /no operand names a VM/);
    usage(['web-1:/a', 'web-2:/b'], /one VM at a time/);
    assert.throws(() => planScp(['Bad:/x', '.']), (e: unknown) => e instanceof BerthError && e.code === 'INVALID_NAME');
  });

  it('rewrites VM operands to the ProxyCommand host, keeps local ones, and adds -r/-p before --', () => {
    const plan = planScp(['./a b', 'root@web-1.ns:/tmp/', 'web-1.ns:~/x']);
    const argv = buildScpArgv({
      proxyArgv: buildProxyArgv({ self: '/b', name: 'web-1', namespace: 'ns', port: 22 }),
      name: 'web-1',
      namespace: 'ns',
      knownHostsFile: '/kh',
      operands: plan.operands,
      defaultUser: 'debian',
      recursive: true,
      preserve: true,
    });
    assert.deepEqual(argv.slice(-7), ['StrictHostKeyChecking=accept-new', '-r', '-p', '--', './a b', 'root@vm.web-1.ns:/tmp/', 'debian@vm.web-1.ns:~/x']);
    assert.equal(argv[1], 'ProxyCommand=/b port-forward --stdio -n ns web-1 22');
  });
});
