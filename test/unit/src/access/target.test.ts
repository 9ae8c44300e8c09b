import assert from 'node:assert/strict';
import { hostKeyAlias, loginUser, parseTarget, sshHostName, targetNamespace } from '../../../../src/access/target.js';
import { BerthError } from '../../../../shared/errors.js';

function fails(fn: () => unknown, code: string, message: RegExp): void {
  assert.throws(fn, (error: unknown) => error instanceof BerthError && error.code === code && message.test(error.message));
}

describe('access: parseTarget', () => {
  const good: Array<[string, object]> = [
    ['web-1', { name: 'web-1' }],
    ['web-1.team-a', { name: 'web-1', namespace: 'team-a' }],
    ['root@web-1', { user: 'root', name: 'web-1' }],
    ['cirros@web-1.team-a', { user: 'cirros', name: 'web-1', namespace: 'team-a' }],
    ['vm/web-1', { name: 'web-1' }],
    ['vm/web-1.team-a', { name: 'web-1', namespace: 'team-a' }],
    ['vm/web-1/team-a', { name: 'web-1', namespace: 'team-a' }],
    ['vm.web-1.team-a', { name: 'web-1', namespace: 'team-a' }],
    ['debian@vm.web-1.team-a', { user: 'debian', name: 'web-1', namespace: 'team-a' }],
    ['vm.default', { name: 'vm', namespace: 'default' }],
  ];
  for (const [raw, expected] of good) {
    it(`reads '${raw}'`, () => assert.deepEqual(parseTarget(raw), expected));
  }

  const bad: Array<[string, RegExp]> = [
    ['', /must not be empty/],
    ['Web', /upper-case/],
    ['a.b.c', /too many parts/],
    ['web_1', /contains '_'/],
    ['web.Team', /'Team' in 'web.Team' is not a valid namespace/],
    ['we b@web', /not a valid user name/],
    ['@web', /not a valid user name/],
  ];
  for (const [raw, message] of bad) {
    it(`refuses '${raw}' with INVALID_NAME`, () => fails(() => parseTarget(raw), 'INVALID_NAME', message));
  }
});

describe('access: targetNamespace, loginUser, host names', () => {
  it('takes the target namespace, else the connection one', () => {
    assert.equal(targetNamespace({ name: 'a', namespace: 'x' }, { namespace: 'default', namespaceWasSet: false }), 'x');
    assert.equal(targetNamespace({ name: 'a' }, { namespace: 'team', namespaceWasSet: true }), 'team');
    assert.equal(targetNamespace({ name: 'a', namespace: 'x' }, { namespace: 'x', namespaceWasSet: true }), 'x');
  });
  it('refuses a target namespace that contradicts -n', () => {
    fails(() => targetNamespace({ name: 'a', namespace: 'x' }, { namespace: 'y', namespaceWasSet: true }), 'USAGE', /target says namespace 'x' but -n says 'y'/);
  });
  it('takes the user from the target or -l, and refuses two different ones', () => {
    assert.equal(loginUser('root', undefined), 'root');
    assert.equal(loginUser(undefined, 'debian'), 'debian');
    assert.equal(loginUser('root', 'root'), 'root');
    assert.equal(loginUser(undefined, undefined), undefined);
    fails(() => loginUser('root', 'debian'), 'USAGE', /user 'root' but -l says 'debian'/);
  });
  it('names the ssh host with dots (scp reads a slash as a local path) and files keys as vm/NAME.NS', () => {
    assert.equal(sshHostName('web-1', 'team-a'), 'vm.web-1.team-a');
    assert.equal(hostKeyAlias('web-1', 'team-a'), 'vm/web-1.team-a');
  });
});

describe('access: checkTarget', () => {
  it('admits a user only where ssh and scp ask for one', async () => {
    const { checkTarget } = await import('../../../../src/access/resolve.js');
    assert.deepEqual(checkTarget('root@web-1', { allowUser: true }), { user: 'root', name: 'web-1' });
    assert.deepEqual(checkTarget('web-1.ns'), { name: 'web-1', namespace: 'ns' });
    fails(() => checkTarget('root@web-1'), 'INVALID_NAME', /names a user, which only ssh and scp use/);
  });
});
