import assert from 'node:assert/strict';
import { checkVmName, cloudInitSecretName, diskPvcName, MAX_VM_NAME_LENGTH, vmNameProblem, vmPodName } from '../../../../src/core/names.js';

describe('VM names', () => {
  const valid = ['a', 'web', 'web-1', '1web', '0', 'a-b-c', 'x'.repeat(MAX_VM_NAME_LENGTH)];
  for (const name of valid) it(`accepts '${name.length > 20 ? `${name.slice(0, 10)}…(${name.length})` : name}'`, () => assert.equal(vmNameProblem(name), undefined));

  it('the 52-character limit leaves room for the controller-revision-hash label (name + "-" + 10)', () => {
    assert.equal(MAX_VM_NAME_LENGTH + 1 + 10, 63);
    assert.ok(vmNameProblem('x'.repeat(53)));
  });

  const invalid = ['', 'Web', 'web_1', 'web.1', '-web', 'web-', 'wéb', 'a b', 'web/1'];
  for (const name of invalid) it(`rejects '${name}'`, () => assert.ok(vmNameProblem(name)));

  it('accepts kubectl-style vm/NAME and rejects with exit 2', () => {
    assert.equal(checkVmName('vm/web'), 'web');
    assert.throws(() => checkVmName('vm/Web'), (e: any) => e.code === 'INVALID_NAME' && e.exitCode === 2);
  });

  it('derives the object names', () => {
    assert.equal(vmPodName('web'), 'web-0');
    assert.equal(cloudInitSecretName('web'), 'web-cloudinit');
    assert.equal(diskPvcName('web'), 'disk-web-0');
  });
});
