import assert from 'node:assert/strict';
import { planAdd, planRemove } from '../../../../src/images/catalog-edit.js';
import { catalogNamespace } from '../../../../shared/contract.js';

const sha = 'ab'.repeat(32);
const req = { name: 'cirros', url: 'https://example.com/c.qcow2', sha256: sha.toUpperCase(), size: 100 };
const value = `{"url":"https://example.com/c.qcow2","sha256":"${sha}","size":100}`;

describe('planAdd', () => {
  it('creates the ConfigMap when it is missing', () => {
    assert.deepEqual(planAdd(undefined, req), { kind: 'create', data: { cirros: value } });
  });
  it('patches one key when the ConfigMap exists', () => {
    assert.deepEqual(planAdd({ other: '{}' }, req), { kind: 'patch', patch: { data: { cirros: value } } });
  });
  it('does nothing when the same entry is there', () => {
    assert.deepEqual(planAdd({ cirros: value }, req), { kind: 'none' });
  });
  it('stores an upper-case scheme as the URL parser writes it, so it is never read as plain http', () => {
    const change = planAdd(undefined, { ...req, url: 'HTTPS://Example.COM/c.qcow2' });
    assert.deepEqual(change, { kind: 'create', data: { cirros: value } });
  });
  it('refuses to replace a different entry without --force (exit 4)', () => {
    assert.throws(() => planAdd({ cirros: '{"url":"http://old"}' }, req), (e: any) => e.code === 'ALREADY_EXISTS' && e.oclif.exit === 4 && /--force/.test(e.suggestions.join()));
    assert.equal(planAdd({ cirros: '{"url":"http://old"}' }, { ...req, force: true }).kind, 'patch');
  });
  for (const [title, change, message] of [
    ['a bad name', { name: 'Cirros' }, /image name 'Cirros'/],
    ['a bad sha256', { sha256: 'xyz' }, /sha256 'xyz'/],
    ['a bad URL', { url: 'file:///etc/passwd' }, /must use http or https, not file/],
    ['a URL with credentials', { url: 'https://me:hunter2@images.example/c.qcow2' }, /^url 'https:\/\/images\.example\/c\.qcow2' carries a user name or password/],
    ['a bad size', { size: 0 }, /size 0/],
  ] as const) {
    it(`rejects ${title} as a usage error`, () => {
      assert.throws(() => planAdd(undefined, { ...req, ...change }), (e: any) => e.code === 'USAGE' && e.oclif.exit === 2 && message.test(e.message) && !/hunter2/.test(e.message));
    });
  }
  it('says what to do instead of a URL with credentials', () => {
    assert.throws(() => planAdd(undefined, { ...req, url: 'https://me@images.example/c.qcow2' }), (e: any) => /without credentials/.test(e.suggestions.join()));
  });
});

describe('planRemove', () => {
  it('patches the key to null', () => {
    assert.deepEqual(planRemove({ cirros: value }, 'cirros'), { kind: 'patch', patch: { data: { cirros: null } } });
  });
  it('says which images exist when the name is unknown (exit 3)', () => {
    assert.throws(() => planRemove({ a: '', b: '' }, 'c'), (e: any) => e.oclif.exit === 3 && /the catalog has: a, b/.test(e.suggestions[0]));
    assert.throws(() => planRemove(undefined, 'c'), (e: any) => e.code === 'NOT_FOUND');
  });
  it('does nothing with --ignore-not-found', () => {
    assert.deepEqual(planRemove(undefined, 'c', true), { kind: 'none' });
  });
});

describe('catalogNamespace', () => {
  it('is berth-system unless BERTH_CATALOG_NAMESPACE (a switch for tests, in no --help) names another', () => {
    assert.equal(catalogNamespace({}), 'berth-system');
    assert.equal(catalogNamespace({ BERTH_CATALOG_NAMESPACE: '' }), 'berth-system');
    assert.equal(catalogNamespace({ BERTH_CATALOG_NAMESPACE: 't-catalog' }), 't-catalog');
  });
});
